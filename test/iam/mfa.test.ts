/**
 * Virtual MFA devices and STS's checkMfaCode. Expected shapes and texts from
 * shared/reference/localstack-snapshots/pr-13720/iam/test_iam_mfa.snapshot.json (recorded against AWS).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  createVirtualMfaDevice,
  deactivateMfaDevice,
  deleteVirtualMfaDevice,
  enableMfaDevice,
  getMfaDevice,
  listMfaDevices,
  listMfaDeviceTags,
  listVirtualMfaDevices,
  resyncMfaDevice,
  tagMfaDevice,
  untagMfaDevice,
} from '../../src/iam/mfa-devices.js';
import { checkMfaCode } from '../../src/domain/mfa-devices.js';
import { createUser, deleteUser, updateUser } from '../../src/iam/users.js';
import { TOTP_STEP_SECONDS, totpCode } from '../../src/credentials/totp.js';
import { ACCOUNT, assertError, makeHarness, type Harness } from './harness-identities.js';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await h.call(createUser, { UserName: 'u' });
});
afterEach(async () => {
  await h.close();
});

const STEP = TOTP_STEP_SECONDS * 1000;

async function newDevice(name = 'dev', path?: string): Promise<{ serial: string; seed: string }> {
  const out = (
    await h.call(createVirtualMfaDevice, { VirtualMFADeviceName: name, ...(path ? { Path: path } : {}) })
  ).VirtualMFADevice as Record<string, unknown>;
  return {
    serial: out.SerialNumber as string,
    seed: Buffer.from(out.Base32StringSeed as Uint8Array).toString('ascii'),
  };
}

/** Two consecutive codes, the second for the step of `h.now` (as pyotp does in the recorded test). */
function codes(seed: string): { AuthenticationCode1: string; AuthenticationCode2: string } {
  return { AuthenticationCode1: totpCode(seed, h.now - STEP), AuthenticationCode2: totpCode(seed, h.now) };
}

describe('virtual MFA devices', () => {
  it('creates a device: serial with path, base32 seed and a PNG QR code (create-mfa-device)', async () => {
    const out = (await h.call(createVirtualMfaDevice, { VirtualMFADeviceName: 'd1', Path: '/test-path/' }))
      .VirtualMFADevice as Record<string, unknown>;
    assert.equal(out.SerialNumber, `arn:aws:iam::${ACCOUNT}:mfa/test-path/d1`);
    assert.match(Buffer.from(out.Base32StringSeed as Uint8Array).toString('ascii'), /^[A-Z2-7]{32}$/);
    const png = Buffer.from(out.QRCodePNG as Uint8Array);
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(h.authorized.at(-1)?.resource, out.SerialNumber);
    assertError(
      await h.fail(createVirtualMfaDevice, { VirtualMFADeviceName: 'd1', Path: '/test-path/' }),
      'EntityAlreadyExists',
      'MFA device already exists.',
    );
  });

  it('enables with two consecutive codes, lists, deactivates (test_enable_virtual_mfa_device)', async () => {
    const { serial, seed } = await newDevice();
    assert.deepEqual(await h.call(listMfaDevices, { UserName: 'u' }), { MFADevices: [], IsTruncated: false });
    const enabledAt = h.now;
    await h.call(enableMfaDevice, { UserName: 'u', SerialNumber: serial, ...codes(seed) });
    assert.deepEqual(await h.call(listMfaDevices, { UserName: 'u' }), {
      MFADevices: [{ SerialNumber: serial, EnableDate: enabledAt, UserName: 'u' }],
      IsTruncated: false,
    });
    const assigned = (await h.call(listVirtualMfaDevices, { AssignmentStatus: 'Assigned' }))
      .VirtualMFADevices as Record<string, unknown>[];
    assert.equal(assigned.length, 1);
    assert.equal((assigned[0]?.User as Record<string, unknown>).UserName, 'u');
    assert.equal(assigned[0]?.EnableDate, enabledAt);
    assert.deepEqual(
      (await h.call(listVirtualMfaDevices, { AssignmentStatus: 'Unassigned' })).VirtualMFADevices,
      [],
    );
    const got = await h.call(getMfaDevice, { UserName: 'u', SerialNumber: serial });
    assert.deepEqual(got, { SerialNumber: serial, EnableDate: enabledAt, UserName: 'u' });
    // enable-mfa-already-attached-error
    assertError(
      await h.fail(enableMfaDevice, { UserName: 'u', SerialNumber: serial, ...codes(seed) }),
      'EntityAlreadyExists',
      'MFA Device is already in use.',
    );
    // A user with an MFA device cannot be deleted.
    assertError(
      await h.fail(deleteUser, { UserName: 'u' }),
      'DeleteConflict',
      'Cannot delete entity, must delete MFA device first.',
    );
    assertError(
      await h.fail(deleteVirtualMfaDevice, { SerialNumber: serial }),
      'DeleteConflict',
      'Cannot delete entity, must deactivate MFA device first.',
    );
    await h.call(deactivateMfaDevice, { UserName: 'u', SerialNumber: serial });
    assert.deepEqual(await h.call(listMfaDevices, { UserName: 'u' }), { MFADevices: [], IsTruncated: false });
    assert.deepEqual((await h.call(listVirtualMfaDevices, {})).VirtualMFADevices, [{ SerialNumber: serial }]);
    await h.call(deleteVirtualMfaDevice, { SerialNumber: serial });
    assertError(
      await h.fail(deleteVirtualMfaDevice, { SerialNumber: serial }),
      'NoSuchEntity',
      `MFA Device with serial number ${serial} does not exist.`,
    );
  });

  it('rejects wrong or non-consecutive codes', async () => {
    const { serial, seed } = await newDevice();
    const bad = 'Authentication code for device is not valid.';
    assertError(
      await h.fail(enableMfaDevice, {
        UserName: 'u',
        SerialNumber: serial,
        AuthenticationCode1: '000000',
        AuthenticationCode2: '000000',
      }),
      'InvalidAuthenticationCode',
      bad,
    );
    assertError(
      await h.fail(enableMfaDevice, {
        UserName: 'u',
        SerialNumber: serial,
        AuthenticationCode1: totpCode(seed, h.now),
        AuthenticationCode2: totpCode(seed, h.now - STEP),
      }),
      'InvalidAuthenticationCode',
      bad,
    );
  });

  it('error texts for unknown users and devices (test_enable_mfa_device_errors)', async () => {
    const { serial } = await newDevice();
    assertError(
      await h.fail(enableMfaDevice, {
        UserName: 'nonexistent-user',
        SerialNumber: serial,
        AuthenticationCode1: '123456',
        AuthenticationCode2: '654321',
      }),
      'NoSuchEntity',
      'The user with name nonexistent-user cannot be found.',
    );
    assertError(
      await h.fail(deactivateMfaDevice, { UserName: 'nonexistent-user', SerialNumber: serial }),
      'NoSuchEntity',
      'The user with name nonexistent-user cannot be found.',
    );
    const missing = `arn:aws:iam::${ACCOUNT}:mfa/nonexistent-mfa`;
    assertError(
      await h.fail(deactivateMfaDevice, { UserName: 'u', SerialNumber: missing }),
      'NoSuchEntity',
      `MFA Device with serial number ${missing} does not exist.`,
    );
  });

  it('follows a user rename (test_user_rename_updates_mfa_devices)', async () => {
    const { serial, seed } = await newDevice();
    await h.call(enableMfaDevice, { UserName: 'u', SerialNumber: serial, ...codes(seed) });
    await h.call(updateUser, { UserName: 'u', NewUserName: 'v' });
    const list = (await h.call(listMfaDevices, { UserName: 'v' })).MFADevices as Record<string, unknown>[];
    assert.deepEqual(
      list.map((d) => [d.SerialNumber, d.UserName]),
      [[serial, 'v']],
    );
  });

  it('tags, untags and lists device tags', async () => {
    const { serial } = await newDevice();
    await h.call(tagMfaDevice, {
      SerialNumber: serial,
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    });
    await h.call(untagMfaDevice, { SerialNumber: serial, TagKeys: ['a'] });
    assert.deepEqual(await h.call(listMfaDeviceTags, { SerialNumber: serial }), {
      Tags: [{ Key: 'b', Value: '2' }],
      IsTruncated: false,
    });
  });

  it('resyncs with two fresh consecutive codes', async () => {
    const { serial, seed } = await newDevice();
    await h.call(enableMfaDevice, { UserName: 'u', SerialNumber: serial, ...codes(seed) });
    h.now += 5 * STEP;
    await h.call(resyncMfaDevice, { UserName: 'u', SerialNumber: serial, ...codes(seed) });
    h.now -= 1000;
    assertError(
      await h.fail(resyncMfaDevice, { UserName: 'u', SerialNumber: serial, ...codes(seed) }),
      'InvalidAuthenticationCode',
      'Authentication code for device is not valid.',
    );
  });
});

describe('checkMfaCode (for STS)', () => {
  it('accepts a good code once, refuses replays, wrong devices and wrong users', async () => {
    const { serial, seed } = await newDevice();
    await h.call(enableMfaDevice, { UserName: 'u', SerialNumber: serial, ...codes(seed) });
    const now = h.now + 10 * STEP;
    const code = totpCode(seed, now);
    const check = (user: string | undefined, s: string, c: string): Promise<string> =>
      h.store.transact((tx) => checkMfaCode(tx, ACCOUNT, user, s, c, now, h.unseal));
    assert.equal(await check('U', serial, code), 'ok');
    assert.equal(await check('u', serial, code), 'bad-code', 'a code is accepted once');
    assert.equal(await check('u', serial, '000000'), 'bad-code');
    assert.equal(await check('other', serial, totpCode(seed, now + STEP)), 'wrong-device');
    assert.equal(await check(undefined, serial, totpCode(seed, now + STEP)), 'wrong-device');
    assert.equal(await check('u', `arn:aws:iam::${ACCOUNT}:mfa/none`, code), 'wrong-device');
  });
});
