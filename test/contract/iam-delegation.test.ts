/**
 * IAM temporary delegation end to end (issue #20), with the real SDK v3 clients and one step with the
 * AWS CLI v1 (the installed `aws`, which knows the delegation commands; Debian's CLI v2 2.9 does not):
 * a partner account creates a request for the customer account from a policy template, a role session
 * of the customer associates it, the customer accepts it and sends the token, the partner reads the
 * notification (`iamd delegation notifications`) and trades the token in with
 * sts:GetDelegatedAccessToken for credentials limited to the accepted permissions, which end with the
 * delegation period. Lifecycle: https://docs.aws.amazon.com/IAM/latest/UserGuide/temporary-delegation-building-integration.html;
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateDelegationRequest.html;
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetDelegatedAccessToken.html.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AcceptDelegationRequestCommand,
  AssociateDelegationRequestCommand,
  CreateDelegationRequestCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetDelegationRequestCommand,
  GetRoleCommand,
  ListDelegationRequestsCommand,
  PutRolePolicyCommand,
  RejectDelegationRequestCommand,
  SendDelegationTokenCommand,
  UpdateDelegationRequestCommand,
  type CreateDelegationRequestCommandInput,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetDelegatedAccessTokenCommand,
} from '@aws-sdk/client-sts';
import { ROOT, type Creds, type TestServer } from './harness.js';
import {
  allow,
  createAccount,
  createUser,
  expectAwsError,
  rootCreds,
  sessionCreds,
  startIamdOnData,
  trust,
  type CreatedAccount,
  type TestUser,
} from './accounts-helper.js';

const BIN = fileURLToPath(new URL('../../../bin/iamd.js', import.meta.url));
const CUSTOMER = ROOT.accountId;

let dir: string;
let server: TestServer;
let partner: CreatedAccount;
let stranger: CreatedAccount;
let partnerIam: IAMClient;
let reviewer: Creds;
let reviewerArn: string;
let templateArn: string;
let admin: TestUser;

/** The template: read the roles the customer names (a stringList parameter). */
const TEMPLATE = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iam:GetRole', Resource: ['arn:aws:iam::{{AccountId}}:role/{{RoleNames}}'] },
  ],
};

function requestInput(
  over: Partial<CreateDelegationRequestCommandInput> = {},
): CreateDelegationRequestCommandInput {
  return {
    OwnerAccountId: CUSTOMER,
    Description: 'Read the deploy role for the audit',
    Permissions: {
      PolicyTemplateArn: templateArn,
      Parameters: [
        { Name: 'AccountId', Type: 'string', Values: [CUSTOMER] },
        { Name: 'RoleNames', Type: 'stringList', Values: ['deploy'] },
      ],
    },
    RequestorWorkflowId: 'workflow-0001',
    NotificationChannel: `arn:aws:sns:us-east-1:${partner.AccountId}:delegation`,
    SessionDuration: 900,
    ...over,
  };
}

/** `iamd delegation notifications --json` for the partner: the trade-in tokens sent to it. */
function notifications(requestId: string): { TradeInToken: string; NotificationChannel: string }[] {
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'delegation',
      'notifications',
      '--account',
      partner.AccountId,
      '--request-id',
      requestId,
      '--json',
      '--data',
      dir,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { TradeInToken: string; NotificationChannel: string });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-delegation-'));
  server = await startIamdOnData(dir);
  partner = createAccount(dir);
  stranger = createAccount(dir);
  partnerIam = server.iam(rootCreds(partner));
  const t = await partnerIam.send(
    new CreatePolicyCommand({ PolicyName: 'audit-template', PolicyDocument: JSON.stringify(TEMPLATE) }),
  );
  templateArn = t.Policy?.Arn ?? '';
  const iam = server.iam();
  for (const name of ['deploy', 'billing'])
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust(CUSTOMER) }));
  // The customer's reviewer: a role session (delegated credentials are minted for the owner).
  admin = await createUser(iam, 'admin', allow('sts:AssumeRole'));
  await iam.send(new CreateRoleCommand({ RoleName: 'reviewer', AssumeRolePolicyDocument: trust(admin.arn) }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'reviewer',
      PolicyName: 'all-iam',
      PolicyDocument: JSON.stringify(allow('iam:*')),
    }),
  );
  const r = await server
    .sts(admin.creds)
    .send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${CUSTOMER}:role/reviewer`, RoleSessionName: 'rev' }),
    );
  reviewer = sessionCreds(r.Credentials);
  reviewerArn = `arn:aws:sts::${CUSTOMER}:assumed-role/reviewer/rev`;
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the whole flow: create, associate, accept, send, trade in; the credentials hold only the accepted permissions', async () => {
  const created = await partnerIam.send(
    new CreateDelegationRequestCommand(requestInput({ OnlySendByOwner: true })),
  );
  const id = created.DelegationRequestId ?? '';
  assert.match(id, /^\d{12}-[A-Z2-7]{20}$/);
  assert.match(created.ConsoleDeepLink ?? '', new RegExp(`/console/delegation-requests/${id}$`));

  const customer = server.iam(reviewer);
  const seen = await customer.send(new GetDelegationRequestCommand({ DelegationRequestId: id }));
  const r0 = seen.DelegationRequest!;
  assert.equal(r0.State, 'UNASSIGNED');
  assert.equal(r0.RequestorId, partner.AccountId);
  assert.equal(r0.OwnerAccountId, CUSTOMER);
  assert.equal(r0.SessionDuration, 900);
  assert.deepEqual(JSON.parse(r0.PermissionPolicy ?? ''), {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iam:GetRole', Resource: [`arn:aws:iam::${CUSTOMER}:role/deploy`] },
    ],
  });

  // The token cannot be sent before the request is accepted.
  await customer.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
  await expectAwsError(
    customer.send(new SendDelegationTokenCommand({ DelegationRequestId: id })),
    'InvalidInputException',
    400,
    `delegation request ${id} is ASSIGNED; SendDelegationToken is not possible in this state`,
  );
  await expectAwsError(
    customer.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id })),
    'InvalidInputException',
    400,
    `delegation request ${id} is ASSIGNED; AssociateDelegationRequest is not possible in this state`,
  );
  // The owner forwards it for approval (UpdateDelegationRequest → PENDING_APPROVAL), then it is accepted.
  await customer.send(
    new UpdateDelegationRequestCommand({ DelegationRequestId: id, Notes: 'ok for one audit' }),
  );
  const pending = await customer.send(new GetDelegationRequestCommand({ DelegationRequestId: id }));
  assert.equal(pending.DelegationRequest?.State, 'PENDING_APPROVAL');
  await customer.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id }));
  // OnlySendByOwner: the account root is not the owner.
  await expectAwsError(
    server.iam().send(new SendDelegationTokenCommand({ DelegationRequestId: id })),
    'AccessDenied',
    403,
    `User: arn:aws:iam::${CUSTOMER}:root is not authorized to perform: iam:SendDelegationToken on resource: arn:aws:iam::${CUSTOMER}:delegation-request/${id} because only the owner of the delegation request may send its token`,
  );
  await customer.send(new SendDelegationTokenCommand({ DelegationRequestId: id }));

  const after = (await partnerIam.send(new GetDelegationRequestCommand({ DelegationRequestId: id })))
    .DelegationRequest!;
  assert.equal(after.State, 'FINALIZED');
  assert.equal(after.OwnerId, reviewerArn);
  assert.equal(after.ApproverId, reviewerArn);
  assert.equal(after.Notes, 'ok for one audit');
  assert.equal(after.OnlySendByOwner, true);

  const sent = notifications(id);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.NotificationChannel, `arn:aws:sns:us-east-1:${partner.AccountId}:delegation`);
  const token = sent[0]!.TradeInToken;

  // Only the partner that asked can trade the token in; a damaged token is refused the same way.
  const refused = 'The trade-in token provided in the request has expired or is invalid.';
  await expectAwsError(
    server.sts(rootCreds(stranger)).send(new GetDelegatedAccessTokenCommand({ TradeInToken: token })),
    'ExpiredTradeInTokenException',
    400,
    refused,
  );
  await expectAwsError(
    server.sts(rootCreds(partner)).send(new GetDelegatedAccessTokenCommand({ TradeInToken: `${token}x` })),
    'ExpiredTradeInTokenException',
    400,
    refused,
  );

  const got = await server
    .sts(rootCreds(partner))
    .send(new GetDelegatedAccessTokenCommand({ TradeInToken: token }));
  assert.equal(got.AssumedPrincipal, reviewerArn);
  // The exchange is audited, the token never recorded.
  const trail = spawnSync(
    process.execPath,
    [BIN, 'audit', 'search', '--event-name', 'GetDelegatedAccessToken', '--json', '--data', dir],
    { encoding: 'utf8' },
  );
  assert.equal(trail.status, 0, trail.stderr);
  assert.ok(trail.stdout.includes('GetDelegatedAccessToken'), 'the exchange is recorded');
  assert.ok(!trail.stdout.includes(token.slice(token.indexOf('.') + 1)), 'without the token');
  assert.equal(got.PackedPolicySize, undefined);
  const lifetime = (got.Credentials!.Expiration!.getTime() - Date.now()) / 1000;
  assert.ok(lifetime > 800 && lifetime <= 901, `session ends with the delegation period (${lifetime} s)`);
  const delegated = sessionCreds(got.Credentials);
  const who = await server.sts(delegated).send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, CUSTOMER);
  assert.equal(who.Arn, reviewerArn);
  const asDelegate = server.iam(delegated);
  const role = await asDelegate.send(new GetRoleCommand({ RoleName: 'deploy' }));
  assert.equal(role.Role?.RoleName, 'deploy');
  // The reviewer may read every role, the delegated session only the accepted one.
  await server.iam(reviewer).send(new GetRoleCommand({ RoleName: 'billing' }));
  await assert.rejects(asDelegate.send(new GetRoleCommand({ RoleName: 'billing' })), (e: Error) => {
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, /not authorized to perform: iam:GetRole on resource: .*role\/billing/);
    return true;
  });

  // The delegation period ends: the token is refused, the request is EXPIRED.
  await server.advance(901);
  await expectAwsError(
    server.sts(rootCreds(partner)).send(new GetDelegatedAccessTokenCommand({ TradeInToken: token })),
    'ExpiredTradeInTokenException',
    400,
    refused,
  );
  const expired = await customer.send(new GetDelegationRequestCommand({ DelegationRequestId: id }));
  assert.equal(expired.DelegationRequest?.State, 'EXPIRED');
});

test('rejection, unknown ids, other accounts and listing', async () => {
  const customer = server.iam(reviewer);
  const { DelegationRequestId: id = '' } = await partnerIam.send(
    new CreateDelegationRequestCommand(requestInput()),
  );
  // Another account cannot see a request targeted at the customer.
  await expectAwsError(
    server.iam(rootCreds(stranger)).send(new GetDelegationRequestCommand({ DelegationRequestId: id })),
    'NoSuchEntityException',
    404,
    `The delegation request with id ${id} cannot be found.`,
  );
  await expectAwsError(
    server.iam(rootCreds(stranger)).send(new AssociateDelegationRequestCommand({ DelegationRequestId: id })),
    'NoSuchEntityException',
    404,
    `The delegation request with id ${id} cannot be found.`,
  );
  const unknown = `${CUSTOMER}-AAAAAAAAAAAAAAAAAAAA`;
  await expectAwsError(
    customer.send(new AcceptDelegationRequestCommand({ DelegationRequestId: unknown })),
    'NoSuchEntityException',
    404,
    `The delegation request with id ${unknown} cannot be found.`,
  );
  // The partner cannot accept its own request.
  await expectAwsError(
    partnerIam.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id })),
    'NoSuchEntityException',
    404,
    `The delegation request with id ${id} cannot be found.`,
  );
  await customer.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
  await customer.send(
    new RejectDelegationRequestCommand({ DelegationRequestId: id, Notes: 'not this quarter' }),
  );
  const r = (await partnerIam.send(new GetDelegationRequestCommand({ DelegationRequestId: id })))
    .DelegationRequest!;
  assert.equal(r.State, 'REJECTED');
  assert.equal(r.RejectionReason, 'not this quarter');
  await expectAwsError(
    customer.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id })),
    'ConcurrentModificationException',
    409,
    `delegation request ${id} is REJECTED; AcceptDelegationRequest is not possible in this state`,
  );

  // Listing: the customer sees the requests linked to it, filtered by owner; the stranger sees none.
  const mine = await customer.send(new ListDelegationRequestsCommand({ OwnerId: reviewerArn }));
  assert.ok(mine.DelegationRequests!.some((d) => d.DelegationRequestId === id && d.State === 'REJECTED'));
  assert.ok(mine.DelegationRequests!.every((d) => d.OwnerId === reviewerArn));
  const strangers = await server.iam(rootCreds(stranger)).send(new ListDelegationRequestsCommand({}));
  assert.deepEqual(strangers.DelegationRequests ?? [], []);
  const partners = await partnerIam.send(new ListDelegationRequestsCommand({ MaxItems: 1 }));
  assert.equal(partners.DelegationRequests?.length, 1);
  assert.equal(partners.isTruncated, true);
  // Paging with Marker visits every request once, and ends untruncated.
  const all = await partnerIam.send(new ListDelegationRequestsCommand({}));
  const paged: string[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 50; page++) {
    const r = await partnerIam.send(new ListDelegationRequestsCommand({ MaxItems: 1, Marker: marker }));
    paged.push(...(r.DelegationRequests ?? []).map((d) => d.DelegationRequestId ?? ''));
    if (r.isTruncated !== true) break;
    marker = r.Marker;
  }
  assert.deepEqual(
    paged,
    (all.DelegationRequests ?? []).map((d) => d.DelegationRequestId ?? ''),
  );
  assert.ok(paged.length >= 2);
});

test('the owner may always read its request; the permission check asks the engine about the caller', async () => {
  const iam = server.iam();
  // A role that may only associate: after association it still reads the request (the owner's default
  // permission, GetDelegationRequest API reference) but lacks what the request delegates.
  await iam.send(new CreateRoleCommand({ RoleName: 'narrow', AssumeRolePolicyDocument: trust(admin.arn) }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'narrow',
      PolicyName: 'associate',
      PolicyDocument: JSON.stringify(allow('iam:AssociateDelegationRequest')),
    }),
  );
  const r = await server
    .sts(admin.creds)
    .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${CUSTOMER}:role/narrow`, RoleSessionName: 'nn' }));
  const narrow = server.iam(sessionCreds(r.Credentials));
  const { DelegationRequestId: id = '' } = await partnerIam.send(
    new CreateDelegationRequestCommand(requestInput()),
  );
  const resource = `arn:aws:iam::${CUSTOMER}:delegation-request/${id}`;
  await expectAwsError(
    narrow.send(new GetDelegationRequestCommand({ DelegationRequestId: id })),
    'AccessDenied',
    403,
    `User: arn:aws:sts::${CUSTOMER}:assumed-role/narrow/nn is not authorized to perform: iam:GetDelegationRequest on resource: ${resource} because no identity-based policy allows the iam:GetDelegationRequest action`,
  );
  await narrow.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
  const own = await narrow.send(
    new GetDelegationRequestCommand({ DelegationRequestId: id, DelegationPermissionCheck: true }),
  );
  assert.equal(own.DelegationRequest?.OwnerId, `arn:aws:sts::${CUSTOMER}:assumed-role/narrow/nn`);
  assert.equal(own.PermissionCheckStatus, 'COMPLETE');
  assert.equal(own.PermissionCheckResult, 'DENIED');
  // The reviewer (iam:*) holds iam:GetRole on the deploy role; the root holds everything.
  const byReviewer = await server
    .iam(reviewer)
    .send(new GetDelegationRequestCommand({ DelegationRequestId: id, DelegationPermissionCheck: true }));
  assert.equal(byReviewer.PermissionCheckResult, 'ALLOWED');
  const plain = await server.iam(reviewer).send(new GetDelegationRequestCommand({ DelegationRequestId: id }));
  assert.equal(plain.PermissionCheckStatus, undefined);
  // The owner may also update (forward) its request without iam:UpdateDelegationRequest.
  await narrow.send(new UpdateDelegationRequestCommand({ DelegationRequestId: id, Notes: 'please approve' }));
  const forwarded = await narrow.send(new GetDelegationRequestCommand({ DelegationRequestId: id }));
  assert.equal(forwarded.DelegationRequest?.State, 'PENDING_APPROVAL');
  assert.equal(forwarded.DelegationRequest?.Notes, 'please approve');
});

test('an IAM user as owner: the delegated session calls IAM as that user, within the delegated permissions', async () => {
  const ops = await createUser(server.iam(), 'ops', allow('iam:*'));
  const asOps = server.iam(ops.creds);
  const { DelegationRequestId: id = '' } = await partnerIam.send(
    new CreateDelegationRequestCommand(requestInput()),
  );
  await asOps.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
  await asOps.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id }));
  await asOps.send(new SendDelegationTokenCommand({ DelegationRequestId: id }));
  const [sent] = notifications(id);
  const got = await server
    .sts(rootCreds(partner))
    .send(new GetDelegatedAccessTokenCommand({ TradeInToken: sent!.TradeInToken }));
  assert.equal(got.AssumedPrincipal, ops.arn);
  const delegated = server.iam(sessionCreds(got.Credentials));
  // Not a GetSessionToken session: IAM answers without MFA, but only what was delegated.
  assert.equal((await delegated.send(new GetRoleCommand({ RoleName: 'deploy' }))).Role?.RoleName, 'deploy');
  await assert.rejects(delegated.send(new GetRoleCommand({ RoleName: 'billing' })), { name: 'AccessDenied' });
});

test('creation errors: missing template parameter, another account’s template, a request expires unaccepted', async () => {
  await expectAwsError(
    partnerIam.send(
      new CreateDelegationRequestCommand(
        requestInput({
          Permissions: {
            PolicyTemplateArn: templateArn,
            Parameters: [{ Name: 'RoleNames', Type: 'stringList', Values: ['deploy'] }],
          },
        }),
      ),
    ),
    'InvalidInputException',
    400,
    'the policy template needs parameter `AccountId`',
  );
  await expectAwsError(
    server
      .iam()
      .send(new CreateDelegationRequestCommand(requestInput({ OwnerAccountId: stranger.AccountId }))),
    'InvalidInputException',
    400,
    `policy template ${templateArn} does not exist or is not attachable`,
  );
  const { DelegationRequestId: id = '' } = await partnerIam.send(
    new CreateDelegationRequestCommand(requestInput()),
  );
  await server.advance(7 * 24 * 3600);
  const r = await server.iam().send(new GetDelegationRequestCommand({ DelegationRequestId: id }));
  assert.equal(r.DelegationRequest?.State, 'EXPIRED');
});

test('lifecycle refusals: association by the requestor or a stranger after association, steps from a final state', async () => {
  // An IAM user (the reviewer's session has expired: earlier tests moved the clock on).
  const closer = await createUser(server.iam(), 'closer', allow('iam:*'));
  const customer = server.iam(closer.creds);
  // A request without a target account: the partner cannot associate its own request.
  const { DelegationRequestId: id = '' } = await partnerIam.send(
    new CreateDelegationRequestCommand(requestInput({ OwnerAccountId: undefined })),
  );
  await expectAwsError(
    partnerIam.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id })),
    'InvalidInputException',
    400,
    'a delegation request cannot be associated by the account that created it',
  );
  // Associated by the customer, it is linked to the customer's account (listed there) and hidden
  // from every other account.
  await customer.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
  const listed = await customer.send(new ListDelegationRequestsCommand({ OwnerId: closer.arn }));
  assert.ok(listed.DelegationRequests!.some((d) => d.DelegationRequestId === id && d.State === 'ASSIGNED'));
  await expectAwsError(
    server.iam(rootCreds(stranger)).send(new AssociateDelegationRequestCommand({ DelegationRequestId: id })),
    'NoSuchEntityException',
    404,
    `The delegation request with id ${id} cannot be found.`,
  );
  await customer.send(new RejectDelegationRequestCommand({ DelegationRequestId: id, Notes: 'no' }));
  // REJECTED is final: rejecting, updating and sending again are refused with the state named.
  const refusals: [string, () => Promise<unknown>][] = [
    [
      'RejectDelegationRequest',
      () => customer.send(new RejectDelegationRequestCommand({ DelegationRequestId: id, Notes: 'again' })),
    ],
    [
      'UpdateDelegationRequest',
      () => customer.send(new UpdateDelegationRequestCommand({ DelegationRequestId: id, Notes: 'again' })),
    ],
    ['SendDelegationToken', () => customer.send(new SendDelegationTokenCommand({ DelegationRequestId: id }))],
  ];
  for (const [operation, call] of refusals)
    await expectAwsError(
      call(),
      'InvalidInputException',
      400,
      `delegation request ${id} is REJECTED; ${operation} is not possible in this state`,
    );
  const r = (await customer.send(new GetDelegationRequestCommand({ DelegationRequestId: id })))
    .DelegationRequest!;
  assert.equal(r.State, 'REJECTED');
  assert.equal(r.RejectionReason, 'no');
  assert.equal(r.Notes, undefined);
});

test('the AWS CLI v1 reads a delegation request', async (t) => {
  const probe = spawnSync('aws', ['iam', 'get-delegation-request', 'help'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('the installed aws CLI has no get-delegation-request');
    return;
  }
  const { DelegationRequestId: id = '' } = await partnerIam.send(
    new CreateDelegationRequestCommand(requestInput({ OwnerAccountId: undefined })),
  );
  const home = mkdtempSync(join(tmpdir(), 'iamd-delegation-cli-'));
  try {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'aws',
        [
          'iam',
          'get-delegation-request',
          '--delegation-request-id',
          id,
          '--endpoint-url',
          server.url,
          '--output',
          'json',
        ],
        {
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: home,
            AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
            AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
            AWS_DEFAULT_REGION: 'us-east-1',
            AWS_CONFIG_FILE: join(home, 'config'),
            AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
            AWS_PAGER: '',
          },
          timeout: 30_000,
        },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout)),
      ),
    );
    const r = (JSON.parse(out) as { DelegationRequest: Record<string, unknown> }).DelegationRequest;
    // A request without a target account can be read (and associated) by any account while UNASSIGNED.
    assert.equal(r.State, 'UNASSIGNED');
    assert.equal(r.RequestorId, partner.AccountId);
    assert.equal(r.DelegationRequestId, id);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
