/**
 * The store conformance suite (STYLE.md §3, "Store conformance"; after Vault's `ExerciseBackend`):
 * every adapter — SQLite file, SQLite `:memory:`, PostgreSQL — runs exactly these tests, so handlers
 * may rely on one behaviour. Messages of StoreConflict are part of the contract and asserted here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../src/errors/index.js';
import {
  StoreConflict,
  StoreUnavailable,
  type AuditRecord,
  type Store,
  type StoreChange,
} from '../../src/store/index.js';
import {
  attachedPolicies,
  attachmentKey,
  MEMBERSHIP_KEY,
  membershipOf,
  ORG_KEY,
  organizationOf,
  pathOf,
  type OrganizationBody,
} from '../../src/domain/organizations.js';

const A = '111111111111';
const B = '222222222222';

/** A minimal valid audit event; `over` replaces fields. */
function audit(eventId: string, eventTime: number, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    eventId,
    eventTime,
    account: A,
    eventName: 'GetUser',
    eventSource: 'iam.amazonaws.com',
    requestId: `req-${eventId}`,
    readOnly: true,
    resources: [],
    record: { eventVersion: '1.08', eventID: eventId },
    ...over,
  };
}

/** Asserts that `promise` rejects with a StoreConflict of `reason` and exactly `message`. */
async function rejectsConflict(promise: Promise<unknown>, reason: StoreConflict['reason'], message: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreConflict, `expected StoreConflict, got ${String(error)}`);
    assert.equal(error.reason, reason);
    assert.equal(error.message, message);
    return true;
  });
}

/** Records every change event of `store`. */
function recordChanges(store: Store): StoreChange[] {
  const changes: StoreChange[] = [];
  store.onChange((change) => changes.push(change));
  return changes;
}

/**
 * Registers the conformance tests for one adapter. `makeStore` must return a fresh, empty store each
 * time; every test closes the store it made.
 */
export function exerciseStore(name: string, makeStore: () => Promise<Store>): void {
  const withStore = (title: string, body: (store: Store) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const store = await makeStore();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });
  };

  withStore('entity CRUD with versions and index', async (store) => {
    const body = { name: 'Alice', path: '/', tags: [{ k: 'ü', v: '✓' }], n: 1.5, nothing: null };
    await store.transact((tx) => tx.insert(A, 'user', 'alice', body));
    assert.deepEqual(await store.get(A, 'user', 'alice'), {
      account: A,
      kind: 'user',
      key: 'alice',
      index: null,
      body,
      version: 1,
    });
    // Same key in another kind or account is a different entity.
    assert.equal(await store.get(A, 'role', 'alice'), undefined);
    assert.equal(await store.get(B, 'user', 'alice'), undefined);

    await store.transact((tx) => tx.insert(A, 'accessKey', 'akia1', { s: 1 }, 'alice'));
    await store.transact((tx) => tx.update(A, 'accessKey', 'akia1', { s: 2 }));
    let key = await store.get<{ s: number }>(A, 'accessKey', 'akia1');
    assert.equal(key?.index, 'alice', 'update without index keeps the index');
    assert.equal(key?.version, 2);
    assert.deepEqual(key?.body, { s: 2 });
    await store.transact((tx) => tx.update(A, 'accessKey', 'akia1', { s: 3 }, { index: 'bob' }));
    key = await store.get(A, 'accessKey', 'akia1');
    assert.equal(key?.index, 'bob');
    assert.equal(key?.version, 3);
    await store.transact((tx) =>
      tx.update(A, 'accessKey', 'akia1', { s: 4 }, { index: null, expectedVersion: 3 }),
    );
    key = await store.get(A, 'accessKey', 'akia1');
    assert.equal(key?.index, null);
    assert.equal(key?.version, 4);

    assert.equal(await store.transact((tx) => tx.delete(A, 'user', 'alice')), true);
    assert.equal(await store.transact((tx) => tx.delete(A, 'user', 'alice')), false);
    assert.equal(await store.get(A, 'user', 'alice'), undefined);
    // A re-created entity starts again at version 1.
    await store.transact((tx) => tx.insert(A, 'user', 'alice', {}));
    assert.equal((await store.get(A, 'user', 'alice'))?.version, 1);
  });

  withStore(
    'keys are exact: the store does not fold case (handlers pass lower-cased names)',
    async (store) => {
      await store.transact(async (tx) => {
        await tx.insert(A, 'role', 'Admin', { v: 'upper' });
        await tx.insert(A, 'role', 'admin', { v: 'lower' });
      });
      assert.deepEqual((await store.get(A, 'role', 'Admin'))?.body, { v: 'upper' });
      assert.deepEqual((await store.get(A, 'role', 'admin'))?.body, { v: 'lower' });
      assert.equal(await store.get(A, 'role', 'ADMIN'), undefined);
      assert.equal(await store.count(A, 'role'), 2);
    },
  );

  // Issue #20's credential kinds: SSH keys, signing certificates and service-specific credentials are
  // listed per owner through `index` (the root's own signing certificates under the empty index `''`,
  // which must not be confused with "no index"), server certificates are counted per account.
  withStore(
    'credential kinds: per-owner index (incl. the empty root index), count, delete',
    async (store) => {
      await store.transact(async (tx) => {
        await tx.insert(A, 'sshPublicKey', 'APKA2', { u: 'alice' }, 'alice');
        await tx.insert(A, 'sshPublicKey', 'APKA1', { u: 'alice' }, 'alice');
        await tx.insert(A, 'sshPublicKey', 'APKA3', { u: 'bob' }, 'bob');
        await tx.insert(A, 'signingCertificate', 'CERTROOT', { root: true }, '');
        await tx.insert(A, 'signingCertificate', 'CERTNOINDEX', { orphan: true });
        await tx.insert(A, 'signingCertificate', 'CERTALICE', { u: 'alice' }, 'alice');
        await tx.insert(A, 'serviceCredential', 'ACCA1', { s: 'codecommit.amazonaws.com' }, 'alice');
        await tx.insert(A, 'serverCertificate', 'web', { n: 'web' });
        await tx.insert(B, 'serverCertificate', 'web', { n: 'web' });
      });
      const keys = async (kind: 'sshPublicKey' | 'signingCertificate' | 'serviceCredential', index: string) =>
        (await store.list(A, kind, { index })).map((e) => e.key);
      assert.deepEqual(await keys('sshPublicKey', 'alice'), ['APKA1', 'APKA2']);
      assert.deepEqual(await keys('sshPublicKey', 'bob'), ['APKA3']);
      assert.deepEqual(await keys('signingCertificate', ''), ['CERTROOT']);
      assert.deepEqual(await keys('signingCertificate', 'alice'), ['CERTALICE']);
      assert.deepEqual(await keys('serviceCredential', 'alice'), ['ACCA1']);
      assert.equal((await store.get(A, 'signingCertificate', 'CERTROOT'))?.index, '');
      assert.equal(await store.count(A, 'serverCertificate'), 1);
      assert.equal(await store.transact((tx) => tx.delete(A, 'sshPublicKey', 'APKA1')), true);
      assert.deepEqual(await keys('sshPublicKey', 'alice'), ['APKA2']);
    },
  );

  // Issue #20's temporary delegation: one transaction writes the request in the requestor's account and
  // its link in the target account; a versioned update (lost-update check) moves its state on.
  withStore('delegation kinds: cross-account insert in one transaction, versioned update', async (store) => {
    const id = `${A}-ABCDEFGHIJKLMNOPQRST`;
    await store.transact(async (tx) => {
      await tx.insert(A, 'delegationRequest', id, { state: 'UNASSIGNED' }, null);
      await tx.insert(B, 'delegationLink', id, { requestorAccount: A }, null);
    });
    const e = await store.get<{ state: string }>(A, 'delegationRequest', id);
    assert.equal(e?.body.state, 'UNASSIGNED');
    assert.deepEqual(
      (await store.list(B, 'delegationLink')).map((l) => l.key),
      [id],
    );
    assert.deepEqual(await store.list(A, 'delegationLink'), []);
    await store.transact((tx) =>
      tx.update(A, 'delegationRequest', id, { state: 'ASSIGNED' }, { expectedVersion: e!.version }),
    );
    await assert.rejects(
      store.transact((tx) =>
        tx.update(A, 'delegationRequest', id, { state: 'ACCEPTED' }, { expectedVersion: e!.version }),
      ),
    );
    assert.equal((await store.get<{ state: string }>(A, 'delegationRequest', id))?.body.state, 'ASSIGNED');
    await store.transact((tx) => tx.insert(A, 'delegationNotification', id, { sealedToken: 'x' }, null));
    assert.equal(await store.count(A, 'delegationNotification'), 1);
  });

  withStore('list: binary key order, index, prefix, afterKey, limit; count', async (store) => {
    const keys = ['b', 'a', 'B', 'a-1', 'a/1', 'ab', 'z', 'é'];
    await store.transact(async (tx) => {
      for (const k of keys) await tx.insert(A, 'policy', k, { k }, k.startsWith('a') ? 'grp-a' : 'grp-other');
      await tx.insert(B, 'policy', 'a', {});
      await tx.insert(A, 'role', 'a', {});
    });
    const all = await store.list<{ k: string }>(A, 'policy');
    assert.deepEqual(
      all.map((e) => e.key),
      ['B', 'a', 'a-1', 'a/1', 'ab', 'b', 'z', 'é'],
    );
    assert.deepEqual(all[0]?.body, { k: 'B' });
    assert.equal(all[0]?.account, A);
    assert.equal(all[0]?.kind, 'policy');
    assert.deepEqual(
      (await store.list(A, 'policy', { index: 'grp-a' })).map((e) => e.key),
      ['a', 'a-1', 'a/1', 'ab'],
    );
    assert.deepEqual(
      (await store.list(A, 'policy', { keyPrefix: 'a' })).map((e) => e.key),
      ['a', 'a-1', 'a/1', 'ab'],
    );
    assert.deepEqual(
      (await store.list(A, 'policy', { keyPrefix: 'a/' })).map((e) => e.key),
      ['a/1'],
    );
    assert.deepEqual(
      (await store.list(A, 'policy', { afterKey: 'a/1', limit: 2 })).map((e) => e.key),
      ['ab', 'b'],
    );
    assert.deepEqual(
      (await store.list(A, 'policy', { index: 'grp-a', afterKey: 'a', keyPrefix: 'a', limit: 2 })).map(
        (e) => e.key,
      ),
      ['a-1', 'a/1'],
    );
    assert.deepEqual(await store.list(A, 'policy', { limit: 0 }), []);
    assert.deepEqual(await store.list(A, 'policy', { index: 'none' }), []);
    assert.equal(await store.count(A, 'policy'), keys.length);
    assert.equal(await store.count(B, 'policy'), 1);
    assert.equal(await store.count(B, 'user'), 0);
  });

  withStore('organizations: membership, tree path, attachments by target and by policy', async (store) => {
    const org: OrganizationBody = {
      id: 'o-abcdefghij',
      arn: `arn:aws:organizations::${A}:organization/o-abcdefghij`,
      featureSet: 'ALL',
      managementAccount: A,
      managementAccountEmail: 'mgmt@example.com',
      rootId: 'r-ab12',
      rootArn: `arn:aws:organizations::${A}:root/o-abcdefghij/r-ab12`,
      createdAt: 1,
      enabledPolicyTypes: ['SERVICE_CONTROL_POLICY'],
      iamFeatures: [],
      trustedServices: [],
    };
    const ou = (id: string, parentId: string) => ({ id, arn: id, name: id, parentId });
    await store.transact(async (tx) => {
      await tx.insert(A, 'organization', ORG_KEY, org);
      await tx.insert(A, 'orgMembership', MEMBERSHIP_KEY, { organizationId: org.id, managementAccount: A });
      await tx.insert(B, 'orgMembership', MEMBERSHIP_KEY, { organizationId: org.id, managementAccount: A });
      await tx.insert(A, 'orgUnit', 'ou-ab12-aaaaaaaa', ou('ou-ab12-aaaaaaaa', 'r-ab12'), 'r-ab12');
      await tx.insert(
        A,
        'orgUnit',
        'ou-ab12-bbbbbbbb',
        ou('ou-ab12-bbbbbbbb', 'ou-ab12-aaaaaaaa'),
        'ou-ab12-aaaaaaaa',
      );
      const place = { arn: '', email: '', name: '', status: 'ACTIVE', joinedMethod: 'CREATED', joinedAt: 1 };
      await tx.insert(A, 'orgAccount', A, { ...place, id: A, parentId: 'r-ab12' }, 'r-ab12');
      await tx.insert(
        A,
        'orgAccount',
        B,
        { ...place, id: B, parentId: 'ou-ab12-bbbbbbbb' },
        'ou-ab12-bbbbbbbb',
      );
      for (const [target, policy] of [
        ['r-ab12', 'p-FullAWSAccess'],
        ['r-ab12', 'p-aaaaaaaa'],
        ['ou-ab12-aaaaaaaa', 'p-aaaaaaaa'],
        [B, 'p-bbbbbbbb'],
      ] as const)
        await tx.insert(
          A,
          'orgAttachment',
          attachmentKey(target, policy),
          { targetId: target, policyId: policy },
          policy,
        );
    });
    assert.deepEqual(await membershipOf(store, B), { organizationId: org.id, managementAccount: A });
    assert.equal(await membershipOf(store, '333333333333'), undefined);
    assert.deepEqual(await organizationOf(store, A), org);
    assert.deepEqual(await pathOf(store, org, B), ['r-ab12', 'ou-ab12-aaaaaaaa', 'ou-ab12-bbbbbbbb', B]);
    assert.deepEqual(await pathOf(store, org, A), ['r-ab12', A]);
    assert.equal(await pathOf(store, org, '333333333333'), undefined);
    assert.deepEqual(
      (await attachedPolicies(store, A, 'r-ab12')).map((a) => a.policyId),
      ['p-FullAWSAccess', 'p-aaaaaaaa'],
    );
    assert.deepEqual(
      (await store.list(A, 'orgAttachment', { index: 'p-aaaaaaaa' })).map((e) => e.key),
      ['ou-ab12-aaaaaaaa|p-aaaaaaaa', 'r-ab12|p-aaaaaaaa'],
    );
    assert.deepEqual(
      (await store.list(A, 'orgUnit', { index: 'r-ab12' })).map((e) => e.key),
      ['ou-ab12-aaaaaaaa'],
    );
    // Another account sees none of it.
    assert.equal(await organizationOf(store, B), undefined);
    assert.deepEqual(await store.list(B, 'orgAttachment'), []);
  });

  withStore('list pagination visits every entity once, in order', async (store) => {
    const keys = Array.from({ length: 23 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
    await store.transact(async (tx) => {
      for (const k of [...keys].reverse()) await tx.insert(A, 'user', k, { k });
    });
    const seen: string[] = [];
    let afterKey: string | undefined;
    for (;;) {
      const page = await store.list(A, 'user', { limit: 7, ...(afterKey === undefined ? {} : { afterKey }) });
      seen.push(...page.map((e) => e.key));
      if (page.length < 7) break;
      afterKey = page[page.length - 1]?.key;
    }
    assert.deepEqual(seen, keys);
  });

  withStore('conflicts: exists, missing, version', async (store) => {
    await store.transact((tx) => tx.insert(A, 'user', 'alice', { v: 1 }));
    await rejectsConflict(
      store.transact((tx) => tx.insert(A, 'user', 'alice', { v: 2 })),
      'exists',
      'user `alice` already exists',
    );
    await rejectsConflict(
      store.transact((tx) => tx.update(A, 'user', 'bob', {})),
      'missing',
      'user `bob` does not exist',
    );
    await store.transact((tx) => tx.update(A, 'user', 'alice', { v: 2 }, { expectedVersion: 1 }));
    await rejectsConflict(
      store.transact((tx) => tx.update(A, 'user', 'alice', { v: 3 }, { expectedVersion: 1 })),
      'version',
      'user `alice` is at version 2, not 1',
    );
    assert.deepEqual((await store.get(A, 'user', 'alice'))?.body, { v: 2 });
    // A conflict caught inside the transaction does not poison it.
    await store.transact(async (tx) => {
      await assert.rejects(tx.insert(A, 'user', 'alice', {}), StoreConflict);
      await tx.insert(A, 'user', 'carol', {});
    });
    assert.ok(await store.get(A, 'user', 'carol'));
  });

  withStore('a throwing transaction rolls back everything and announces nothing', async (store) => {
    await store.transact(async (tx) => {
      await tx.insert(A, 'user', 'keep', { v: 1 });
      await tx.putMeta('m', 'before');
    });
    const changes = recordChanges(store);
    const boom = new Error('boom');
    await assert.rejects(
      store.transact(async (tx) => {
        await tx.insert(A, 'user', 'new', {});
        await tx.update(A, 'user', 'keep', { v: 2 });
        await tx.delete(A, 'user', 'keep');
        await tx.putMeta('m', 'after');
        await tx.putAccount({ id: B, createdAt: 1 });
        await tx.appendAudit(audit('rolled-back', 1));
        // The transaction sees its own writes.
        assert.ok(await tx.get(A, 'user', 'new'));
        assert.equal(await tx.get(A, 'user', 'keep'), undefined);
        throw boom;
      }),
      (error: unknown) => error === boom,
    );
    assert.equal(await store.get(A, 'user', 'new'), undefined);
    assert.deepEqual((await store.get(A, 'user', 'keep'))?.body, { v: 1 });
    assert.equal(await store.getMeta('m'), 'before');
    assert.equal(await store.getAccount(B), undefined);
    assert.deepEqual(
      (await store.queryAudit({})).events,
      [],
      'an audit event in a rolled-back transaction is gone',
    );
    assert.deepEqual(changes, []);
  });

  withStore('reads outside a transaction never see its uncommitted writes', async (store) => {
    let outside: Promise<unknown> | undefined;
    await assert.rejects(
      store.transact(async (tx) => {
        await tx.insert(A, 'user', 'ghost', {});
        // Not awaited: the adapter may answer at once (committed state) or after the transaction.
        outside = store.get(A, 'user', 'ghost');
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('rollback');
      }),
      { message: 'rollback' },
    );
    assert.equal(await outside, undefined);
  });

  withStore('a transaction handle is dead after commit', async (store) => {
    let leaked: Parameters<Parameters<Store['transact']>[0]>[0] | undefined;
    await store.transact(async (tx) => {
      leaked = tx;
    });
    assert.ok(leaked);
    await assert.rejects(leaked.insert(A, 'user', 'late', {}), {
      message: 'the transaction has already finished',
    });
    assert.equal(await store.get(A, 'user', 'late'), undefined);
  });

  withStore('change events follow commits only', async (store) => {
    const changes = recordChanges(store);
    const during: number[] = [];
    await store.transact(async (tx) => {
      await tx.insert(A, 'user', 'u', {});
      await tx.update(A, 'user', 'u', { x: 1 });
      await tx.insert(A, 'group', 'g', {});
      during.push(changes.length);
    });
    assert.deepEqual(during, [0], 'nothing is announced before COMMIT');
    assert.deepEqual(
      [...changes].sort((x, y) => x.kind.localeCompare(y.kind)),
      [
        { account: A, kind: 'group', key: 'g' },
        { account: A, kind: 'user', key: 'u' },
      ],
    );
    changes.length = 0;
    await store.transact(async (tx) => {
      await tx.putAccount({ id: B, createdAt: 5 });
      await tx.delete(A, 'group', 'g');
      await tx.delete(A, 'group', 'missing');
    });
    assert.deepEqual(
      [...changes].sort((x, y) => x.kind.localeCompare(y.kind)),
      [
        { account: B, kind: 'account', key: B },
        { account: A, kind: 'group', key: 'g' },
      ],
    );
    // Unsubscribing stops delivery; a throwing listener does not break the commit.
    const late: StoreChange[] = [];
    const off = store.onChange((change) => late.push(change));
    store.onChange(() => {
      throw new Error('listener failure');
    });
    off();
    await store.transact((tx) => tx.insert(A, 'role', 'r', {}));
    assert.deepEqual(late, []);
    assert.ok(await store.get(A, 'role', 'r'));
  });

  withStore('concurrent transactions: 50 increments with version retry count exactly', async (store) => {
    await store.transact((tx) => tx.insert(A, 'setting', 'counter', { n: 0 }));
    let retries = 0;
    const increment = async (): Promise<void> => {
      for (;;) {
        // Read outside, write with the version seen: lost updates become conflicts, then retries.
        const seen = await store.get<{ n: number }>(A, 'setting', 'counter');
        assert.ok(seen);
        try {
          await store.transact((tx) =>
            tx.update(A, 'setting', 'counter', { n: seen.body.n + 1 }, { expectedVersion: seen.version }),
          );
          return;
        } catch (error) {
          if (!(error instanceof StoreConflict && error.reason === 'version')) throw error;
          retries++;
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, increment));
    const final = await store.get<{ n: number }>(A, 'setting', 'counter');
    assert.equal(final?.body.n, 50);
    assert.equal(final?.version, 51);
    assert.ok(retries >= 0);
  });

  withStore('concurrent inserts of one key: exactly one wins', async (store) => {
    const results = await Promise.allSettled([
      store.transact((tx) => tx.insert(A, 'user', 'race', { who: 1 })),
      store.transact((tx) => tx.insert(A, 'user', 'race', { who: 2 })),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const lost = results.find((r) => r.status === 'rejected');
    assert.ok(lost?.status === 'rejected' && lost.reason instanceof StoreConflict);
    assert.equal(lost.reason.reason, 'exists');
    assert.equal(lost.reason.message, 'user `race` already exists');
  });

  withStore('transactions return their value; reads within see prior commits', async (store) => {
    const value = await store.transact(async (tx) => {
      await tx.insert(A, 'user', 'x', { a: 1 });
      return { ok: (await tx.get<{ a: number }>(A, 'user', 'x'))?.body.a };
    });
    assert.deepEqual(value, { ok: 1 });
    assert.equal(await store.transact((tx) => tx.count(A, 'user')), 1);
    assert.equal((await store.transact((tx) => tx.list(A, 'user'))).length, 1);
  });

  withStore('meta values', async (store) => {
    const changes = recordChanges(store);
    assert.equal(await store.getMeta('keyring'), undefined);
    await store.transact((tx) => tx.putMeta('keyring', 'v1'));
    // A committed meta write is a change (caches of meta values, here and on other nodes, drop it).
    assert.deepEqual(changes, [{ account: '', kind: 'meta', key: 'keyring' }]);
    assert.equal(await store.getMeta('keyring'), 'v1');
    assert.equal(await store.getMeta('keyring'), 'v1');
    await store.transact(async (tx) => {
      assert.equal(await tx.getMeta('keyring'), 'v1');
      await tx.putMeta('keyring', 'v2');
      assert.equal(await tx.getMeta('keyring'), 'v2');
    });
    assert.equal(await store.getMeta('keyring'), 'v2');
  });

  withStore('accounts, aliases and account deletion', async (store) => {
    assert.deepEqual(await store.listAccounts(), []);
    await store.transact(async (tx) => {
      await tx.putAccount({ id: B, createdAt: 2, alias: 'beta' });
      await tx.putAccount({ id: A, createdAt: 1, rootPasswordHash: 'scrypt$x' });
    });
    assert.deepEqual(await store.getAccount(A), { id: A, createdAt: 1, rootPasswordHash: 'scrypt$x' });
    assert.deepEqual(
      (await store.listAccounts()).map((a) => a.id),
      [A, B],
    );
    assert.deepEqual(await store.getAccountByAlias('beta'), { id: B, createdAt: 2, alias: 'beta' });
    assert.equal(await store.getAccountByAlias('Beta'), undefined);
    await rejectsConflict(
      store.transact((tx) => tx.putAccount({ id: A, createdAt: 1, alias: 'beta' })),
      'exists',
      'account alias `beta` is taken',
    );
    // putAccount replaces: moving the alias frees the old one.
    await store.transact((tx) => tx.putAccount({ id: B, createdAt: 2, alias: 'gamma' }));
    assert.equal(await store.getAccountByAlias('beta'), undefined);
    assert.equal((await store.getAccountByAlias('gamma'))?.id, B);
    await store.transact((tx) => tx.putAccount({ id: A, createdAt: 1, alias: 'beta' }));
    assert.equal((await store.getAccountByAlias('beta'))?.id, A);

    await store.transact(async (tx) => {
      await tx.insert(B, 'user', 'u', {});
      await tx.insert(A, 'user', 'u', {});
    });
    await store.transact((tx) => tx.deleteAccount(B));
    assert.equal(await store.getAccount(B), undefined);
    assert.equal(await store.getAccountByAlias('gamma'), undefined);
    assert.equal(await store.get(B, 'user', 'u'), undefined, 'deleting an account deletes its entities');
    assert.ok(await store.get(A, 'user', 'u'));
  });

  withStore('audit: round trip, newest first, every filter', async (store) => {
    const full = audit('e3', 3000, {
      account: B,
      eventName: 'CreateUser',
      readOnly: false,
      username: 'admin',
      accessKeyId: 'AKIAEXAMPLE',
      errorCode: 'EntityAlreadyExists',
      resources: [
        { type: 'AWS::IAM::User', name: 'alice' },
        { type: 'AWS::IAM::Policy', name: 'p' },
      ],
      record: { nested: { list: [1, 'two'] } },
    });
    await store.appendAudit(audit('e1', 1000));
    await store.transact((tx) => tx.appendAudit(audit('e2', 2000, { eventSource: 'sts.amazonaws.com' })));
    await store.appendAudit(full);
    await store.appendAudit(audit('e4', 3000, { resources: [{ type: 'AWS::IAM::Role', name: 'alice' }] }));

    const ids = async (query: Parameters<Store['queryAudit']>[0]) =>
      (await store.queryAudit(query)).events.map((e) => e.eventId);
    const page = await store.queryAudit({});
    assert.deepEqual(
      page.events.map((e) => e.eventId),
      ['e4', 'e3', 'e2', 'e1'],
      'newest first; equal times by event id, descending',
    );
    assert.equal(page.nextToken, undefined);
    assert.deepEqual(page.events[1], full);
    assert.deepEqual(page.events[3], audit('e1', 1000));
    assert.deepEqual(await ids({ account: B }), ['e3']);
    assert.deepEqual(await ids({ account: A }), ['e4', 'e2', 'e1']);
    assert.deepEqual(await ids({ eventName: 'CreateUser' }), ['e3']);
    assert.deepEqual(await ids({ eventSource: 'sts.amazonaws.com' }), ['e2']);
    assert.deepEqual(await ids({ username: 'admin' }), ['e3']);
    assert.deepEqual(await ids({ accessKeyId: 'AKIAEXAMPLE' }), ['e3']);
    assert.deepEqual(await ids({ eventId: 'e2' }), ['e2']);
    assert.deepEqual(await ids({ requestId: 'req-e1' }), ['e1']);
    assert.deepEqual(await ids({ readOnly: false }), ['e3']);
    assert.deepEqual(await ids({ readOnly: true }), ['e4', 'e2', 'e1']);
    assert.deepEqual(await ids({ startTime: 2000 }), ['e4', 'e3', 'e2'], 'startTime is inclusive');
    assert.deepEqual(await ids({ endTime: 2000 }), ['e2', 'e1'], 'endTime is inclusive');
    assert.deepEqual(await ids({ startTime: 1500, endTime: 2500 }), ['e2']);
    assert.deepEqual(await ids({ resourceName: 'alice' }), ['e4', 'e3']);
    assert.deepEqual(await ids({ resourceType: 'AWS::IAM::Policy' }), ['e3']);
    assert.deepEqual(await ids({ resourceName: 'alice', resourceType: 'AWS::IAM::Role' }), ['e4']);
    assert.deepEqual(await ids({ resourceName: 'p', resourceType: 'AWS::IAM::User' }), [], 'same resource');
    assert.deepEqual(await ids({ account: A, readOnly: true, startTime: 1001 }), ['e4', 'e2']);
  });

  withStore('audit: pagination, default limit, bad token, duplicate id, prune', async (store) => {
    for (let i = 0; i < 60; i++) {
      await store.appendAudit(audit(`ev-${String(i).padStart(2, '0')}`, 10_000 + Math.floor(i / 3)));
    }
    const first = await store.queryAudit({});
    assert.equal(first.events.length, 50, 'default limit is 50 (CloudTrail LookupEvents MaxResults default)');
    assert.equal(typeof first.nextToken, 'string');
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await store.queryAudit({ limit: 7, ...(nextToken === undefined ? {} : { nextToken }) });
      assert.ok(page.events.length <= 7);
      seen.push(...page.events.map((e) => e.eventId));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    assert.deepEqual(
      seen,
      Array.from({ length: 60 }, (_, i) => `ev-${String(59 - i).padStart(2, '0')}`),
    );
    // Filters apply across pages.
    const filtered = await store.queryAudit({ limit: 2, endTime: 10_001 });
    assert.deepEqual(
      filtered.events.map((e) => e.eventId),
      ['ev-05', 'ev-04'],
    );
    assert.deepEqual(
      (await store.queryAudit({ limit: 2, endTime: 10_001, nextToken: filtered.nextToken ?? '' })).events.map(
        (e) => e.eventId,
      ),
      ['ev-03', 'ev-02'],
    );
    for (const bad of ['garbage!', 'bm9wZQ']) {
      await assert.rejects(store.queryAudit({ nextToken: bad }), (error: unknown) => {
        assert.ok(error instanceof AwsError);
        assert.equal(error.code, 'InvalidParameterValue');
        assert.equal(error.message, `invalid pagination token \`${bad}\``);
        return true;
      });
    }
    await rejectsConflict(
      store.appendAudit(audit('ev-00', 1)),
      'exists',
      'audit event `ev-00` already exists',
    );
    // Events appended together (one group commit) succeed or fail one by one.
    const together = await Promise.allSettled([
      store.appendAudit(audit('batch-1', 5)),
      store.appendAudit(audit('ev-01', 5)),
      store.appendAudit(audit('batch-2', 5)),
    ]);
    assert.deepEqual(
      together.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(await store.pruneAudit(10_000), 2, 'the two batch events are older than 10000');
    assert.equal(await store.pruneAudit(10_002), 6);
    assert.equal((await store.queryAudit({ limit: 1000 })).events.length, 54);
    assert.deepEqual((await store.queryAudit({ resourceName: 'x' })).events, []);
  });

  withStore('clear removes everything and announces a wildcard', async (store) => {
    await store.transact(async (tx) => {
      await tx.putAccount({ id: A, createdAt: 1, alias: 'a' });
      await tx.insert(A, 'user', 'u', {});
      await tx.putMeta('k', 'v');
      await tx.appendAudit(audit('e', 1, { resources: [{ type: 't', name: 'n' }] }));
    });
    const changes = recordChanges(store);
    await store.clear();
    assert.deepEqual(changes, [{ account: '*', kind: 'account', key: '*' }]);
    assert.deepEqual(await store.listAccounts(), []);
    assert.equal(await store.get(A, 'user', 'u'), undefined);
    assert.equal(await store.getMeta('k'), undefined);
    assert.deepEqual((await store.queryAudit({ resourceName: 'n' })).events, []);
    // Still usable afterwards.
    await store.transact((tx) => tx.insert(A, 'user', 'u', {}));
    assert.equal(await store.count(A, 'user'), 1);
  });

  test(`${name}: close waits for the transaction in flight, then refuses calls`, async () => {
    const store = await makeStore();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inFlight = store.transact(async (tx) => {
      await gate;
      await tx.insert(A, 'user', 'last', {});
      return 'done';
    });
    const closing = store.close();
    release();
    assert.equal(await inFlight, 'done');
    await closing;
    await store.close(); // idempotent
    const closed = (error: unknown): boolean => {
      assert.ok(error instanceof StoreUnavailable);
      assert.equal(error.message, 'the store is closed');
      return true;
    };
    await assert.rejects(store.get(A, 'user', 'last'), closed);
    await assert.rejects(
      store.transact(async () => undefined),
      closed,
    );
    await assert.rejects(store.appendAudit(audit('x', 1)), closed);
  });
}
