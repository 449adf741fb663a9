/**
 * The one place a throw becomes the error a client sees. Handlers throw {@link AwsError}; a service
 * with codes outside iamd's catalogue (CloudTrail's `InvalidTimeRangeException`, …) throws
 * {@link ServiceError}; anything else is a bug or an outage and is masked (STYLE.md, Errors).
 */
import { errors, isAwsError } from '../../errors/index.js';
import { StoreUnavailable } from '../../store/index.js';

/** An error as the renderers see it: wire code, message, HTTP status, fault. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';
}

/**
 * An error of a service whose codes are not in iamd's catalogue (a JSON 1.1 API's own exceptions);
 * renderers print `code` as is.
 */
export class ServiceError extends Error implements WireError {
  readonly fault = 'Sender' as const;
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * `thrown` as a {@link WireError}. A store that is down or restarting is a retryable 503 (AWS API
 * reference, "Common Errors": ServiceUnavailable; SDKs retry it with backoff); anything else that is
 * not an expected error is `InternalFailure`. Both are handed to `logUnexpected` and never sent.
 */
export function toWireError(thrown: unknown, logUnexpected: (err: unknown) => void): WireError {
  if (isAwsError(thrown) || thrown instanceof ServiceError) return thrown;
  logUnexpected(thrown);
  if (thrown instanceof StoreUnavailable) return errors.serviceUnavailable();
  return errors.internalFailure();
}
