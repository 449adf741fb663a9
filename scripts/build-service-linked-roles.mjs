// Builds data/service-linked-roles.json — for each AWS service that IAM's CreateServiceLinkedRole
// knows, the role name it creates, the AWS managed policies it attaches and whether a CustomSuffix is
// allowed — from the real-AWS recordings in ../shared/reference/localstack-snapshots (test_iam
// `TestIAMServiceRoles`: `test_service_role_lifecycle[...]` gives name, path, trust and attached
// policies; `..._custom_suffix[...]` marks services that accept a suffix; `..._custom_suffix_not_allowed`
// those that refuse one). The output is committed, so the server never needs the reference folder.
//
// Usage: node scripts/build-service-linked-roles.mjs [snapshotRoot] [outFile]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const snapRoot = resolve(process.argv[2] ?? join(root, '..', 'shared', 'reference', 'localstack-snapshots'));
const outFile = resolve(process.argv[3] ?? join(root, 'data', 'service-linked-roles.json'));

const services = {};
for (const branch of ['main', 'pr-13720']) {
  const file = join(snapRoot, branch, 'iam', 'test_iam.snapshot.json');
  if (!existsSync(file)) continue;
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  for (const [name, entry] of Object.entries(snap)) {
    const m =
      /TestIAMServiceRoles::(test_service_role_lifecycle(?:_custom_suffix(?:_not_allowed)?)?)\[(.+)\]$/.exec(
        name,
      );
    if (!m) continue;
    const [, kind, service] = m;
    const s = (services[service] ??= { service });
    const content = entry['recorded-content'];
    if (kind === 'test_service_role_lifecycle_custom_suffix_not_allowed') s.customSuffix = false;
    if (kind === 'test_service_role_lifecycle_custom_suffix') s.customSuffix = true;
    const role = content['describe-response']?.Role;
    if (kind === 'test_service_role_lifecycle' && role) {
      s.roleName = role.RoleName;
      s.path = role.Path;
      s.policies = (content['attached-role-policies']?.AttachedPolicies ?? []).map((p) =>
        p.PolicyArn.replace('<partition>', 'aws'),
      );
    }
  }
}
const list = Object.values(services)
  .filter((s) => typeof s.roleName === 'string')
  .sort((a, b) => (a.service < b.service ? -1 : 1))
  .map((s) => ({
    service: s.service,
    roleName: s.roleName,
    policies: s.policies,
    customSuffix: s.customSuffix ?? null,
  }));
writeFileSync(outFile, JSON.stringify({ count: list.length, services: list }, null, 1) + '\n');
console.log(`wrote ${list.length} services to ${outFile}`);
