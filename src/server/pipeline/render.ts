/**
 * Error rendering, once per wire format. An entry point names its format; nothing else builds error
 * bodies. Formats:
 *
 * - `query-xml`: the AWS Query protocol's `<ErrorResponse>` (IAM, STS; Smithy awsQuery, xml-errors).
 * - `json-1.1`: `{"__type": …, "message": …}` (CloudTrail; later Organizations) — Smithy, "AWS JSON
 *   1.1 protocol", with the common authentication errors under their JSON names.
 * - `iamd-json`: iamd's own endpoints (`/_iamd/explain`, `/_iamd/who-can-assume`): `{__type, message}`
 *   with iamd's codes as they are.
 * - IMDS text lives with the runtime-credentials listener (src/server/imds-app.ts), which answers EC2's
 *   fixed HTML error pages and has no pipeline calls.
 *
 * The gateway adds its services' formats here — REST-XML (S3: `<Error><Code>…</Code><Message>…
 * </Message><RequestId>…</RequestId></Error>`) and DynamoDB's JSON 1.0 — as one more
 * {@link ErrorFormat} each.
 */
import { renderError } from '../../protocol/index.js';
import type { WireError } from './errors.js';

/** The body and content type of an error answer. */
export interface RenderedError {
  readonly contentType: string;
  readonly body: string;
}

/** How one wire format renders an error. */
export interface ErrorFormat {
  render(err: WireError, requestId: string): RenderedError;
}

/** The namespace of Query error documents that belong to no one service (errors before routing). */
export const DEFAULT_QUERY_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** Query XML errors in `namespace` (the service model's, e.g. `https://sts.amazonaws.com/doc/2011-06-15/`). */
export function queryXmlErrors(namespace: string = DEFAULT_QUERY_NAMESPACE): ErrorFormat {
  const model = { namespace };
  return {
    render: (err, requestId) => ({
      contentType: 'text/xml',
      body: renderError(model, err, requestId),
    }),
  };
}

/** The JSON 1.1 content type. */
export const AMZ_JSON_11 = 'application/x-amz-json-1.1';

/**
 * JSON 1.1 names of iamd's authentication errors (what CloudTrail and the other JSON services answer
 * for the same failures: `UnrecognizedClientException`, `InvalidSignatureException`, …).
 */
const JSON_ERROR_NAMES: Readonly<Record<string, string>> = {
  InvalidClientTokenId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
  AccessDenied: 'AccessDeniedException',
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  InternalFailure: 'InternalFailure',
};

/** The `__type` a JSON 1.1 error carries for `code`. */
export function json11Type(code: string): string {
  return JSON_ERROR_NAMES[code] ?? code;
}

/** JSON 1.1 errors: `{"__type": …, "message": …}`. */
export const json11Errors: ErrorFormat = {
  render: (err) => ({
    contentType: AMZ_JSON_11,
    body: JSON.stringify({ __type: json11Type(err.code), message: err.message }),
  }),
};

/** The JSON body of an iamd-endpoint error. */
export function iamdJsonError(err: Pick<WireError, 'code' | 'message'>): {
  readonly __type: string;
  readonly message: string;
} {
  return { __type: err.code, message: err.message };
}

/** iamd's own endpoints: `{"__type": code, "message": …}` with iamd's codes. */
export const iamdJsonErrors: ErrorFormat = {
  render: (err) => ({
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(iamdJsonError(err)),
  }),
};
