import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { SessionClaims } from '../domain/principal.js';
import { mintSession, type SessionFields } from '../domain/sessions.js';

test('mintSession: minted key, secret and times always win over the caller-supplied fields', () => {
  let sealed: SessionClaims | undefined;
  const now = Date.UTC(2026, 10, 23, 10, 0, 0, 500);
  const ctx = {
    now,
    services: {
      random: (n: number) => randomBytes(n),
      sealSession: (claims: SessionClaims) => {
        sealed = claims;
        return 'sealed';
      },
    },
  } as unknown as Parameters<typeof mintSession>[0];
  // A field set that (wrongly) carries its own expiry and key must not extend or replace them.
  const fields = {
    kind: 'AssumedRole',
    account: '111122223333',
    expiresAt: now + 10 * 365 * 86_400_000,
    accessKeyId: 'ASIAFORGEDFORGEDFORG',
  } as unknown as SessionFields;
  const minted = mintSession(ctx, fields, 900);
  // Counted from the start of the current second (credentials.ts).
  assert.equal(minted.claims.expiresAt, Date.UTC(2026, 10, 23, 10, 15, 0));
  assert.equal(minted.credentials.Expiration, minted.claims.expiresAt);
  assert.notEqual(minted.claims.accessKeyId, 'ASIAFORGEDFORGEDFORG');
  assert.match(minted.claims.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.equal(minted.claims.issuedAt, now);
  assert.equal(sealed, minted.claims);
  assert.equal(minted.credentials.SessionToken, 'sealed');
});
