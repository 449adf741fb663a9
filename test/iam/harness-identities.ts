/**
 * Test harness for the identity handlers (users, groups, access keys, login profiles, MFA devices,
 * account settings): a real SQLite store in memory, one account, a settable clock and caller, an
 * `authorize` that records every request and can be told to deny actions, sealing that is reversible
 * but checks its aad, and `transact` that enforces the one-transaction-per-call rule.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AuthorizationRequest, CallContext, Operation } from '../../src/api/operation.js';
import type { Principal } from '../../src/domain/principal.js';
import { AwsError, isAwsError } from '../../src/errors/index.js';
import type { Store } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { issueMarker, openMarker } from '../../src/credentials/list-marker.js';

/** Key of the list markers this harness's calls issue. */
const MARKER_KEY = randomBytes(32);

/** The account every harness call acts in (LocalStack's snapshot account id). */
export const ACCOUNT = '111111111111';
/** A second account, for cross-account checks (aliases). */
export const OTHER_ACCOUNT = '222222222222';

/** The account root as a principal. */
export function rootPrincipal(account = ACCOUNT): Principal {
  return {
    type: 'Root',
    account,
    arn: `arn:aws:iam::${account}:root`,
    userId: account,
    accessKeyId: 'AKIAROOTROOTROOTROOT',
  };
}

/** An IAM user as a principal. */
export function userPrincipal(userName: string, account = ACCOUNT): Principal {
  return {
    type: 'IAMUser',
    account,
    arn: `arn:aws:iam::${account}:user/${userName}`,
    userId: 'AIDAEXAMPLEEXAMPLEEX',
    userName,
    accessKeyId: 'AKIAUSERUSERUSERUSER',
  };
}

/** A role session as a principal. */
export function rolePrincipal(account = ACCOUNT): Principal {
  return {
    type: 'AssumedRole',
    account,
    arn: `arn:aws:sts::${account}:assumed-role/r/s`,
    userId: 'AROAEXAMPLEEXAMPLEEX:s',
    roleArn: `arn:aws:iam::${account}:role/r`,
    roleName: 'r',
    accessKeyId: 'ASIAEXAMPLEEXAMPLEEX',
    session: {
      kind: 'AssumedRole',
      account,
      accessKeyId: 'ASIAEXAMPLEEXAMPLEEX',
      secretAccessKey: 'x',
      issuedAt: 0,
      expiresAt: 1,
    },
  };
}

/** The harness. */
export interface Harness {
  readonly store: Store;
  /** Every authorization request made so far, in order. */
  readonly authorized: AuthorizationRequest[];
  /** Actions (`iam:GetUser`) that `authorize` denies. */
  readonly denied: Set<string>;
  /** The clock (ms) of the next call; each call advances it by one second. */
  now: number;
  /** Who the next calls run as (default: the account root). */
  principal: Principal;
  call(op: Operation, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Runs `op` and returns the AwsError it throws (fails when it succeeds or throws anything else). */
  fail(op: Operation, input: Record<string, unknown>): Promise<AwsError>;
  /** The sealing function the handlers got (`sealed:<aad>:<base64>`); `unseal` checks the aad. */
  unseal(sealed: string, aad: string): string;
  close(): Promise<void>;
}

/** Reversible test sealing that binds the aad, so a handler using the wrong aad is caught. */
function seal(plaintext: string, aad: string): string {
  return `sealed:${Buffer.from(aad).toString('base64')}:${Buffer.from(plaintext).toString('base64')}`;
}

function unseal(sealed: string, aad: string): string {
  const [tag, a, p] = sealed.split(':');
  assert.equal(tag, 'sealed');
  assert.equal(Buffer.from(a ?? '', 'base64').toString(), aad, 'sealed with a different aad');
  return Buffer.from(p ?? '', 'base64').toString();
}

/** Creates a harness with a fresh in-memory SQLite store and two accounts. */
export async function makeHarness(): Promise<Harness> {
  const store = await openSqliteStore({ path: ':memory:' });
  await store.transact(async (tx) => {
    await tx.putAccount({ id: ACCOUNT, createdAt: 1_600_000_000_000 });
    await tx.putAccount({ id: OTHER_ACCOUNT, createdAt: 1_600_000_000_000 });
  });
  const authorized: AuthorizationRequest[] = [];
  const denied = new Set<string>();

  const h: Harness = {
    store,
    authorized,
    denied,
    now: 1_700_000_000_000,
    principal: rootPrincipal(),
    async call(op, input) {
      let transactions = 0;
      let authorizedOnce = false;
      const principal = h.principal;
      const ctx: CallContext = {
        requestId: `req-${h.now}`,
        now: h.now,
        principal,
        store,
        services: {
          random: (n) => new Uint8Array(randomBytes(n)),
          sealSecret: seal,
          unsealSecret: unseal,
          sealSession: () => 'token',
          issueMarker: (position) => issueMarker(MARKER_KEY, position),
          openMarker: (marker) => openMarker(MARKER_KEY, marker),
        },
        sourceIp: '127.0.0.1',
        userAgent: 'test',
        secureTransport: true,
        region: 'us-east-1',
        async authorize(request) {
          authorized.push(request);
          authorizedOnce = true;
          if (denied.has(request.action)) {
            const arn = principal.type === 'Anonymous' ? '' : principal.arn;
            throw new AwsError(
              'AccessDenied',
              `User: ${arn} is not authorized to perform: ${request.action} on resource: ${request.resource}`,
            );
          }
        },
        alsoRecordIn() {
          // Identity calls are recorded only in the caller's account.
        },
        async transact(fn) {
          transactions += 1;
          assert.equal(transactions, 1, 'more than one transaction in one call');
          assert.ok(authorizedOnce, 'transaction before authorize');
          return store.transact(fn);
        },
      };
      h.now += 1000;
      const out = await op.handle(input, ctx);
      assert.ok(authorizedOnce, `${op.name} never called authorize`);
      return out;
    },
    async fail(op, input) {
      try {
        await h.call(op, input);
      } catch (e) {
        if (isAwsError(e)) return e;
        throw e;
      }
      assert.fail(`${op.name} succeeded but an error was expected`);
    },
    unseal,
    close: () => store.close(),
  };
  return h;
}

/** Asserts an AwsError's code and message. */
export function assertError(e: AwsError, code: string, message: string): void {
  assert.equal(e.code, code);
  assert.equal(e.message, message);
}
