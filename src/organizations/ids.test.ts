import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import {
  newCreateAccountRequestId,
  newHandshakeId,
  newOrganizationId,
  newOuId,
  newPolicyId,
  newRootId,
  orgArn,
  randomLowerAlnum,
  targetKind,
} from './ids.js';

const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

// Patterns from the Organizations API reference (Organization.Id, Root.Id, OrganizationalUnit.Id,
// Policy.Id, Handshake.Id, CreateAccountStatus.Id).
test('ids follow the patterns the Organizations API reference documents', () => {
  for (let i = 0; i < 200; i++) {
    const root = newRootId(rnd);
    assert.match(newOrganizationId(rnd), /^o-[a-z0-9]{10}$/);
    assert.match(root, /^r-[0-9a-z]{4}$/);
    const ou = newOuId(rnd, root);
    assert.match(ou, /^ou-[0-9a-z]{4}-[a-z0-9]{8}$/);
    assert.equal(ou.slice(3, 7), root.slice(2), 'an OU id carries its root id');
    assert.match(newPolicyId(rnd), /^p-[0-9a-z]{8}$/);
    assert.match(newHandshakeId(rnd), /^h-[0-9a-z]{10}$/);
    assert.match(newCreateAccountRequestId(rnd), /^car-[a-z0-9]{32}$/);
  }
});

test('randomLowerAlnum skips biased bytes and always returns n characters', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.integer({ min: 1, max: 40 }),
      (seed, n) => {
        let i = 0;
        // A deterministic source that cycles through `seed`, with some unbiased bytes mixed in so it ends.
        const source = (k: number): Uint8Array =>
          Uint8Array.from({ length: k }, () => {
            const b = seed[i++ % seed.length] ?? 0;
            return i % 3 === 0 ? b % 252 : b;
          });
        const s = randomLowerAlnum(source, n);
        assert.equal(s.length, n);
        assert.match(s, /^[a-z0-9]+$/);
      },
    ),
  );
  // Only bytes >= 252 then a zero: the biased bytes are skipped.
  let calls = 0;
  const s = randomLowerAlnum((k) => (calls++ === 0 ? new Uint8Array(k).fill(255) : new Uint8Array(k)), 3);
  assert.equal(s, 'aaa');
});

test('targetKind tells roots, OUs and accounts apart and rejects anything else', () => {
  assert.equal(targetKind('r-ab12'), 'ROOT');
  assert.equal(targetKind('ou-ab12-abcdefgh'), 'ORGANIZATIONAL_UNIT');
  assert.equal(targetKind('123456789012'), 'ACCOUNT');
  assert.equal(targetKind('12345678901'), undefined);
  assert.equal(targetKind('p-FullAWSAccess'), undefined);
  assert.equal(targetKind('R-AB12'), undefined);
});

test('ARNs have the documented shapes', () => {
  assert.equal(
    orgArn.organization('111111111111', 'o-abcdefghij'),
    'arn:aws:organizations::111111111111:organization/o-abcdefghij',
  );
  assert.equal(
    orgArn.root('111111111111', 'o-abcdefghij', 'r-ab12'),
    'arn:aws:organizations::111111111111:root/o-abcdefghij/r-ab12',
  );
  assert.equal(
    orgArn.ou('111111111111', 'o-abcdefghij', 'ou-ab12-abcdefgh'),
    'arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-abcdefgh',
  );
  assert.equal(
    orgArn.account('111111111111', 'o-abcdefghij', '222222222222'),
    'arn:aws:organizations::111111111111:account/o-abcdefghij/222222222222',
  );
  assert.equal(
    orgArn.policy('111111111111', 'o-abcdefghij', 'SERVICE_CONTROL_POLICY', 'p-abcdefgh'),
    'arn:aws:organizations::111111111111:policy/o-abcdefghij/service_control_policy/p-abcdefgh',
  );
  assert.equal(
    orgArn.awsPolicy('SERVICE_CONTROL_POLICY', 'p-FullAWSAccess'),
    'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
  );
  assert.equal(
    orgArn.handshake('111111111111', 'o-abcdefghij', 'h-abcdefghij'),
    'arn:aws:organizations::111111111111:handshake/o-abcdefghij/invite/h-abcdefghij',
  );
});
