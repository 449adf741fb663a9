// Validation texts AWS words specially (issue #21): member order and whole messages, each asserted
// against its recording in shared/reference/aws-errors.md (pr-13720 LocalStack snapshots of real AWS).
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileServiceModel, decodeOperationInput } from './index.js';
import { AwsError } from '../errors/index.js';
import { validationMessage } from './validation-texts.js';

const iam = compileServiceModel(
  JSON.parse(readFileSync(new URL('../../../models/iam.json', import.meta.url), 'utf8')),
);

function failure(params: Record<string, string>): AwsError {
  try {
    decodeOperationInput(iam, new Map(Object.entries({ Version: '2010-05-08', ...params })));
  } catch (err) {
    assert.ok(err instanceof AwsError);
    return err;
  }
  assert.fail('decoded without error');
}

test('UpdateAccountPasswordPolicy lists failing members in AWS order (recorded `validation-errors`)', () => {
  const err = failure({
    Action: 'UpdateAccountPasswordPolicy',
    MinimumPasswordLength: '129',
    PasswordReusePrevention: '25',
    MaxPasswordAge: '1096',
  });
  assert.equal(err.code, 'ValidationError');
  assert.equal(
    err.message,
    "3 validation errors detected: Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128; Value at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24; Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095",
  );
});

test('CreateOpenIDConnectProvider lists failing members in AWS order (recorded `multiple-validation-errors`)', () => {
  const err = failure({
    Action: 'CreateOpenIDConnectProvider',
    Url: `https://${'a'.repeat(300)}`,
    'ClientIDList.member.1': 'a'.repeat(256),
    'ThumbprintList.member.1': 'abc',
  });
  assert.equal(err.code, 'ValidationError');
  assert.equal(
    err.message,
    "3 validation errors detected: Value at 'clientIDList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1]; Value at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 40, Member must have length greater than or equal to 40]; Value at 'url' failed to satisfy constraint: Member must have length less than or equal to 255",
  );
});

test('CreateVirtualMFADevice: a malformed path has AWS own text (recorded `create-invalid-path-no-leading-slash-error`)', () => {
  for (const Path of ['nopath', 'no-leading/', '/no-trailing']) {
    const err = failure({ Action: 'CreateVirtualMFADevice', VirtualMFADeviceName: 'm', Path });
    assert.equal(err.code, 'ValidationError');
    assert.equal(
      err.message,
      'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
    );
  }
  // A path that is too long keeps the generic text (recorded `create-path-too-long-error`).
  const long = failure({
    Action: 'CreateVirtualMFADevice',
    VirtualMFADeviceName: 'm',
    Path: `/${'a'.repeat(600)}/`,
  });
  assert.equal(
    long.message,
    "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512",
  );
});

test('other operations keep the model order and the generic wording', () => {
  const v = [
    "Value at 'b' failed to satisfy constraint: Member must not be null",
    "Value at 'a' failed to satisfy constraint: Member must not be null",
  ];
  assert.equal(validationMessage('CreateUser', v), `2 validation errors detected: ${v.join('; ')}`);
  // Echoed values (STS) are parsed too; members the table does not name come after the named ones.
  const echoed = [
    "Value 'x' at 'zzz' failed to satisfy constraint: Member must not be null",
    "Value '2000' at 'url' failed to satisfy constraint: Member must have length less than or equal to 255",
  ];
  assert.equal(
    validationMessage('CreateOpenIDConnectProvider', echoed),
    `2 validation errors detected: ${echoed[1]}; ${echoed[0]}`,
  );
});
