/**
 * Virtual MFA devices as the rest of iamd sees them: where a device's seed is sealed, how a code is
 * checked and its step recorded (STS and console sign-in); the IAM handlers are src/iam/mfa-devices.ts.
 */
import type { Entity, StoreReader, StoreTx } from '../store/index.js';
import { totpStep, verifyTotp } from '../credentials/totp.js';
import type { MfaDeviceBody } from './entities.js';
import { nameKey } from './names.js';

/** The aad an MFA seed is sealed under: `${account}/${serialNumber}`. */
export function mfaSeedAad(account: string, serialNumber: string): string {
  return `${account}/${serialNumber}`;
}

/** Used TOTP steps older than the acceptance window can never match again, so they are dropped. */
export function pruneSteps(steps: readonly number[], nowMs: number): number[] {
  const oldest = totpStep(nowMs) - 2;
  return steps.filter((s) => s >= oldest);
}

/** Reads a device by serial number. */
export async function findDevice(
  reader: StoreReader,
  account: string,
  serialNumber: string,
): Promise<Entity<MfaDeviceBody> | undefined> {
  return reader.get<MfaDeviceBody>(account, 'mfaDevice', serialNumber);
}

/**
 * Checks an MFA code presented to STS (GetSessionToken / AssumeRole `SerialNumber` + `TokenCode`) and,
 * when it is good, records its time step on the device in the same transaction, so the code cannot be
 * replayed (RFC 6238 §5.2). Call it inside the STS call's `ctx.transact`: the check and the write then
 * commit together, and two concurrent uses of one code cannot both pass (the second fails the version
 * check and its transaction rolls back).
 *
 * `userName` is the calling user's name, or undefined for the account root. Returns `wrong-device` when
 * the serial is unknown or not enabled for that caller, `bad-code` when the code does not verify (or was
 * already used), `ok` otherwise. `unseal` is `services.unsealSecret`.
 */
export async function checkMfaCode(
  tx: StoreTx,
  account: string,
  userName: string | undefined,
  serialNumber: string,
  code: string,
  nowMs: number,
  unseal: (sealed: string, aad: string) => string,
): Promise<'ok' | 'wrong-device' | 'bad-code'> {
  const d = await findDevice(tx, account, serialNumber);
  const index = userName === undefined ? '' : nameKey(userName);
  if (d === undefined || d.body.enableDate === undefined || d.index !== index) return 'wrong-device';
  const seed = unseal(d.body.sealedSeed, mfaSeedAad(account, serialNumber));
  const used = pruneSteps(d.body.usedSteps, nowMs);
  const step = verifyTotp(seed, code, nowMs, used);
  if (step === undefined) return 'bad-code';
  await tx.update(
    account,
    'mfaDevice',
    serialNumber,
    { ...d.body, usedSteps: [...used, step] },
    { expectedVersion: d.version },
  );
  return 'ok';
}
