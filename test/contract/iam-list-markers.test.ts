/**
 * List markers are verifiable (issue #21): a `Marker` iamd did not issue — `100`, `invalid-marker-value`,
 * an issued one with a character changed — is 400 ValidationError "Invalid Marker.", as AWS answers
 * (shared/reference/aws-errors.md: ListVirtualMFADevices `list-invalid-marker-error`, LocalStack
 * snapshot pr-13720 test_iam_mfa), for every paginated operation iamd implements; markers iamd issued
 * still page through the list.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as iamSdk from '@aws-sdk/client-iam';
import { IAM_OPERATIONS } from '../../src/iam/index.js';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { expectAwsError } from './support.js';

const ACCT = ROOT.accountId;
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }],
});
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const policyArn = `arn:aws:iam::${ACCT}:policy/p`;
const TAGS = [
  { Key: 'a', Value: '1' },
  { Key: 'b', Value: '2' },
];

let server: TestServer;
let iam: iamSdk.IAMClient;
let mfaSerial = '';
let oidcArn = '';
let jobId = '';

before(async () => {
  server = await startIamd();
  iam = server.iam();
  const s = <T>(c: object) => iam.send(c as Parameters<typeof iam.send>[0]) as Promise<T>;
  await s(new iamSdk.CreateUserCommand({ UserName: 'u', Tags: TAGS }));
  await s(new iamSdk.CreateUserCommand({ UserName: 'v' }));
  await s(new iamSdk.CreateAccessKeyCommand({ UserName: 'u' }));
  await s(new iamSdk.CreateAccessKeyCommand({ UserName: 'u' }));
  await s(new iamSdk.CreatePolicyCommand({ PolicyName: 'p', PolicyDocument: POLICY, Tags: TAGS }));
  await s(new iamSdk.CreatePolicyCommand({ PolicyName: 'p2', PolicyDocument: POLICY }));
  await s(new iamSdk.CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: POLICY }));
  await s(new iamSdk.CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST, Tags: TAGS }));
  await s(new iamSdk.CreateRoleCommand({ RoleName: 'r2', AssumeRolePolicyDocument: TRUST }));
  for (const g of ['g', 'h']) {
    await s(new iamSdk.CreateGroupCommand({ GroupName: g }));
    await s(new iamSdk.AddUserToGroupCommand({ GroupName: g, UserName: 'u' }));
  }
  await s(new iamSdk.AddUserToGroupCommand({ GroupName: 'g', UserName: 'v' }));
  for (const name of ['i', 'j']) {
    await s(new iamSdk.PutUserPolicyCommand({ UserName: 'u', PolicyName: name, PolicyDocument: POLICY }));
    await s(new iamSdk.PutGroupPolicyCommand({ GroupName: 'g', PolicyName: name, PolicyDocument: POLICY }));
    await s(new iamSdk.PutRolePolicyCommand({ RoleName: 'r', PolicyName: name, PolicyDocument: POLICY }));
  }
  for (const arn of [policyArn, `${policyArn}2`]) {
    await s(new iamSdk.AttachUserPolicyCommand({ UserName: 'u', PolicyArn: arn }));
    await s(new iamSdk.AttachGroupPolicyCommand({ GroupName: 'g', PolicyArn: arn }));
    await s(new iamSdk.AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: arn }));
  }
  for (const ip of ['ip', 'ip2']) {
    await s(new iamSdk.CreateInstanceProfileCommand({ InstanceProfileName: ip, Tags: TAGS }));
    await s(new iamSdk.AddRoleToInstanceProfileCommand({ InstanceProfileName: ip, RoleName: 'r' }));
  }
  await s(new iamSdk.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'm2' }));
  const mfa = await s<iamSdk.CreateVirtualMFADeviceCommandOutput>(
    new iamSdk.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'm', Tags: TAGS }),
  );
  mfaSerial = mfa.VirtualMFADevice?.SerialNumber ?? '';
  const oidc = await s<iamSdk.CreateOpenIDConnectProviderCommandOutput>(
    new iamSdk.CreateOpenIDConnectProviderCommand({
      Url: 'https://oidc.example.com',
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['a'.repeat(40)],
      Tags: TAGS,
    }),
  );
  oidcArn = oidc.OpenIDConnectProviderArn ?? '';
  await s(new iamSdk.CreateAccountAliasCommand({ AccountAlias: 'markers-test' }));
  for (let i = 0; i < 2; i++) {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await s(new iamSdk.UploadSSHPublicKeyCommand({ UserName: 'u', SSHPublicKeyBody: pem }));
    await s(
      new iamSdk.CreateServiceSpecificCredentialCommand({
        UserName: 'u',
        ServiceName: 'codecommit.amazonaws.com',
      }),
    );
  }
  const job = await s<iamSdk.GenerateServiceLastAccessedDetailsCommandOutput>(
    new iamSdk.GenerateServiceLastAccessedDetailsCommand({ Arn: `arn:aws:iam::${ACCT}:user/u` }),
  );
  jobId = job.JobId ?? '';
});
after(async () => {
  await server.stop();
});

/** The parameters each paginated operation needs besides `Marker`. */
const PARAMS: Readonly<Record<string, () => Record<string, unknown>>> = {
  GetAccountAuthorizationDetails: () => ({}),
  GetGroup: () => ({ GroupName: 'g' }),
  ListAccessKeys: () => ({ UserName: 'u' }),
  ListAccountAliases: () => ({}),
  ListAttachedGroupPolicies: () => ({ GroupName: 'g' }),
  ListAttachedRolePolicies: () => ({ RoleName: 'r' }),
  ListAttachedUserPolicies: () => ({ UserName: 'u' }),
  ListEntitiesForPolicy: () => ({ PolicyArn: policyArn }),
  ListGroupPolicies: () => ({ GroupName: 'g' }),
  ListGroups: () => ({}),
  ListGroupsForUser: () => ({ UserName: 'u' }),
  ListInstanceProfileTags: () => ({ InstanceProfileName: 'ip' }),
  ListInstanceProfiles: () => ({}),
  ListInstanceProfilesForRole: () => ({ RoleName: 'r' }),
  ListMFADeviceTags: () => ({ SerialNumber: mfaSerial }),
  ListMFADevices: () => ({ UserName: 'u' }),
  ListOpenIDConnectProviderTags: () => ({ OpenIDConnectProviderArn: oidcArn }),
  ListPolicies: () => ({ Scope: 'Local' }),
  ListPolicyTags: () => ({ PolicyArn: policyArn }),
  ListPolicyVersions: () => ({ PolicyArn: policyArn }),
  ListRolePolicies: () => ({ RoleName: 'r' }),
  ListRoleTags: () => ({ RoleName: 'r' }),
  GetServiceLastAccessedDetails: () => ({ JobId: jobId }),
  GetServiceLastAccessedDetailsWithEntities: () => ({ JobId: jobId, ServiceNamespace: 'iam' }),
  ListPoliciesGrantingServiceAccess: () => ({
    Arn: `arn:aws:iam::${ACCT}:user/u`,
    ServiceNamespaces: ['iam', 'sts'],
  }),
  ListRoles: () => ({}),
  ListSSHPublicKeys: () => ({ UserName: 'u' }),
  ListServiceSpecificCredentials: () => ({ UserName: 'u' }),
  ListUserPolicies: () => ({ UserName: 'u' }),
  ListUserTags: () => ({ UserName: 'u' }),
  ListUsers: () => ({}),
  ListVirtualMFADevices: () => ({}),
  SimulateCustomPolicy: () => ({ PolicyInputList: [POLICY], ActionNames: ['iam:ListUsers', 'iam:GetUser'] }),
  SimulatePrincipalPolicy: () => ({
    PolicySourceArn: `arn:aws:iam::${ACCT}:user/u`,
    ActionNames: ['iam:ListUsers', 'iam:GetUser'],
  }),
};
/**
 * Paginated operations not driven here: ListSAMLProviderTags needs signed SAML metadata, and the
 * certificate lists (ListSigningCertificates, ListServerCertificates, ListServerCertificateTags) need
 * X.509 certificates made with openssl (test/contract/iam-credentials.test.ts drives them); they page
 * through the same marker code as the lists below.
 */
const NOT_DRIVEN = new Set([
  // Needs an organization with activity in it: test/contract/organizations-access-report.test.ts pages it.
  'GetOrganizationsAccessReport',
  // Needs a partner account's requests: test/contract/iam-delegation.test.ts pages it with Marker.
  'ListDelegationRequests',
  'ListSAMLProviderTags',
  'ListSigningCertificates',
  'ListServerCertificates',
  'ListServerCertificateTags',
]);

/**
 * Lists this setup cannot give a second item: an account has one alias (AWS: "you can have only one"),
 * listing a user's MFA devices needs one enabled with real TOTP codes, and the last-accessed report of u
 * names one service.
 */
const ONE_ITEM = new Set([
  'ListAccountAliases',
  'ListMFADevices',
  // u's policies all allow one service (iam), used by u alone.
  'GetServiceLastAccessedDetails',
  'GetServiceLastAccessedDetailsWithEntities',
  // No MaxItems in its model: every namespace asked for fits one page.
  'ListPoliciesGrantingServiceAccess',
]);

function command(op: string, input: Record<string, unknown>): Parameters<typeof iam.send>[0] {
  const Ctor = (iamSdk as unknown as Record<string, new (i: object) => Parameters<typeof iam.send>[0]>)[
    `${op}Command`
  ];
  assert.ok(Ctor, `the SDK has ${op}Command`);
  return new Ctor(input);
}

test('every paginated IAM operation iamd implements is driven here', () => {
  const model = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../../models/iam.json', import.meta.url)), 'utf8'),
  ) as {
    operations: Record<string, { input?: { shape: string } }>;
    shapes: Record<string, { members?: Record<string, unknown> }>;
  };
  const implemented = new Set(IAM_OPERATIONS.map((o) => o.name));
  const paginated = Object.entries(model.operations)
    .filter(([name, op]) => {
      const shape = op.input ? model.shapes[op.input.shape] : undefined;
      return implemented.has(name) && shape?.members?.Marker !== undefined;
    })
    .map(([name]) => name)
    .filter((name) => !NOT_DRIVEN.has(name))
    .sort();
  assert.deepEqual(Object.keys(PARAMS).sort(), paginated);
});

for (const [op, params] of Object.entries(PARAMS)) {
  test(`${op}: a marker iamd did not issue is ValidationError "Invalid Marker."`, async () => {
    for (const Marker of ['100', 'invalid-marker-value', 'dXNlcg'])
      await expectAwsError(
        iam.send(command(op, { ...params(), Marker })),
        'ValidationError',
        400,
        'Invalid Marker.',
      );
    // A first page of one item hands out a marker (every list here holds at least two items).
    const first = (await iam.send(command(op, { ...params(), MaxItems: 1 }))) as {
      IsTruncated?: boolean;
      Marker?: string;
    };
    if (ONE_ITEM.has(op)) {
      assert.equal(first.IsTruncated, false);
      return;
    }
    assert.equal(first.IsTruncated, true, `${op} has a second page`);
    assert.ok(first.Marker);
    const next = (await iam.send(command(op, { ...params(), Marker: first.Marker }))) as {
      IsTruncated?: boolean;
    };
    assert.equal(next.IsTruncated, false, 'the issued marker leads to the rest');
    // One character changed: no longer a marker iamd issued.
    const i = Math.floor(first.Marker.length / 2);
    const altered =
      first.Marker.slice(0, i) + (first.Marker[i] === 'A' ? 'B' : 'A') + first.Marker.slice(i + 1);
    await expectAwsError(
      iam.send(command(op, { ...params(), Marker: altered })),
      'ValidationError',
      400,
      'Invalid Marker.',
    );
  });
}
