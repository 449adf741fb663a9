/**
 * A test SAML IdP: a self-signed certificate made with the `openssl` CLI at test time, its metadata
 * document, and responses whose assertion is signed with xml-crypto (exclusive C14N, RSA-SHA256).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

/** A key pair with its certificate. */
export interface TestCert {
  readonly keyPem: string;
  readonly certPem: string;
  /** Base64 DER, as it appears in metadata. */
  readonly certB64: string;
}

/** Makes a self-signed RSA certificate with openssl. */
export function makeCert(cn = 'idp.example.com'): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'iamd-saml-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-subj',
        `/CN=${cn}`,
        '-days',
        '2',
      ],
      { stdio: 'ignore' },
    );
    const keyPem = readFileSync(join(dir, 'k.pem'), 'utf8');
    const certPem = readFileSync(join(dir, 'c.pem'), 'utf8');
    const certB64 = certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    return { keyPem, certPem, certB64 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** IdP metadata (SAML 2.0 Metadata §2.4.3) for `entityId` with one signing certificate. */
export function metadataFor(entityId: string, cert: TestCert): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>${cert.certB64}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${entityId}/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}

/** What goes into a test assertion. */
export interface AssertionSpec {
  readonly issuer: string;
  readonly nameId: string;
  /** `Role` attribute values (`roleArn,providerArn`). */
  readonly roles: readonly string[];
  readonly sessionName?: string | undefined;
  readonly now?: number | undefined;
  /** Lifetime in seconds (default 300). */
  readonly ttl?: number | undefined;
  readonly recipient?: string | undefined;
  readonly audience?: string | undefined;
  readonly extraAttributes?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Raw XML for the NameID element's content (for the comment attack). */
  readonly nameIdXml?: string | undefined;
  readonly id?: string | undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** The unsigned `<saml:Assertion>` XML. */
export function assertionXml(spec: AssertionSpec): string {
  const now = spec.now ?? Date.now();
  const until = iso(now + (spec.ttl ?? 300) * 1000);
  const recipient = spec.recipient ?? 'https://signin.aws.amazon.com/saml';
  const attrs: Record<string, readonly string[]> = {
    'https://aws.amazon.com/SAML/Attributes/Role': spec.roles,
    ...(spec.sessionName !== undefined
      ? { 'https://aws.amazon.com/SAML/Attributes/RoleSessionName': [spec.sessionName] }
      : {}),
    ...(spec.extraAttributes ?? {}),
  };
  const attrXml = Object.entries(attrs)
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${esc(name)}">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
    )
    .join('');
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${spec.id ?? `_a${randomUUID()}`}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${esc(spec.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${spec.nameIdXml ?? esc(spec.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${recipient}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(now - 5000)}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${spec.audience ?? 'urn:amazon:webservices'}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attrXml}</saml:AttributeStatement>` +
    `</saml:Assertion>`
  );
}

/** Signs the assertion inside `responseXml` (enveloped signature after its Issuer). */
export function signAssertion(responseXml: string, cert: TestCert): string {
  const sig = new SignedXml({
    privateKey: cert.keyPem,
    publicCert: cert.certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
  });
  sig.computeSignature(responseXml, {
    location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

/** Wraps an assertion (signed or not) in a successful `samlp:Response`. */
export function responseXml(assertion: string, issuer: string): string {
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomUUID()}" Version="2.0" IssueInstant="${iso(Date.now())}" Destination="https://signin.aws.amazon.com/saml">` +
    `<saml:Issuer>${esc(issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    assertion +
    `</samlp:Response>`
  );
}

/** A signed, base64-encoded SAMLResponse. */
export function signedResponse(spec: AssertionSpec, cert: TestCert): string {
  const xml = signAssertion(responseXml(assertionXml(spec), spec.issuer), cert);
  return Buffer.from(xml, 'utf8').toString('base64');
}
