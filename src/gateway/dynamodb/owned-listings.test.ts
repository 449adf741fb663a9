import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  listOwned,
  OWNED_LISTINGS,
  UPSTREAM_PAGE,
  validateListing,
  type ListingPage,
  type OwnedListing,
  type UpstreamPage,
} from './owned-listings.js';

type Json = Record<string, unknown>;
const LIST_TABLES = OWNED_LISTINGS['ListTables']!;

/** An upstream ListTables over `names` as dynalite / DynamoDB pages it (cursor only when more follow). */
function fakeListTables(names: readonly string[]) {
  const sorted = [...names].sort();
  const requests: Json[] = [];
  const fetchPage = async (req: Json): Promise<UpstreamPage<never>> => {
    requests.push(req);
    const start = req['ExclusiveStartTableName'] as string | undefined;
    const limit = req['Limit'] as number;
    const after = sorted.filter((n) => start === undefined || n > start);
    const page: Json = { TableNames: after.slice(0, limit) };
    if (after.length > limit) page['LastEvaluatedTableName'] = after[limit - 1];
    return { page };
  };
  return { fetchPage, requests };
}

function pageOf(r: UpstreamPage<unknown>): Json {
  assert.ok('page' in r);
  return r.page;
}

function valid(listing: OwnedListing, req: Json): ListingPage {
  const v = validateListing(listing, req);
  assert.ok(!('code' in v), JSON.stringify(v));
  return v;
}

/** Walks ListTables with `limit` as a client would: every page, and every cursor seen. */
async function walk(names: readonly string[], mine: (n: string) => boolean, limit: number) {
  const { fetchPage } = fakeListTables(names);
  const seen: string[] = [];
  const cursors: string[] = [];
  let start: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const req: Json = { Limit: limit, ...(start === undefined ? {} : { ExclusiveStartTableName: start }) };
    const page = pageOf(
      await listOwned(LIST_TABLES, req, valid(LIST_TABLES, req), fetchPage, async (t) => mine(t)),
    );
    const got = page['TableNames'] as string[];
    assert.ok(got.length <= limit, 'a page holds at most Limit names');
    seen.push(...got);
    start = page['LastEvaluatedTableName'] as string | undefined;
    if (start === undefined) return { seen, cursors };
    cursors.push(start);
  }
  assert.fail('the walk does not end');
}

const tableNames = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{3,6}$/), { maxLength: 250 });

test('property: a walk with any Limit yields exactly the caller’s tables in order, and every cursor is one of them', async () => {
  await fc.assert(
    fc.asyncProperty(
      tableNames,
      fc.integer({ min: 1, max: 100 }),
      fc.func(fc.boolean()),
      async (names, limit, f) => {
        const mine = (n: string) => f(n);
        const { seen, cursors } = await walk(names, mine, limit);
        assert.deepEqual(seen, [...names].sort().filter(mine));
        for (const c of cursors) assert.ok(mine(c), `cursor ${c} is the caller's`);
      },
    ),
    { numRuns: 200 },
  );
});

test('a full page whose upstream has nothing more owned carries no cursor (no empty last page)', async () => {
  const { fetchPage } = fakeListTables(['aaa', 'bbb', 'ccc', 'ddd']);
  const mine = async (t: string) => t === 'aaa' || t === 'bbb';
  const req = { Limit: 2 };
  assert.deepEqual(pageOf(await listOwned(LIST_TABLES, req, valid(LIST_TABLES, req), fetchPage, mine)), {
    TableNames: ['aaa', 'bbb'],
  });
});

test('the upstream is paged by 100 from the caller’s start until the page is full', async () => {
  const names = Array.from({ length: 250 }, (_, i) => `t${String(i).padStart(3, '0')}`);
  const { fetchPage, requests } = fakeListTables(names);
  const req = { ExclusiveStartTableName: 't009', Limit: 2, Other: 'kept' };
  const page = pageOf(
    await listOwned(LIST_TABLES, req, valid(LIST_TABLES, req), fetchPage, async (t) => t >= 't205'),
  );
  assert.deepEqual(page, { TableNames: ['t205', 't206'], LastEvaluatedTableName: 't206' });
  assert.deepEqual(requests, [
    { ExclusiveStartTableName: 't009', Limit: UPSTREAM_PAGE, Other: 'kept' },
    // t110…t209: the page fills at t206, and t207 (owned, already fetched) says more follow.
    { ExclusiveStartTableName: 't109', Limit: UPSTREAM_PAGE, Other: 'kept' },
  ]);
});

test('an upstream error stops the listing and is handed back as it is', async () => {
  let calls = 0;
  const fetchPage = async (): Promise<UpstreamPage<string>> =>
    ++calls === 1
      ? { page: { TableNames: ['aaa'], LastEvaluatedTableName: 'aaa' } }
      : { stop: 'upstream 500' };
  const req = { Limit: 5 };
  assert.deepEqual(await listOwned(LIST_TABLES, req, valid(LIST_TABLES, req), fetchPage, async () => false), {
    stop: 'upstream 500',
  });
});

test('an upstream cursor that does not advance ends the listing instead of looping', async () => {
  const fetchPage = async (): Promise<UpstreamPage<never>> => ({
    page: { TableNames: ['aaa'], LastEvaluatedTableName: 'aaa' },
  });
  const req = { ExclusiveStartTableName: 'aaa' };
  assert.deepEqual(
    pageOf(await listOwned(LIST_TABLES, req, valid(LIST_TABLES, req), fetchPage, async () => false)),
    { TableNames: [] },
  );
});

test('token-paged listings keep the upstream token and drop other accounts’ entries', async () => {
  const arn = (t: string, n: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${t}/export/${n}`;
  const exports = OWNED_LISTINGS['ListExports']!;
  const req = { MaxResults: 3 };
  const fetchPage = async (r: Json): Promise<UpstreamPage<never>> => {
    assert.deepEqual(r, req, 'the caller’s request goes upstream as it is');
    return {
      page: {
        ExportSummaries: [
          { ExportArn: arn('Mine', '1'), ExportStatus: 'COMPLETED' },
          { ExportArn: arn('Theirs', '2'), ExportStatus: 'COMPLETED' },
          { ExportStatus: 'COMPLETED' },
        ],
        NextToken: 'tok',
      },
    };
  };
  assert.deepEqual(
    pageOf(await listOwned(exports, req, valid(exports, req), fetchPage, async (t) => t === 'Mine')),
    { ExportSummaries: [{ ExportArn: arn('Mine', '1'), ExportStatus: 'COMPLETED' }], NextToken: 'tok' },
  );
});

test('each listing names the table of its entries', () => {
  const table = (op: string, entry: unknown) => OWNED_LISTINGS[op]!.tableOf(entry);
  const tArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/T';
  assert.equal(table('ListTables', 'T'), 'T');
  assert.equal(table('ListGlobalTables', { GlobalTableName: 'T', ReplicationGroup: [] }), 'T');
  assert.equal(table('ListBackups', { TableName: 'T', BackupArn: `${tArn}/backup/1` }), 'T');
  assert.equal(table('ListBackups', { TableArn: tArn }), 'T');
  assert.equal(table('ListExports', { ExportArn: `${tArn}/export/1` }), 'T');
  assert.equal(table('ListImports', { ImportArn: `${tArn}/import/1`, TableArn: tArn }), 'T');
  assert.equal(table('ListContributorInsights', { TableName: 'T', IndexName: 'I' }), 'T');
  assert.equal(table('ListExports', { ExportArn: 'not-an-arn' }), undefined);
  assert.equal(table('ListContributorInsights', {}), undefined);
});

test('ListTables validation: DynamoDB’s ValidationException and SerializationException texts', () => {
  const v = (req: Json) => validateListing(LIST_TABLES, req);
  assert.deepEqual(v({}), { start: undefined, limit: 100 });
  assert.deepEqual(v({ Limit: null, ExclusiveStartTableName: null }), { start: undefined, limit: 100 });
  assert.deepEqual(v({ Limit: 7.9, ExclusiveStartTableName: 'a.b-c_d' }), { start: 'a.b-c_d', limit: 7 });
  assert.deepEqual(v({ Limit: 0 }), {
    code: 'ValidationException',
    message:
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
  });
  assert.deepEqual(v({ Limit: 101 }), {
    code: 'ValidationException',
    message:
      "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
  });
  const long = 'a'.repeat(256);
  assert.deepEqual(v({ ExclusiveStartTableName: long }), {
    code: 'ValidationException',
    message: `1 validation error detected: Value '${long}' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length less than or equal to 255`,
  });
  assert.deepEqual(v({ ExclusiveStartTableName: '', Limit: 500 }), {
    code: 'ValidationException',
    message:
      "3 validation errors detected: Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
      "Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
      "Value '500' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
  });
  assert.deepEqual(v({ Limit: 'x' }), {
    code: 'SerializationException',
    message: 'STRING_VALUE cannot be converted to Integer',
  });
  assert.deepEqual(v({ Limit: true }), {
    code: 'SerializationException',
    message: 'TRUE_VALUE cannot be converted to Integer',
  });
  assert.deepEqual(v({ ExclusiveStartTableName: 5 }), {
    code: 'SerializationException',
    message: 'NUMBER_VALUE cannot be converted to String',
  });
  assert.deepEqual(v({ ExclusiveStartTableName: 1.5 }), {
    code: 'SerializationException',
    message: 'DECIMAL_VALUE cannot be converted to String',
  });
  assert.deepEqual(v({ ExclusiveStartTableName: {} }), {
    code: 'SerializationException',
    message: 'Start of structure or map found where not expected',
  });
  assert.deepEqual(v({ Limit: [] }), {
    code: 'SerializationException',
    message: 'Unrecognized collection type class java.lang.Integer',
  });
});

test('ListGlobalTables has no upper Limit; ListBackups does, and its start is an ARN, not a table name', () => {
  assert.deepEqual(validateListing(OWNED_LISTINGS['ListGlobalTables']!, { Limit: 1000 }), {
    start: undefined,
    limit: 1000,
  });
  const backups = OWNED_LISTINGS['ListBackups']!;
  assert.deepEqual(validateListing(backups, { ExclusiveStartBackupArn: 'arn:aws:dynamodb:x' }), {
    start: 'arn:aws:dynamodb:x',
    limit: 100,
  });
  assert.deepEqual(validateListing(backups, { Limit: 101 }), {
    code: 'ValidationException',
    message:
      "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
  });
});

test('property: validation never throws on arbitrary JSON requests', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.values(OWNED_LISTINGS)),
      fc.dictionary(
        fc.constantFrom('Limit', 'ExclusiveStartTableName', 'ExclusiveStartBackupArn', 'MaxResults', 'x'),
        fc.jsonValue(),
      ),
      (listing, req) => {
        const v = validateListing(listing, req);
        if ('code' in v) assert.ok(v.message.length > 0);
        else assert.ok(v.limit >= 1);
      },
    ),
    { numRuns: 2000 },
  );
});
