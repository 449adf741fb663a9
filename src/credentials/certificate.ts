/**
 * X.509 certificates and private keys as IAM takes them (UploadSigningCertificate,
 * UploadServerCertificate: PEM-encoded bodies, chains and keys), parsed with node:crypto. Never throws:
 * outcomes are values, the handlers map them to AWS errors.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';

/** A certificate IAM accepts. */
export interface ParsedCertificate {
  /** SHA-256 fingerprint (`AA:BB:…`), to find the same certificate uploaded twice. */
  readonly fingerprint256: string;
  /** `notAfter`, ms since the epoch (ServerCertificateMetadata `Expiration`). */
  readonly notAfter: number;
  readonly x509: X509Certificate;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Parses one PEM certificate; undefined when it is not exactly one well-formed certificate. */
export function parseCertificate(body: string): ParsedCertificate | undefined {
  const blocks = body.match(PEM_CERT);
  if (blocks === null || blocks.length !== 1) return undefined;
  try {
    const x509 = new X509Certificate(blocks[0]!);
    const notAfter = Date.parse(x509.validTo);
    if (!Number.isFinite(notAfter)) return undefined;
    return { fingerprint256: x509.fingerprint256, notAfter, x509 };
  } catch {
    return undefined;
  }
}

/** Parses a PEM chain (one or more certificates); undefined when any is malformed or none is there. */
export function parseCertificateChain(chain: string): ParsedCertificate[] | undefined {
  const blocks = chain.match(PEM_CERT);
  if (blocks === null) return undefined;
  const out: ParsedCertificate[] = [];
  for (const b of blocks) {
    const c = parseCertificate(b);
    if (c === undefined) return undefined;
    out.push(c);
  }
  return out;
}

/**
 * Whether `privateKeyPem` parses and is the private half of `cert`'s public key: `'malformed'`,
 * `'mismatch'` or `'ok'`. Encrypted keys count as malformed (IAM needs the key in the clear).
 */
export function checkKeyPair(
  cert: ParsedCertificate,
  privateKeyPem: string,
): 'ok' | 'malformed' | 'mismatch' {
  let key;
  try {
    key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch {
    return 'malformed';
  }
  try {
    return cert.x509.checkPrivateKey(key) ? 'ok' : 'mismatch';
  } catch {
    return 'mismatch';
  }
}
