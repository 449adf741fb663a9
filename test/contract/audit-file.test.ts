/**
 * The JSON-lines audit sink (`--audit-file`): every call's CloudTrail record is appended as one line,
 * without secrets (CloudTrail User Guide, "CloudTrail record contents").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startIamd, ROOT, type TestServer } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'iamd-audit-file-'));
const file = join(dir, 'audit.jsonl');
let server: TestServer;
before(async () => {
  server = await startIamd(['--audit-file', file, '--audit-retention-days', '30']);
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('every call is appended as one CloudTrail JSON line, secrets left out', async () => {
  await server.iam().send(new CreateUserCommand({ UserName: 'sink-user' }));
  const key = await server.iam().send(new CreateAccessKeyCommand({ UserName: 'sink-user' }));
  await server.sts().send(new GetCallerIdentityCommand({}));
  let lines: Record<string, unknown>[] = [];
  for (let i = 0; i < 50 && lines.length < 3; i++) {
    await new Promise((r) => setTimeout(r, 20));
    lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  assert.deepEqual(
    lines.map((l) => l.eventName),
    ['CreateUser', 'CreateAccessKey', 'GetCallerIdentity'],
  );
  const created = lines[1]!;
  assert.equal(created.eventSource, 'iam.amazonaws.com');
  assert.equal(created.recipientAccountId, ROOT.accountId);
  assert.deepEqual((created.userIdentity as Record<string, unknown>).type, 'Root');
  const text = readFileSync(file, 'utf8');
  assert.ok(
    !text.includes(key.AccessKey!.SecretAccessKey!),
    'the new secret access key is not in the audit file',
  );
  assert.ok(!text.includes(ROOT.secretAccessKey), 'the root secret is not in the audit file');
});
