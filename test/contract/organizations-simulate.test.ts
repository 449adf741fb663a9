/**
 * The IAM policy simulator and Organizations SCPs (issue #19) through the SDK: SimulatePrincipalPolicy
 * applies the SCPs that bind the simulated entity's account, as the live authorizer does; the
 * management account is not bound by SCPs; SimulateCustomPolicy applies only the SCP hierarchy it is
 * given (OrderedOrganizationPolicyInputList).
 *
 * Sources: https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html ("The
 * IAM policy simulator evaluates statements in identity-based policies, service control policies (SCPs)
 * …"), https://docs.aws.amazon.com/IAM/latest/APIReference/API_OrganizationsDecisionDetail.html,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AttachPolicyCommand, CreatePolicyCommand, DetachPolicyCommand } from '@aws-sdk/client-organizations';
import {
  CreateUserCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { ROOT, startIamd, UNTHROTTLED, type TestServer } from './harness.js';
import { createUser, type TestUser } from './accounts-helper.js';
import { buildOrganization, orgsClient, type BuiltOrg } from './organizations-support.js';

const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
const DENY_CREATE_USER = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }],
});

let server: TestServer;
let admin: TestUser;
let org: BuiltOrg;
let scpId = '';

before(async () => {
  server = await startIamd(UNTHROTTLED);
  admin = await createUser(server.iam(ROOT), 'admin', JSON.parse(ALLOW_ALL) as object);
  org = await buildOrganization(server, admin.creds);
  const member = server.iam(org.memberAdmin);
  await member.send(new CreateUserCommand({ UserName: 'dev-user' }));
  await member.send(
    new PutUserPolicyCommand({ UserName: 'dev-user', PolicyName: 'all', PolicyDocument: ALLOW_ALL }),
  );
  const p = await orgsClient(server, admin.creds).send(
    new CreatePolicyCommand({
      Name: 'DenyCreateUser',
      Description: 'no new users',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: DENY_CREATE_USER,
    }),
  );
  scpId = p.Policy?.PolicySummary?.Id ?? '';
});

after(async () => {
  await server.stop();
});

test('a member account user: allowed before the SCP, explicitDeny by Organizations after it', async () => {
  const simulate = () =>
    server.iam(org.memberAdmin).send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${org.member}:user/dev-user`,
        ActionNames: ['iam:CreateUser', 'iam:ListUsers'],
      }),
    );
  const before = await simulate();
  assert.deepEqual(
    before.EvaluationResults?.map((r) => [r.EvalActionName, r.EvalDecision, r.OrganizationsDecisionDetail]),
    [
      ['iam:CreateUser', 'allowed', { AllowedByOrganizations: true }],
      ['iam:ListUsers', 'allowed', { AllowedByOrganizations: true }],
    ],
  );

  await orgsClient(server, admin.creds).send(
    new AttachPolicyCommand({ PolicyId: scpId, TargetId: org.devOu }),
  );
  const denied = await simulate();
  const [create, list] = denied.EvaluationResults ?? [];
  assert.equal(create?.EvalDecision, 'explicitDeny');
  assert.deepEqual(create?.OrganizationsDecisionDetail, { AllowedByOrganizations: false });
  // The matched statement is the SCP's Deny, named by the SCP.
  assert.deepEqual(
    create?.MatchedStatements?.map((m) => [m.SourcePolicyId, m.SourcePolicyType]),
    [['DenyCreateUser', 'none']],
  );
  assert.equal(list?.EvalDecision, 'allowed');
  assert.deepEqual(list?.OrganizationsDecisionDetail, { AllowedByOrganizations: true });

  // The live decision agrees: the user's own call is denied by the SCP.
  await assert.rejects(
    server.iam(org.memberAdmin).send(new CreateUserCommand({ UserName: 'live' })),
    (e: { name?: string }) => e.name === 'AccessDenied',
  );
  await orgsClient(server, admin.creds).send(
    new DetachPolicyCommand({ PolicyId: scpId, TargetId: org.devOu }),
  );
});

test('an implicit deny in the SCPs (no Allow at a level) is reported as not allowed by Organizations', async () => {
  // Replace FullAWSAccess on the member account by an SCP that allows only iam:List* (and the
  // simulator itself): iam:CreateUser then has no Allow at the account level.
  const o = orgsClient(server, admin.creds);
  const listOnly = await o.send(
    new CreatePolicyCommand({
      Name: 'ListOnly',
      Description: 'list only',
      Type: 'SERVICE_CONTROL_POLICY',
      Content: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['iam:List*', 'iam:Simulate*'], Resource: '*' }],
      }),
    }),
  );
  const id = listOnly.Policy?.PolicySummary?.Id ?? '';
  await o.send(new AttachPolicyCommand({ PolicyId: id, TargetId: org.member }));
  await o.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: org.member }));
  const r = await server.iam(org.memberAdmin).send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${org.member}:user/dev-user`,
      ActionNames: ['iam:CreateUser', 'iam:ListUsers'],
    }),
  );
  assert.deepEqual(
    r.EvaluationResults?.map((x) => [x.EvalDecision, x.OrganizationsDecisionDetail?.AllowedByOrganizations]),
    [
      ['implicitDeny', false],
      ['allowed', true],
    ],
  );
  await o.send(new AttachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: org.member }));
  await o.send(new DetachPolicyCommand({ PolicyId: id, TargetId: org.member }));
});

test('the management account is not bound by SCPs, even one attached to the root', async () => {
  const o = orgsClient(server, admin.creds);
  await o.send(new AttachPolicyCommand({ PolicyId: scpId, TargetId: org.rootId }));
  const r = await server
    .iam(admin.creds)
    .send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: admin.arn, ActionNames: ['iam:CreateUser'] }),
    );
  assert.equal(r.EvaluationResults?.[0]?.EvalDecision, 'allowed');
  assert.deepEqual(r.EvaluationResults?.[0]?.OrganizationsDecisionDetail, { AllowedByOrganizations: true });
  // The member account is bound by the root's SCP.
  const m = await server.iam(org.memberAdmin).send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${org.member}:user/dev-user`,
      ActionNames: ['iam:CreateUser'],
    }),
  );
  assert.equal(m.EvaluationResults?.[0]?.EvalDecision, 'explicitDeny');
  await o.send(new DetachPolicyCommand({ PolicyId: scpId, TargetId: org.rootId }));
});

test('an account in no organization gets no OrganizationsDecisionDetail', async () => {
  const other = await startIamd(UNTHROTTLED);
  try {
    const u = await createUser(other.iam(ROOT), 'solo', JSON.parse(ALLOW_ALL) as object);
    const r = await other
      .iam(ROOT)
      .send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: u.arn, ActionNames: ['iam:CreateUser'] }));
    assert.equal(r.EvaluationResults?.[0]?.EvalDecision, 'allowed');
    assert.equal(r.EvaluationResults?.[0]?.OrganizationsDecisionDetail, undefined);
  } finally {
    await other.stop();
  }
});

test('SimulateCustomPolicy applies only the SCP hierarchy it is given', async () => {
  const iam = server.iam(org.memberAdmin);
  // No principal, so no account: the organization's SCPs are not read.
  await orgsClient(server, admin.creds).send(
    new AttachPolicyCommand({ PolicyId: scpId, TargetId: org.devOu }),
  );
  const plain = await iam.send(
    new SimulateCustomPolicyCommand({ PolicyInputList: [ALLOW_ALL], ActionNames: ['iam:CreateUser'] }),
  );
  assert.equal(plain.EvaluationResults?.[0]?.EvalDecision, 'allowed');
  assert.equal(plain.EvaluationResults?.[0]?.OrganizationsDecisionDetail, undefined);
  const withScps = await iam.send(
    new SimulateCustomPolicyCommand({
      PolicyInputList: [ALLOW_ALL],
      ActionNames: ['iam:CreateUser'],
      OrderedOrganizationPolicyInputList: [
        { ServiceControlPolicyInputList: [ALLOW_ALL] },
        { ServiceControlPolicyInputList: [ALLOW_ALL, DENY_CREATE_USER] },
      ],
    }),
  );
  assert.equal(withScps.EvaluationResults?.[0]?.EvalDecision, 'explicitDeny');
  assert.deepEqual(withScps.EvaluationResults?.[0]?.OrganizationsDecisionDetail, {
    AllowedByOrganizations: false,
  });
  await orgsClient(server, admin.creds).send(
    new DetachPolicyCommand({ PolicyId: scpId, TargetId: org.devOu }),
  );
});
