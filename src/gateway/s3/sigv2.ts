/** S3's Signature Version 2, recognised only to be refused as S3 refuses it. */
/**
 * Whether a request is signed with S3's Signature Version 2 (`Authorization: AWS KEY:SIG`, or a
 * presigned URL's `AWSAccessKeyId` and `Signature`), which S3 refuses for every bucket created after
 * June 24, 2020 (AWS's SigV2 deprecation notice) — so for every bucket made through iamd.
 */
export function isS3SigV2(authorization: string | undefined, url: string): boolean {
  if (authorization !== undefined) return authorization.startsWith('AWS ');
  return /[?&]AWSAccessKeyId=/.test(url) && /[?&]Signature=/.test(url);
}
