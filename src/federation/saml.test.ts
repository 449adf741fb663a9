/**
 * SAML 2.0 response verification (src/federation/saml.ts) without a server: responses are built and
 * signed in the test with xml-crypto and a certificate made by openssl (test/federation/saml-idp.ts),
 * then tampered with. Each refusal is asserted by code and message.
 * Rules: IAM User Guide, "Configure SAML assertions for the authentication response"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html) and
 * "Troubleshoot SAML 2.0 federation" (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html:
 * "Response signature invalid", "Issuer not present in specified provider").
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { SignedXml } from 'xml-crypto';
import { AwsError } from '../errors/index.js';
import {
  SAML_CLOCK_SKEW_MS,
  isAwsSamlAudience,
  isAwsSamlEndpoint,
  nameQualifier,
  subjectType,
  verifySamlResponse,
  type SamlVerifyOptions,
} from './saml.js';
import {
  assertionXml,
  makeCert,
  responseXml,
  signAssertion,
  type AssertionSpec,
  type TestCert,
} from '../../test/federation/saml-idp.js';

const ENTITY = 'https://idp.example.com/saml';
const T0 = Date.parse('2026-06-01T12:00:00Z');
const ROLE = 'arn:aws:iam::123456789012:role/saml-admin,arn:aws:iam::123456789012:saml-provider/corp';
const SIG_INVALID = 'Response signature invalid';

let cert: TestCert;
let attacker: TestCert;
before(() => {
  cert = makeCert();
  attacker = makeCert('evil.example.com');
});

function spec(extra: Partial<AssertionSpec> = {}): AssertionSpec {
  return {
    issuer: ENTITY,
    nameId: 'alice@example.com',
    roles: [ROLE],
    sessionName: 'alice',
    now: T0,
    ...extra,
  };
}

function options(extra: Partial<SamlVerifyOptions> = {}): SamlVerifyOptions {
  return { certificates: [cert.certPem], entityId: ENTITY, nowMs: T0, ...extra };
}

/** A response whose assertion is signed (the common IdP shape). */
const signed = (s: Partial<AssertionSpec> = {}, by = cert) =>
  signAssertion(responseXml(assertionXml(spec(s)), ENTITY), by);

/** Signs the whole `samlp:Response` (enveloped signature after its Issuer), as some IdPs do. */
function signResponse(xml: string, by = cert): string {
  const sig = new SignedXml({
    privateKey: by.keyPem,
    publicCert: by.certPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "/*[local-name(.)='Response']",
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
  });
  sig.computeSignature(xml, {
    location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

function refuses(xml: string, code: string, message: string, opts: SamlVerifyOptions = options()): void {
  assert.throws(
    () => verifySamlResponse(xml, opts),
    (e: unknown) => {
      assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
      assert.equal(e.code, code);
      assert.equal(e.message, message);
      return true;
    },
  );
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

test('a valid signed assertion verifies, every value read back', () => {
  const v = verifySamlResponse(
    signed({ id: '_a1', extraAttributes: { 'urn:oid:2.5.4.3': ['Alice'] } }),
    options(),
  );
  assert.equal(v.id, '_a1');
  assert.equal(v.issuer, ENTITY);
  assert.equal(v.nameId, 'alice@example.com');
  assert.equal(v.nameIdFormat, 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
  assert.equal(v.recipient, 'https://signin.aws.amazon.com/saml');
  assert.equal(v.notOnOrAfter, T0 + 300_000);
  assert.equal(v.sessionNotOnOrAfter, undefined);
  assert.deepEqual(v.attributes.get('https://aws.amazon.com/SAML/Attributes/Role'), [ROLE]);
  assert.deepEqual(v.attributes.get('https://aws.amazon.com/SAML/Attributes/RoleSessionName'), ['alice']);
  assert.deepEqual(v.attributes.get('urn:oid:2.5.4.3'), ['Alice']);
});

test('a response signed as a whole (no assertion signature) verifies', () => {
  const v = verifySamlResponse(
    signResponse(responseXml(assertionXml(spec({ id: '_a2' })), ENTITY)),
    options(),
  );
  assert.equal(v.id, '_a2');
  assert.equal(v.nameId, 'alice@example.com');
});

test('any of the provider certificates verifies (key rotation)', () => {
  const v = verifySamlResponse(signed(), options({ certificates: [attacker.certPem, cert.certPem] }));
  assert.equal(v.nameId, 'alice@example.com');
});

test('tampered signed content is refused', () => {
  const xml = signed();
  const tampered = xml.replace('alice@example.com', 'admin@example.com');
  assert.notEqual(tampered, xml);
  refuses(tampered, 'InvalidIdentityToken', SIG_INVALID);
  // An attribute value (the role) changed after signing.
  refuses(xml.replace('role/saml-admin', 'role/root-admin'), 'InvalidIdentityToken', SIG_INVALID);
  // Same for a response-level signature.
  const whole = signResponse(responseXml(assertionXml(spec()), ENTITY));
  refuses(whole.replace('alice@example.com', 'admin@example.com'), 'InvalidIdentityToken', SIG_INVALID);
});

test('a missing signature is refused', () => {
  refuses(responseXml(assertionXml(spec()), ENTITY), 'InvalidIdentityToken', SIG_INVALID);
});

test('a signature by an unknown certificate is refused, whatever certificate its KeyInfo carries', () => {
  const xml = signed({}, attacker);
  // xml-crypto puts the signer's certificate in KeyInfo: it must not be trusted.
  assert.match(xml, /X509Certificate/);
  refuses(xml, 'InvalidIdentityToken', SIG_INVALID);
  refuses(signed(), 'InvalidIdentityToken', SIG_INVALID, options({ certificates: [attacker.certPem] }));
  refuses(signed(), 'InvalidIdentityToken', SIG_INVALID, options({ certificates: [] }));
});

test('an HMAC signature keyed with the public certificate is refused (key confusion)', () => {
  const sig = new SignedXml({
    privateKey: cert.certPem,
    signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.enableHMAC();
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
  });
  sig.computeSignature(responseXml(assertionXml(spec()), ENTITY), {
    location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
  });
  const xml = sig.getSignedXml();
  assert.match(xml, /hmac-sha1/);
  refuses(xml, 'InvalidIdentityToken', SIG_INVALID);
});

test('wrapping: a second, unsigned assertion anywhere in the document is refused', () => {
  const good = signed();
  const evil = assertionXml(spec({ nameId: 'admin@example.com', id: '_evil' }));
  // As a sibling of the signed assertion (before or after it).
  refuses(
    good.replace('<saml:Assertion ', `${evil}<saml:Assertion `),
    'InvalidIdentityToken',
    'Invalid SAML response: the response must contain exactly one Assertion',
  );
  refuses(
    good.replace('</samlp:Response>', `${evil}</samlp:Response>`),
    'InvalidIdentityToken',
    'Invalid SAML response: the response must contain exactly one Assertion',
  );
  // Hidden inside an extension element.
  refuses(
    good.replace('<samlp:Status>', `<samlp:Extensions>${evil}</samlp:Extensions><samlp:Status>`),
    'InvalidIdentityToken',
    'Invalid SAML response: the response must contain exactly one Assertion',
  );
});

test('wrapping: the signed assertion moved out of place and replaced by a forged one is refused', () => {
  const good = signed({ id: '_signed' });
  const start = good.indexOf('<saml:Assertion ');
  const end = good.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
  const signedAssertion = good.slice(start, end);
  // The forged assertion takes the signed one's ID and carries its Signature; the original hides in Extensions.
  const forged = signedAssertion.replace('alice@example.com', 'admin@example.com');
  const wrapped =
    good
      .slice(0, start)
      .replace('<samlp:Status>', `<samlp:Extensions>${signedAssertion}</samlp:Extensions><samlp:Status>`) +
    forged +
    good.slice(end);
  refuses(
    wrapped,
    'InvalidIdentityToken',
    'Invalid SAML response: the response must contain exactly one Assertion',
  );
  // The only assertion sits below the Response instead of as its child.
  refuses(
    good.slice(0, start) + `<samlp:Extensions>${signedAssertion}</samlp:Extensions>` + good.slice(end),
    'InvalidIdentityToken',
    'Invalid SAML response: the Assertion must be a child of the Response',
  );
});

test('wrapping: a signature that covers another element than its parent is refused', () => {
  // Sign the whole response, then move that Signature into the (unsigned) assertion: its reference names
  // the Response ID, not the assertion's, so it proves nothing about the assertion.
  const whole = signResponse(responseXml(assertionXml(spec()), ENTITY));
  const sigStart = whole.indexOf('<Signature');
  const sigEnd = whole.indexOf('</Signature>') + '</Signature>'.length;
  assert.ok(sigStart > 0 && sigEnd > sigStart);
  const signature = whole.slice(sigStart, sigEnd);
  const withoutSig = whole.slice(0, sigStart) + whole.slice(sigEnd);
  const moved = withoutSig.replace(
    /(<saml:Assertion [^>]*><saml:Issuer>[^<]*<\/saml:Issuer>)/,
    `$1${signature}`,
  );
  assert.notEqual(moved, withoutSig);
  refuses(moved, 'InvalidIdentityToken', SIG_INVALID);
});

test('two signatures on the assertion are refused', () => {
  const good = signed();
  const sig = good.slice(good.indexOf('<Signature'), good.indexOf('</Signature>') + '</Signature>'.length);
  refuses(good.replace(sig, sig + sig), 'InvalidIdentityToken', SIG_INVALID);
});

test('a comment inside NameID cannot truncate the signed value', () => {
  const v = verifySamlResponse(signed({ nameIdXml: 'admin@example.com<!---->.evil.com' }), options());
  assert.equal(v.nameId, 'admin@example.com.evil.com');
});

test('the issuer must be the provider entity', () => {
  refuses(
    signed(),
    'InvalidIdentityToken',
    'Issuer not present in specified provider',
    options({ entityId: 'https://other.example.com/saml' }),
  );
});

test('a wrong audience is refused; a configured extra audience is accepted', () => {
  const xml = signed({ audience: 'https://app.example.com' });
  refuses(
    xml,
    'InvalidIdentityToken',
    'Invalid SAML assertion: the audience is not the sign-in SAML endpoint',
  );
  assert.equal(
    verifySamlResponse(xml, options({ extraAudiences: ['https://app.example.com'] })).issuer,
    ENTITY,
  );
  // The regional sign-in endpoint is an AWS audience.
  assert.equal(
    verifySamlResponse(signed({ audience: 'https://eu-west-1.signin.aws.amazon.com/saml' }), options())
      .issuer,
    ENTITY,
  );
});

test('with several AudienceRestrictions each must be satisfied', () => {
  const a = assertionXml(spec()).replace(
    '</saml:AudienceRestriction>',
    '</saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>https://app.example.com</saml:Audience></saml:AudienceRestriction>',
  );
  refuses(
    signAssertion(responseXml(a, ENTITY), cert),
    'InvalidIdentityToken',
    'Invalid SAML assertion: the audience is not the sign-in SAML endpoint',
  );
});

test('a wrong recipient is refused, naming it', () => {
  refuses(
    signed({ recipient: 'https://sp.example.com/acs' }),
    'InvalidIdentityToken',
    'Invalid SAML assertion: Recipient `https://sp.example.com/acs` is not the sign-in SAML endpoint',
  );
  assert.equal(
    verifySamlResponse(
      signed({ recipient: 'https://us-east-2.signin.aws.amazon.com/saml/acs/SAMLSP4ABCDEF' }),
      options(),
    ).recipient,
    'https://us-east-2.signin.aws.amazon.com/saml/acs/SAMLSP4ABCDEF',
  );
});

test('NotOnOrAfter in the past (beyond five minutes of skew) is ExpiredTokenException', () => {
  const xml = signed({ ttl: 300 });
  const until = T0 + 300_000;
  // Inside the skew: accepted.
  assert.equal(
    verifySamlResponse(xml, options({ nowMs: until + SAML_CLOCK_SKEW_MS - 1 })).nameId,
    'alice@example.com',
  );
  refuses(
    xml,
    'ExpiredTokenException',
    'The SAML assertion has expired: SubjectConfirmationData NotOnOrAfter has passed',
    options({ nowMs: until + SAML_CLOCK_SKEW_MS }),
  );
});

test('an expired Conditions NotOnOrAfter is ExpiredTokenException', () => {
  const a = assertionXml(spec({ ttl: 3600 }));
  const short = a.replace(
    /(<saml:Conditions NotBefore="[^"]*" NotOnOrAfter=")[^"]*"/,
    `$1${iso(T0 + 60_000)}"`,
  );
  assert.notEqual(short, a);
  refuses(
    signAssertion(responseXml(short, ENTITY), cert),
    'ExpiredTokenException',
    'The SAML assertion has expired: Conditions NotOnOrAfter has passed',
    options({ nowMs: T0 + 60_000 + SAML_CLOCK_SKEW_MS }),
  );
});

test('Conditions NotBefore in the future (beyond the skew) is refused', () => {
  refuses(
    signed({ now: T0 + 60 * 60_000, ttl: 3600 }),
    'InvalidIdentityToken',
    'Invalid SAML assertion: Conditions NotBefore is in the future',
  );
});

test('malformed time and missing confirmation data are named', () => {
  const bad = assertionXml(spec()).replace(/(SubjectConfirmationData NotOnOrAfter=")[^"]*"/, '$1yesterday"');
  refuses(
    signAssertion(responseXml(bad, ENTITY), cert),
    'InvalidIdentityToken',
    'SubjectConfirmationData NotOnOrAfter is not a date/time',
  );
  const none = assertionXml(spec()).replace(/ NotOnOrAfter="[^"]*" Recipient/, ' Recipient');
  refuses(
    signAssertion(responseXml(none, ENTITY), cert),
    'InvalidIdentityToken',
    'SubjectConfirmationData is missing NotOnOrAfter',
  );
  const two = assertionXml(spec()).replace(
    /(<saml:SubjectConfirmation .*<\/saml:SubjectConfirmation>)/,
    '$1$1',
  );
  refuses(
    signAssertion(responseXml(two, ENTITY), cert),
    'InvalidIdentityToken',
    'Invalid SAML assertion: there must be exactly one SubjectConfirmation',
  );
});

test('a non-success status is IDPRejectedClaim', () => {
  const xml = responseXml(assertionXml(spec()), ENTITY).replace('status:Success', 'status:Requester');
  refuses(
    signAssertion(xml, cert),
    'IDPRejectedClaim',
    'The identity provider reported that authentication failed',
  );
});

test('DTDs, encrypted assertions, other roots and junk are refused', () => {
  const good = signed();
  refuses(
    `<!DOCTYPE r [<!ENTITY x "y">]>${good}`,
    'InvalidIdentityToken',
    'Invalid SAML response: the document could not be parsed',
  );
  refuses(
    good.replace('<samlp:Status>', '<saml:EncryptedAssertion/><samlp:Status>'),
    'InvalidIdentityToken',
    'Encrypted SAML assertions are not supported by iamd',
  );
  for (const junk of ['', 'hello', '<a/>', '<samlp:Response xmlns:samlp="urn:x"/>', good.slice(0, 200)])
    refuses(junk, 'InvalidIdentityToken', 'Invalid SAML response: the document could not be parsed');
});

test('endpoint and audience recognition follows the IAM User Guide list', () => {
  for (const ok of [
    'https://signin.aws.amazon.com/saml',
    'https://signin.aws.amazon.com/static/saml',
    'https://eu-west-1.signin.aws.amazon.com/saml',
    'https://eu-west-1.signin.aws.amazon.com/saml/acs/SAMLSP1234',
  ])
    assert.ok(isAwsSamlEndpoint(ok), ok);
  for (const no of [
    'http://signin.aws.amazon.com/saml',
    'https://signin.aws.amazon.com.evil.com/saml',
    'https://evilsignin.aws.amazon.com/saml',
    'https://signin.aws.amazon.com/saml/',
    'https://signin.aws.amazon.com/saml?x=1',
    'urn:amazon:webservices',
  ])
    assert.ok(!isAwsSamlEndpoint(no), no);
  assert.ok(isAwsSamlAudience('urn:amazon:webservices'));
  assert.ok(!isAwsSamlAudience('urn:amazon:webservices:x'));
});

test('subjectType and nameQualifier', () => {
  assert.equal(subjectType('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'), 'persistent');
  assert.equal(subjectType('urn:oasis:names:tc:SAML:2.0:nameid-format:transient'), 'transient');
  assert.equal(
    subjectType('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'),
    'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  );
  assert.equal(subjectType(undefined), 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
  // STS API reference, AssumeRoleWithSAML: BASE64(SHA1(Issuer + AccountId + "/" + ProviderName)).
  const expected = createHash('sha1')
    .update(Buffer.from('https://idp.example.com/saml123456789012/corp', 'utf8'))
    .digest('base64');
  assert.equal(nameQualifier(ENTITY, '123456789012', 'corp'), expected);
  assert.notEqual(nameQualifier(ENTITY, '123456789012', 'corp2'), expected);
});

/** Whatever comes in, the only failure is an AwsError of the documented codes. */
function onlyAwsErrors(xml: string): void {
  try {
    verifySamlResponse(xml, options());
  } catch (e) {
    if (!(e instanceof AwsError))
      throw new Error(`untyped failure for ${JSON.stringify(xml)}: ${String(e)}`, { cause: e });
    assert.ok(['InvalidIdentityToken', 'ExpiredTokenException', 'IDPRejectedClaim'].includes(e.code), e.code);
  }
}

test('property: arbitrary strings and XML-ish token soup only fail with the typed error', () => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), onlyAwsErrors), { numRuns: 300 });
  const piece = fc.constantFrom(
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r">',
    '</samlp:Response>',
    '<saml:Assertion ID="_a">',
    '</saml:Assertion>',
    '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>',
    `<saml:Issuer>${ENTITY}</saml:Issuer>`,
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">',
    '</ds:Signature>',
    '<ds:Reference URI="#_a"/>',
    '<saml:Subject>',
    '</saml:Subject>',
    '<saml:NameID>x</saml:NameID>',
    '<!---->',
    '<![CDATA[x]]>',
    '&amp;',
    '&bogus;',
    '<?xml version="1.0"?>',
    '<!DOCTYPE x>',
    '"',
    '<',
    '>',
  );
  const soup = fc
    .array(fc.oneof(piece, fc.string({ maxLength: 8 })), { maxLength: 30 })
    .map((p) => p.join(''));
  fc.assert(fc.property(soup, onlyAwsErrors), { numRuns: 500 });
});

test('property: a valid signed response with a random edit only fails with the typed error', () => {
  const good = signed();
  const edit = fc.record({
    at: fc.nat({ max: good.length }),
    cut: fc.nat({ max: 40 }),
    insert: fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom('<', '</saml:Assertion>', '<!---->', '"', ' ID="_x"'),
    ),
  });
  fc.assert(
    fc.property(edit, ({ at, cut, insert }) =>
      onlyAwsErrors(good.slice(0, at) + insert + good.slice(at + cut)),
    ),
    { numRuns: 300 },
  );
});
