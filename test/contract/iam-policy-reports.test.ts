/**
 * Reports from the policies themselves, against a real iamd with SDK v3: context keys
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetContextKeysForPrincipalPolicy.html),
 * ListPoliciesGrantingServiceAccess
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPoliciesGrantingServiceAccess.html),
 * GetHumanReadableSummary, and SetSecurityTokenServicePreferences with GetAccountSummary's
 * GlobalEndpointTokenVersion
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetSecurityTokenServicePreferences.html).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  GetAccountSummaryCommand,
  GetContextKeysForCustomPolicyCommand,
  GetContextKeysForPrincipalPolicyCommand,
  GetHumanReadableSummaryCommand,
  ListPoliciesGrantingServiceAccessCommand,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
  SetSecurityTokenServicePreferencesCommand,
} from '@aws-sdk/client-iam';
import { ROOT, startIamd, type TestServer } from './harness.js';
import { expectClientError } from './support.js';

let server: TestServer;
const A = ROOT.accountId;
before(async () => {
  server = await startIamd();
  const iam = server.iam();
  await iam.send(new CreateUserCommand({ UserName: 'carol' }));
  await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'carol' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'carol',
      PolicyName: 'own-bucket',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::b/${aws:username}/*',
            Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
          },
        ],
      }),
    }),
  );
  await iam.send(
    new PutGroupPolicyCommand({
      GroupName: 'devs',
      PolicyName: 'dynamo',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'dynamodb:*',
            Resource: '*',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
          },
        ],
      }),
    }),
  );
  const p = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'all-but-iam',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
      }),
    }),
  );
  await iam.send(new AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: p.Policy!.Arn! }));
});
after(async () => {
  await server.stop();
});

test('GetContextKeysForCustomPolicy: AWS example output', async () => {
  const out = await server.iam().send(
    new GetContextKeysForCustomPolicyCommand({
      PolicyInputList: [
        JSON.stringify({
          Version: '2012-10-17',
          Statement: {
            Effect: 'Allow',
            Action: 'dynamodb:*',
            Resource: 'arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}',
            Condition: { DateGreaterThan: { 'aws:CurrentTime': '2015-08-16T12:00:00Z' } },
          },
        }),
      ],
    }),
  );
  assert.deepEqual(out.ContextKeyNames, ['aws:username', 'aws:CurrentTime']);
  await expectClientError(
    server.iam().send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: ['{'] })),
    'MalformedPolicyDocumentException',
    400,
    'Syntax errors in policy.',
  );
});

test("GetContextKeysForPrincipalPolicy: the user's, its group's and the extra policies' keys", async () => {
  const out = await server.iam().send(
    new GetContextKeysForPrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${A}:user/carol`,
      PolicyInputList: [
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: '*',
              Resource: '*',
              Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
            },
          ],
        }),
      ],
    }),
  );
  assert.deepEqual(out.ContextKeyNames, [
    'aws:username',
    'aws:SourceIp',
    'aws:MultiFactorAuthPresent',
    'aws:RequestedRegion',
  ]);
  await expectClientError(
    server
      .iam()
      .send(
        new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${A}:user/nobody` }),
      ),
    'NoSuchEntityException',
    404,
    'The user with name nobody cannot be found.',
  );
});

test('ListPoliciesGrantingServiceAccess: managed and inline, the group inline one with its entity', async () => {
  const out = await server.iam().send(
    new ListPoliciesGrantingServiceAccessCommand({
      Arn: `arn:aws:iam::${A}:user/carol`,
      ServiceNamespaces: ['s3', 'dynamodb', 'iam'],
    }),
  );
  assert.equal(out.IsTruncated, false);
  assert.deepEqual(out.PoliciesGrantingServiceAccess, [
    {
      ServiceNamespace: 's3',
      Policies: [
        { PolicyName: 'own-bucket', PolicyType: 'INLINE', EntityType: 'USER', EntityName: 'carol' },
        {
          PolicyName: 'all-but-iam',
          PolicyType: 'MANAGED',
          PolicyArn: `arn:aws:iam::${A}:policy/all-but-iam`,
        },
      ],
    },
    {
      ServiceNamespace: 'dynamodb',
      Policies: [
        {
          PolicyName: 'all-but-iam',
          PolicyType: 'MANAGED',
          PolicyArn: `arn:aws:iam::${A}:policy/all-but-iam`,
        },
        { PolicyName: 'dynamo', PolicyType: 'INLINE', EntityType: 'GROUP', EntityName: 'devs' },
      ],
    },
    { ServiceNamespace: 'iam', Policies: [] },
  ]);
});

test('GetHumanReadableSummary: deterministic English text of a managed policy', async () => {
  const iam = server.iam();
  const a = await iam.send(
    new GetHumanReadableSummaryCommand({ EntityArn: `arn:aws:iam::${A}:policy/all-but-iam` }),
  );
  assert.equal(a.SummaryState, 'AVAILABLE');
  assert.equal(a.Locale, 'en-US');
  assert.equal(a.SummaryContent, 'Allows every action except iam:* on *.');
  const u = await iam.send(new GetHumanReadableSummaryCommand({ EntityArn: `arn:aws:iam::${A}:user/carol` }));
  assert.match(
    u.SummaryContent!,
    /^own-bucket \(inline policy of user carol\):\nAllows s3:GetObject on arn:aws:s3:::b\/\$\{aws:username\}\/\* when aws:SourceIp IpAddress 10\.0\.0\.0\/8\./,
  );
  const fr = await iam.send(
    new GetHumanReadableSummaryCommand({
      EntityArn: `arn:aws:iam::${A}:policy/all-but-iam`,
      Locale: 'fr-FR',
    }),
  );
  assert.equal(fr.SummaryState, 'NOT_SUPPORTED');
});

test('SetSecurityTokenServicePreferences: GetAccountSummary GlobalEndpointTokenVersion 1 → 2 → 1', async () => {
  const iam = server.iam();
  const v = async (): Promise<number | undefined> =>
    (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap?.GlobalEndpointTokenVersion;
  assert.equal(await v(), 1);
  await iam.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: 'v2Token' }));
  assert.equal(await v(), 2);
  await iam.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: 'v1Token' }));
  assert.equal(await v(), 1);
});
