import { ERROR_CATALOGUE, type AwsErrorCode } from './catalogue.js';

export { ERROR_CATALOGUE, type AwsErrorCode } from './catalogue.js';

/**
 * The one error type handlers throw. `code` is the exact AWS wire code; status and fault come from
 * the catalogue so they cannot drift per call site. Anything else thrown becomes `InternalFailure`.
 */
export class AwsError extends Error {
  readonly code: AwsErrorCode;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';

  constructor(code: AwsErrorCode, message: string) {
    // An AwsError is an expected outcome sent to the client, not a bug: capturing a stack trace for
    // each one would be the most expensive part of a denial.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = code;
    this.code = code;
    const entry: { status: number; fault?: 'Receiver' } = ERROR_CATALOGUE[code];
    this.status = entry.status;
    this.fault = entry.fault ?? 'Sender';
  }
}

/** True when `e` is an {@link AwsError}. */
export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}

/** Shorthand constructors for the codes handlers use most. Messages follow AWS's text. */
export const errors = {
  noSuchEntity: (message: string) => new AwsError('NoSuchEntity', message),
  alreadyExists: (message: string) => new AwsError('EntityAlreadyExists', message),
  deleteConflict: (message: string) => new AwsError('DeleteConflict', message),
  limitExceeded: (message: string) => new AwsError('LimitExceeded', message),
  invalidInput: (message: string) => new AwsError('InvalidInput', message),
  validation: (message: string) => new AwsError('ValidationError', message),
  malformedPolicy: (message: string) => new AwsError('MalformedPolicyDocument', message),
  accessDenied: (message: string) => new AwsError('AccessDenied', message),
  /** AWS's text for an unexpected server-side failure (Common Errors: InternalFailure). */
  internalFailure: () =>
    new AwsError('InternalFailure', 'We encountered an internal error. Please try again.'),
  /**
   * Over the caller's request rate: IAM and STS answer `Throttling`, "Rate exceeded", HTTP 400
   * (https://repost.aws/knowledge-center/iam-sts-throttling-error); SDKs retry it with backoff.
   */
  throttling: () => new AwsError('Throttling', 'Rate exceeded'),
  /** A retryable temporary failure (Common Errors: ServiceUnavailable); SDKs retry it with backoff. */
  serviceUnavailable: () =>
    new AwsError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'),
} as const;
