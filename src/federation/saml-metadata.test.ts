/**
 * SAML IdP metadata parsing (src/federation/saml-metadata.ts): the entity id and signing certificates
 * of an `IDPSSODescriptor` (SAML 2.0 Metadata §2.3.2, §2.4.3; IAM User Guide, "Create a SAML identity
 * provider in IAM", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html).
 * Anything IAM would answer "Could not parse metadata" for is `undefined`, never a throw.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { parseSamlMetadata } from './saml-metadata.js';
import { makeCert, metadataFor, type TestCert } from '../../test/federation/saml-idp.js';

const ENTITY = 'https://idp.example.com/saml';
let cert: TestCert;
let second: TestCert;
before(() => {
  cert = makeCert();
  second = makeCert('idp2.example.com');
});

const keyDescriptor = (b64: string, use?: string) =>
  `<md:KeyDescriptor${use === undefined ? '' : ` use="${use}"`}><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

function entity(descriptors: string, attrs = `entityID="${ENTITY}"`, role = 'IDPSSODescriptor'): string {
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ${attrs}><md:${role} protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${descriptors}</md:${role}></md:EntityDescriptor>`;
}

test('a valid metadata document gives the entity id and the certificate as PEM', () => {
  const m = parseSamlMetadata(metadataFor(ENTITY, cert));
  assert.ok(m !== undefined);
  assert.equal(m.entityId, ENTITY);
  assert.equal(m.validUntil, undefined);
  assert.equal(m.certificates.length, 1);
  const pem = m.certificates[0]!;
  assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
  // The same certificate as the IdP's.
  assert.equal(new X509Certificate(pem).fingerprint256, new X509Certificate(cert.certPem).fingerprint256);
});

test('signing and unqualified keys are kept, encryption keys dropped; whitespace in base64 is ignored', () => {
  const wrapped = second.certB64.replace(/(.{60})/g, '$1\n      ');
  const m = parseSamlMetadata(
    entity(
      keyDescriptor(cert.certB64, 'signing') +
        keyDescriptor(second.certB64, 'encryption') +
        keyDescriptor(wrapped),
    ),
  );
  assert.ok(m !== undefined);
  assert.deepEqual(
    m.certificates.map((p) => new X509Certificate(p).subject),
    ['CN=idp.example.com', 'CN=idp2.example.com'],
  );
});

test('validUntil is read as an instant', () => {
  const m = parseSamlMetadata(
    entity(keyDescriptor(cert.certB64), `entityID="${ENTITY}" validUntil="2030-01-02T03:04:05Z"`),
  );
  assert.equal(m?.validUntil, Date.parse('2030-01-02T03:04:05Z'));
  assert.equal(
    parseSamlMetadata(entity(keyDescriptor(cert.certB64), `entityID="${ENTITY}" validUntil="soon"`)),
    undefined,
  );
});

test('an EntitiesDescriptor yields its first entity with an IdP role', () => {
  const sp = `<md:EntityDescriptor entityID="https://sp.example.com"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keyDescriptor(second.certB64)}</md:SPSSODescriptor></md:EntityDescriptor>`;
  const idp = entity(keyDescriptor(cert.certB64)).replace(
    ' xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"',
    '',
  );
  const m = parseSamlMetadata(
    `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${sp}${idp}</md:EntitiesDescriptor>`,
  );
  assert.equal(m?.entityId, ENTITY);
  assert.equal(m?.certificates.length, 1);
});

test('malformed and unusable documents are undefined', () => {
  const cases: Record<string, string> = {
    empty: '',
    'not XML': 'metadata please',
    'unclosed element': metadataFor(ENTITY, cert).replace('</md:EntityDescriptor>', ''),
    'a DTD (XXE / billion laughs)': `<!DOCTYPE md [<!ENTITY x SYSTEM "file:///etc/passwd">]>${metadataFor(ENTITY, cert)}`,
    'wrong root': '<md:Other xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>',
    'wrong namespace': metadataFor(ENTITY, cert).replace(
      /urn:oasis:names:tc:SAML:2\.0:metadata/,
      'urn:example',
    ),
    'no entityID': entity(keyDescriptor(cert.certB64), ''),
    'empty entityID': entity(keyDescriptor(cert.certB64), 'entityID=""'),
    'SP metadata only': entity(keyDescriptor(cert.certB64), `entityID="${ENTITY}"`, 'SPSSODescriptor'),
    'no certificate': entity(''),
    'only an encryption certificate': entity(keyDescriptor(cert.certB64, 'encryption')),
    'certificate not base64 DER': entity(keyDescriptor('bm90IGEgY2VydGlmaWNhdGU=')),
    'certificate truncated': entity(keyDescriptor(cert.certB64.slice(0, 200))),
    'certificate with child elements': entity(keyDescriptor(`<x/>${cert.certB64}`)),
    'EntitiesDescriptor without an IdP':
      '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>',
  };
  for (const [name, text] of Object.entries(cases)) assert.equal(parseSamlMetadata(text), undefined, name);
});

test('a certificate with trailing bytes or non-base64 characters is refused, not stored unusable', () => {
  // Found by the property test below: OpenSSL reads a DER certificate followed by junk, but the PEM
  // iamd stores from it then fails to load, so the provider would be created and never verify.
  const der = Buffer.from(cert.certB64, 'base64');
  const trailing = Buffer.concat([der, Buffer.from([0])]).toString('base64');
  assert.equal(parseSamlMetadata(entity(keyDescriptor(trailing))), undefined);
  // A stray character that Buffer.from('base64') would silently skip.
  const stray = `${cert.certB64.slice(0, 100)}!${cert.certB64.slice(100)}`;
  assert.equal(parseSamlMetadata(entity(keyDescriptor(stray))), undefined);
  // Base64 without its padding is not canonical xs:base64Binary either.
  assert.equal(
    parseSamlMetadata(entity(keyDescriptor(cert.certB64.replace(/=+$/, '') + '='.repeat(3)))),
    undefined,
  );
});

test('property: arbitrary strings and edits of a valid document never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      assert.equal(parseSamlMetadata(s), undefined);
    }),
    { numRuns: 300 },
  );
  const good = metadataFor(ENTITY, cert);
  fc.assert(
    fc.property(
      fc.nat({ max: good.length }),
      fc.nat({ max: 30 }),
      fc.string({ maxLength: 8 }),
      (at, cut, ins) => {
        const m = parseSamlMetadata(good.slice(0, at) + ins + good.slice(at + cut));
        // Either refused, or a well-formed result whose certificates all parse.
        if (m !== undefined) for (const pem of m.certificates) new X509Certificate(pem);
      },
    ),
    { numRuns: 300 },
  );
});
