/**
 * The console's Organizations view (issue 19): the tree root → OUs → accounts with attached policies,
 * the SCPs that apply to an account by level, and nothing for callers that may not read Organizations.
 * Member accounts may not list the organization's structure
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_permissions_overview.html).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startIamd, type TestServer } from '../contract/harness.js';

const SEED = fileURLToPath(new URL('../../../test/fixtures/devmode/organization.yaml', import.meta.url));
let server: TestServer;
before(async () => {
  server = await startIamd(['--seed', SEED]);
});
after(() => server.stop());

interface OrgNode {
  type: string;
  id: string;
  name: string;
  policies: { id: string; name: string }[];
  children: OrgNode[];
}
interface Answer {
  ok?: boolean;
  organizationId?: string;
  enabledPolicyTypes?: string[];
  tree: OrgNode;
  applied: { levels: { level: string; path: string; policies: { id: string }[] }[] };
  error: { code: string; message: string };
}

/** Signs in to the console and returns a poster with the session cookie and CSRF token. */
async function signIn(account: string, userName: string, password: string) {
  const first = await fetch(`${server.url}/console/api/session`);
  const pre = first.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf0 = ((await first.json()) as { csrf: string }).csrf;
  const res = await fetch(`${server.url}/console/api/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf0, cookie: pre },
    body: JSON.stringify({ account, userName, password }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => c.startsWith('iamd-console='))
    .join('; ');
  const { csrf } = (await res.json()) as { csrf: string };
  return async (body: unknown) => {
    const r = await fetch(`${server.url}/console/api/organization`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, cookie },
      body: JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as Answer };
  };
}

test('the management account’s reader sees the tree and the SCPs that apply to an account, by level', async () => {
  const post = await signIn('111111111111', 'viewer', 'Viewer-Passw0rd!');
  const r = await post({ account: '222222222222' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.organizationId, 'o-seedorg123');
  assert.deepEqual(r.json.enabledPolicyTypes, ['SERVICE_CONTROL_POLICY']);
  const tree = r.json.tree;
  assert.equal(tree.id, 'r-seed');
  assert.deepEqual(
    tree.children.map((c: { type: string; id: string; name: string }) => [c.type, c.id, c.name]),
    [
      ['ORGANIZATIONAL_UNIT', 'ou-seed-sandbox1', 'Sandbox'],
      ['ACCOUNT', '111111111111', 'mgmt'],
    ],
  );
  const sandbox = tree.children[0]!;
  assert.deepEqual(sandbox.policies.map((p: { name: string }) => p.name).sort(), [
    'FullAWSAccess',
    'NoNewUsers',
  ]);
  assert.deepEqual(
    sandbox.children.map((c: { type: string; name: string }) => [c.type, c.name]),
    [
      ['ORGANIZATIONAL_UNIT', 'Inner'],
      ['ACCOUNT', '222222222222'],
    ],
  );
  assert.deepEqual(
    r.json.applied.levels.map((l: { level: string; path: string; policies: { id: string }[] }) => [
      l.level,
      l.path,
      l.policies.map((p) => p.id).sort(),
    ]),
    [
      ['root', 'Root', ['p-FullAWSAccess']],
      ['ou', 'Root/Sandbox', ['p-FullAWSAccess', 'p-denyusers']],
      ['account', 'Root/Sandbox/222222222222', ['p-FullAWSAccess']],
    ],
  );

  const missing = await post({ account: '999999999999' });
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json.error, {
    code: 'AccountNotFoundException',
    message: 'account 999999999999 is not in this organization',
  });
  const bad = await post({ account: 'x' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json.error, { code: 'InvalidInput', message: '`x` is not an account id' });
});

test('a user without Organizations permissions, and a member account’s admin, see nothing of the tree', async () => {
  const nobody = await signIn('111111111111', 'nobody', 'Nobody-Passw0rd!');
  let r = await nobody({});
  assert.equal(r.status, 403);
  assert.equal(r.json.ok, false);
  assert.equal(r.json.tree, undefined);
  assert.equal(r.json.error.code, 'AccessDeniedException');
  assert.equal(
    r.json.error.message,
    'User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: organizations:DescribeOrganization on resource: * because no identity-based policy allows the organizations:DescribeOrganization action',
  );

  const member = await signIn('222222222222', 'admin', 'Admin-Passw0rd!');
  r = await member({});
  // The member may describe the organization but not list its roots: the API's own answer, nothing more.
  assert.equal(r.status, 400);
  assert.equal(r.json.ok, false);
  assert.equal(r.json.tree, undefined);
  assert.deepEqual(r.json.error, {
    code: 'AccessDeniedException',
    message: "You don't have permissions to access this resource.",
  });
  assert.doesNotMatch(JSON.stringify(r.json), /Sandbox|ou-seed|p-denyusers/);
});
