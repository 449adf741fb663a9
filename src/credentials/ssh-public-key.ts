/**
 * Parsing of the SSH public keys IAM stores for CodeCommit (UploadSSHPublicKey). AWS accepts an RSA key
 * "encoded in ssh-rsa format or PEM format. The minimum bit-length of the public key is 2048 bits"
 * (UploadSSHPublicKey API reference, SSHPublicKeyBody:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html). The fingerprint is
 * "the MD5 message digest of the SSH public key" (SSHPublicKey data type), which is the classic OpenSSH
 * form: MD5 over the key blob, colon-separated lower-case hex.
 *
 * Never throws: every outcome is a value, the caller maps failures to AWS errors.
 */
import { createHash, createPublicKey } from 'node:crypto';

/** The smallest RSA modulus AWS accepts, in bits (UploadSSHPublicKey API reference). */
export const MIN_SSH_RSA_BITS = 2048;

/** A key IAM accepts. */
export interface ParsedSshKey {
  /** The OpenSSH wire blob (`string "ssh-rsa", mpint e, mpint n`). */
  readonly blob: Buffer;
  /** `ssh-rsa AAAA…` (no comment). */
  readonly openssh: string;
  /** SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly pem: string;
  /** MD5 of the blob, `aa:bb:…` (16 pairs). */
  readonly fingerprint: string;
  readonly bits: number;
}

/** Why a key was refused: the AWS error code that says so. */
export type SshKeyFailure = 'UnrecognizedPublicKeyEncoding' | 'InvalidPublicKey';

/** The outcome of {@link parseSshPublicKey}. */
export type SshKeyResult =
  { readonly ok: true; readonly key: ParsedSshKey } | { readonly ok: false; readonly code: SshKeyFailure };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Reads one SSH `string` (uint32 length + bytes) at `at`; undefined when it overruns. */
function readString(buf: Buffer, at: number): { value: Buffer; next: number } | undefined {
  if (at + 4 > buf.length) return undefined;
  const len = buf.readUInt32BE(at);
  if (at + 4 + len > buf.length) return undefined;
  return { value: buf.subarray(at + 4, at + 4 + len), next: at + 4 + len };
}

/** An SSH `string` field. */
function sshString(value: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(value.length);
  return Buffer.concat([len, value]);
}

/** An unsigned big-endian integer as an SSH `mpint` (RFC 4251 §5: leading zero when the top bit is set). */
function mpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const v = unsigned.subarray(start);
  return sshString(v.length > 0 && (v[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

/** The bit length of an unsigned big-endian integer. */
function bitLength(unsigned: Buffer): number {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  if (i === unsigned.length) return 0;
  return (unsigned.length - i - 1) * 8 + (32 - Math.clz32(unsigned[i]!));
}

/** Builds the accepted key from an RSA public exponent and modulus (unsigned big-endian). */
function fromRsa(e: Buffer, n: Buffer): SshKeyResult {
  const bits = bitLength(n);
  if (bits < MIN_SSH_RSA_BITS || bitLength(e) === 0) return { ok: false, code: 'InvalidPublicKey' };
  let pem: string;
  try {
    const key = createPublicKey({
      key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') },
      format: 'jwk',
    });
    pem = key.export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    return { ok: false, code: 'InvalidPublicKey' };
  }
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(e), mpint(n)]);
  const md5 = createHash('md5').update(blob).digest('hex');
  return {
    ok: true,
    key: {
      blob,
      openssh: `ssh-rsa ${blob.toString('base64')}`,
      pem,
      fingerprint: md5.match(/../g)!.join(':'),
      bits,
    },
  };
}

/** `ssh-rsa <base64> [comment]`. */
function parseOpenSsh(text: string): SshKeyResult {
  const parts = text.split(/[ \t]+/);
  const b64 = parts[1] ?? '';
  if (!BASE64.test(b64) || b64.length % 4 !== 0) return { ok: false, code: 'InvalidPublicKey' };
  const blob = Buffer.from(b64, 'base64');
  const type = readString(blob, 0);
  if (type === undefined || type.value.toString('latin1') !== 'ssh-rsa')
    return { ok: false, code: 'InvalidPublicKey' };
  const e = readString(blob, type.next);
  const n = e === undefined ? undefined : readString(blob, e.next);
  if (e === undefined || n === undefined || n.next !== blob.length)
    return { ok: false, code: 'InvalidPublicKey' };
  // mpints are non-negative here: a set top bit without a leading zero is a negative number.
  if ((e.value[0] ?? 0) & 0x80 || (n.value[0] ?? 0) & 0x80) return { ok: false, code: 'InvalidPublicKey' };
  return fromRsa(e.value, n.value);
}

/** A PEM public key (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`). */
function parsePem(text: string): SshKeyResult {
  let jwk: { kty?: unknown; n?: unknown; e?: unknown };
  try {
    const key = createPublicKey({ key: text, format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa') return { ok: false, code: 'InvalidPublicKey' };
    jwk = key.export({ format: 'jwk' });
  } catch {
    return { ok: false, code: 'InvalidPublicKey' };
  }
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return { ok: false, code: 'InvalidPublicKey' };
  return fromRsa(Buffer.from(jwk.e, 'base64url'), Buffer.from(jwk.n, 'base64url'));
}

/**
 * Parses an SSHPublicKeyBody. Anything that is neither `ssh-rsa …` nor a PEM public key is
 * `UnrecognizedPublicKeyEncoding`; a key in one of those encodings that does not decode, is not RSA or
 * is shorter than {@link MIN_SSH_RSA_BITS} is `InvalidPublicKey`.
 */
export function parseSshPublicKey(body: string): SshKeyResult {
  const text = body.trim();
  if (/^ssh-rsa[ \t]/.test(text) && !text.includes('\n')) return parseOpenSsh(text);
  if (/^-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) return parsePem(text);
  return { ok: false, code: 'UnrecognizedPublicKeyEncoding' };
}
