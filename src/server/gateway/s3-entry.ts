/**
 * The gateway's S3 entry point (issue #18) on the one pipeline: decode (SigV4 with S3's rules, or an
 * anonymous caller; then the classifier) → authenticate (src/authn, through the pipeline's step) →
 * authorize every (action, resource, condition keys) the classifier names, with the bucket owner's
 * account and the bucket policy (and, when a decision looks `s3:ExistingObjectTag/<key>` up, again with
 * the object's tags from the upstream) → execute (bucket policies are iamd's; everything else is re-signed and
 * streamed to the upstream) → record (CloudTrail data/management events, eventSource s3.amazonaws.com)
 * → render (the upstream's answer as is, or S3's REST-XML error).
 * A browser POST upload (POST Object, multipart form) decodes its form instead (./s3-post.ts): the
 * form's signature and policy authenticate, and it runs as the PutObject it stands for.
 */
import { isS3SigV2 } from '../../gateway/s3/sigv2.js';
import type { Readable } from 'node:stream';
import type { AuthorizationRequest } from '../../api/operation.js';
import { authenticator, type Authenticator } from '../../authn/authenticate.js';
import { sigv4Crypto } from '../../authn/sigv4-crypto.js';
import { AwsError, errors, isAwsError } from '../../errors/index.js';
import { awsChunkedDecoder, payloadHashCheck } from '../../gateway/aws-chunked.js';
import { checksumAlgorithmOf, type ChecksumAlgorithm } from '../../gateway/checksum.js';
import { checkWholeBody, checksumCheck, headerChecksum } from '../../gateway/header-checksum.js';
import { checkS3Time } from '../../gateway/s3-time.js';
import { GatewayError, s3Errors } from '../../gateway/errors.js';
import { forward, type UpstreamResponse } from '../../gateway/forward.js';
import { LOCAL_UPSTREAM_CREDENTIALS, resignRequest, type UpstreamCredentials } from '../../gateway/resign.js';
import { checkBucketPolicy } from '../../gateway/s3/bucket-policy.js';
import {
  objectOwnershipRefusal,
  ownershipControlsRefusal,
  OWNERSHIP_CONTROLS_XML,
} from '../../gateway/s3/object-ownership.js';
import {
  bucketOwner,
  forgetBucket,
  getBucket,
  recordBucket,
  setBucketPolicy,
} from '../../gateway/s3/buckets.js';
import { classifyS3, type S3Authorization, type S3Classified } from '../../gateway/s3/classify.js';
import {
  consultedExistingObjectTag,
  existingObjectTagContext,
  loadExistingObjectTagActions,
  objectKeyOf,
  objectTaggingRequest,
  parseObjectTagging,
} from '../../gateway/s3/existing-object-tag.js';
import { renderS3Error } from '../../gateway/wire-errors.js';
import { errorElements, isPostObject, withElements } from '../../gateway/s3/post-object.js';
import { deleteObjectsKeys, filterListBuckets } from '../../gateway/s3/list-buckets.js';
import {
  credentialScope,
  deriveSigningKey,
  EMPTY_SHA256,
  parseSigV4,
  s3CanonicalOptions,
  s3PayloadHash,
  SigningKeyCache,
  UNSIGNED_PAYLOAD,
  type ParsedSigV4,
  type S3PayloadMode,
} from '../../sigv4/index.js';
import {
  authenticateCall,
  authorizeCall,
  authorizeWithFetched,
  ServiceError,
  transactCall,
  type Call,
  type EntryPoint,
  type Pipeline,
} from '../pipeline/index.js';
import type { GatewayAnswer, GatewayIncoming } from './incoming.js';
import { decodePost, executePost, type PostUpload } from './s3-post.js';

/** How the S3 gateway reaches its upstream. */
export interface S3GatewayOptions {
  readonly upstream: URL;
  readonly credentials?: UpstreamCredentials | undefined;
  readonly virtualHosts: readonly string[];
  readonly timeoutMs: number;
  /** The account that owns buckets iamd did not see created. */
  readonly defaultAccount: () => string;
}

/** One S3 call's state between the steps. */
interface S3Op {
  readonly classified: S3Classified;
  readonly payload: S3PayloadMode;
  readonly sig: ParsedSigV4 | undefined;
  readonly secret: string | undefined;
  /** A POST Object upload (browser form): the form, its policy, and the PutObject it stands for. */
  readonly post?: PostUpload | undefined;
}

/** Largest DeleteObjects body read: 1,000 keys of at most 1,024 bytes each, with their XML. */
const MAX_DELETE_OBJECTS_BODY = 2 * 1024 * 1024;

/** Largest bucket policy S3 accepts: 20 KB (S3 User Guide, "Bucket policies"). */
const MAX_BUCKET_POLICY = 20 * 1024;

/**
 * Largest GetObjectTagging answer read: an object has at most 10 tags of at most 128 + 256 characters
 * (S3 User Guide, "Categorizing your objects using tags"), a few KB of XML.
 */
const MAX_TAGGING_ANSWER = 64 * 1024;

/** The S3 entry point over `p`. */
export function s3EntryPoint(p: Pipeline, options: S3GatewayOptions): EntryPoint<S3Op> {
  const auth: Authenticator = authenticator(p.deps.resolver, ['s3'], new SigningKeyCache(256));
  const credentials = options.credentials ?? LOCAL_UPSTREAM_CREDENTIALS;
  // The actions that carry s3:ExistingObjectTag/<key> (iam-data, read once; then a plain value).
  let tagActions: ReadonlySet<string> | undefined;
  const tagActionsLoading = loadExistingObjectTagActions();
  tagActionsLoading.then(
    (set) => {
      tagActions = set;
    },
    () => undefined,
  );

  const decode = async (call: Call): Promise<S3Op> => {
    const incoming = call.incoming as GatewayIncoming;
    if (isPostObject(incoming, options.virtualHosts)) {
      const { classified, post } = await decodePost(p, call, incoming, auth, options.virtualHosts);
      return { classified, payload: { kind: 'unsigned' }, sig: undefined, secret: undefined, post };
    }
    if (isS3SigV2(first(incoming.headers['authorization']), `?${incoming.query}`))
      throw s3Errors.sigV2NotSupported();
    const sig = parseSigV4(incoming);
    let payload: S3PayloadMode = { kind: 'unsigned' };
    let secret: string | undefined;
    if (sig !== undefined) {
      const hashed = s3PayloadHash(incoming, sig);
      if ('error' in hashed)
        throw hashed.error === 'missing' ? s3Errors.missingContentSha256() : s3Errors.invalidContentSha256();
      payload = hashed.mode;
      // S3's signing-time answers (RequestTimeTooSkewed, presigned expiry) come before the scope checks;
      // at the `off` authentication level no time is checked (suites freeze their clocks).
      if (!p.deps.resolver.checksNothing) checkS3Time(sig, Date.now());
      const creds = await authenticateCall(p, call, sig, {
        auth,
        canonical: s3CanonicalOptions(hashed.hash),
        recordKeyUse: true,
      });
      secret = creds.secretAccessKey;
    }
    const classified = classifyS3(incoming, {
      baseHosts: options.virtualHosts,
      authType: sig === undefined ? undefined : sig.presigned ? 'REST-QUERY-STRING' : 'REST-HEADER',
    });
    if (classified.kind === 'unclassified') throw s3Errors.notImplemented(classified.reason);
    call.operation = classified.operation;
    // CloudTrail's S3 requestParameters: bucketName, key (CloudTrail User Guide, S3 data events).
    const input: Record<string, unknown> = {};
    if (classified.bucket !== undefined) input['bucketName'] = classified.bucket;
    if (classified.key !== undefined) input['key'] = classified.key;
    call.input = input;
    return { classified, payload, sig, secret };
  };

  /** Authorizes one (action, resource) of the call; S3's wording for a denial. */
  const authorizeOne = async (call: Call, a: S3Authorization, creating: boolean): Promise<void> => {
    let resourceAccount: string | undefined;
    let resourcePolicy: string | undefined;
    if (a.bucket !== undefined) {
      const record = await getBucket(p.deps.store, a.bucket);
      // CreateBucket: the new bucket will be the caller's.
      resourceAccount = creating ? call.account : (record?.account ?? options.defaultAccount());
      resourcePolicy = record?.policy;
    }
    const context = { ...a.context };
    if (resourceAccount !== undefined && resourceAccount !== '')
      context['s3:ResourceAccount'] = resourceAccount;
    const request: AuthorizationRequest = {
      action: a.action,
      resource: a.resource,
      resourceAccount: resourceAccount === '' ? undefined : resourceAccount,
      resourcePolicy,
      context,
    };
    const bucket = a.bucket;
    const key =
      bucket !== undefined && (tagActions ?? (await tagActionsLoading)).has(a.action.toLowerCase())
        ? objectKeyOf(a.resource, bucket)
        : undefined;
    try {
      // s3:ExistingObjectTag/<key> is the object's tag, which the upstream holds: GetObjectTagging only
      // when the decision without the tags looked such a key up (the pipeline's authorizeWithFetched).
      if (key !== undefined && bucket !== undefined)
        await authorizeWithFetched(p, call, request, consultedExistingObjectTag, async () => {
          const tags = await existingTags(call, bucket, key, a.context['s3:VersionId']);
          return tags.size > 0 ? existingObjectTagContext(tags) : undefined;
        });
      else await authorizeCall(p, call, request, true);
    } catch (err) {
      if (!isAwsError(err) || err.code !== 'AccessDenied') throw err;
      throw s3Denial(call, err, a.resource, resourceAccount);
    }
  };

  /**
   * The object's tags, from the upstream (GetObjectTagging, re-signed; `versionId` when the request
   * names one). No such object, version or bucket (404; 405 for a delete marker's version): no tags —
   * the decision is made without them, and an allowed request gets the upstream's own answer, as on
   * S3. Any other answer, a malformed tag set, or an upstream that is down or slow: 503
   * ServiceUnavailable (a decision is never guessed).
   */
  const existingTags = async (
    call: Call,
    bucket: string,
    key: string,
    versionId: unknown,
  ): Promise<Map<string, string>> => {
    const target = objectTaggingRequest(bucket, key, typeof versionId === 'string' ? versionId : undefined);
    const res = await forwardTo(call, 'GET', target.path, target.query, {}, undefined, undefined);
    if (res.status === 404 || res.status === 405) {
      res.body.resume();
      return new Map();
    }
    if (res.status !== 200) {
      res.body.resume();
      p.deps.logError(
        new Error(`upstream answered GetObjectTagging with status ${res.status}`),
        call.requestId,
      );
      throw errors.serviceUnavailable();
    }
    const text = await readBounded(res.body, MAX_TAGGING_ANSWER);
    const tags = text === undefined ? undefined : parseObjectTagging(text);
    if (tags === undefined) {
      p.deps.logError(new Error('upstream GetObjectTagging answer is not a tag set'), call.requestId);
      throw errors.serviceUnavailable();
    }
    return tags;
  };

  const execute = async (call: Call, op: S3Op): Promise<Record<string, unknown> | undefined> => {
    if (op.post !== undefined)
      return executePost(call, op.classified, op.post, {
        authorize: (c, a) => authorizeOne(c, a, false),
        forward: forwardTo,
      });
    const c = op.classified;
    const incoming = call.incoming as GatewayIncoming;
    const bucket = c.bucket ?? '';
    if (c.operation === 'DeleteObjects') {
      // S3 checks s3:DeleteObject (s3:DeleteObjectVersion for a version) on every object the body names
      // (S3 API reference, DeleteObjects, Permissions): the body is read (at most 1,000 keys) and each
      // key authorized before anything is forwarded.
      const text = await readSmallBody(incoming, MAX_DELETE_OBJECTS_BODY, op);
      const context = c.authorizations[0]?.context ?? {};
      for (const o of deleteObjectsKeys(text)) {
        const ctx = { ...context };
        if (o.versionId !== undefined) ctx['s3:VersionId'] = o.versionId;
        await authorizeOne(
          call,
          {
            action: o.versionId !== undefined ? 's3:DeleteObjectVersion' : 's3:DeleteObject',
            resource: `arn:aws:s3:::${bucket}/${o.key}`,
            bucket,
            context: ctx,
          },
          false,
        );
      }
      return { upstream: await send(call, op, text) };
    }
    for (const a of c.authorizations) await authorizeOne(call, a, c.operation === 'CreateBucket');
    // Every bucket is BucketOwnerEnforced: ACLs are refused as S3 refuses them (object-ownership.ts).
    const declared = first(incoming.headers['content-length']);
    const hasBody =
      (declared !== undefined && declared !== '0') || incoming.headers['transfer-encoding'] !== undefined;
    const refusal = objectOwnershipRefusal(c.operation, incoming.headers, hasBody);
    if (refusal !== undefined) throw refusal;
    switch (c.operation) {
      case 'PutBucketOwnershipControls': {
        const text = await readSmallBody(incoming, MAX_BUCKET_POLICY, op);
        await requireBucket(call, op);
        const refused = ownershipControlsRefusal(text);
        if (refused !== undefined) throw refused;
        return { status: 200 };
      }
      case 'GetBucketOwnershipControls':
        await requireBucket(call, op);
        return { status: 200, body: OWNERSHIP_CONTROLS_XML, contentType: 'application/xml' };
      case 'PutBucketPolicy': {
        const text = await readSmallBody(incoming, MAX_BUCKET_POLICY, op);
        await requireBucket(call, op);
        checkBucketPolicy(bucket, text);
        const owner = await bucketOwner(p.deps.store, bucket, options.defaultAccount());
        await transactCall(p, call, async (tx) => {
          await setBucketPolicy(tx, bucket, owner, text);
          return undefined;
        });
        return { status: 204 };
      }
      case 'GetBucketPolicy': {
        const policy = (await getBucket(p.deps.store, bucket))?.policy;
        if (policy === undefined) {
          await requireBucket(call, op);
          throw s3Errors.noSuchBucketPolicy();
        }
        return { status: 200, body: policy };
      }
      case 'DeleteBucketPolicy': {
        await requireBucket(call, op);
        const owner = await bucketOwner(p.deps.store, bucket, options.defaultAccount());
        await transactCall(p, call, async (tx) => {
          await setBucketPolicy(tx, bucket, owner, undefined);
          return undefined;
        });
        return { status: 204 };
      }
    }
    const res = await send(call, op);
    if (c.operation === 'CreateBucket' && res.status === 200) {
      await transactCall(p, call, async (tx) => {
        await recordBucket(tx, bucket, call.account);
        return undefined;
      });
    } else if (c.operation === 'DeleteBucket' && res.status === 204) {
      await transactCall(p, call, async (tx) => {
        await forgetBucket(tx, bucket);
        return undefined;
      });
    } else if (c.operation === 'ListBuckets' && res.status === 200) {
      const xml = await readAll(res.body, 16 * 1024 * 1024);
      const owned = await filterListBuckets(xml, call.account, async (name) =>
        bucketOwner(p.deps.store, name, options.defaultAccount()),
      );
      return { status: 200, body: owned, contentType: 'application/xml' };
    }
    return { upstream: res };
  };

  /** Whether the bucket exists upstream (HeadBucket, re-signed); NoSuchBucket when not. */
  const requireBucket = async (call: Call, op: S3Op): Promise<void> => {
    const res = await forwardTo(
      call,
      'HEAD',
      `/${encodeURIComponent(op.classified.bucket ?? '')}`,
      '',
      {},
      undefined,
      0,
    );
    res.body.resume();
    if (res.status === 404) throw s3Errors.noSuchBucket();
  };

  /** Streams the call to the upstream: the body through its checks, re-signed. */
  const send = async (call: Call, op: S3Op, read?: string): Promise<UpstreamResponse> => {
    const incoming = call.incoming as GatewayIncoming;
    const c = op.classified;
    let body: Readable | string = read ?? incoming.stream;
    let length: number | undefined;
    const declared = first(incoming.headers['content-length']);
    if (declared !== undefined && /^\d+$/.test(declared)) length = Number(declared);
    const mode = op.payload;
    // A request without a body (no length, no transfer coding) is sent without one, so that it can be
    // retried on a fresh connection; a hash it declares must be the empty body's.
    const bodiless =
      read === undefined &&
      mode.kind !== 'chunked' &&
      (length === 0 || (length === undefined && incoming.headers['transfer-encoding'] === undefined));
    // A checksum header is checked against the body as S3 does (src/gateway/header-checksum.ts).
    const announced = headerChecksum(incoming.headers);
    if (read !== undefined) {
      length = Buffer.byteLength(read);
      if (announced !== undefined) checkWholeBody(announced, read);
    } else if (bodiless) {
      if (mode.kind === 'hash' && mode.sha256 !== EMPTY_SHA256) throw s3Errors.contentSha256Mismatch();
      if (announced !== undefined) checkWholeBody(announced, '');
      body = '';
    } else if (mode.kind === 'chunked') {
      const decodedText = first(incoming.headers['x-amz-decoded-content-length']);
      if (decodedText === undefined || !/^\d+$/.test(decodedText)) throw s3Errors.missingDecodedLength();
      length = Number(decodedText);
      const sig = op.sig;
      const signing =
        mode.signed && sig !== undefined && op.secret !== undefined
          ? {
              signingKey: deriveSigningKey(op.secret, sig.date, sig.region, sig.service, sigv4Crypto),
              amzDate: sig.amzDate,
              scope: credentialScope(sig),
              seedSignature: sig.signature,
            }
          : undefined;
      // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html: `x-amz-trailer`
      // announces the trailing checksum, which is checked against the decoded body.
      let checksum: ChecksumAlgorithm | undefined;
      const trailer = first(incoming.headers['x-amz-trailer']);
      if (mode.trailer && trailer !== undefined && trailer.trim() !== '') {
        checksum = checksumAlgorithmOf(trailer);
        if (checksum === undefined) throw s3Errors.unsupportedTrailer();
        if (announced !== undefined) throw s3Errors.multipleChecksums();
      }
      const decoded = incoming.stream.pipe(awsChunkedDecoder(signing, mode.trailer, length, checksum));
      incoming.stream.on('error', (e) => decoded.destroy(e));
      body = decoded;
    } else if (mode.kind === 'hash') {
      const checked = incoming.stream.pipe(payloadHashCheck(mode.sha256));
      incoming.stream.on('error', (e) => checked.destroy(e));
      body = checked;
    }
    if (announced !== undefined && typeof body !== 'string') {
      const source = body;
      const checked = source.pipe(checksumCheck(announced));
      source.on('error', (e) => checked.destroy(e));
      body = checked;
    }
    // The upstream is addressed path-style: a virtual-hosted request names its bucket in the path there.
    const path =
      c.bucket !== undefined && isVirtualHost(incoming.host, options.virtualHosts)
        ? `/${c.bucket}${incoming.path}`
        : incoming.path;
    return forwardTo(call, incoming.method, path, incoming.query, incoming.headers, body, length);
  };

  const forwardTo = (
    call: Call,
    method: string,
    path: string,
    query: string,
    headers: GatewayIncoming['headers'],
    body: Readable | string | undefined,
    length: number | undefined,
  ): Promise<UpstreamResponse> => {
    const out = resignRequest(
      { method, path, query, headers },
      { host: options.upstream.host, service: 's3', region: call.region, credentials },
      UNSIGNED_PAYLOAD,
      length,
      Date.now(),
      sigv4Crypto,
    );
    return forward(options.upstream, out, body, options.timeoutMs);
  };

  return {
    service: 's3',
    decode: (call) => decode(call).catch(rethrow),
    execute: (call, op) => execute(call, op).catch(rethrow),
    render: (call, _op, output) => {
      const upstream = output?.['upstream'] as UpstreamResponse | undefined;
      if (upstream !== undefined) {
        const answer: GatewayAnswer = { ...call.answer(upstream.status, '', ''), upstream };
        return answer;
      }
      const status = (output?.['status'] as number | undefined) ?? 200;
      const body = (output?.['body'] as string | undefined) ?? '';
      const type = (output?.['contentType'] as string | undefined) ?? 'application/json';
      const extra = output?.['headers'] as Record<string, string> | undefined;
      const answer: GatewayAnswer = {
        ...call.answer(status, type, body),
        headers: { ...extra, ...s3Headers(call.requestId) },
      };
      return answer;
    },
    renderError: (call, err) => {
      const r = renderS3Error(err, call.requestId, hostId(call.requestId));
      // POST Object's size refusals carry ProposedSize and the allowed bound.
      const elements = errorElements(err);
      const answer: GatewayAnswer = {
        ...call.answer(r.status, r.contentType, elements ? withElements(r.body, elements) : r.body, r.code),
        headers: s3Headers(call.requestId),
      };
      return answer;
    },
    recordsFailure: (call) => call.operation !== undefined,
  };
}

/** S3's request id headers. */
function s3Headers(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId) };
}

/** S3's `HostId` / `x-amz-id-2`: an opaque id of the answering host, here derived from the request id. */
function hostId(requestId: string): string {
  return Buffer.from(`iamd/${requestId}`).toString('base64');
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function isVirtualHost(host: string, bases: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/:\d+$/, '');
  return bases.some((b) => name.endsWith('.' + b.toLowerCase()));
}

/**
 * AccessDenied as S3 words it (S3 User Guide, "Troubleshoot access denied (403 Forbidden) errors",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html): for a caller in
 * the bucket owner's account, "User: ARN is not authorized to perform: ACTION on resource: "ARN"
 * because …"; anonymous and cross-account callers get only "Access Denied" (the extra context is for
 * same-account requests only).
 */
function s3Denial(
  call: Call,
  err: AwsError,
  resource: string,
  resourceAccount: string | undefined,
): AwsError {
  if (
    call.principal.type === 'Anonymous' ||
    (resourceAccount !== undefined && resourceAccount !== call.account)
  )
    return new AwsError('AccessDenied', 'Access Denied');
  const marker = ` on resource: ${resource}`;
  const at = err.message.indexOf(marker);
  if (at < 0) return err;
  return new AwsError(
    'AccessDenied',
    `${err.message.slice(0, at)} on resource: "${resource}"${err.message.slice(at + marker.length)}`,
  );
}

/** Reads a small body (a bucket policy) through its payload check. */
async function readSmallBody(incoming: GatewayIncoming, limit: number, op: S3Op): Promise<string> {
  let stream: Readable = incoming.stream;
  if (op.payload.kind === 'hash') stream = incoming.stream.pipe(payloadHashCheck(op.payload.sha256));
  else if (op.payload.kind === 'chunked')
    throw s3Errors.malformedPolicy('Policies must be sent in one piece');
  const text = await readAll(stream, limit);
  return text;
}

/** Reads a stream into a string; undefined when it is over `limit` bytes or fails (never throws). */
async function readBounded(stream: Readable, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        stream.destroy();
        return undefined;
      }
      chunks.push(chunk as Buffer);
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a stream into a string, at most `limit` bytes (else MalformedPolicy-sized refusal). */
async function readAll(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new GatewayError(
        'EntityTooLarge',
        'Your proposed upload exceeds the maximum allowed object size.',
        400,
      );
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Gateway errors go on as the pipeline's {@link ServiceError} (rendered with their own code). */
export function rethrow(err: unknown): never {
  if (err instanceof GatewayError) {
    const wire = new ServiceError(err.code, err.message, err.status);
    const elements = errorElements(err);
    throw elements === undefined ? wire : Object.assign(wire, { elements });
  }
  throw err;
}
