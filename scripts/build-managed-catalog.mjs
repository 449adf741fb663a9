// Builds data/aws-managed-policies.json (the built-in `arn:aws:iam::aws:policy/...` catalog) from the
// reference folder ../shared/reference/aws-managed-policies/*.json. The output is committed, so the
// server never needs the reference folder at run time.
//
// Usage: node scripts/build-managed-catalog.mjs [sourceDir] [outFile]
//
// Per the reference folder's README:
// - `PolicyId` is null for policies newer than the MAMIP snapshot: a stable id is derived here from
//   the ARN (`ANPA` + 17 base32 characters, the shape of AWS's policy ids).
// - `DefaultVersionId` is null for 31 policies: `v1` is used.
// - `Deprecated` (from `_index.json`) is kept so the catalog can hide deprecated policies from new use.
// - Documents are kept in their original key order and form, serialised compactly.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = resolve(process.argv[2] ?? join(root, '..', 'shared', 'reference', 'aws-managed-policies'));
const outFile = resolve(process.argv[3] ?? join(root, 'data', 'aws-managed-policies.json'));

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A stable, AWS-shaped policy id for a policy whose real id is unknown. */
function derivedPolicyId(arn) {
  const digest = createHash('sha256').update(arn).digest();
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) id += BASE32[(digest[i] ?? 0) % 32];
  return id;
}

const index = JSON.parse(readFileSync(join(sourceDir, '_index.json'), 'utf8'));
const deprecated = new Set(index.policies.filter((p) => p.Deprecated === true).map((p) => p.Arn));

const policies = [];
for (const file of readdirSync(sourceDir).sort()) {
  if (!file.endsWith('.json') || file.startsWith('_')) continue;
  const p = JSON.parse(readFileSync(join(sourceDir, file), 'utf8'));
  if (typeof p.Arn !== 'string' || typeof p.PolicyName !== 'string' || p.Document === undefined)
    throw new Error(`${file}: missing Arn, PolicyName or Document`);
  policies.push({
    name: p.PolicyName,
    arn: p.Arn,
    path: p.Path,
    policyId: p.PolicyId ?? derivedPolicyId(p.Arn),
    defaultVersionId: p.DefaultVersionId ?? 'v1',
    attachable: p.IsAttachable !== false,
    deprecated: deprecated.has(p.Arn),
    createDate: Date.parse(p.CreateDate),
    updateDate: Date.parse(p.UpdateDate),
    document: JSON.stringify(p.Document),
  });
}
// IAM lists policies in name order; keep the file in that order so the server need not sort.
policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
if (policies.length !== index.count)
  throw new Error(`expected ${index.count} policies, found ${policies.length}`);

mkdirSync(dirname(outFile), { recursive: true });
const out = {
  source: 'shared/reference/aws-managed-policies (see its README for provenance and licenses)',
  count: policies.length,
  policies,
};
writeFileSync(outFile, JSON.stringify(out) + '\n');
console.log(`wrote ${policies.length} policies to ${outFile}`);
