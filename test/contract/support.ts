/**
 * Assertions the contract tests share. Every error test asserts code AND message (STYLE.md); the IAM
 * tests also pin the SDK's `$fault` (`client` for every 4xx AWS error, as the SDK derives it from the
 * modelled error or the HTTP status; AWS SDK for JavaScript v3, "Error handling").
 */
import assert from 'node:assert/strict';

/** The parts of an SDK v3 service error these tests assert. */
export interface SdkError {
  name: string;
  message: string;
  $fault: string;
  $metadata: { httpStatusCode?: number };
}

/** Awaits `p`, which must reject, and returns the SDK error. */
export async function rejection(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  assert.fail('expected the call to fail');
}

/**
 * Asserts that `p` fails with an AWS error: `name` is the SDK's error name (the wire code, or for
 * modelled errors the shape name, e.g. `MalformedPolicyDocumentException`), plus HTTP status and message.
 */
export async function expectAwsError(
  p: Promise<unknown>,
  name: string,
  status: number,
  message: string,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(err.name, name, `error name (message: ${err.message})`);
    assert.equal(err.$metadata?.httpStatusCode, status, 'HTTP status');
    assert.equal(err.message, message);
    return true;
  });
}

/**
 * Asserts that `p` fails with a typed SDK client error: name, `$fault` `client`, HTTP status and AWS's
 * exact message.
 */
export async function expectClientError(
  p: Promise<unknown>,
  name: string,
  status: number,
  message: string,
): Promise<void> {
  const err = await rejection(p);
  assert.equal(err.name, name, `${err.name}: ${err.message}`);
  assert.equal(err.$fault, 'client');
  assert.equal(err.$metadata.httpStatusCode, status);
  assert.equal(err.message, message);
}
