import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  ACCESS_KEY_ID_LENGTH,
  UNIQUE_ID_LENGTH,
  accountFromAccessKeyId,
  isAccessKeyId,
  makeAccessKeyId,
  makeSecretAccessKey,
  makeUniqueId,
} from './ids.js';
import { base32Decode, base32Encode } from './base32.js';

test('a real AWS temporary key id decodes to its account', () => {
  // A real (expired) key id and its account as quoted in public analyses of the key-id format
  // (Tal Be'ery, 2021; Aidan Steele's write-up); the decoding is what GetAccessKeyInfo returns
  // (STS API reference, GetAccessKeyInfo: "returns the ID of the AWS account to which the keys belong").
  assert.equal(accountFromAccessKeyId('ASIAY34FZKBOKMUTVV7A'), '609629065308');
});

test('old-format and malformed key ids encode no account', () => {
  // AKIAIOSFODNN7EXAMPLE (IAM user guide) predates account encoding: fifth character below `Q`.
  assert.equal(accountFromAccessKeyId('AKIAIOSFODNN7EXAMPLE'), undefined);
  assert.equal(accountFromAccessKeyId('AKIA'), undefined);
  assert.equal(accountFromAccessKeyId('AKIAY34FZKBOKMUTVV7a'), undefined);
  assert.equal(accountFromAccessKeyId('AXIAY34FZKBOKMUTVV7A'), undefined);
  assert.equal(accountFromAccessKeyId('ASIAY34FZKBOKMUTVV7A1'), undefined);
  // all ones after the marker bit decodes to > 12 digits
  assert.equal(accountFromAccessKeyId('AKIA7777777777777777'), undefined);
});

test('makeAccessKeyId round-trips the account (property)', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 999_999_999_999n }),
      fc.uint8Array({ minLength: 5, maxLength: 5 }),
      fc.constantFrom('AKIA' as const, 'ASIA' as const),
      (n, bytes, kind) => {
        const account = n.toString().padStart(12, '0');
        const id = makeAccessKeyId(kind, account, () => bytes);
        assert.equal(id.length, ACCESS_KEY_ID_LENGTH);
        assert.ok(id.startsWith(kind));
        assert.ok(isAccessKeyId(id));
        assert.match(id.charAt(4), /[Q-Z2-7]/);
        assert.equal(accountFromAccessKeyId(id), account);
      },
    ),
  );
});

test('makeAccessKeyId rejects a non-account', () => {
  assert.throws(() => makeAccessKeyId('AKIA', '12345', randomBytes), {
    name: 'RangeError',
    message: 'not a 12-digit account id: `12345`',
  });
});

test('unique ids are 21 characters of base32 after the prefix', () => {
  // IAM user guide, unique identifiers: AIDACKCEVSQ6C2EXAMPLE; managed policy ids in
  // shared/reference/aws-managed-policies are 21 characters (ANPAZKAPJZG4LSO5ZZZOE).
  for (const prefix of ['AIDA', 'AROA', 'AGPA', 'ANPA', 'AIPA'] as const) {
    const id = makeUniqueId(prefix, randomBytes);
    assert.equal(id.length, UNIQUE_ID_LENGTH);
    assert.match(id, new RegExp(`^${prefix}[A-Z2-7]{17}$`));
  }
  assert.notEqual(makeUniqueId('AIDA', randomBytes), makeUniqueId('AIDA', randomBytes));
});

test('secret access keys are 40 characters of the base64 alphabet', () => {
  const secret = makeSecretAccessKey(randomBytes);
  assert.match(secret, /^[A-Za-z0-9+/]{40}$/);
  assert.equal(
    makeSecretAccessKey(() => new Uint8Array(40)),
    'A'.repeat(40),
  );
});

test('base32 round-trips and rejects foreign characters', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
    }),
  );
  // RFC 4648 §10 test vector
  assert.equal(base32Encode(new TextEncoder().encode('foobar')), 'MZXW6YTBOI');
  assert.deepEqual(base32Decode('mzxw 6ytb oi======'), new TextEncoder().encode('foobar'));
  assert.equal(base32Decode('MZXW1'), undefined);
});
