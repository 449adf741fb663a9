/**
 * Errors of the gated services whose codes are not in iamd's IAM/STS catalogue (S3's
 * `XAmzContentSHA256Mismatch`, `NoSuchBucket`, `MalformedPolicy`…, DynamoDB's `ValidationException`).
 * The server renders them as they are, in the service's wire format.
 */

/** A service error with its exact wire code, HTTP status and message. */
export class GatewayError extends Error {
  readonly fault: 'Sender' | 'Receiver';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
    this.fault = status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** S3's errors, with the texts S3 answers (S3 API reference, "Error responses", List of error codes). */
export const s3Errors = {
  /** https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html — XAmzContentSHA256Mismatch. */
  contentSha256Mismatch: () =>
    new GatewayError(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      400,
    ),
  /** SigV2, refused for buckets created after June 24, 2020 (S3's SigV2 deprecation notice). */
  sigV2NotSupported: () =>
    new GatewayError(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      400,
    ),
  missingContentSha256: () =>
    new GatewayError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400),
  invalidContentSha256: () =>
    new GatewayError(
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      400,
    ),
  /**
   * More than one `x-amz-checksum-*` header (S3's InvalidRequest, as S3 answers it; see
   * https://github.com/versity/versitygw/issues/1598 for S3's wording recorded against a gateway).
   */
  multipleChecksums: () =>
    new GatewayError(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
      400,
    ),
  /** An aws-chunked body whose framing is broken, or that ends early. */
  incompleteBody: () =>
    new GatewayError(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
      400,
    ),
  /**
   * A trailing checksum that is not the body's (ErrorResponses.html, BadDigest; S3 names the algorithm:
   * "The CRC32 you specified did not match the calculated checksum.").
   */
  badDigest: (algorithm: string) =>
    new GatewayError(
      'BadDigest',
      `The ${algorithm} you specified did not match the calculated checksum.`,
      400,
    ),
  /** The trailer announced by `x-amz-trailer` is absent or not what was announced. */
  malformedTrailer: () =>
    new GatewayError(
      'MalformedTrailerError',
      'The request contained trailing data that was not well-formed or did not conform to our published schema.',
      400,
    ),
  /** `x-amz-trailer` names something other than one checksum S3 knows. */
  unsupportedTrailer: () =>
    new GatewayError(
      'InvalidRequest',
      'The value specified in the x-amz-trailer header is not supported',
      400,
    ),
  missingDecodedLength: () =>
    new GatewayError('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411),
  /** A request that is no S3 operation. */
  notImplemented: (what: string) =>
    new GatewayError(
      'NotImplemented',
      `A header or query you provided implies functionality that is not implemented: ${what}`,
      501,
    ),
  noSuchBucket: () => new GatewayError('NoSuchBucket', 'The specified bucket does not exist', 404),
  noSuchBucketPolicy: () => new GatewayError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404),
  malformedPolicy: (message: string) => new GatewayError('MalformedPolicy', message, 400),
};
