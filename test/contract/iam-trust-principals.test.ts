/**
 * Trust policies naming IAM users and roles: a user or role ARN principal must name an existing
 * principal when the policy is saved. IAM User Guide, "AWS JSON policy elements: Principal"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html);
 * refusal text `Invalid principal in policy: "AWS":"<arn>"` (MalformedPolicyDocument, 400) as in
 * shared/reference/aws-errors.md.
 */
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, CreateUserCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { ROOT, type TestServer } from './harness.js';
import { createAccount, rootCreds, startIamdOnData } from './accounts-helper.js';
import { expectClientError } from './support.js';

const A = ROOT.accountId;
const trust = (aws: string | string[]): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' }],
  });

let server: TestServer;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iamd-trust-principals-'));
  server = await startIamdOnData(dir);
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('CreateRole naming a missing user or role is MalformedPolicyDocument; existing ones are accepted', async () => {
  const iam = server.iam();
  const nobody = `arn:aws:iam::${A}:user/nobody`;
  await expectClientError(
    iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: trust(nobody) })),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${nobody}"`,
  );
  const noRole = `arn:aws:iam::${A}:role/ghost`;
  await expectClientError(
    iam.send(
      new CreateRoleCommand({
        RoleName: 'r1',
        AssumeRolePolicyDocument: trust([`arn:aws:iam::${A}:root`, noRole]),
      }),
    ),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${noRole}"`,
  );
  await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/team/' }));
  // The ARN must be the user's own, path included.
  const wrongPath = `arn:aws:iam::${A}:user/alice`;
  await expectClientError(
    iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: trust(wrongPath) })),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${wrongPath}"`,
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'r1',
      AssumeRolePolicyDocument: trust(`arn:aws:iam::${A}:user/team/alice`),
    }),
  );
  await iam.send(
    new CreateRoleCommand({ RoleName: 'r2', AssumeRolePolicyDocument: trust(`arn:aws:iam::${A}:role/r1`) }),
  );
  // Assumed-role session ARNs and account principals are not checked against entities.
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'r3',
      AssumeRolePolicyDocument: trust([`arn:aws:sts::${A}:assumed-role/gone/s`, `arn:aws:iam::${A}:root`]),
    }),
  );
});

test('UpdateAssumeRolePolicy naming a missing user is MalformedPolicyDocument', async () => {
  const iam = server.iam();
  await iam.send(
    new CreateRoleCommand({ RoleName: 'u1', AssumeRolePolicyDocument: trust(`arn:aws:iam::${A}:root`) }),
  );
  const missing = `arn:aws:iam::${A}:user/missing`;
  await expectClientError(
    iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'u1', PolicyDocument: trust(missing) })),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${missing}"`,
  );
});

test('cross-account: a principal in another account iamd holds must exist; one iamd does not hold is kept', async () => {
  const other = createAccount(dir, '444455556666');
  const otherIam = server.iam(rootCreds(other));
  const missing = `arn:aws:iam::${A}:user/carol`;
  await expectClientError(
    otherIam.send(new CreateRoleCommand({ RoleName: 'x1', AssumeRolePolicyDocument: trust(missing) })),
    'MalformedPolicyDocumentException',
    400,
    `Invalid principal in policy: "AWS":"${missing}"`,
  );
  await server.iam().send(new CreateUserCommand({ UserName: 'carol' }));
  await otherIam.send(new CreateRoleCommand({ RoleName: 'x1', AssumeRolePolicyDocument: trust(missing) }));
  // 999988887777 is not an account of this iamd: nothing can be known about it, the ARN is kept.
  await otherIam.send(
    new CreateRoleCommand({
      RoleName: 'x2',
      AssumeRolePolicyDocument: trust('arn:aws:iam::999988887777:user/zed'),
    }),
  );
});
