/**
 * The S3 entry point's browser POST uploads (POST Object, `multipart/form-data`; src/gateway/s3/post-*.ts):
 * decode reads the form up to its file, authenticates the form's signature (or takes an anonymous
 * caller), checks its policy and classifies the PutObject it stands for; execute authorizes that
 * PutObject, spools the file to disk (bounded by the policy's largest size and S3's 5 GB), checks
 * content-length-range, sends it to the upstream as a re-signed PutObject and answers as S3 answers a
 * POST. The spool is deleted on every path.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Authenticator } from '../../authn/authenticate.js';
import { s3Errors } from '../../gateway/errors.js';
import type { UpstreamResponse } from '../../gateway/forward.js';
import { s3Address } from '../../gateway/s3/address.js';
import { classifyS3, type S3Authorization, type S3Classified } from '../../gateway/s3/classify.js';
import { authenticatePost, postSignatureOf } from '../../gateway/s3/post-auth.js';
import { readPostForm, spoolFile, type PostForm } from '../../gateway/s3/post-form.js';
import {
  postAnswer,
  postObjectHeaders,
  postObjectKey,
  postObjectUrl,
  postPolicyError,
  postPutRequest,
} from '../../gateway/s3/post-object.js';
import {
  checkPostPolicy,
  checkPostSize,
  entityTooLarge,
  maxPostSize,
  parsePostPolicy,
  type PostPolicy,
} from '../../gateway/s3/post-policy.js';
import { uriEncode } from '../../sigv4/index.js';
import { noteKeyUse, type Call, type Pipeline } from '../pipeline/index.js';
import type { GatewayIncoming } from './incoming.js';

/** A POST Object between decode and execute. */
export interface PostUpload {
  readonly form: PostForm;
  readonly policy: PostPolicy | undefined;
  readonly bucket: string;
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly objectUrl: string;
}

/** What a POST's execution needs of the S3 entry point. */
export interface PostSteps {
  /** Authorizes one (action, resource) with the bucket's owner and policy; S3's denial. */
  authorize(call: Call, a: S3Authorization): Promise<void>;
  /** Sends a re-signed request to the upstream. */
  forward(
    call: Call,
    method: string,
    path: string,
    query: string,
    headers: GatewayIncoming['headers'],
    body: Readable,
    length: number,
  ): Promise<UpstreamResponse>;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Decodes a POST Object: the form's fields up to the file, the form's signature (or an anonymous
 * caller), its policy, then the PutObject it stands for — classified as a PUT with the form's fields as
 * headers (`s3:authType` POST), recorded as PostObject.
 */
export async function decodePost(
  p: Pipeline,
  call: Call,
  incoming: GatewayIncoming,
  auth: Authenticator,
  virtualHosts: readonly string[],
): Promise<{ classified: S3Classified; post: PostUpload }> {
  const addr = s3Address(incoming.host, incoming.path, virtualHosts);
  const bucket = addr.bucket ?? '';
  call.operation = 'PostObject';
  call.input = { bucketName: bucket };
  const form = await readPostForm(incoming.stream, incoming.stream.headers);
  try {
    const signed = postSignatureOf(form.fields);
    let policy: PostPolicy | undefined;
    if (signed !== undefined) {
      const creds = await authenticatePost(auth, signed, call.now);
      call.region = signed.sig.region;
      call.principal = creds.principal;
      noteKeyUse(p, call, signed.sig, creds);
      const parsed = parsePostPolicy(signed.policy);
      if ('error' in parsed) throw postPolicyError(parsed.error);
      policy = parsed.policy;
      // The expiration is the signer's clock's, judged on real time (at `off`, not at all).
      const nowMs = p.deps.resolver.checksNothing ? undefined : Date.now();
      const refused = checkPostPolicy(policy, { fields: form.fields, bucket, nowMs });
      if (refused !== undefined) throw postPolicyError(refused);
    }
    const key = postObjectKey(form.fields, form.filename);
    call.input = { bucketName: bucket, key };
    const headers = postObjectHeaders(form.fields);
    const classified = classifyS3(postPutRequest(bucket, key, headers), {
      baseHosts: [],
      authType: signed === undefined ? undefined : 'POST',
    });
    if (classified.kind === 'unclassified') throw s3Errors.notImplemented(classified.reason);
    const objectUrl = postObjectUrl(call.secureTransport, incoming.host, bucket, key, addr.virtualHosted);
    return { classified, post: { form, policy, bucket, key, headers, objectUrl } };
  } catch (err) {
    form.discard();
    throw err;
  }
}

/** Runs a decoded POST Object (see the header). */
export async function executePost(
  call: Call,
  classified: S3Classified,
  post: PostUpload,
  steps: PostSteps,
): Promise<Record<string, unknown>> {
  let spooled: Awaited<ReturnType<typeof spoolFile>> | undefined;
  let body: Readable | undefined;
  try {
    for (const a of classified.authorizations) await steps.authorize(call, a);
    const max = maxPostSize(post.policy);
    spooled = await spoolFile(post.form.file, max, (size) => postPolicyError(entityTooLarge(size, max)));
    const sizeRefused = checkPostSize(post.policy, spooled.size);
    if (sizeRefused !== undefined) throw postPolicyError(sizeRefused);
    const path = `/${uriEncode(post.bucket)}/${uriEncode(post.key, true)}`;
    body = createReadStream(spooled.path);
    const res = await steps.forward(call, 'PUT', path, '', post.headers, body, spooled.size);
    if (res.status < 200 || res.status >= 300) return { upstream: res };
    res.body.resume();
    const answer = postAnswer(
      post.form.fields,
      post.bucket,
      post.key,
      first(res.headers['etag']),
      post.objectUrl,
    );
    for (const h of ['x-amz-version-id', 'x-amz-server-side-encryption']) {
      const v = first(res.headers[h]);
      if (v !== undefined) answer.headers[h] = v;
    }
    return {
      status: answer.status,
      body: answer.body,
      contentType: answer.contentType,
      headers: answer.headers,
    };
  } catch (err) {
    post.form.discard();
    throw err;
  } finally {
    body?.destroy();
    await spooled?.remove();
  }
}
