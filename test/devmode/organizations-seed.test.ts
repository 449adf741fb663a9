/**
 * Organizations in seed files and `iamd export` (issue 19): a seeded SCP on an OU denies the member
 * account's administrator (real SDK), the seed's ids are kept, and export → seed → export is identical.
 * SCP message: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  EnablePolicyTypeCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  TagResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { BIN, startDevServer, stripIamdEnv, type DevServer } from './spawn.js';

const SEED = fileURLToPath(new URL('../../../test/fixtures/devmode/organization.yaml', import.meta.url));
const ADMIN = {
  accessKeyId: 'AKIAMEMBERADMIN00001',
  secretAccessKey: 'member-admin-secret-member-admin-01',
};
const dirs: string[] = [];
const servers: DevServer[] = [];
async function start(args: string[]): Promise<DevServer> {
  const s = await startDevServer(args);
  servers.push(s);
  return s;
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'iamd-orgseed-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, ...args], { env: stripIamdEnv(process.env), encoding: 'utf8' });
}
function exportOf(dir: string): string {
  const r = run('export', '--data', dir, '--with-secrets');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('a seeded SCP on an OU denies the member account’s admin; export keeps ids and round-trips', async () => {
  const first = tempDir();
  const a = await start(['--data', first, '--seed', SEED]);
  const iam = a.iam(ADMIN);
  await iam.send(new ListUsersCommand({}));
  await assert.rejects(iam.send(new CreateUserCommand({ UserName: 'blocked' })), (err: Error) => {
    assert.equal(err.name, 'AccessDenied');
    assert.equal(
      err.message,
      'User: arn:aws:iam::222222222222:user/admin is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::222222222222:user/blocked with an explicit deny in a service control policy',
    );
    return true;
  });
  // Changes made through the Organizations API are exported too: a created account in a new OU, RCPs.
  const orgs = new OrganizationsClient({
    endpoint: a.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: 'AKIAMGMTROOT00000001',
      secretAccessKey: 'mgmt-root-secret-mgmt-root-secret-01',
    },
  });
  await orgs.send(new EnablePolicyTypeCommand({ RootId: 'r-seed', PolicyType: 'RESOURCE_CONTROL_POLICY' }));
  const ou = await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: 'r-seed', Name: 'Made' }));
  const car = await orgs.send(new CreateAccountCommand({ Email: 'made@example.com', AccountName: 'made' }));
  const made = car.CreateAccountStatus!.AccountId!;
  await orgs.send(
    new MoveAccountCommand({
      AccountId: made,
      SourceParentId: 'r-seed',
      DestinationParentId: ou.OrganizationalUnit!.Id!,
    }),
  );
  // Tags: the seed's (on the OU) are the API's, and tags set through the API are exported.
  const seeded = await orgs.send(new ListTagsForResourceCommand({ ResourceId: 'ou-seed-sandbox1' }));
  assert.deepEqual(seeded.Tags, [{ Key: 'team', Value: 'sandbox' }]);
  await orgs.send(
    new TagResourceCommand({ ResourceId: 'p-denyusers', Tags: [{ Key: 'owner', Value: 'security' }] }),
  );
  await orgs.send(new TagResourceCommand({ ResourceId: 'r-seed', Tags: [{ Key: 'env', Value: 'test' }] }));
  await a.stop();
  // An account made after the seed with a lower id than a seeded one: export lists accounts by creation
  // time, and seeding the export back must keep that order (it once sorted them by id).
  assert.equal(run('accounts', 'create', '--data', first, '--id', '100000000000', '--json').status, 0);

  const yaml = exportOf(first);
  assert.match(yaml, /team: sandbox/);
  assert.match(yaml, /owner: security/);
  assert.match(yaml, /rootTags:\n\s+env: test/);
  assert.match(yaml, /name: Made/);
  assert.match(yaml, /email: made@example.com/);
  assert.match(yaml, /RESOURCE_CONTROL_POLICY/);
  assert.match(yaml, /id: o-seedorg123/);
  assert.match(yaml, /rootId: r-seed/);
  assert.match(yaml, /id: ou-seed-sandbox1/);
  assert.match(yaml, /id: p-denyusers/);
  assert.match(yaml, /name: Inner/);

  const file = join(tempDir(), 'exported.yaml');
  writeFileSync(file, yaml);
  const second = tempDir();
  const b = await start(['--data', second, '--seed', file]);
  await assert.rejects(
    b.iam(ADMIN).send(new CreateUserCommand({ UserName: 'blocked' })),
    /service control policy/,
  );
  const orgsB = new OrganizationsClient({
    endpoint: b.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: 'AKIAMGMTROOT00000001',
      secretAccessKey: 'mgmt-root-secret-mgmt-root-secret-01',
    },
  });
  const policyTags = await orgsB.send(new ListTagsForResourceCommand({ ResourceId: 'p-denyusers' }));
  assert.deepEqual(policyTags.Tags, [{ Key: 'owner', Value: 'security' }]);
  await b.stop();
  assert.equal(exportOf(second), yaml);

  // Restarting with the same file changes nothing.
  const c = await start(['--data', second, '--seed', file]);
  assert.match(c.startup, /0 change\(s\) applied/);
  await c.stop();
  assert.equal(exportOf(second), yaml);
});

test('an SCP attached while SCPs are not enabled is reported at its place; nothing applied', () => {
  const bad = join(tempDir(), 'bad.yaml');
  writeFileSync(
    bad,
    [
      'accounts:',
      "  - id: '111111111111'",
      'organizations:',
      "  - managementAccount: '111111111111'",
      '    policies:',
      '      - name: Deny',
      '        type: SERVICE_CONTROL_POLICY',
      '        content: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "*", Resource: "*"}]}',
      '    rootPolicies: [Deny]',
      '',
    ].join('\n'),
  );
  const r = run('serve', '--port', '0', '--data', tempDir(), '--seed', bad);
  assert.notEqual(r.status, 0);
  assert.match(
    r.stderr,
    /bad\.yaml:9:20: organizations\[0\]\.rootPolicies\[0\]: PolicyTypeNotEnabledException: This operation can be performed only for enabled policy types\./,
  );
});

test('organization shape problems are reported with their places', async () => {
  const { parseSeed, SeedError } = await import('../../src/devmode/seed.js');
  const text = [
    'organizations:',
    "  - managementAccount: '111111111111'",
    '    rootId: root-1',
    '    enabledPolicyTypes: [SCP]',
    '    units:',
    '      - name: A',
    '        id: ou-1',
    '        colour: red',
    "  - managementAccount: '111111111111'",
    '',
  ].join('\n');
  assert.throws(
    () => parseSeed(text, 'o.yaml'),
    (err: Error) => {
      assert.ok(err instanceof SeedError);
      assert.deepEqual(
        err.problems.map((p) => `${p.line}:${p.column} ${p.message}`),
        [
          '3:13 `root-1` is not a root id (r-…)',
          '4:26 `SCP` is not a policy type (expected one of SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, DECLARATIVE_POLICY_EC2, BACKUP_POLICY, TAG_POLICY, CHATBOT_POLICY, AISERVICES_OPT_OUT_POLICY, SECURITYHUB_POLICY, INSPECTOR_POLICY, UPGRADE_ROLLOUT_POLICY, BEDROCK_POLICY, S3_POLICY, NETWORK_SECURITY_DIRECTOR_POLICY)',
          '8:9 unknown field `colour` (expected one of id, name, policies, tags, accounts, units)',
          '7:13 `ou-1` is not an OU id (ou-…)',
          '9:24 account `111111111111` manages two organizations',
        ],
      );
      return true;
    },
  );
});
