// ListTables through the gateway answers the caller's account's tables only (issue #18): one dynalite
// upstream holds two accounts' tables, and "no account learns what another account owns". A table's
// owner is the account that created it through iamd, else the default account (the first account).
// Paging keeps DynamoDB's semantics (API reference, ListTables:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html — Limit 1–100,
// LastEvaluatedTableName only while more table names may follow), and a bad Limit is DynamoDB's
// ValidationException ("1 validation error detected: Value '0' at 'limit' failed to satisfy
// constraint: Member must have value greater than or equal to 1", as DynamoDB answered in
// https://github.com/boto/boto/pull/1248).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ListTablesCommand,
  paginateListTables,
  type ListTablesCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { ROOT, type Creds, type TestServer } from '../contract/harness.js';
import {
  allow,
  createUser,
  denied,
  expectAwsError,
  rootCreds,
  type CreatedAccount,
} from '../contract/accounts-helper.js';
import { createIdTable, dynamoDbClient, startTwoAccountGateway, type TwoAccountGateway } from './setup.js';

let gateway: TwoAccountGateway;
let server: TestServer;
let b: CreatedAccount;

// Sorted, the two accounts' names interleave, so every page of one account's walk skips the other's.
const A_TABLES = ['tbl-01-a', 'tbl-03-a'];
const B_TABLES = ['tbl-02-b', 'tbl-04-b', 'tbl-05-b', 'tbl-07-b'];
/** Made on the upstream directly: iamd has no record of it, so it is the default account's. */
const UNRECORDED = 'tbl-06-raw';

const ddb = (creds: Creds, endpoint = server.url) => dynamoDbClient(endpoint, creds);
const createTable = createIdTable;

/** Every page of a Limit=`limit` walk, as `[names, LastEvaluatedTableName]`. */
async function walk(creds: Creds, limit: number): Promise<[string[], string | undefined][]> {
  const pages: [string[], string | undefined][] = [];
  let start: string | undefined;
  do {
    const page: ListTablesCommandOutput = await ddb(creds).send(
      new ListTablesCommand({ Limit: limit, ExclusiveStartTableName: start }),
    );
    pages.push([page.TableNames ?? [], page.LastEvaluatedTableName]);
    start = page.LastEvaluatedTableName;
    assert.ok(pages.length <= 20, 'the walk ends');
  } while (start !== undefined);
  return pages;
}

before(async () => {
  gateway = await startTwoAccountGateway('dynamodb');
  ({ server, other: b } = gateway);
  for (const t of A_TABLES) await createTable(ddb(ROOT), t);
  for (const t of B_TABLES) await createTable(ddb(rootCreds(b)), t);
  // dynalite takes any signature: this table never passes through iamd.
  await createTable(
    ddb({ accessKeyId: 'direct', secretAccessKey: 'direct' }, gateway.upstream.url),
    UNRECORDED,
  );
});

after(() => gateway?.stop());

test('the upstream holds both accounts’ tables (the set-up the filtering is measured against)', async () => {
  const all = await ddb({ accessKeyId: 'direct', secretAccessKey: 'direct' }, gateway.upstream.url).send(
    new ListTablesCommand({}),
  );
  assert.deepEqual(all.TableNames, [...A_TABLES, ...B_TABLES, UNRECORDED].sort());
});

test('each account sees only its own tables; the default account also sees tables iamd has no record of', async () => {
  const a = await ddb(ROOT).send(new ListTablesCommand({}));
  assert.deepEqual(a.TableNames, [...A_TABLES, UNRECORDED]);
  assert.equal(a.LastEvaluatedTableName, undefined);
  const other = await ddb(rootCreds(b)).send(new ListTablesCommand({}));
  assert.deepEqual(other.TableNames, B_TABLES);
  assert.equal(other.LastEvaluatedTableName, undefined);
});

test('Limit=1 walks exactly the caller’s tables, one a page, and the cursor never names another account’s table', async () => {
  assert.deepEqual(await walk(ROOT, 1), [
    [['tbl-01-a'], 'tbl-01-a'],
    [['tbl-03-a'], 'tbl-03-a'],
    // Only another account's table follows it upstream: no cursor, the walk is over.
    [[UNRECORDED], undefined],
  ]);
  assert.deepEqual(await walk(rootCreds(b), 1), [
    [['tbl-02-b'], 'tbl-02-b'],
    [['tbl-04-b'], 'tbl-04-b'],
    [['tbl-05-b'], 'tbl-05-b'],
    [['tbl-07-b'], undefined],
  ]);
  assert.deepEqual(await walk(rootCreds(b), 3), [
    [['tbl-02-b', 'tbl-04-b', 'tbl-05-b'], 'tbl-05-b'],
    [['tbl-07-b'], undefined],
  ]);
});

test('the SDK paginator lists every table of the caller and no other', async () => {
  const names: string[] = [];
  for await (const page of paginateListTables({ client: ddb(rootCreds(b)), pageSize: 2 }, {}))
    names.push(...(page.TableNames ?? []));
  assert.deepEqual(names, B_TABLES);
});

test('ExclusiveStartTableName is a position: another account’s name starts after it, revealing nothing', async () => {
  const a = await ddb(ROOT).send(new ListTablesCommand({ ExclusiveStartTableName: 'tbl-02-b' }));
  assert.deepEqual(a.TableNames, ['tbl-03-a', UNRECORDED]);
  const none = await ddb(ROOT).send(new ListTablesCommand({ ExclusiveStartTableName: 'tbl-99' }));
  assert.deepEqual(none.TableNames, []);
  assert.equal(none.LastEvaluatedTableName, undefined);
});

test('a Limit outside 1–100 and a bad start name are ValidationException in DynamoDB’s words', async () => {
  await expectAwsError(
    ddb(ROOT).send(new ListTablesCommand({ Limit: 0 })),
    'ValidationException',
    400,
    "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
  await expectAwsError(
    ddb(ROOT).send(new ListTablesCommand({ Limit: 101 })),
    'ValidationException',
    400,
    "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
  );
  await expectAwsError(
    ddb(ROOT).send(new ListTablesCommand({ ExclusiveStartTableName: 'a!', Limit: -1 })),
    'ValidationException',
    400,
    "3 validation errors detected: Value 'a!' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
      "Value 'a!' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
      "Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
});

test('ListTables is still authorized as dynamodb:ListTables on *', async () => {
  const iam = server.iam(rootCreds(b));
  const nobody = await createUser(iam, 'ddb-list-nobody');
  await expectAwsError(
    ddb(nobody.creds).send(new ListTablesCommand({})),
    'AccessDeniedException',
    400,
    denied(
      nobody.arn,
      'dynamodb:ListTables',
      '*',
      'because no identity-based policy allows the dynamodb:ListTables action',
    ),
  );
  const lister = await createUser(iam, 'ddb-lister', allow('dynamodb:ListTables'));
  const page = await ddb(lister.creds).send(new ListTablesCommand({}));
  assert.deepEqual(page.TableNames, B_TABLES);
});
