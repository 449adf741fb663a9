/**
 * MFA for AssumeRole and GetSessionToken: `SerialNumber` + `TokenCode` checked against the caller's
 * enabled virtual MFA device, the accepted TOTP step recorded in the same transaction so a code is not
 * accepted twice (RFC 6238 §5.2). Texts are AWS's (shared/reference/aws-errors.md §1):
 * - only one of the two given: "MultiFactorAuthentication failed, must provide both MFA serial number
 *   and one time pass code." (y13i/sgviz#9);
 * - wrong or reused code: "MultiFactorAuthentication failed with invalid MFA one time pass code."
 *   (aws/aws-cli#2279: also what a code used twice in a loop gets);
 * - a serial that is not the caller's enabled device: "MultiFactorAuthentication failed, unable to
 *   validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
 *   (two spaces after "code.", aws/aws-cli#6325, 99designs/aws-vault#676).
 */
import type { CallContext } from '../api/operation.js';
import type { Principal } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import { StoreConflict, type StoreTx } from '../store/index.js';
import type { MfaDeviceBody } from '../domain/entities.js';
import { nameKey } from '../domain/names.js';
import { checkMfaCode, mfaSeedAad } from '../domain/mfa-devices.js';
import { verifyTotp } from '../credentials/totp.js';
import { lockoutRecord } from '../authn/lockout.js';
import { userIdentity } from '../audit/event.js';

/** The MFA parameters of a request, when both were given. */
export interface MfaInput {
  readonly serialNumber: string;
  readonly tokenCode: string;
}

/** AccessDenied: both MFA parameters are needed. */
export function mfaBothRequired(): AwsError {
  return new AwsError(
    'AccessDenied',
    'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.',
  );
}

/** AccessDenied: the code did not verify (wrong, expired or already used). */
export function mfaInvalidCode(): AwsError {
  return new AwsError(
    'AccessDenied',
    'MultiFactorAuthentication failed with invalid MFA one time pass code.',
  );
}

/** AccessDenied: the serial number is not an enabled device of the caller. */
export function mfaUnknownDevice(): AwsError {
  return new AwsError(
    'AccessDenied',
    'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
  );
}

/** Reads `SerialNumber`/`TokenCode`: undefined when neither is given; AccessDenied when only one is. */
export function mfaInput(input: {
  readonly SerialNumber?: string | undefined;
  readonly TokenCode?: string | undefined;
}): MfaInput | undefined {
  const serial = input.SerialNumber;
  const code = input.TokenCode;
  if (serial === undefined && code === undefined) return undefined;
  if (serial === undefined || code === undefined) throw mfaBothRequired();
  return { serialNumber: serial, tokenCode: code };
}

/**
 * Checks `mfa` for `principal` before the call's one transaction, so the decision that depends on it
 * can be made first (the transaction then re-checks and records the step with {@link consumeMfa};
 * store reads cannot run while that transaction is open).
 *
 * Guessing is limited (issue #16 item 1): failures count against the caller (`principal:…`, also for
 * serial numbers that are not theirs) and against the caller's own device (`mfa:…`, never against a
 * device the caller does not own, so nobody can lock another user's device). While either is locked
 * the code is not checked, and the answer is the one a wrong code gets: the lock is no oracle.
 */
export async function precheckMfa(
  ctx: Pick<CallContext, 'now' | 'services' | 'store' | 'sourceIp' | 'userAgent' | 'region'>,
  principal: Principal,
  mfa: MfaInput,
): Promise<void> {
  if (principal.type !== 'IAMUser' && principal.type !== 'Root') throw mfaUnknownDevice();
  const index = principal.type === 'IAMUser' ? nameKey(principal.userName) : '';
  const d = await ctx.store.get<MfaDeviceBody>(principal.account, 'mfaDevice', mfa.serialNumber);
  const owned = d !== undefined && d.body.enableDate !== undefined && d.index === index;
  const keys = [`principal:${principal.account}:${principal.type === 'IAMUser' ? principal.userId : 'root'}`];
  if (owned) keys.push(`mfa:${principal.account}:${mfa.serialNumber}`);
  const lockout = ctx.services.lockout;
  const refusal = owned ? mfaInvalidCode() : mfaUnknownDevice();
  if (lockout !== undefined && (await lockout.locked(keys, ctx.now))) throw refusal;
  const seed = owned
    ? ctx.services.unsealSecret(d.body.sealedSeed, mfaSeedAad(principal.account, mfa.serialNumber))
    : undefined;
  if (seed === undefined || verifyTotp(seed, mfa.tokenCode, ctx.now, d?.body.usedSteps ?? []) === undefined) {
    await lockout?.failed(keys, ctx.now, (key, lockMs) =>
      lockoutRecord({
        account: principal.account,
        nowMs: ctx.now,
        eventSource: 'sts.amazonaws.com',
        userIdentity: userIdentity(principal),
        sourceIp: ctx.sourceIp,
        userAgent: ctx.userAgent,
        region: ctx.region,
        subject: key.startsWith('mfa:')
          ? { type: 'AWS::IAM::MFADevice', name: mfa.serialNumber }
          : { type: principal.type === 'IAMUser' ? 'AWS::IAM::User' : 'AWS::IAM::Root', name: principal.arn },
        key,
        lockMs,
      }),
    );
    throw refusal;
  }
  await lockout?.succeeded(keys);
}

/**
 * Verifies `mfa` for `principal` inside `tx` and records the used step there. Only IAM users and the
 * account root own MFA devices; any other caller's serial number cannot be associated with it.
 */
export async function consumeMfa(
  ctx: Pick<CallContext, 'now' | 'services'>,
  tx: StoreTx,
  principal: Principal,
  mfa: MfaInput,
): Promise<void> {
  if (principal.type !== 'IAMUser' && principal.type !== 'Root') throw mfaUnknownDevice();
  const userName = principal.type === 'IAMUser' ? principal.userName : undefined;
  let outcome: Awaited<ReturnType<typeof checkMfaCode>>;
  try {
    outcome = await checkMfaCode(
      tx,
      principal.account,
      userName,
      mfa.serialNumber,
      mfa.tokenCode,
      ctx.now,
      (s, aad) => ctx.services.unsealSecret(s, aad),
    );
  } catch (e) {
    // A concurrent call recorded a step on the same device first: this code may be the one it used.
    if (e instanceof StoreConflict && e.reason === 'version') throw mfaInvalidCode();
    throw e;
  }
  if (outcome === 'wrong-device') throw mfaUnknownDevice();
  if (outcome === 'bad-code') throw mfaInvalidCode();
}
