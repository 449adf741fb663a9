// dynamodb:FullTableScan of PartiQL SELECTs. The rule and the examples are "PartiQL select statements for
// DynamoDB" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html):
// a SELECT is a full table scan unless its WHERE clause gives the partition key an equality or IN
// condition. The key is what "IAM security policies with PartiQL for DynamoDB"
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html, "Allow select statements
// and deny full table scan statements") denies with `Bool dynamodb:FullTableScan true`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isFullTableScan, selectShape, statementTarget, tokenize } from './full-table-scan.js';
import { classifyParsed, partiql, type DynamoDbScope } from './classify.js';

const scan = (statement: string, pk: string | undefined = 'OrderID') => isFullTableScan(statement, pk);

test('the developer guide’s examples that are no full table scan', () => {
  for (const s of [
    `SELECT * FROM "Orders" WHERE OrderID = 100`,
    `SELECT * FROM "Orders" WHERE OrderID = 100 and Address='some address'`,
    `SELECT * FROM "Orders" WHERE OrderID = 100 or OrderID = 200`,
    `SELECT * FROM "Orders" WHERE OrderID IN [100, 300, 234]`,
    `SELECT OrderID, Total FROM "Orders" WHERE OrderID = 1`,
  ])
    assert.equal(scan(s), false, s);
});

test('the developer guide’s examples that are full table scans, and a SELECT without WHERE', () => {
  for (const s of [
    `SELECT * FROM "Orders" WHERE OrderID > 1`,
    `SELECT * FROM "Orders" WHERE Address='some address'`,
    `SELECT * FROM "Orders" WHERE OrderID = 100 OR Address='some address'`,
    `SELECT * FROM "Orders"`,
    `SELECT * FROM "Orders" ORDER BY OrderID`,
  ])
    assert.equal(scan(s), true, s);
});

test('names: quoted or not, case-sensitive; keywords: case-insensitive', () => {
  assert.equal(scan(`select * from "Orders" where "OrderID" = 100`), false);
  assert.equal(scan(`SeLeCt * FrOm Orders WhErE OrderID = 'x' AnD a = 1`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE orderid = 100`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE "orderid" = 100`), true);
  // A quoted name holding a doubled quote is one name.
  assert.equal(scan(`SELECT * FROM "Orders" WHERE "a""b" = 1`, 'a"b'), false);
  // A string literal is no attribute name.
  assert.equal(scan(`SELECT * FROM "Orders" WHERE 'OrderID' = 100`), true);
});

test('parameters: `"pk" = ?`, `? = pk` and `pk IN [?, ?]` pin the key; `? = ?` does not', () => {
  assert.equal(scan(`SELECT * FROM "Orders" WHERE "OrderID" = ?`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE ? = OrderID`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE 100 = OrderID`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID IN [?, ?]`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID IN (?, 2)`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE ? = ?`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = Other`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = -5`), false);
});

test('operators other than = and IN, NOT, and empty lists leave a full scan', () => {
  for (const s of [
    `SELECT * FROM "Orders" WHERE OrderID <> 1`,
    `SELECT * FROM "Orders" WHERE OrderID >= 1`,
    `SELECT * FROM "Orders" WHERE OrderID BETWEEN 1 AND 5`,
    `SELECT * FROM "Orders" WHERE NOT OrderID = 1`,
    `SELECT * FROM "Orders" WHERE OrderID NOT IN [1]`,
    `SELECT * FROM "Orders" WHERE OrderID IN []`,
    `SELECT * FROM "Orders" WHERE OrderID IS NOT MISSING`,
    `SELECT * FROM "Orders" WHERE begins_with(OrderID, 'a')`,
    `SELECT * FROM "Orders" WHERE OrderID = 1 + 1`,
  ])
    assert.equal(scan(s), true, s);
});

test('AND keeps a keyed side keyed; OR needs both sides keyed; parentheses nest', () => {
  assert.equal(scan(`SELECT * FROM "Orders" WHERE a = 1 AND (OrderID = 1 OR OrderID IN [2, 3])`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE ((OrderID = 1) AND (a > 2 OR b < 1))`), false);
  assert.equal(
    scan(`SELECT * FROM "Orders" WHERE (OrderID = 1 AND a = 1) OR (OrderID = 2 AND b = 2)`),
    false,
  );
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 1 AND a = 1 OR b = 2`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE (OrderID = 1 OR a = 1) AND b = 2`), true);
  // BETWEEN's AND is its own, not a conjunction.
  assert.equal(scan(`SELECT * FROM "Orders" WHERE x BETWEEN 1 AND 5 AND OrderID = 3`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE x BETWEEN 1 AND OrderID = 3`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE NOT (OrderID = 1)`), true);
});

test('an index reads with its own partition key; EXISTS reads as its SELECT; ORDER BY and ; are no condition', () => {
  assert.deepEqual(
    { ...selectShape(`SELECT * FROM "Orders"."ByCustomer" WHERE Customer = 'c'`), where: undefined },
    { table: 'Orders', index: 'ByCustomer', where: undefined },
  );
  assert.equal(scan(`SELECT * FROM "Orders"."ByCustomer" WHERE Customer = 'c'`, 'Customer'), false);
  assert.equal(scan(`EXISTS(SELECT * FROM "Orders" WHERE OrderID = 1)`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 1 ORDER BY Total DESC;`), false);
});

test('comments are skipped; anything unreadable is a full scan', () => {
  assert.equal(scan(`SELECT * FROM "Orders" /* note */ WHERE OrderID = 1 -- trailing`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 1 -- OR a = 2`), false);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 1 /* unterminated`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 'unterminated`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE (OrderID = 1`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 1)`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 1 AND`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE`), true);
  assert.equal(scan(`SELECT * FROM "Orders" AS o WHERE o.OrderID = 1`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 1 #`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE ${'('.repeat(5000)}OrderID = 1${')'.repeat(5000)}`), true);
  assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 1 AND a = '${'x'.repeat(9000)}'`), true);
  assert.equal(tokenize(`'it''s'`)?.length, 1);
});

test('an unknown partition key is a full scan (a Deny on full scans must not be bypassed)', () => {
  assert.equal(isFullTableScan(`SELECT * FROM "Orders" WHERE OrderID = 1`, undefined), true);
});

// Conditions built from a small grammar; `keyed` is the reference reading of the rule.
type Cond = { text: string; keyed: boolean };
const atom: fc.Arbitrary<Cond> = fc.oneof(
  fc.constantFrom<Cond>(
    { text: 'OrderID = 1', keyed: true },
    { text: '? = "OrderID"', keyed: true },
    { text: `OrderID IN ['a', ?]`, keyed: true },
    { text: 'OrderID > 1', keyed: false },
    { text: `Address = 'x'`, keyed: false },
    { text: 'NOT OrderID = 1', keyed: false },
    { text: 'x BETWEEN 1 AND 2', keyed: false },
    { text: 'OrderID IS NOT NULL', keyed: false },
  ),
);
const cond: fc.Arbitrary<Cond> = fc.letrec<{ c: Cond }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('c'), tie('c'), fc.constantFrom('AND', 'or', 'And')).map(([a, b, op]) => ({
      text: `(${a.text}) ${op} (${b.text})`,
      keyed: op.toUpperCase() === 'AND' ? a.keyed || b.keyed : a.keyed && b.keyed,
    })),
    tie('c').map((a) => ({ text: `NOT (${a.text})`, keyed: false })),
  ),
})).c;

test('property: the reading matches the rule on generated conditions', () => {
  fc.assert(fc.property(cond, (c) => scan(`SELECT * FROM "Orders" WHERE ${c.text}`) === !c.keyed));
});

test('property: `AND <anything>` keeps a keyed condition keyed; `OR <non-keyed>` makes it a full scan', () => {
  fc.assert(
    fc.property(cond, (c) => {
      assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = ? AND (${c.text})`), false);
      assert.equal(scan(`SELECT * FROM "Orders" WHERE (${c.text}) AND OrderID IN [1]`), false);
      if (!c.keyed) assert.equal(scan(`SELECT * FROM "Orders" WHERE OrderID = 1 OR (${c.text})`), true);
    }),
  );
});

test('property: any string is read without throwing', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.option(fc.string(), { nil: undefined }), (s, pk) => {
      assert.equal(typeof isFullTableScan(s, pk), 'boolean');
      assert.equal(typeof isFullTableScan(`SELECT * FROM "Orders" WHERE ${s}`, pk), 'boolean');
    }),
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.constantFrom(
          '(',
          ')',
          '[',
          ']',
          '<<',
          '>>',
          'AND',
          'OR',
          'NOT',
          'pk',
          '=',
          '?',
          "'s'",
          '1',
          ',',
          'IN',
          'BETWEEN',
        ),
        { maxLength: 40 },
      ),
      (parts) => {
        assert.equal(typeof isFullTableScan(`SELECT * FROM t WHERE ${parts.join(' ')}`, 'pk'), 'boolean');
      },
    ),
  );
});

test('the classifier sets dynamodb:FullTableScan on every PartiQL SELECT, true or false', () => {
  const scope: DynamoDbScope = {
    region: 'us-east-1',
    account: '123456789012',
    partitionKeys: new Map([['Orders', 'OrderID']]),
    indexPartitionKeys: new Map([['Orders', new Map([['ByCustomer', 'Customer']])]]),
  };
  const classify = (operation: string, request: Record<string, unknown>) => {
    const c = classifyParsed({ operation, request }, scope);
    assert.equal(c.kind, 'classified');
    return c.kind === 'classified'
      ? c.authorizations.map((a) => [a.action, a.context['dynamodb:FullTableScan']])
      : [];
  };
  assert.deepEqual(classify('ExecuteStatement', { Statement: `SELECT * FROM "Orders" WHERE OrderID = ?` }), [
    ['dynamodb:PartiQLSelect', false],
  ]);
  assert.deepEqual(classify('ExecuteStatement', { Statement: `SELECT * FROM "Orders"` }), [
    ['dynamodb:PartiQLSelect', true],
  ]);
  // The index's partition key decides on an index; the table's does not.
  assert.deepEqual(
    classify('ExecuteStatement', { Statement: `SELECT * FROM "Orders"."ByCustomer" WHERE Customer = 'c'` }),
    [['dynamodb:PartiQLSelect', false]],
  );
  assert.deepEqual(
    classify('ExecuteStatement', { Statement: `SELECT * FROM "Orders"."ByCustomer" WHERE OrderID = 1` }),
    [['dynamodb:PartiQLSelect', true]],
  );
  // An unknown index or table: a full scan.
  assert.deepEqual(
    classify('ExecuteStatement', { Statement: `SELECT * FROM "Orders"."Nope" WHERE OrderID = 1` }),
    [['dynamodb:PartiQLSelect', true]],
  );
  assert.deepEqual(classify('ExecuteStatement', { Statement: `SELECT * FROM "Other" WHERE OrderID = 1` }), [
    ['dynamodb:PartiQLSelect', true],
  ]);
  // Each statement of a batch or transaction on its own; writes carry no key.
  assert.deepEqual(
    classify('BatchExecuteStatement', {
      Statements: [
        { Statement: `SELECT * FROM "Orders" WHERE OrderID = 1` },
        { Statement: `SELECT * FROM "Orders" WHERE a = 1` },
        { Statement: `INSERT INTO "Orders" VALUE {'OrderID': 1}` },
      ],
    }),
    [
      ['dynamodb:PartiQLSelect', false],
      ['dynamodb:PartiQLSelect', true],
      ['dynamodb:PartiQLInsert', undefined],
    ],
  );
  assert.deepEqual(
    classify('ExecuteTransaction', {
      TransactStatements: [
        { Statement: `EXISTS(SELECT * FROM "Orders" WHERE OrderID = 1)` },
        { Statement: `UPDATE "Orders" SET a = 1 WHERE OrderID = 2` },
      ],
    }),
    [
      ['dynamodb:PartiQLSelect', false],
      ['dynamodb:PartiQLUpdate', undefined],
    ],
  );
});

test('the table authorized is the one the statement reads: FROM in a name, string or comment is none', () => {
  assert.equal(partiql(`SELECT "a FROM Secret" FROM "Orders"`)?.table, 'Orders');
  assert.equal(partiql(`SELECT /* FROM Secret */ * FROM "Orders" WHERE OrderID = 1`)?.table, 'Orders');
  assert.equal(partiql(`SELECT a -- FROM Secret\n FROM "Orders"`)?.table, 'Orders');
  assert.equal(partiql(`SELECT * FROM "Orders"."ByCustomer" WHERE Customer = 'c'`)?.table, 'Orders');
  assert.equal(partiql(`EXISTS(SELECT * FROM "Orders" WHERE OrderID = 1)`)?.table, 'Orders');
  assert.equal(partiql(`INSERT INTO "Orders" VALUE {'a': 'FROM Secret'}`)?.table, 'Orders');
  assert.equal(partiql(`DELETE FROM Orders WHERE OrderID = 'FROM Secret'`)?.table, 'Orders');
  assert.equal(partiql(`UPDATE "Orders" SET a = 'INTO Secret' WHERE OrderID = 1`)?.table, 'Orders');
  assert.deepEqual(statementTarget(`select * from "Orders"."ByCustomer"`), {
    verb: 'SELECT',
    table: 'Orders',
    index: 'ByCustomer',
  });
  // No target where the verb puts one: no table (the request is refused as unclassifiable).
  assert.equal(partiql(`SELECT * FROM`)?.table, undefined);
  assert.equal(partiql(`INSERT "Orders" VALUE {}`)?.table, undefined);
  assert.equal(partiql(`SELECT 'unterminated FROM "Orders"`)?.table, undefined);
});

test('a statement on an index is authorized on the index ARN', () => {
  const c = classifyParsed(
    { operation: 'ExecuteStatement', request: { Statement: `SELECT * FROM "Orders"."ByCustomer"` } },
    { region: 'us-east-1', account: '123456789012' },
  );
  assert.equal(
    c.kind === 'classified' ? c.authorizations[0]?.resource : c.reason,
    'arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/ByCustomer',
  );
  assert.equal(c.kind === 'classified' ? c.authorizations[0]?.table : undefined, 'Orders');
});
