/**
 * The report-only level (issue 9): everything is evaluated and audited as under enforcement, and a call
 * that would have been denied succeeds, with a warning in the log and the would-be error in its audit
 * event (`iamdReportOnly`, next to CloudTrail's own fields — CloudTrail User Guide, "record contents").
 * Authentication is not relaxed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRoleCommand, GetRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { AuditRecord, Store } from '../../src/store/index.js';
import { rejectsWith, startDevServer, type DevServer } from '../devmode/spawn.js';

const SEED = fileURLToPath(new URL('../../../test/fixtures/devmode/report-only.yaml', import.meta.url));
const INTERN = { accessKeyId: 'AKIAINTERN0000000001', secretAccessKey: 'intern-secret-intern-secret-01' };
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

let dir: string;
let server: DevServer;
let store: Store;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-report-only-'));
  server = await startDevServer(['--data', dir, '--auth', 'report-only', '--seed', SEED]);
  store = await openSqliteStore({ path: join(dir, 'iamd.db') });
});
after(async () => {
  await server.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The newest audit event named `eventName` (events of reads are written shortly after the answer). */
async function lastEvent(eventName: string): Promise<AuditRecord> {
  for (let i = 0; i < 100; i++) {
    const page = await store.queryAudit({ eventName, limit: 1 });
    const e = page.events[0];
    if (e) return e;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${eventName} event`);
}

test('the start-up line states the report-only level loudly', () => {
  assert.match(server.startup, /\*\*\* AUTH LEVEL: REPORT-ONLY — FOR DEVELOPMENT ONLY \*\*\*/);
});

test('a denied write succeeds, is logged as a warning and audited with the would-be error', async () => {
  const out = await server
    .iam(INTERN)
    .send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: TRUST }));
  assert.equal(out.Role?.Arn, 'arn:aws:iam::444455556666:role/app');
  const wouldBe =
    'User: arn:aws:iam::444455556666:user/intern is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::444455556666:role/app because no identity-based policy allows the iam:CreateRole action';
  const event = await lastEvent('CreateRole');
  assert.equal(event.errorCode, undefined, 'the call itself succeeded');
  const ro = event.record.iamdReportOnly as { errorCode: string; errorMessage: string; explanation?: string };
  assert.equal(ro.errorCode, 'AccessDenied');
  assert.equal(ro.errorMessage, wouldBe);
  assert.equal(typeof ro.explanation, 'string');
  // pino writes one JSON line per warning to stdout.
  for (let i = 0; i < 50 && !server.logs().includes('would have been denied'); i++)
    await new Promise((r) => setTimeout(r, 20));
  const line = server
    .logs()
    .split('\n')
    .find((l) => l.includes('would have been denied') && l.includes('iam:CreateRole'));
  assert.ok(line, 'a warning was logged');
  const log = JSON.parse(line) as { level: number; errorCode: string; errorMessage: string };
  assert.equal(log.level, 40, 'pino level 40 = warn');
  assert.equal(log.errorCode, 'AccessDenied');
  assert.equal(log.errorMessage, wouldBe);
});

test('a denied read succeeds too and is audited the same way', async () => {
  const roles = await server.iam(INTERN).send(new ListRolesCommand({}));
  assert.ok(roles.Roles?.some((r) => r.RoleName === 'app'));
  const event = await lastEvent('ListRoles');
  const ro = event.record.iamdReportOnly as { errorCode: string; errorMessage: string };
  assert.equal(ro.errorCode, 'AccessDenied');
  assert.match(
    ro.errorMessage,
    /^User: arn:aws:iam::444455556666:user\/intern is not authorized to perform: iam:ListRoles/,
  );
});

test("a cross-account denial let through tells the caller's account nothing of the other account's trust policy", async () => {
  // Issue #16 item 2: the would-be explanation follows the explanation visibility rule.
  const out = await server.sts(INTERN).send(
    new AssumeRoleCommand({
      RoleArn: 'arn:aws:iam::777788889999:role/vendor',
      RoleSessionName: 'intern-session',
      ExternalId: 'guess',
    }),
  );
  assert.ok(out.Credentials?.AccessKeyId);
  let event: AuditRecord | undefined;
  for (let i = 0; i < 100 && event === undefined; i++) {
    const page = await store.queryAudit({ account: '444455556666', eventName: 'AssumeRole', limit: 1 });
    event = page.events[0];
    if (event === undefined) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(event, 'the AssumeRole event in the caller account');
  const ro = event.record.iamdReportOnly as { errorCode: string; explanation?: string };
  assert.equal(ro.errorCode, 'AccessDenied');
  assert.equal(typeof ro.explanation, 'string');
  assert.ok(!JSON.stringify(event.record).includes('vendor-shared-secret-77'), JSON.stringify(event.record));
});

test('an allowed call carries no report-only field', async () => {
  await server.sts(INTERN).send(new GetCallerIdentityCommand({}));
  const event = await lastEvent('GetCallerIdentity');
  assert.equal(event.record.iamdReportOnly, undefined);
});

test('errors other than denials still fail: NoSuchEntity', async () => {
  await rejectsWith(
    server.iam(INTERN).send(new GetRoleCommand({ RoleName: 'missing' })),
    'NoSuchEntityException',
    404,
    'The role with name missing cannot be found.',
  );
});

test('authentication is not relaxed: an unknown key is InvalidClientTokenId', async () => {
  await rejectsWith(
    server.sts({ accessKeyId: 'testing', secretAccessKey: 'testing' }).send(new GetCallerIdentityCommand({})),
    'InvalidClientTokenId',
    403,
    'The security token included in the request is invalid',
  );
});
