/**
 * `iamd export` and `iamd serve --seed` end to end (issue 9): a store seeded and then changed through the
 * API is exported; seeding the export into an empty data directory gives the same state; restarting
 * with the same file changes nothing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateRoleCommand,
  CreateUserCommand,
  DeleteUserCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { BIN, startDevServer, stripIamdEnv, type DevServer } from '../devmode/spawn.js';

const SEED = fileURLToPath(new URL('../../../test/fixtures/devmode/moto-suite.yaml', import.meta.url));
const dirs: string[] = [];
const servers: DevServer[] = [];
/** Starts a server that is stopped after the file even when an assertion fails first. */
async function start(args: string[]): Promise<DevServer> {
  const s = await startDevServer(args);
  servers.push(s);
  return s;
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'iamd-export-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function exportOf(dir: string, ...flags: string[]): string {
  const r = spawnSync(process.execPath, [BIN, 'export', '--data', dir, ...flags], {
    env: stripIamdEnv(process.env),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('seed → API changes → export → seed into an empty store → the same export', async () => {
  const first = tempDir();
  const a = await start(['--data', first, '--seed', SEED]);
  assert.match(a.startup, /seed .*moto-suite\.yaml: \d+ change\(s\) applied/);
  const root = /AWS_ACCESS_KEY_ID=(\S+)\n\s+export AWS_SECRET_ACCESS_KEY=(\S+)/.exec(a.startup);
  assert.ok(root, a.startup);
  const creds = { accessKeyId: root[1]!, secretAccessKey: root[2]! };
  await a
    .iam(creds)
    .send(new CreateUserCommand({ UserName: 'made-by-api', Tags: [{ Key: 'k', Value: 'v' }] }));
  await a.iam(creds).send(
    new PutUserPolicyCommand({
      UserName: 'made-by-api',
      PolicyName: 'inline',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
      }),
    }),
  );
  await a.stop();

  const yaml = exportOf(first, '--with-secrets');
  assert.match(yaml, /name: made-by-api/);
  assert.match(yaml, /secretAccessKey: limited-secret-limited-secret-0001/);
  const plain = exportOf(first, '--format', 'json', '--account', '111122223333');
  assert.doesNotMatch(plain, /secretAccessKey/);
  assert.equal((JSON.parse(plain) as { accounts: { id: string }[] }).accounts[0]?.id, '111122223333');

  const file = join(tempDir(), 'exported.yaml');
  writeFileSync(file, yaml);
  const second = tempDir();
  const b = await start(['--data', second, '--seed', file]);
  // The exported root key becomes the first account's root key (no extra generated one).
  assert.match(b.startup, new RegExp(`AWS_ACCESS_KEY_ID=${creds.accessKeyId}\n`));
  await b.stop();
  assert.equal(exportOf(second, '--with-secrets'), yaml);

  // A restart with the same file changes nothing.
  const c = await start(['--data', second, '--seed', file]);
  assert.match(c.startup, /: 0 change\(s\) applied/);
  await c.stop();
  assert.equal(exportOf(second, '--with-secrets'), yaml);
});

test('a seed file with problems stops the start, with locations, and nothing is applied', () => {
  const dir = tempDir();
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'accounts:\n  - id: "111122223333"\n    users:\n      - name: ok\n      - nme: typo\n');
  const r = spawnSync(
    process.execPath,
    [BIN, 'serve', '--data', join(dir, 'data'), '--port', '0', '--seed', file],
    {
      env: stripIamdEnv(process.env),
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr.trim().split('\n').slice(-3).join('\n'),
    [
      `seed file ${file}: 2 problems, nothing applied`,
      `  ${file}:5:9: accounts[0].users[1].nme: unknown field \`nme\` (expected one of name, path, permissionsBoundary, tags, groups, policies, managedPolicies, accessKeys, loginProfile)`,
      `  ${file}:5:9: accounts[0].users[1]: \`name\` is required`,
    ].join('\n'),
  );
});

// IAM User Guide, "AWS JSON policy elements: Principal", IAM role principals
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles):
// once a trusted user is deleted the trust policy shows its unique id; the export shows what GetRole shows.
test('export shows a deleted trusted user as its unique id, and the export seeds back unchanged', async () => {
  const dir = tempDir();
  const a = await start(['--data', dir]);
  const root = /AWS_ACCESS_KEY_ID=(\S+)\n\s+export AWS_SECRET_ACCESS_KEY=(\S+)/.exec(a.startup);
  assert.ok(root, a.startup);
  const iam = a.iam({ accessKeyId: root[1]!, secretAccessKey: root[2]! });
  const u = await iam.send(new CreateUserCommand({ UserName: 'leaver' }));
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: u.User!.Arn! }, Action: 'sts:AssumeRole' }],
  };
  await iam.send(
    new CreateRoleCommand({ RoleName: 'trusts-leaver', AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
  const shown = (json: string): unknown => {
    const out = JSON.parse(json) as {
      accounts: { roles?: { name: string; assumeRolePolicy: typeof trust }[] }[];
    };
    const r = out.accounts.flatMap((x) => x.roles ?? []).find((x) => x.name === 'trusts-leaver');
    return r?.assumeRolePolicy.Statement[0]?.Principal.AWS;
  };
  await iam.send(new DeleteUserCommand({ UserName: 'leaver' }));
  await a.stop();
  const json = exportOf(dir, '--format', 'json', '--with-secrets');
  assert.equal(shown(json), u.User!.UserId);
  assert.match(u.User!.UserId!, /^AIDA/);

  const file = join(tempDir(), 'exported.json');
  writeFileSync(file, json);
  const second = tempDir();
  const b = await start(['--data', second, '--seed', file]);
  await b.stop();
  assert.equal(exportOf(second, '--format', 'json', '--with-secrets'), json);
});
