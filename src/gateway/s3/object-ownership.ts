/**
 * S3 Object Ownership as the gateway enforces it: every bucket is `BucketOwnerEnforced`, the setting
 * of every bucket created since April 2023 — ACLs are disabled, the bucket owner owns every object and
 * only policies grant access (which is all iamd evaluates). S3's answers for that setting
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html):
 *
 * - a request that sets or updates an ACL fails with 400 `AccessControlListNotSupported` ("The bucket
 *   does not allow ACLs"); PUT requests may only name the `bucket-owner-full-control` canned ACL or
 *   none. Reading ACLs still works (forwarded).
 * - CreateBucket with a bucket ACL that grants anyone but the owner fails with 400
 *   `InvalidBucketAclWithObjectOwnership`.
 *
 * Explicit `x-amz-grant-*` headers are refused as ACLs: iamd cannot tell an explicit grant to the
 * owner's canonical id (which S3 accepts) from any other. The ACL-enabled settings (`ObjectWriter`,
 * `BucketOwnerPreferred`, or deleting the ownership controls) would make ACL grants part of every
 * decision, which iamd does not evaluate: they are refused as not implemented rather than accepted and
 * ignored.
 */
import { GatewayError, s3Errors } from '../errors.js';

type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

const ENFORCED = 'BucketOwnerEnforced';

/** Object writes that take an ACL (canned or granted) with the object. */
const OBJECT_WRITES: ReadonlySet<string> = new Set(['PutObject', 'CopyObject', 'CreateMultipartUpload']);

const GRANT_HEADERS = [
  'x-amz-grant-full-control',
  'x-amz-grant-read',
  'x-amz-grant-read-acp',
  'x-amz-grant-write',
  'x-amz-grant-write-acp',
] as const;

/** Canned bucket ACLs that grant nobody but the owner. */
const OWNER_ONLY_BUCKET_ACLS: ReadonlySet<string> = new Set(['private', 'bucket-owner-full-control']);

const one = (v: string | readonly string[] | undefined): string | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? v.trim() : (v[0] ?? '').trim();

/** 400 AccessControlListNotSupported, S3's answer to setting an ACL under BucketOwnerEnforced. */
export function aclNotSupported(): GatewayError {
  return new GatewayError('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400);
}

/** An ACL-enabled Object Ownership setting, which the gateway does not implement. */
function aclsEnabled(setting: string): GatewayError {
  return s3Errors.notImplemented(
    `S3 Object Ownership ${setting} (iamd enforces ${ENFORCED}: ACLs are disabled and policies alone decide)`,
  );
}

/**
 * S3's refusal of the request under BucketOwnerEnforced, or undefined when it may go on.
 * `hasBody`: the request carries a body (an ACL document, for PutObjectAcl / PutBucketAcl).
 */
export function objectOwnershipRefusal(
  operation: string,
  headers: Headers,
  hasBody: boolean,
): GatewayError | undefined {
  const acl = one(headers['x-amz-acl']);
  const granted = GRANT_HEADERS.some((h) => headers[h] !== undefined);
  if (OBJECT_WRITES.has(operation))
    return granted || (acl !== undefined && acl !== 'bucket-owner-full-control')
      ? aclNotSupported()
      : undefined;
  switch (operation) {
    case 'PutObjectAcl':
      // Only the one ACL the setting allows, named by the canned header alone, is accepted.
      return acl === 'bucket-owner-full-control' && !granted && !hasBody ? undefined : aclNotSupported();
    case 'PutBucketAcl':
      return acl !== undefined && OWNER_ONLY_BUCKET_ACLS.has(acl) && !granted && !hasBody
        ? undefined
        : aclNotSupported();
    case 'CreateBucket': {
      const ownership = one(headers['x-amz-object-ownership']);
      if (ownership !== undefined && ownership !== ENFORCED) return aclsEnabled(ownership);
      if (granted || (acl !== undefined && !OWNER_ONLY_BUCKET_ACLS.has(acl)))
        return new GatewayError(
          'InvalidBucketAclWithObjectOwnership',
          "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
          400,
        );
      return undefined;
    }
    case 'DeleteBucketOwnershipControls':
      return aclsEnabled('without ownership controls (ObjectWriter)');
    default:
      return undefined;
  }
}

/** The `ObjectOwnership` a PutBucketOwnershipControls body sets; undefined when it names none. */
export function requestedOwnership(body: string): string | undefined {
  const m = /<ObjectOwnership>\s*([^<]*?)\s*<\/ObjectOwnership>/.exec(body);
  return m?.[1];
}

/** The refusal of a PutBucketOwnershipControls body (only BucketOwnerEnforced is implemented). */
export function ownershipControlsRefusal(body: string): GatewayError | undefined {
  const setting = requestedOwnership(body);
  if (setting === undefined)
    return new GatewayError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  return setting === ENFORCED ? undefined : aclsEnabled(setting);
}

/** GetBucketOwnershipControls' answer: every bucket is BucketOwnerEnforced. */
export const OWNERSHIP_CONTROLS_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>';
