/**
 * Test harness for the access handlers (roles, managed/inline/attached policies, boundaries, instance
 * profiles, authorization details): a real SQLite store in memory, one account, a call context whose
 * `authorize` records every request and can be told to deny actions, and `transact` that enforces the
 * one-transaction-per-call rule.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AuthorizationRequest, CallContext, Operation } from '../../src/api/operation.js';
import { AwsError, isAwsError } from '../../src/errors/index.js';
import type { Store, StoreTx } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { GroupBody, UserBody } from '../../src/domain/entities.js';
import { issueMarker, openMarker } from '../../src/credentials/list-marker.js';

/** Key of the list markers this harness's calls issue. */
const MARKER_KEY = randomBytes(32);

/** The account every harness call acts in. */
export const ACCOUNT = '123456789012';

/** A trust policy EC2 can assume (the recorded tests' document). */
export const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** A small identity policy. */
export const S3_LIST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
});

/** The harness: a store, and `call` to run an operation as the account root. */
export interface Harness {
  readonly store: Store;
  /** Every authorization request made so far, in order. */
  readonly authorized: AuthorizationRequest[];
  /** Actions (`iam:GetRole`) that `authorize` denies. */
  readonly denied: Set<string>;
  call(op: Operation, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Runs `op` and returns the AwsError it throws (fails when it succeeds or throws anything else). */
  fail(op: Operation, input: Record<string, unknown>): Promise<AwsError>;
  /** Inserts a user directly (users belong to another handler module). */
  addUser(name: string, path?: string): Promise<void>;
  /** Inserts a group directly. */
  addGroup(name: string, path?: string): Promise<void>;
  close(): Promise<void>;
}

/** Creates a harness with a fresh in-memory SQLite store and one account. */
export async function makeHarness(): Promise<Harness> {
  const store = await openSqliteStore({ path: ':memory:' });
  await store.transact(async (tx) => tx.putAccount({ id: ACCOUNT, createdAt: 0 }));
  const authorized: AuthorizationRequest[] = [];
  const denied = new Set<string>();
  let clock = 1_700_000_000_000;

  const makeCtx = (): CallContext => {
    let transactions = 0;
    clock += 1000;
    return {
      requestId: `req-${clock}`,
      now: clock,
      principal: {
        type: 'Root',
        account: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        userId: ACCOUNT,
        accessKeyId: 'AKIAEXAMPLEEXAMPLE12',
      },
      store,
      services: {
        random: (n) => new Uint8Array(randomBytes(n)),
        sealSecret: (s) => s,
        unsealSecret: (s) => s,
        sealSession: () => 'token',
        issueMarker: (position) => issueMarker(MARKER_KEY, position),
        openMarker: (marker) => openMarker(MARKER_KEY, marker),
      },
      sourceIp: '127.0.0.1',
      userAgent: 'test',
      secureTransport: true,
      region: 'us-east-1',
      authorize(request) {
        authorized.push(request);
        if (denied.has(request.action))
          return Promise.reject(
            new AwsError(
              'AccessDenied',
              `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: ${request.action} on resource: ${request.resource}`,
            ),
          );
        return Promise.resolve();
      },
      alsoRecordIn() {
        // Single-account tests: nothing else to record.
      },
      transact<T extends Record<string, unknown> | undefined>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
        transactions += 1;
        assert.equal(transactions, 1, 'at most one transaction per call');
        return store.transact(fn);
      },
    };
  };

  const call = async (op: Operation, input: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const before = authorized.length;
    const out = await op.handle(input, makeCtx());
    assert.ok(authorized.length > before, `${op.name} must call authorize`);
    return out;
  };

  return {
    store,
    authorized,
    denied,
    call,
    async fail(op, input) {
      try {
        await op.handle(input, makeCtx());
      } catch (e) {
        if (isAwsError(e)) return e;
        throw e;
      }
      assert.fail(`${op.name} succeeded but an error was expected`);
    },
    async addUser(name, path = '/') {
      const body: UserBody = {
        userName: name,
        userId: `AIDA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
        arn: `arn:aws:iam::${ACCOUNT}:user${path}${name}`,
        path,
        createDate: clock,
        tags: [],
        inlinePolicies: {},
        attachedPolicies: [],
        groups: [],
      };
      await store.transact((tx) => tx.insert(ACCOUNT, 'user', name.toLowerCase(), body));
    },
    async addGroup(name, path = '/') {
      const body: GroupBody = {
        groupName: name,
        groupId: `AGPA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
        arn: `arn:aws:iam::${ACCOUNT}:group${path}${name}`,
        path,
        createDate: clock,
        inlinePolicies: {},
        attachedPolicies: [],
        members: [],
      };
      await store.transact((tx) => tx.insert(ACCOUNT, 'group', name.toLowerCase(), body));
    },
    close: () => store.close(),
  };
}

/** Asserts an AwsError's code and message together. */
export function assertAwsError(e: AwsError, code: string, message: string): void {
  assert.equal(e.code, code);
  assert.equal(e.message, message);
}
