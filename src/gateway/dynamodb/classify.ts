/**
 * The DynamoDB request classifier: `X-Amz-Target: DynamoDB_20120810.<Op>` and the JSON body → what to
 * authorize, per AWS's Service Authorization Reference for DynamoDB
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html) and the
 * DynamoDB developer guide ("Using IAM policy conditions for fine-grained access control",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html):
 * the action is the operation's name; batch and transaction calls are authorized once per table (and,
 * for transactions, per item action: Put → PutItem, Update → UpdateItem, Delete → DeleteItem,
 * ConditionCheck → ConditionCheckItem, Get → GetItem); PartiQL statements by verb (PartiQLSelect, …).
 * Condition keys: `dynamodb:LeadingKeys` (partition-key values; the table's key schema comes in as an
 * argument), `dynamodb:Attributes`, `dynamodb:Select`, `dynamodb:ReturnValues`,
 * `dynamodb:ReturnConsumedCapacity`, `dynamodb:EnclosingOperation` (the item actions of a transaction),
 * `dynamodb:FullTableScan` (each PartiQL SELECT; see ./full-table-scan.ts),
 * `aws:RequestTag/<key>` and `aws:TagKeys` (the tags CreateTable and TagResource set, the keys
 * UntagResource removes). Pure and total: never throws.
 */
import type { ContextValue } from '../../api/operation.js';
import { isFullTableScan, selectShape, statementTarget } from './full-table-scan.js';

/** The target prefix of DynamoDB's JSON 1.0 protocol (models/dynamodb.json `targetPrefix`). */
export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810.';

/** One decision to ask the authorizer for. */
export interface DynamoDbAuthorization {
  readonly action: string;
  readonly resource: string;
  /** The table named (absent for `*` and non-table resources). */
  readonly table?: string | undefined;
  readonly context: Readonly<Record<string, ContextValue>>;
}

/** What {@link classifyDynamoDb} returns. */
export type DynamoDbClassification =
  | {
      readonly kind: 'classified';
      readonly operation: string;
      readonly authorizations: readonly DynamoDbAuthorization[];
    }
  | { readonly kind: 'unclassified'; readonly reason: string };

/** Operations without a resource type: authorized on `*`. */
const WILDCARD: ReadonlySet<string> = new Set([
  'ListTables',
  'DescribeLimits',
  'DescribeEndpoints',
  'ListBackups',
  'ListExports',
  'ListImports',
  'ListGlobalTables',
  'ListContributorInsights',
]);

/** Members whose value is the resource ARN itself. */
const ARN_MEMBERS: readonly string[] = ['ResourceArn', 'BackupArn', 'ExportArn', 'ImportArn', 'TableArn'];

const TRANSACT_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

/**
 * The operations whose item actions carry `dynamodb:EnclosingOperation` = the operation's name: the
 * DynamoDB developer guide's transaction policies ("Using IAM with DynamoDB transactions",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html) compare it
 * with `TransactWriteItems` / `TransactGetItems`, its PartiQL ones ("IAM security policies with PartiQL
 * for DynamoDB", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html) with
 * `ExecuteTransaction`. Batches (BatchWriteItem, BatchExecuteStatement) are no transactions: no key.
 */
const ENCLOSING: ReadonlySet<string> = new Set([
  'TransactWriteItems',
  'TransactGetItems',
  'ExecuteTransaction',
]);

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Where the request is: its region and the caller's account (tables named by name are the caller's). */
export interface DynamoDbScope {
  readonly region: string;
  readonly account: string;
  /** The partition-key attribute name of each table whose key schema is known. */
  readonly partitionKeys?: ReadonlyMap<string, string> | undefined;
  /**
   * The partition-key attribute of each secondary index whose key schema is known: table name → index
   * name → the index's HASH key (a local secondary index's is its table's).
   */
  readonly indexPartitionKeys?: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;
  /**
   * The owning account of tables named by name, where it is not `account` (the gateway's record: the
   * account that created the table through iamd, else the default account).
   */
  readonly owners?: ReadonlyMap<string, string> | undefined;
}

/** A table's ARN; `name` may already be an ARN (cross-account access names the table by ARN). */
export function tableArn(scope: DynamoDbScope, name: string, index?: string): string {
  const base = name.startsWith('arn:')
    ? name
    : `arn:aws:dynamodb:${scope.region}:${scope.owners?.get(name) ?? scope.account}:table/${name}`;
  return index === undefined ? base : `${base}/index/${index}`;
}

/** The table name of a table name or ARN. */
export function tableName(nameOrArn: string): string {
  const at = nameOrArn.indexOf(':table/');
  if (!nameOrArn.startsWith('arn:') || at < 0) return nameOrArn;
  return nameOrArn.slice(at + ':table/'.length).split('/')[0] ?? nameOrArn;
}

/** An attribute value (`{"S": "x"}`, `{"N": "1"}`, `{"B": "…"}`) as the string LeadingKeys compares. */
function scalar(av: unknown): string | undefined {
  const o = obj(av);
  if (o === undefined) return undefined;
  return str(o['S']) ?? str(o['N']) ?? str(o['B']);
}

/** `#alias` → its name per ExpressionAttributeNames. */
function resolveName(token: string, names: Json | undefined): string {
  const t = token.trim();
  return t.startsWith('#') ? (str(names?.[t]) ?? t) : t;
}

/** Top-level attribute names of a projection / update expression (paths cut at `.` and `[`). */
function expressionNames(expr: string, names: Json | undefined): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(/(#[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)(?=[\s.[,=)+-]|$)/g)) {
    const token = m[1]!;
    if (
      /^(SET|REMOVE|ADD|DELETE|AND|OR|NOT|BETWEEN|IN|if_not_exists|list_append|attribute_exists|attribute_not_exists|attribute_type|begins_with|contains|size)$/i.test(
        token,
      )
    )
      continue;
    out.add(resolveName(token, names));
  }
  return [...out];
}

/** The partition-key values a request names for `table`. */
function leadingKeys(req: Json, pk: string | undefined): string[] | undefined {
  if (pk === undefined) return undefined;
  const values: string[] = [];
  const key = obj(req['Key']) ?? obj(req['Item']);
  const v = scalar(key?.[pk]);
  if (v !== undefined) values.push(v);
  const conditions = obj(req['KeyConditions']);
  const legacy = obj(conditions?.[pk]);
  const legacyValue = Array.isArray(legacy?.['AttributeValueList'])
    ? scalar(legacy['AttributeValueList'][0])
    : undefined;
  if (legacyValue !== undefined) values.push(legacyValue);
  const expr = str(req['KeyConditionExpression']);
  if (expr !== undefined) {
    const names = obj(req['ExpressionAttributeNames']);
    const vals = obj(req['ExpressionAttributeValues']);
    for (const m of expr.matchAll(/(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/g)) {
      if (resolveName(m[1]!, names) !== pk) continue;
      const value = scalar(vals?.[m[2]!]);
      if (value !== undefined) values.push(value);
    }
  }
  return values.length > 0 ? values : undefined;
}

/** The attribute names a request reads or writes (`dynamodb:Attributes`). */
function attributes(req: Json): string[] | undefined {
  const out = new Set<string>();
  const names = obj(req['ExpressionAttributeNames']);
  for (const k of Object.keys(obj(req['Item']) ?? {})) out.add(k);
  for (const k of Object.keys(obj(req['Key']) ?? {})) out.add(k);
  for (const k of Object.keys(obj(req['AttributeUpdates']) ?? {})) out.add(k);
  const toGet = req['AttributesToGet'];
  if (Array.isArray(toGet)) for (const a of toGet) if (typeof a === 'string') out.add(a);
  for (const member of ['ProjectionExpression', 'UpdateExpression']) {
    const e = str(req[member]);
    if (e !== undefined) for (const n of expressionNames(e, names)) out.add(n);
  }
  return out.size > 0 ? [...out] : undefined;
}

/** The condition keys of one table request. */
function conditionKeys(req: Json, pk: string | undefined): Record<string, ContextValue> {
  const c = Object.create(null) as Record<string, ContextValue>;
  const lk = leadingKeys(req, pk);
  if (lk !== undefined) c['dynamodb:LeadingKeys'] = lk;
  const attrs = attributes(req);
  if (attrs !== undefined) c['dynamodb:Attributes'] = attrs;
  for (const k of ['Select', 'ReturnValues', 'ReturnConsumedCapacity'] as const) {
    const v = str(req[k]);
    if (v !== undefined) c[`dynamodb:${k}`] = v;
  }
  return c;
}

/**
 * The tag keys of a request (Service Authorization Reference for DynamoDB,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html: CreateTable
 * and TagResource carry `aws:RequestTag/${TagKey}` and `aws:TagKeys`, UntagResource `aws:TagKeys`):
 * `Tags` (`[{Key, Value}]`) gives `aws:RequestTag/<Key>` = Value and the keys; `TagKeys` the keys. No
 * key without a tag (a request with none has neither key).
 */
export function requestTagKeys(
  operation: string,
  req: Readonly<Record<string, unknown>>,
): Record<string, ContextValue> {
  const c = Object.create(null) as Record<string, ContextValue>;
  const keys: string[] = [];
  if (operation === 'CreateTable' || operation === 'TagResource') {
    for (const tag of Array.isArray(req['Tags']) ? req['Tags'] : []) {
      const key = str(obj(tag)?.['Key']);
      const value = str(obj(tag)?.['Value']);
      if (key === undefined || value === undefined) continue;
      c[`aws:RequestTag/${key}`] = value;
      if (!keys.includes(key)) keys.push(key);
    }
  } else if (operation === 'UntagResource') {
    for (const key of Array.isArray(req['TagKeys']) ? req['TagKeys'] : [])
      if (typeof key === 'string' && !keys.includes(key)) keys.push(key);
  }
  if (keys.length > 0) c['aws:TagKeys'] = keys;
  return c;
}

/**
 * The PartiQL action, table and index of a statement (`SELECT … FROM "T"."I"`, `INSERT INTO "T"`, …), read from the
 * statement's tokens (./full-table-scan.ts `statementTarget`); undefined for no PartiQL DML verb. The
 * table is absent when the statement names none where its verb puts it.
 */
export function partiql(statement: string): { action: string; table?: string; index?: string } | undefined {
  const verb = /^\s*(SELECT|INSERT|UPDATE|DELETE|EXISTS)\b/i.exec(statement)?.[1]?.toUpperCase();
  if (verb === undefined) return undefined;
  const action =
    verb === 'SELECT' || verb === 'EXISTS'
      ? 'dynamodb:PartiQLSelect'
      : verb === 'INSERT'
        ? 'dynamodb:PartiQLInsert'
        : verb === 'UPDATE'
          ? 'dynamodb:PartiQLUpdate'
          : 'dynamodb:PartiQLDelete';
  const target = statementTarget(statement);
  return target?.index === undefined
    ? { action, table: target?.table }
    : { action, table: target.table, index: target.index };
}

/**
 * `dynamodb:FullTableScan` of the SELECT `statement` on `table` (the table {@link partiql} named): false
 * only when the partition key of the table or index it reads is known and the WHERE clause pins it.
 * The key is always present on a SELECT — `true` or `false` — so a `Bool` condition on either value
 * decides ("IAM security policies with PartiQL for DynamoDB",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html, "Allow select statements
 * and deny full table scan statements"). An unknown key schema (the upstream's DescribeTable failed) reads
 * as a full scan: a Deny on full scans then holds instead of being bypassed.
 */
function fullTableScan(statement: string, table: string, scope: DynamoDbScope): boolean {
  const shape = selectShape(statement);
  const name = tableName(table);
  // A target read differently from the one authorized (`FROM T.I` unquoted) is no key lookup to trust.
  if (shape === undefined || shape.table !== name) return true;
  const pk =
    shape.index === undefined
      ? scope.partitionKeys?.get(name)
      : scope.indexPartitionKeys?.get(name)?.get(shape.index);
  return isFullTableScan(statement, pk);
}

/** A DynamoDB request decoded once (what {@link parseDynamoDb} returns). */
export type ParsedDynamoDb =
  | {
      readonly kind: 'parsed';
      readonly operation: string;
      /** The JSON body (`{}` for an empty body). INVARIANT: never mutated; classification only reads it. */
      readonly request: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'unclassified'; readonly reason: string };

/**
 * Decodes a DynamoDB request (`target`: the `X-Amz-Target` header; `body`: the JSON text) once: the
 * operation and the parsed body, which {@link classifyParsed} then classifies under any scope without
 * parsing again.
 */
export function parseDynamoDb(
  target: string | undefined,
  body: string,
  operations: ReadonlySet<string>,
): ParsedDynamoDb {
  if (target === undefined || !target.startsWith(DYNAMODB_TARGET_PREFIX))
    return { kind: 'unclassified', reason: 'missing or foreign X-Amz-Target' };
  const operation = target.slice(DYNAMODB_TARGET_PREFIX.length);
  if (!operations.has(operation)) return { kind: 'unclassified', reason: `unknown operation ${operation}` };
  let parsed: unknown;
  try {
    parsed = body === '' ? {} : JSON.parse(body);
  } catch {
    return { kind: 'unclassified', reason: 'the body is not JSON' };
  }
  const request = obj(parsed);
  if (request === undefined) return { kind: 'unclassified', reason: 'the body is not a JSON object' };
  return { kind: 'parsed', operation, request };
}

/** Classifies a DynamoDB request (`target`: the `X-Amz-Target` header; `body`: the JSON text). */
export function classifyDynamoDb(
  target: string | undefined,
  body: string,
  operations: ReadonlySet<string>,
  scope: DynamoDbScope,
): DynamoDbClassification {
  const parsed = parseDynamoDb(target, body, operations);
  return parsed.kind === 'parsed' ? classifyParsed(parsed, scope) : parsed;
}

/** Whether `arn`'s account field (after `arn:partition:service:region:`) is `account`; allocates nothing. */
export function arnAccountIs(arn: string, account: string): boolean {
  let at = -1;
  for (let i = 0; i < 4; i++) {
    at = arn.indexOf(':', at + 1);
    if (at < 0) return false;
  }
  const end = at + 1 + account.length;
  return arn.startsWith(account, at + 1) && (end === arn.length || arn.charCodeAt(end) === 58); /* : */
}

/** Classifies a request {@link parseDynamoDb} decoded, under `scope`. Pure; never throws. */
export function classifyParsed(
  parsed: { readonly operation: string; readonly request: Readonly<Record<string, unknown>> },
  scope: DynamoDbScope,
): DynamoDbClassification {
  const { operation } = parsed;
  const req = parsed.request as Json;
  const pkOf = (t: string) => scope.partitionKeys?.get(tableName(t));
  const auths: DynamoDbAuthorization[] = [];
  const onTable = (action: string, t: string, r: Json, index?: string) =>
    auths.push({
      action,
      resource: tableArn(scope, t, index),
      table: tableName(t),
      context: conditionKeys(r, pkOf(t)),
    });
  const action = `dynamodb:${operation}`;
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const items = obj(req['RequestItems']) ?? {};
      for (const [t, r] of Object.entries(items)) {
        if (operation === 'BatchGetItem') {
          const rr = obj(r) ?? {};
          const keys = Array.isArray(rr['Keys']) ? rr['Keys'] : [];
          const lk = keys
            .map((k) => scalar(obj(k)?.[pkOf(t) ?? '']))
            .filter((v): v is string => v !== undefined);
          const ctx = conditionKeys(rr, undefined);
          if (lk.length > 0) ctx['dynamodb:LeadingKeys'] = lk;
          auths.push({ action, resource: tableArn(scope, t), table: tableName(t), context: ctx });
        } else {
          const writes = Array.isArray(r) ? r : [];
          const lk: string[] = [];
          for (const w of writes) {
            const one = obj(obj(w)?.['PutRequest'])?.['Item'] ?? obj(obj(w)?.['DeleteRequest'])?.['Key'];
            const v = scalar(obj(one)?.[pkOf(t) ?? '']);
            if (v !== undefined) lk.push(v);
          }
          const ctx = Object.create(null) as Record<string, ContextValue>;
          if (lk.length > 0) ctx['dynamodb:LeadingKeys'] = lk;
          auths.push({ action, resource: tableArn(scope, t), table: tableName(t), context: ctx });
        }
      }
      break;
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const items = Array.isArray(req['TransactItems']) ? req['TransactItems'] : [];
      for (const item of items) {
        for (const [kind, r] of Object.entries(obj(item) ?? {})) {
          const a = TRANSACT_ACTIONS[kind];
          const rr = obj(r);
          const t = str(rr?.['TableName']);
          if (a !== undefined && rr !== undefined && t !== undefined) onTable(a, t, rr);
        }
      }
      for (const a of auths)
        (a.context as Record<string, ContextValue>)['dynamodb:EnclosingOperation'] = operation;
      break;
    }
    case 'ExecuteStatement':
    case 'ExecuteTransaction':
    case 'BatchExecuteStatement': {
      const statements =
        operation === 'ExecuteStatement'
          ? [req]
          : ((Array.isArray(req['TransactStatements'])
              ? req['TransactStatements']
              : Array.isArray(req['Statements'])
                ? req['Statements']
                : []) as unknown[]);
      for (const s of statements) {
        const q = partiql(str(obj(s)?.['Statement']) ?? '');
        if (q?.table === undefined)
          return { kind: 'unclassified', reason: 'a PartiQL statement names no table' };
        const context = Object.create(null) as Record<string, ContextValue>;
        if (ENCLOSING.has(operation)) context['dynamodb:EnclosingOperation'] = operation;
        if (q.action === 'dynamodb:PartiQLSelect')
          context['dynamodb:FullTableScan'] = fullTableScan(str(obj(s)?.['Statement']) ?? '', q.table, scope);
        auths.push({
          action: q.action,
          // A statement on `"T"."I"` reads the index: authorized on the index's ARN ("IAM security
          // policies with PartiQL for DynamoDB": permission "on the table or index",
          // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html).
          resource: tableArn(scope, q.table, q.index),
          table: tableName(q.table),
          context,
        });
      }
      break;
    }
    default: {
      if (WILDCARD.has(operation)) {
        auths.push({ action, resource: '*', context: conditionKeys(req, undefined) });
        break;
      }
      const arnMember = ARN_MEMBERS.map((m) => str(req[m])).find((v) => v !== undefined);
      const t =
        str(req['TableName']) ??
        str(req['TargetTableName']) ??
        str(obj(req['TableCreationParameters'])?.['TableName']);
      const global = str(req['GlobalTableName']);
      if (t !== undefined) onTable(action, t, req, str(req['IndexName']));
      else if (arnMember !== undefined)
        auths.push({ action, resource: arnMember, context: conditionKeys(req, undefined) });
      else if (global !== undefined)
        auths.push({
          action,
          resource: `arn:aws:dynamodb::${scope.account}:global-table/${global}`,
          context: Object.create(null),
        });
      else auths.push({ action, resource: '*', context: conditionKeys(req, undefined) });
      const first = auths[0];
      if (first !== undefined) Object.assign(first.context, requestTagKeys(operation, req));
    }
  }
  if (auths.length === 0) return { kind: 'unclassified', reason: `${operation} names no table` };
  return { kind: 'classified', operation, authorizations: auths };
}
