/**
 * Error documents of the gated services, pure: S3's REST-XML `<Error>` and DynamoDB's JSON 1.0
 * `{"__type", "message"}`. iamd's own codes (authentication, authorization, availability) become the
 * code, status and text each service answers for the same failure.
 */
import { escapeXml } from '../protocol/xml.js';

/** An error as the renderers see it. */
export interface GatewayWireError {
  readonly code: string;
  readonly message: string;
  readonly status: number;
}

/** A rendered error: status, content type and body. */
export interface RenderedGatewayError {
  readonly status: number;
  readonly code: string;
  readonly contentType: string;
  readonly body: string;
}

/**
 * What S3 answers for iamd's authentication and availability errors (S3 API reference, "Error
 * responses", https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
 */
const S3_CODES: Readonly<Record<string, { code: string; status: number; message?: string }>> = {
  ExpiredToken: { code: 'ExpiredToken', status: 400, message: 'The provided token has expired.' },
  InvalidClientTokenId: {
    code: 'InvalidAccessKeyId',
    status: 403,
    message: 'The AWS Access Key Id you provided does not exist in our records.',
  },
  SignatureDoesNotMatch: { code: 'SignatureDoesNotMatch', status: 403 },
  IncompleteSignature: { code: 'AuthorizationHeaderMalformed', status: 400 },
  MissingAuthenticationToken: { code: 'AccessDenied', status: 403, message: 'Access Denied' },
  AccessDenied: { code: 'AccessDenied', status: 403 },
  InternalFailure: {
    code: 'InternalError',
    status: 500,
    message: 'We encountered an internal error. Please try again.',
  },
  ServiceUnavailable: {
    code: 'ServiceUnavailable',
    status: 503,
    message: 'Please reduce your request rate.',
  },
  Throttling: { code: 'SlowDown', status: 503, message: 'Please reduce your request rate.' },
};

/**
 * S3's `SignatureDoesNotMatch` text (S3 answers its own wording, not the IAM/STS one:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
export const S3_SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

/** The S3 error for `err`: code, status and message as S3 answers. */
export function s3Error(err: GatewayWireError): GatewayWireError {
  const mapped = S3_CODES[err.code];
  if (mapped === undefined) return err;
  let message = mapped.message ?? err.message;
  // iamd's scope and time messages are kept: they say what to fix. Only the generic text is S3's own.
  if (err.code === 'SignatureDoesNotMatch' && err.message.startsWith('The request signature we calculated'))
    message = S3_SIGNATURE_MISMATCH;
  return { code: mapped.code, status: mapped.status, message };
}

/**
 * An S3 error document: `<Error><Code/><Message/><RequestId/><HostId/></Error>` (S3 API reference,
 * "Error responses", REST error response).
 */
export function renderS3Error(
  err: GatewayWireError,
  requestId: string,
  hostId: string,
): RenderedGatewayError {
  const e = s3Error(err);
  return {
    status: e.status,
    code: e.code,
    contentType: 'application/xml',
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Error><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message>` +
      `<RequestId>${escapeXml(requestId)}</RequestId><HostId>${escapeXml(hostId)}</HostId></Error>`,
  };
}

/** DynamoDB's JSON 1.0 content type. */
export const AMZ_JSON_10 = 'application/x-amz-json-1.0';

const DDB = 'com.amazonaws.dynamodb.v20120810#';
const CORAL = 'com.amazon.coral.service#';

/**
 * What DynamoDB answers for iamd's authentication, authorization and availability errors (DynamoDB
 * developer guide, "Error handling with DynamoDB", Authentication and common errors:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
 */
const DDB_CODES: Readonly<Record<string, { type: string; status: number; message?: string }>> = {
  AccessDenied: { type: `${DDB}AccessDeniedException`, status: 400 },
  ExpiredToken: {
    type: `${CORAL}ExpiredTokenException`,
    status: 400,
    message: 'The security token included in the request is expired',
  },
  InvalidClientTokenId: {
    type: `${CORAL}UnrecognizedClientException`,
    status: 400,
    message: 'The security token included in the request is invalid.',
  },
  SignatureDoesNotMatch: { type: `${CORAL}InvalidSignatureException`, status: 400 },
  IncompleteSignature: { type: `${CORAL}IncompleteSignatureException`, status: 400 },
  MissingAuthenticationToken: { type: `${CORAL}MissingAuthenticationTokenException`, status: 400 },
  InternalFailure: { type: `${DDB}InternalServerError`, status: 500 },
  ServiceUnavailable: { type: `${CORAL}ServiceUnavailableException`, status: 503 },
  Throttling: { type: `${CORAL}ThrottlingException`, status: 400 },
};

/** A DynamoDB JSON 1.0 error document. Codes outside the table are DynamoDB's own (`ValidationException`). */
export function renderDynamoDbError(err: GatewayWireError): RenderedGatewayError {
  const mapped = DDB_CODES[err.code];
  const type = mapped?.type ?? `${DDB}${err.code}`;
  return {
    status: mapped?.status ?? err.status,
    code: type.slice(type.indexOf('#') + 1),
    contentType: AMZ_JSON_10,
    body: JSON.stringify({ __type: type, message: mapped?.message ?? err.message }),
  };
}
