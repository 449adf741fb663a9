/**
 * Bucket policy validation as S3 does it on PutBucketPolicy (S3 API reference, PutBucketPolicy; S3
 * answers `MalformedPolicy` 400): a resource policy (Principal required), whose every resource is the
 * bucket or an object in it ("Policy has invalid resource").
 */
import { validatePolicy } from '../../policy/index.js';
import { s3Errors } from '../errors.js';

/** The bucket policy text, or throws `MalformedPolicy` with S3's message. */
export function checkBucketPolicy(bucket: string, text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw s3Errors.malformedPolicy('This policy contains invalid Json');
  }
  const result = validatePolicy(text, 'resource');
  const first = result.errors[0];
  if (first !== undefined) throw s3Errors.malformedPolicy(first.message);
  const statements = (doc as { Statement?: unknown }).Statement;
  for (const s of Array.isArray(statements) ? statements : [statements]) {
    const r = (s as { Resource?: unknown; NotResource?: unknown } | undefined) ?? {};
    const raw = r.Resource ?? r.NotResource;
    const resources = Array.isArray(raw) ? raw : [raw];
    for (const res of resources) {
      if (typeof res !== 'string' || !coversOnlyBucket(res, bucket))
        throw s3Errors.malformedPolicy('Policy has invalid resource');
    }
  }
  return text;
}

/** Whether `resource` names `bucket` or objects in it (wildcards allowed after the bucket name). */
function coversOnlyBucket(resource: string, bucket: string): boolean {
  const arn = `arn:aws:s3:::${bucket}`;
  return resource === arn || resource.startsWith(arn + '/');
}
