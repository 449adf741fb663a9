// iamOperation / stsOperation tie an operation's name to its generated types. The `@ts-expect-error`
// lines are the test that matters: when a wrong name, an unknown member or a wrong type stops being a
// compile error, tsc fails on the unused directive (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iamOperation, stsOperation } from './typed-operation.js';
import type { Operation } from './operation.js';

test('a typed operation is the object it was given, usable where any Operation is', async () => {
  const op = iamOperation<'GetUser'>({
    service: 'iam',
    name: 'GetUser',
    async handle(input) {
      const name: string | undefined = input.UserName;
      return { User: { UserName: name ?? 'self', CreateDate: 0 } };
    },
  });
  const list: readonly Operation[] = [op];
  assert.equal(list[0], op);
  const out = await op.handle({ UserName: 'alice' }, undefined as never);
  assert.deepEqual(out, { User: { UserName: 'alice', CreateDate: 0 } });
});

test('names, members and types are checked against the model', () => {
  // @ts-expect-error: the name must be the one the type argument names
  iamOperation<'GetUser'>({ service: 'iam', name: 'GetRole', handle: async () => ({}) });
  // @ts-expect-error: not an IAM operation
  iamOperation<'AssumeRole'>({ service: 'iam', name: 'AssumeRole', handle: async () => ({}) });
  stsOperation<'GetCallerIdentity'>({
    service: 'sts',
    name: 'GetCallerIdentity',
    // @ts-expect-error: `Acount` is not a member of GetCallerIdentityResponse
    handle: async () => ({ Acount: '123456789012' }),
  });
  iamOperation<'CreateUser'>({
    service: 'iam',
    name: 'CreateUser',
    async handle(input) {
      const required: string = input.UserName;
      // @ts-expect-error: Path is optional, so it may be undefined
      const path: string = input.Path;
      // @ts-expect-error: the model has no `Username` member
      void input.Username;
      return { User: { UserName: required, Path: path } };
    },
  });
  iamOperation<'UpdateAccessKey'>({
    service: 'iam',
    name: 'UpdateAccessKey',
    async handle(input) {
      // Enums decode to their values only.
      const status: 'Active' | 'Inactive' | 'Expired' = input.Status;
      // @ts-expect-error: a value outside the enum is not comparable
      if (input.Status === 'Enabled') void status;
      return {};
    },
  });
  assert.ok(true);
});
