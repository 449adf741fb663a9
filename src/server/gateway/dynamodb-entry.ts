/**
 * The gateway's DynamoDB entry point (issue #18) on the one pipeline: decode (the JSON 1.0 target and
 * body) → authenticate (src/authn; DynamoDB calls are always signed) → authorize every (action,
 * table/index ARN, condition keys) the classifier names — `dynamodb:LeadingKeys` needs the table's
 * partition key, learnt from the upstream's DescribeTable and cached briefly; when a decision looks
 * `aws:ResourceTag/<key>` up, it is made again with the table's (or stream's) tags from the upstream's
 * ListTagsOfResource → execute (re-signed, forwarded) → record (eventSource dynamodb.amazonaws.com) →
 * render (the upstream's answer, or DynamoDB's JSON error).
 */
import type { AuthorizationRequest } from '../../api/operation.js';
import { errors, type AwsError } from '../../errors/index.js';
import { authenticator, type Authenticator } from '../../authn/authenticate.js';
import { sigv4Crypto } from '../../authn/sigv4-crypto.js';
import { GatewayError } from '../../gateway/errors.js';
import { forward, type UpstreamResponse } from '../../gateway/forward.js';
import { LOCAL_UPSTREAM_CREDENTIALS, resignRequest, type UpstreamCredentials } from '../../gateway/resign.js';
import {
  arnAccountIs,
  classifyParsed,
  DYNAMODB_TARGET_PREFIX,
  parseDynamoDb,
  type DynamoDbAuthorization,
  type DynamoDbScope,
} from '../../gateway/dynamodb/classify.js';
import { renderDynamoDbError } from '../../gateway/wire-errors.js';
import { getResourcePolicy, setResourcePolicy } from '../../gateway/dynamodb/resource-policies.js';
import { forgetTable, recordTable, recordedTableOwner } from '../../gateway/dynamodb/tables.js';
import {
  listOwned,
  OWNED_LISTINGS,
  validateListing,
  type OwnedListing,
  type UpstreamPage,
} from '../../gateway/dynamodb/owned-listings.js';
import {
  consultedResourceTag,
  describedTableArn,
  isResourceNotFound,
  parseTagPage,
  resourceTagContext,
  tagSubject,
  upstreamTagArn,
  type TagSubject,
} from '../../gateway/dynamodb/resource-tags.js';
import { validatePolicy } from '../../policy/index.js';
import { SigningKeyCache } from '../../sigv4/index.js';
import {
  authenticateSignedCall,
  transactCall,
  authorizeCall,
  authorizeWithFetched,
  type Call,
  type EntryPoint,
  type Pipeline,
} from '../pipeline/index.js';
import type { GatewayAnswer } from './incoming.js';
import { rethrow } from './s3-entry.js';

/** How the DynamoDB gateway reaches its upstream. */
export interface DynamoDbGatewayOptions {
  readonly upstream: URL;
  readonly credentials?: UpstreamCredentials | undefined;
  readonly timeoutMs: number;
  /** The operations of models/dynamodb.json. */
  readonly operations: ReadonlySet<string>;
  /** The account that owns a table iamd has no record of. */
  readonly defaultAccount: () => string;
}

/** Operations whose requests name items (and so may carry `dynamodb:LeadingKeys`). */
const ITEM_OPERATIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

/** How long a table's partition key is remembered. */
const KEY_SCHEMA_TTL_MS = 60_000;

/** What the gateway remembers of a table's key schema (see `describedKeySchema`). */
interface KeySchema {
  /** The table's partition-key (HASH) attribute; undefined when unknown. */
  readonly pk: string | undefined;
  /** Index name → its partition-key attribute. */
  readonly indexes: ReadonlyMap<string, string>;
  readonly at: number;
}

/**
 * The partition keys of a DescribeTable answer (`text`; '' or anything else unreadable: none known): the
 * table's HASH key, each global secondary index's own HASH key, and each local secondary index's — which
 * is always the table's (DynamoDB API Reference, LocalSecondaryIndex: "same partition key as the base
 * table", https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_LocalSecondaryIndex.html).
 */
function describedKeySchema(text: string): Omit<KeySchema, 'at'> {
  type Keys = { AttributeName?: unknown; KeyType?: unknown }[] | undefined;
  type Index = { IndexName?: unknown; KeySchema?: Keys };
  const hash = (ks: Keys): string | undefined => {
    const name = Array.isArray(ks) ? ks.find((k) => k?.KeyType === 'HASH')?.AttributeName : undefined;
    return typeof name === 'string' ? name : undefined;
  };
  const indexes = new Map<string, string>();
  let table:
    { KeySchema?: Keys; GlobalSecondaryIndexes?: Index[]; LocalSecondaryIndexes?: Index[] } | undefined;
  try {
    table = (JSON.parse(text) as { Table?: typeof table } | null)?.Table;
  } catch {
    table = undefined;
  }
  if (typeof table !== 'object' || table === null) return { pk: undefined, indexes };
  const pk = hash(table.KeySchema);
  const each = (list: unknown, own: boolean): void => {
    for (const ix of Array.isArray(list) ? (list as Index[]) : []) {
      const name = ix?.IndexName;
      const key = own ? hash(ix?.KeySchema) : pk;
      if (typeof name === 'string' && key !== undefined) indexes.set(name, key);
    }
  };
  each(table.GlobalSecondaryIndexes, true);
  each(table.LocalSecondaryIndexes, false);
  return { pk, indexes };
}

interface DynamoOp {
  readonly authorizations: readonly DynamoDbAuthorization[];
  /** The request's JSON body, parsed once in `decode`. */
  readonly request: Readonly<Record<string, unknown>>;
}

/** The DynamoDB entry point over `p`. */
export function dynamoDbEntryPoint(p: Pipeline, options: DynamoDbGatewayOptions): EntryPoint<DynamoOp> {
  const auth: Authenticator = authenticator(p.deps.resolver, ['dynamodb'], new SigningKeyCache(256));
  const credentials = options.credentials ?? LOCAL_UPSTREAM_CREDENTIALS;
  const keys = new Map<string, KeySchema>();
  /** Table name → the upstream's ARN of it (see `upstreamTableArn`). */
  const tableArns = new Map<string, string>();
  const rememberTableArn = (table: string, arn: string): void => {
    if (tableArns.size > 10_000) tableArns.clear();
    tableArns.set(table, arn);
  };

  const send = (call: Call, target: string, body: string, contentType: string): Promise<UpstreamResponse> => {
    const out = resignRequest(
      {
        method: 'POST',
        path: '/',
        query: '',
        headers: { 'content-type': contentType, 'x-amz-target': target },
      },
      { host: options.upstream.host, service: 'dynamodb', region: call.region, credentials },
      sigv4Crypto.sha256Hex(body),
      Buffer.byteLength(body),
      Date.now(),
      sigv4Crypto,
    );
    return forward(options.upstream, out, body, options.timeoutMs);
  };

  /**
   * The key schema of `table` (DescribeTable upstream, cached): its partition-key attribute (undefined if
   * unknown) and each secondary index's — a global index's own HASH key, a local index's the table's.
   */
  const keySchema = async (call: Call, table: string): Promise<KeySchema> => {
    const hit = keys.get(table);
    if (hit !== undefined && Date.now() - hit.at < KEY_SCHEMA_TTL_MS) return hit;
    const res = await send(
      call,
      DYNAMODB_TARGET_PREFIX + 'DescribeTable',
      JSON.stringify({ TableName: table }),
      'application/x-amz-json-1.0',
    );
    let text = '';
    for await (const chunk of res.body) text += String(chunk);
    const schema: KeySchema = { ...describedKeySchema(res.status === 200 ? text : ''), at: Date.now() };
    if (keys.size > 10_000) keys.clear();
    keys.set(table, schema);
    // The same answer names the table's upstream ARN, which aws:ResourceTag lookups need.
    const arn = res.status === 200 ? describedTableArn(text) : undefined;
    if (arn !== undefined) rememberTableArn(table, arn);
    return schema;
  };

  const decode = async (call: Call): Promise<DynamoOp> => {
    await authenticateSignedCall(p, call, { auth, recordKeyUse: true });
    const incoming = call.incoming;
    // The body is parsed once; each pass below re-classifies the parsed value under a fuller scope.
    const parsed = parseDynamoDb(first(incoming.headers['x-amz-target']), incoming.body, options.operations);
    if (parsed.kind === 'unclassified') {
      if (parsed.reason.startsWith('unknown operation') || parsed.reason.startsWith('missing'))
        throw new GatewayError('UnknownOperationException', '', 400);
      throw new GatewayError('SerializationException', parsed.reason, 400);
    }
    let scope: DynamoDbScope = { region: call.region, account: call.account };
    let c = classifyParsed(parsed, scope);
    if (c.kind === 'unclassified') throw new GatewayError('SerializationException', c.reason, 400);
    call.operation = c.operation;
    // A table named by name is its owner's (src/gateway/dynamodb/tables.ts); CreateTable makes the
    // caller's own. Tables named by ARN say their account themselves.
    if (c.operation !== 'CreateTable') {
      const owners = new Map<string, string>();
      for (const a of c.authorizations) {
        if (a.table === undefined || owners.has(a.table) || !arnAccountIs(a.resource, call.account)) continue;
        const owner =
          (await recordedTableOwner(p.deps.store, call.region, a.table)) ?? options.defaultAccount();
        if (owner !== call.account) owners.set(a.table, owner);
      }
      if (owners.size > 0) {
        scope = { ...scope, owners };
        c = classifyParsed(parsed, scope);
        if (c.kind === 'unclassified') throw new GatewayError('SerializationException', c.reason, 400);
      }
    }
    // PartiQL SELECTs need the key schema for dynamodb:FullTableScan (their tables' and indexes').
    const selects = c.authorizations.some((a) => a.action === 'dynamodb:PartiQLSelect');
    if (ITEM_OPERATIONS.has(c.operation) || selects) {
      const partitionKeys = new Map<string, string>();
      const indexPartitionKeys = new Map<string, ReadonlyMap<string, string>>();
      const seen = new Set<string>();
      for (const a of c.authorizations) {
        if (a.table === undefined || seen.has(a.table) || !arnAccountIs(a.resource, call.account)) continue;
        seen.add(a.table);
        const schema = await keySchema(call, a.table);
        if (schema.pk !== undefined) partitionKeys.set(a.table, schema.pk);
        if (schema.indexes.size > 0) indexPartitionKeys.set(a.table, schema.indexes);
      }
      c = classifyParsed(parsed, { ...scope, partitionKeys, indexPartitionKeys });
      if (c.kind === 'unclassified') throw new GatewayError('SerializationException', c.reason, 400);
    }
    const tables = [...new Set(c.authorizations.map((a) => a.table).filter((t) => t !== undefined))];
    // CloudTrail's DynamoDB requestParameters name the table (CloudTrail User Guide, DynamoDB data events).
    call.input =
      tables.length === 1 ? { tableName: tables[0] } : tables.length > 1 ? { tableNames: tables } : {};
    return { authorizations: c.authorizations, request: parsed.request };
  };

  /**
   * The upstream's ARN of `table` (DescribeTable, re-signed): remembered once known — a table's ARN is
   * its region, account and name, the same for a table deleted and created again — never its absence.
   * Undefined when the upstream has no such table; anything but a table description: 503.
   */
  const upstreamTableArn = async (call: Call, table: string): Promise<string | undefined> => {
    const hit = tableArns.get(table);
    if (hit !== undefined) return hit;
    const { status, text } = await ask(call, 'DescribeTable', { TableName: table });
    if (status === 200) {
      const arn = describedTableArn(text);
      if (arn === undefined) throw unavailable(call, 'the upstream DescribeTable answer names no table ARN');
      rememberTableArn(table, arn);
      return arn;
    }
    if (status === 400 && isResourceNotFound(text)) return undefined;
    throw unavailable(call, `upstream answered DescribeTable with status ${status}`);
  };

  /**
   * The tags of a table or stream, from the upstream (ListTagsOfResource on its own ARN, every page). No
   * such table or stream: no tags — the decision is made without them and an allowed request gets the
   * upstream's own answer, as on DynamoDB. Any other answer, a malformed page, or an upstream that is
   * down or slow: 503 (a decision is never guessed). Nothing is kept past the call.
   */
  const resourceTags = async (call: Call, subject: TagSubject): Promise<Map<string, string>> => {
    const tags = new Map<string, string>();
    const tableArn = await upstreamTableArn(call, subject.table);
    if (tableArn === undefined) return tags;
    const resourceArn = upstreamTagArn(tableArn, subject);
    const tokens = new Set<string>();
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_TAG_PAGES; page++) {
      const request: Record<string, string> = { ResourceArn: resourceArn };
      if (nextToken !== undefined) request['NextToken'] = nextToken;
      const { status, text } = await ask(call, 'ListTagsOfResource', request);
      if (status === 400 && isResourceNotFound(text)) return new Map();
      if (status !== 200)
        throw unavailable(call, `upstream answered ListTagsOfResource with status ${status}`);
      const parsed = parseTagPage(text);
      if (parsed === undefined)
        throw unavailable(call, 'upstream ListTagsOfResource answer is not a tag list');
      for (const [k, v] of parsed.tags) tags.set(k, v);
      nextToken = parsed.nextToken;
      if (nextToken === undefined) return tags;
      // A token seen before would page forever.
      if (tokens.has(nextToken)) break;
      tokens.add(nextToken);
    }
    throw unavailable(call, 'upstream ListTagsOfResource pages do not end');
  };

  /** One small JSON request to the upstream, its answer read whole (bounded); a broken answer is 503. */
  const ask = async (
    call: Call,
    operation: string,
    input: Record<string, string>,
  ): Promise<{ status: number; text: string }> => {
    const res = await send(call, DYNAMODB_TARGET_PREFIX + operation, JSON.stringify(input), AMZ_JSON);
    let text: string;
    try {
      text = await readText(res.body, TAG_ANSWER_LIMIT_BYTES);
    } catch {
      res.body.destroy();
      throw unavailable(call, `upstream ${operation} answer could not be read`);
    }
    return { status: res.status, text };
  };

  const unavailable = (call: Call, why: string): AwsError => {
    p.deps.logError(new Error(why), call.requestId);
    return errors.serviceUnavailable();
  };

  /**
   * Authorizes one (action, resource) of the call. A table, index or stream resource carries
   * `aws:ResourceTag/<key>`, whose values the upstream holds: the request is decided first without
   * the tags (strictly, so that a denial is not yet reported), then, only when that decision looked
   * such a key up (src/authz: absentKeys, exact), again with the tags ListTagsOfResource returns; that
   * second decision is the call's (audited) one. Without such a lookup the decision cannot depend on
   * the tags and costs no round trip. CreateTable names a table that does not exist yet: no tags.
   */
  const authorizeOne = async (
    call: Call,
    a: DynamoDbAuthorization,
    tagsOf: (subject: TagSubject) => Promise<Map<string, string>>,
  ): Promise<void> => {
    const stored = a.resource === '*' ? undefined : await getResourcePolicy(p.deps.store, a.resource);
    const request: AuthorizationRequest = {
      action: a.action,
      resource: a.resource,
      resourcePolicy: stored?.policy,
      context: a.context,
    };
    const subject = call.operation === 'CreateTable' ? undefined : tagSubject(a.resource);
    if (subject === undefined) {
      await authorizeCall(p, call, request, true);
      return;
    }
    await authorizeWithFetched(p, call, request, consultedResourceTag, async () => {
      const tags = await tagsOf(subject);
      return tags.size > 0 ? resourceTagContext(tags) : undefined;
    });
  };

  const execute = async (call: Call, op: DynamoOp): Promise<Record<string, unknown> | undefined> => {
    // The tags of each table or stream are read at most once per call (a transaction names a table
    // per item) and never kept past it: TagResource/UntagResource take effect on the next request.
    const fetched = new Map<string, Promise<Map<string, string>>>();
    const tagsOf = (subject: TagSubject): Promise<Map<string, string>> => {
      const key = `${subject.table}/${subject.stream ?? ''}`;
      let hit = fetched.get(key);
      if (hit === undefined) {
        hit = resourceTags(call, subject);
        fetched.set(key, hit);
      }
      return hit;
    };
    for (const a of op.authorizations) await authorizeOne(call, a, tagsOf);
    const incoming = call.incoming;
    const own = await resourcePolicyCall(call, op.request);
    if (own !== undefined) return own;
    const listing = OWNED_LISTINGS[call.operation ?? ''];
    if (listing !== undefined) return ownedListing(call, listing, op.request);
    const res = await send(
      call,
      first(incoming.headers['x-amz-target']) ?? '',
      incoming.body,
      first(incoming.headers['content-type']) ?? 'application/x-amz-json-1.0',
    );
    const table = op.authorizations[0]?.table;
    if (table !== undefined && res.status === 200) {
      if (call.operation === 'CreateTable')
        await transactCall(p, call, async (tx) => {
          await recordTable(tx, call.region, table, call.account);
          return undefined;
        });
      else if (call.operation === 'DeleteTable')
        await transactCall(p, call, async (tx) => {
          await forgetTable(tx, call.region, table);
          return undefined;
        });
    }
    return { upstream: res };
  };

  /**
   * ListTables and the other account-wide listings (src/gateway/dynamodb/owned-listings.ts): only the
   * entries of tables the caller's account owns — the recorded creator, else the default account, as
   * for every table named by name in `decode`. An upstream error is relayed as it is.
   */
  const ownedListing = async (
    call: Call,
    listing: OwnedListing,
    req: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> => {
    const page = validateListing(listing, req);
    if ('code' in page) throw new GatewayError(page.code, page.message, 400);
    const target = first(call.incoming.headers['x-amz-target']) ?? '';
    const contentType = first(call.incoming.headers['content-type']) ?? 'application/x-amz-json-1.0';
    const fetchPage = async (
      upstreamRequest: Record<string, unknown>,
    ): Promise<UpstreamPage<UpstreamResponse>> => {
      const res = await send(call, target, JSON.stringify(upstreamRequest), contentType);
      if (res.status !== 200) return { stop: res };
      const text = await readText(res.body, LISTING_LIMIT_BYTES);
      try {
        const parsed = JSON.parse(text) as unknown;
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
          return { page: parsed as Record<string, unknown> };
      } catch {
        // answered below
      }
      throw new GatewayError(
        'InternalServerError',
        `the upstream's ${call.operation} answer is not a JSON object`,
        500,
      );
    };
    const owners = new Map<string, boolean>();
    const owned = async (table: string): Promise<boolean> => {
      const hit = owners.get(table);
      if (hit !== undefined) return hit;
      const owner = (await recordedTableOwner(p.deps.store, call.region, table)) ?? options.defaultAccount();
      const mine = owner === call.account;
      owners.set(table, mine);
      return mine;
    };
    const r = await listOwned(listing, req, page, fetchPage, owned);
    return 'stop' in r ? { upstream: r.stop } : { json: r.page };
  };

  /**
   * Put/Get/DeleteResourcePolicy, answered by iamd (DynamoDB API reference: PutResourcePolicy returns
   * `RevisionId`; GetResourcePolicy `Policy` and `RevisionId`; a table without one is
   * `PolicyNotFoundException`); undefined for every other operation.
   */
  const resourcePolicyCall = async (
    call: Call,
    input: Readonly<{ ResourceArn?: unknown; Policy?: unknown }>,
  ): Promise<Record<string, unknown> | undefined> => {
    const op = call.operation;
    if (op !== 'PutResourcePolicy' && op !== 'GetResourcePolicy' && op !== 'DeleteResourcePolicy')
      return undefined;
    const arn = typeof input.ResourceArn === 'string' ? input.ResourceArn : '';
    const current = await getResourcePolicy(p.deps.store, arn);
    const notFound = () =>
      new GatewayError(
        'PolicyNotFoundException',
        `Resource-based policy not found for the provided ResourceArn: ${arn}`,
        400,
      );
    if (op === 'GetResourcePolicy') {
      if (current === undefined) throw notFound();
      return { json: { Policy: current.policy, RevisionId: current.revisionId } };
    }
    if (op === 'DeleteResourcePolicy') {
      if (current === undefined) throw notFound();
      await transactCall(p, call, async (tx) => {
        await setResourcePolicy(tx, arn, undefined);
        return undefined;
      });
      return { json: { RevisionId: current.revisionId } };
    }
    const policy = typeof input.Policy === 'string' ? input.Policy : '';
    const problem = validatePolicy(policy, 'resource').errors[0];
    if (problem !== undefined) throw new GatewayError('ValidationException', problem.message, 400);
    const revisionId = String(call.now);
    await transactCall(p, call, async (tx) => {
      await setResourcePolicy(tx, arn, { policy, revisionId });
      return undefined;
    });
    return { json: { RevisionId: revisionId } };
  };

  return {
    service: 'dynamodb',
    decode: (call) => decode(call).catch(rethrow),
    execute: (call, op) => execute(call, op).catch(rethrow),
    render: (call, _op, output) => {
      const json = output?.['json'];
      if (json !== undefined) return call.answer(200, 'application/x-amz-json-1.0', JSON.stringify(json));
      const upstream = output?.['upstream'] as UpstreamResponse;
      const answer: GatewayAnswer = { ...call.answer(upstream.status, '', ''), upstream };
      return answer;
    },
    renderError: (call, err) => {
      const r = renderDynamoDbError(err);
      return call.answer(r.status, r.contentType, r.body, r.code);
    },
    recordsFailure: (call) => call.operation !== undefined,
  };
}

/** The JSON 1.0 content type of the requests iamd itself sends upstream. */
const AMZ_JSON = 'application/x-amz-json-1.0';

/**
 * The most of a DescribeTable or ListTagsOfResource answer iamd reads: a table description with its
 * indexes is a few kB; a resource has at most 50 tags of at most 128 + 256 characters (DynamoDB
 * developer guide, "Tagging restrictions in DynamoDB").
 */
const TAG_ANSWER_LIMIT_BYTES = 1024 * 1024;

/** The most ListTagsOfResource pages read for one resource (50 tags fit in one). */
const MAX_TAG_PAGES = 100;

/** The most of an upstream listing page iamd reads (a ListTables page of 100 names is a few kB). */
const LISTING_LIMIT_BYTES = 16 * 1024 * 1024;

/** A response body as text, refused past `limit` bytes. */
async function readText(stream: AsyncIterable<unknown>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > limit)
      throw new GatewayError('InternalServerError', 'the upstream answer is larger than iamd reads', 500);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
