/**
 * Virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, DeactivateMFADevice,
 * DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices, ResyncMFADevice, GetMFADevice,
 * TagMFADevice, UntagMFADevice, ListMFADeviceTags, (STS and console sign-in check codes with `checkMfaCode` in src/domain/mfa-devices.ts).
 *
 * Storage: `mfaDevice` entities keyed by SerialNumber (`arn:aws:iam::ACCT:mfa/PATH+NAME`); index = the
 * lower-cased user name while enabled for a user, `''` while enabled for the account root, null while
 * unassigned. The TOTP seed is sealed with `services.sealSecret(seed, aad)` where
 * aad = `${account}/${serialNumber}` (`mfaSeedAad`, src/domain/mfa-devices.ts).
 * Shapes and texts: shared/reference/localstack-snapshots/pr-13720/iam/test_iam_mfa (recorded against AWS).
 */
import QRCode from 'qrcode';
import type { CallContext, ContextValue, Operation } from '../api/operation.js';
import { iamOperation, type Mutable, type IamOperation } from '../api/typed-operation.js';
import type { GetMFADeviceOutput, MFADevice, VirtualMFADevice } from '../protocol/shapes/iam.js';
import type { Entity, StoreReader } from '../store/index.js';
import { StoreConflict } from '../store/index.js';
import { AwsError, errors } from '../errors/index.js';
import { makeBase32Seed, verifyTotp } from '../credentials/totp.js';
import { findDevice, mfaSeedAad, pruneSteps } from '../domain/mfa-devices.js';
import {
  callerAccount,
  inputTags,
  mergeTags,
  paginate,
  requestTagContext,
  resourceTagContext,
} from './common.js';
import { nameKey } from '../domain/names.js';
import type { MfaDeviceBody, UserBody } from '../domain/entities.js';
import {
  authorizeOnUser,
  credentialOwner,
  noSuchUser,
  requireUser,
  userSummary,
  type CredentialOwner,
} from './users.js';
import { CASE_INSENSITIVE_TAG_KEYS, taggingOperations } from './tagging.js';

/** IAM quota "MFA devices in use per user": 8 ("IAM and AWS STS quotas"). */
export const MFA_DEVICES_PER_USER = 8;

/** AWS's text for an unknown serial number (recorded: DeactivateMFADevice, DeleteVirtualMFADevice). */
function noSuchDevice(serialNumber: string): AwsError {
  return errors.noSuchEntity(`MFA Device with serial number ${serialNumber} does not exist.`);
}

/** AWS's InvalidAuthenticationCode text (EnableMFADevice / ResyncMFADevice). */
const BAD_CODE = 'Authentication code for device is not valid.';

/**
 * Verifies two consecutive codes, as EnableMFADevice and ResyncMFADevice require ("Type two
 * consecutive one-time passwords", EnableMFADevice API reference): code 2 must be the step right after
 * code 1, both within the verifier's window and not used before. Returns the two steps.
 */
function verifyConsecutive(
  seed: string,
  code1: string,
  code2: string,
  nowMs: number,
  used: readonly number[],
): number[] {
  const s1 = verifyTotp(seed, code1, nowMs, used);
  if (s1 === undefined) throw new AwsError('InvalidAuthenticationCode', BAD_CODE);
  const s2 = verifyTotp(seed, code2, nowMs, [...used, s1]);
  if (s2 !== s1 + 1) throw new AwsError('InvalidAuthenticationCode', BAD_CODE);
  return [s1, s2];
}

/** The `otpauth://` URI an authenticator app scans (Key Uri Format, as AWS's QR codes carry). */
function otpauthUri(name: string, account: string, seed: string): string {
  const issuer = encodeURIComponent('Amazon Web Services');
  return `otpauth://totp/${issuer}:${encodeURIComponent(`${name}@${account}`)}?secret=${seed}&issuer=${issuer}`;
}

/** Authorizes `action` on the device's `mfa` resource (its serial number is its ARN). */
async function authorizeOnDevice(
  ctx: CallContext,
  action: string,
  serialNumber: string,
  extra?: Readonly<Record<string, ContextValue>>,
): Promise<Entity<MfaDeviceBody> | undefined> {
  const account = callerAccount(ctx);
  const device = await findDevice(ctx.store, account, serialNumber);
  const context = { ...(device === undefined ? {} : resourceTagContext(device.body.tags)), ...extra };
  await ctx.authorize({ action, resource: serialNumber, context });
  return device;
}

/**
 * CreateVirtualMFADevice: a new, unassigned device. The answer carries the seed twice — as
 * `Base32StringSeed` (the base32 text) and as `QRCodePNG` (an `otpauth://totp/…` QR code) — both blobs,
 * returned here as bytes for the protocol renderer to base64-encode. The seed is never shown again.
 */
export const createVirtualMfaDevice = iamOperation<'CreateVirtualMFADevice'>({
  service: 'iam',
  name: 'CreateVirtualMFADevice',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const name = input.VirtualMFADeviceName;
    const path = input.Path ?? '/';
    const tags = inputTags(input.Tags);
    const serialNumber = `arn:aws:iam::${account}:mfa${path}${name}`;
    await ctx.authorize({
      action: 'iam:CreateVirtualMFADevice',
      resource: serialNumber,
      context: requestTagContext(tags),
    });
    const checkedTags = mergeTags([], tags);
    const seed = makeBase32Seed((n) => ctx.services.random(n));
    const png = await QRCode.toBuffer(otpauthUri(name, account, seed), { type: 'png' });
    return ctx.transact(async (tx) => {
      const body: MfaDeviceBody = {
        serialNumber,
        sealedSeed: ctx.services.sealSecret(seed, mfaSeedAad(account, serialNumber)),
        createDate: ctx.now,
        tags: checkedTags,
        usedSteps: [],
      };
      try {
        await tx.insert(account, 'mfaDevice', serialNumber, body, null);
      } catch (e) {
        if (e instanceof StoreConflict && e.reason === 'exists')
          throw errors.alreadyExists('MFA device already exists.');
        throw e;
      }
      const out: Mutable<VirtualMFADevice> = {
        SerialNumber: serialNumber,
        Base32StringSeed: new Uint8Array(Buffer.from(seed, 'ascii')),
        QRCodePNG: new Uint8Array(png),
      };
      if (checkedTags.length > 0) out.Tags = checkedTags;
      return { VirtualMFADevice: out };
    });
  },
});

/**
 * EnableMFADevice: assigns a device to a user after proving possession with two consecutive codes.
 * A device already assigned answers `MFA Device is already in use.` (recorded).
 */
export const enableMfaDevice = iamOperation<'EnableMFADevice'>({
  service: 'iam',
  name: 'EnableMFADevice',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const userName = input.UserName;
    const serialNumber = input.SerialNumber;
    const found = await authorizeOnUser(ctx, account, 'iam:EnableMFADevice', userName);
    if (found === undefined) throw noSuchUser(userName);
    return ctx.transact(async (tx) => {
      const user = await requireUser(tx, account, userName);
      const device = await findDevice(tx, account, serialNumber);
      if (device === undefined) throw noSuchDevice(serialNumber);
      if (device.body.enableDate !== undefined) throw errors.alreadyExists('MFA Device is already in use.');
      const inUse = await tx.list<MfaDeviceBody>(account, 'mfaDevice', { index: user.key });
      if (inUse.length >= MFA_DEVICES_PER_USER)
        throw errors.limitExceeded(`Cannot exceed quota for MFADevicesPerUser: ${MFA_DEVICES_PER_USER}`);
      const seed = ctx.services.unsealSecret(device.body.sealedSeed, mfaSeedAad(account, serialNumber));
      const used = pruneSteps(device.body.usedSteps, ctx.now);
      const steps = verifyConsecutive(
        seed,
        input.AuthenticationCode1,
        input.AuthenticationCode2,
        ctx.now,
        used,
      );
      const body: MfaDeviceBody = {
        ...device.body,
        userName: user.body.userName,
        enableDate: ctx.now,
        usedSteps: [...used, ...steps],
      };
      await tx.update(account, 'mfaDevice', serialNumber, body, {
        index: user.key,
        expectedVersion: device.version,
      });
      return {};
    });
  },
});

/** Reads a device that must be enabled for `owner`, else AWS's "does not exist". */
async function requireOwnedDevice(
  reader: StoreReader,
  account: string,
  owner: CredentialOwner,
  serialNumber: string,
): Promise<Entity<MfaDeviceBody>> {
  const d = await findDevice(reader, account, serialNumber);
  if (d === undefined || d.body.enableDate === undefined || d.index !== owner.index)
    throw noSuchDevice(serialNumber);
  return d;
}

/** DeactivateMFADevice: unassigns the device; it stays as an unassigned virtual device. */
export const deactivateMfaDevice = iamOperation<'DeactivateMFADevice'>({
  service: 'iam',
  name: 'DeactivateMFADevice',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const serialNumber = input.SerialNumber;
    const owner = await credentialOwner(ctx, account, 'iam:DeactivateMFADevice', input.UserName);
    return ctx.transact(async (tx) => {
      const d = await requireOwnedDevice(tx, account, owner, serialNumber);
      const body: MfaDeviceBody = { ...d.body, userName: undefined, enableDate: undefined, usedSteps: [] };
      await tx.update(account, 'mfaDevice', serialNumber, body, { index: null, expectedVersion: d.version });
      return {};
    });
  },
});

/** DeleteVirtualMFADevice: only an unassigned device can be deleted ("deactivate … before you can delete it"). */
export const deleteVirtualMfaDevice = iamOperation<'DeleteVirtualMFADevice'>({
  service: 'iam',
  name: 'DeleteVirtualMFADevice',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const serialNumber = input.SerialNumber;
    await authorizeOnDevice(ctx, 'iam:DeleteVirtualMFADevice', serialNumber);
    return ctx.transact(async (tx) => {
      const d = await findDevice(tx, account, serialNumber);
      if (d === undefined) throw noSuchDevice(serialNumber);
      if (d.body.enableDate !== undefined)
        throw errors.deleteConflict('Cannot delete entity, must deactivate MFA device first.');
      await tx.delete(account, 'mfaDevice', serialNumber);
      return {};
    });
  },
});

/** ListMFADevices: the devices enabled for a user (or for the calling root). */
export const listMfaDevices = iamOperation<'ListMFADevices'>({
  service: 'iam',
  name: 'ListMFADevices',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const owner = await credentialOwner(ctx, account, 'iam:ListMFADevices', input.UserName);
    const devices = await ctx.store.list<MfaDeviceBody>(account, 'mfaDevice', { index: owner.index });
    const { page, IsTruncated, Marker } = paginate(devices, (d) => d.key, input, ctx.services);
    return {
      MFADevices: page.map((d) => {
        const o: Mutable<MFADevice> = {
          SerialNumber: d.body.serialNumber,
          EnableDate: d.body.enableDate,
        };
        if (d.body.userName !== undefined) o.UserName = d.body.userName;
        return o;
      }),
      IsTruncated,
      ...(Marker === undefined ? {} : { Marker }),
    };
  },
});

/**
 * ListVirtualMFADevices: every virtual device of the account, filtered by AssignmentStatus (default
 * Any). Assigned ones carry `EnableDate` and the `User` summary (recorded `list-assigned-with-user`);
 * for a root device the user is the root (`Arn` `…:root`, `UserId` the account id).
 */
export const listVirtualMfaDevices = iamOperation<'ListVirtualMFADevices'>({
  service: 'iam',
  name: 'ListVirtualMFADevices',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:ListVirtualMFADevices', resource: '*' });
    const status = input.AssignmentStatus ?? 'Any';
    const all = (await ctx.store.list<MfaDeviceBody>(account, 'mfaDevice')).filter((d) => {
      const assigned = d.body.enableDate !== undefined;
      return status === 'Any' || (status === 'Assigned') === assigned;
    });
    const { page, IsTruncated, Marker } = paginate(all, (d) => d.key, input, ctx.services);
    const out: VirtualMFADevice[] = [];
    for (const d of page) {
      const o: Mutable<VirtualMFADevice> = { SerialNumber: d.body.serialNumber };
      if (d.body.enableDate !== undefined) {
        if (d.body.userName === undefined) {
          o.User = {
            UserId: account,
            Arn: `arn:aws:iam::${account}:root`,
            CreateDate: (await ctx.store.getAccount(account))?.createdAt ?? 0,
          };
        } else {
          const u = await ctx.store.get<UserBody>(account, 'user', nameKey(d.body.userName));
          if (u !== undefined) o.User = userSummary(u.body);
        }
        o.EnableDate = d.body.enableDate;
      }
      out.push(o);
    }
    return { VirtualMFADevices: out, IsTruncated, ...(Marker === undefined ? {} : { Marker }) };
  },
});

/**
 * ResyncMFADevice: re-proves the device with two consecutive codes. iamd's verifier keeps no per-device
 * clock offset (it always accepts one step either side), so a successful resync records the two codes
 * as used and changes nothing else.
 */
export const resyncMfaDevice = iamOperation<'ResyncMFADevice'>({
  service: 'iam',
  name: 'ResyncMFADevice',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const serialNumber = input.SerialNumber;
    const owner = await credentialOwner(ctx, account, 'iam:ResyncMFADevice', input.UserName);
    return ctx.transact(async (tx) => {
      const d = await requireOwnedDevice(tx, account, owner, serialNumber);
      const seed = ctx.services.unsealSecret(d.body.sealedSeed, mfaSeedAad(account, serialNumber));
      const used = pruneSteps(d.body.usedSteps, ctx.now);
      const steps = verifyConsecutive(
        seed,
        input.AuthenticationCode1,
        input.AuthenticationCode2,
        ctx.now,
        used,
      );
      await tx.update(
        account,
        'mfaDevice',
        serialNumber,
        { ...d.body, usedSteps: [...used, ...steps] },
        { expectedVersion: d.version },
      );
      return {};
    });
  },
});

/** GetMFADevice: a device enabled for the user (virtual devices have no FIDO `Certifications`). */
export const getMfaDevice = iamOperation<'GetMFADevice'>({
  service: 'iam',
  name: 'GetMFADevice',
  async handle(input, ctx) {
    const account = callerAccount(ctx);
    const serialNumber = input.SerialNumber;
    const owner = await credentialOwner(ctx, account, 'iam:GetMFADevice', input.UserName);
    const d = await requireOwnedDevice(ctx.store, account, owner, serialNumber);
    const out: Mutable<GetMFADeviceOutput> = {
      SerialNumber: d.body.serialNumber,
      EnableDate: d.body.enableDate,
    };
    if (d.body.userName !== undefined) out.UserName = d.body.userName;
    return out;
  },
});

/** TagMFADevice, UntagMFADevice and ListMFADeviceTags (keys case-insensitive). */
const mfaDeviceTagging = taggingOperations<'MFADevice', MfaDeviceBody>({
  noun: 'MFADevice',
  resourceId: (input) => input.SerialNumber,
  keys: CASE_INSENSITIVE_TAG_KEYS,
  async load(ctx, serialNumber, action, extra) {
    const d = await authorizeOnDevice(ctx, action, serialNumber, extra);
    if (d === undefined) throw noSuchDevice(serialNumber);
    return d;
  },
  writeTags(ctx, serialNumber, _loaded, change) {
    const account = callerAccount(ctx);
    return ctx.transact(async (tx) => {
      const d = await findDevice(tx, account, serialNumber);
      if (d === undefined) throw noSuchDevice(serialNumber);
      const body = { ...d.body, tags: change(d.body.tags) };
      await tx.update(account, 'mfaDevice', serialNumber, body, { expectedVersion: d.version });
      return {};
    });
  },
});

/** TagMFADevice. */
export const tagMfaDevice: IamOperation<'TagMFADevice'> = mfaDeviceTagging.tag;

/** UntagMFADevice. */
export const untagMfaDevice: IamOperation<'UntagMFADevice'> = mfaDeviceTagging.untag;

/** ListMFADeviceTags. */
export const listMfaDeviceTags: IamOperation<'ListMFADeviceTags'> = mfaDeviceTagging.list;

/** The MFA operations, registered in `src/iam/index.ts`. */
export const mfaDeviceOperations: readonly Operation[] = [
  createVirtualMfaDevice,
  enableMfaDevice,
  deactivateMfaDevice,
  deleteVirtualMfaDevice,
  listMfaDevices,
  listVirtualMfaDevices,
  resyncMfaDevice,
  getMfaDevice,
  tagMfaDevice,
  untagMfaDevice,
  listMfaDeviceTags,
];
