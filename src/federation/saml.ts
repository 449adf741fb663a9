/**
 * Verifying a SAML 2.0 authentication response for sts:AssumeRoleWithSAML (issue 5; IAM User Guide,
 * "Configure SAML assertions for the authentication response"; SAML 2.0 Core §2, Profiles §4.1.4.2).
 *
 * Defences:
 * - DTDs and entities are refused ({@link parseStrictXml}).
 * - Signature wrapping: the response must hold exactly one `Assertion` (no `EncryptedAssertion`), the
 *   `Signature` must be a direct child of the `Response` or of that `Assertion` with one reference to
 *   its parent's `ID`, and every value is read from the bytes the signature covers (xml-crypto's
 *   `getSignedReferences()`), re-parsed — never from the document the signature was found in.
 * - Comments in `NameID`: the signed bytes are canonicalised without comments, and text is read whole.
 * - Only the provider's metadata certificates verify: a certificate inside the assertion's `KeyInfo`
 *   is ignored, and HMAC signature methods are disabled (xml-crypto's default).
 */
import { createHash } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { Element } from '@xmldom/xmldom';
import { AwsError } from '../errors/index.js';
import { NS, XmlRejected, childElements, onlyChild, parseStrictXml, textOf } from './xml.js';

/** Clock skew allowed on `NotBefore` / `NotOnOrAfter` (the same five minutes IAM allows OIDC tokens). */
export const SAML_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The sign-in SAML endpoint AWS expects as `Recipient` (and audience), global form. */
export const AWS_SAML_RECIPIENT = 'https://signin.aws.amazon.com/saml';

/**
 * Whether `url` is an AWS sign-in SAML endpoint: `https://signin.aws.amazon.com/saml`, its `static/`
 * form, or a regional `https://REGION.signin.aws.amazon.com/saml` (optionally `/acs/IDP-ID`), as the
 * IAM User Guide lists for `Recipient`.
 */
export function isAwsSamlEndpoint(url: string): boolean {
  return /^https:\/\/([a-z0-9-]+\.)?signin\.aws\.amazon\.com\/(static\/)?saml(\/acs\/[A-Za-z0-9-]+)?$/.test(
    url,
  );
}

/** Audiences AWS accepts: the sign-in endpoints and `urn:amazon:webservices`. */
export function isAwsSamlAudience(aud: string): boolean {
  return aud === 'urn:amazon:webservices' || isAwsSamlEndpoint(aud);
}

/** What iamd needs from the provider to verify a response. */
export interface SamlVerifyOptions {
  readonly certificates: readonly string[];
  /** The metadata `entityID`: the assertion's `Issuer` must equal it. */
  readonly entityId: string;
  readonly nowMs: number;
  /** Extra accepted audiences / recipients (configured), besides AWS's. */
  readonly extraAudiences?: readonly string[] | undefined;
}

/** A verified assertion. */
export interface VerifiedAssertion {
  readonly id: string;
  readonly issuer: string;
  readonly nameId: string;
  /** `NameID` `Format` (absent: unspecified). */
  readonly nameIdFormat: string | undefined;
  /** `SubjectConfirmationData` `Recipient`. */
  readonly recipient: string;
  /** `SubjectConfirmationData` `NotOnOrAfter` (ms). */
  readonly notOnOrAfter: number;
  /** `AuthnStatement` `SessionNotOnOrAfter` (ms), when given. */
  readonly sessionNotOnOrAfter: number | undefined;
  /** Attribute name → values, in document order. */
  readonly attributes: ReadonlyMap<string, readonly string[]>;
}

function invalid(message: string): AwsError {
  return new AwsError('InvalidIdentityToken', message);
}

function instant(e: Element, attr: string, required: boolean): number | undefined {
  const v = e.getAttribute(attr);
  if (v === null || v === '') {
    if (required) throw invalid(`${e.localName} is missing ${attr}`);
    return undefined;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid(`${e.localName} ${attr} is not a date/time`);
  return t;
}

/** Verifies the signature against each certificate and returns the signed element, re-parsed. */
function signedElement(xml: string, sigNode: Element, certificates: readonly string[]): Element | undefined {
  const parent = sigNode.parentNode as Element | null;
  const parentId = parent?.getAttribute('ID') ?? '';
  if (parent === null || parentId === '') return undefined;
  for (const cert of certificates) {
    const sig = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
    try {
      sig.loadSignature(sigNode.toString());
      const refs = sig.getReferences();
      if (refs.length !== 1 || refs[0]?.uri !== `#${parentId}`) return undefined;
      if (!sig.checkSignature(xml)) continue;
      const signed = sig.getSignedReferences();
      if (signed.length !== 1 || signed[0] === undefined) continue;
      const el = parseStrictXml(signed[0]).documentElement;
      if (el === null || el.namespaceURI !== parent.namespaceURI || el.localName !== parent.localName)
        continue;
      if (el.getAttribute('ID') !== parentId) continue;
      return el;
    } catch {
      continue;
    }
  }
  return undefined;
}

/**
 * Verifies a decoded `SAMLResponse` (`xml`) and returns its one assertion, read from signed bytes.
 * Throws AwsError: InvalidIdentityToken (malformed, signature, issuer, audience, recipient),
 * ExpiredTokenException (time window), IDPRejectedClaim (a non-success status).
 */
export function verifySamlResponse(xml: string, options: SamlVerifyOptions): VerifiedAssertion {
  let response: Element;
  try {
    const doc = parseStrictXml(xml);
    const root = doc.documentElement;
    if (root === null || root.namespaceURI !== NS.samlp || root.localName !== 'Response')
      throw new XmlRejected('not a SAML Response');
    response = root;
    // Exactly one assertion in the whole document: a second (wrapped) copy anywhere is refused.
    if (doc.getElementsByTagNameNS(NS.saml, 'Assertion').length !== 1)
      throw invalid('Invalid SAML response: the response must contain exactly one Assertion');
    if (doc.getElementsByTagNameNS(NS.saml, 'EncryptedAssertion').length !== 0)
      throw invalid('Encrypted SAML assertions are not supported by iamd');
  } catch (e) {
    if (e instanceof AwsError) throw e;
    throw invalid('Invalid SAML response: the document could not be parsed');
  }

  // SAML Core §3.2.2.2: anything but Success means the IdP did not authenticate the user.
  const status = onlyChildSafe(response, NS.samlp, 'Status');
  const code = status ? onlyChildSafe(status, NS.samlp, 'StatusCode')?.getAttribute('Value') : undefined;
  if (code !== 'urn:oasis:names:tc:SAML:2.0:status:Success')
    throw new AwsError('IDPRejectedClaim', 'The identity provider reported that authentication failed');

  const outer = onlyChildSafe(response, NS.saml, 'Assertion');
  if (outer === undefined)
    throw invalid('Invalid SAML response: the Assertion must be a child of the Response');

  // Prefer a signature on the assertion; else one on the whole response.
  let assertion: Element | undefined;
  const assertionSig = childElements(outer, NS.ds, 'Signature');
  const responseSig = childElements(response, NS.ds, 'Signature');
  if (assertionSig.length > 1 || responseSig.length > 1) throw invalid('Response signature invalid');
  if (assertionSig[0] !== undefined) assertion = signedElement(xml, assertionSig[0], options.certificates);
  if (assertion === undefined && responseSig[0] !== undefined) {
    const signedResponse = signedElement(xml, responseSig[0], options.certificates);
    if (signedResponse !== undefined) {
      const inner = childElements(signedResponse, NS.saml, 'Assertion');
      if (inner.length === 1) assertion = inner[0];
    }
  }
  // "Response signature invalid" (IAM User Guide, "Troubleshoot SAML 2.0 federation").
  if (assertion === undefined) throw invalid('Response signature invalid');

  try {
    return readAssertion(assertion, options);
  } catch (e) {
    if (e instanceof AwsError) throw e;
    throw invalid(`Invalid SAML assertion: ${(e as Error).message}`);
  }
}

function onlyChildSafe(parent: Element, ns: string, name: string): Element | undefined {
  try {
    return onlyChild(parent, ns, name);
  } catch {
    throw invalid(`Invalid SAML response: more than one ${name}`);
  }
}

function readAssertion(a: Element, options: SamlVerifyOptions): VerifiedAssertion {
  const now = options.nowMs;
  const id = a.getAttribute('ID') ?? '';
  const issuerEl = onlyChild(a, NS.saml, 'Issuer');
  const issuer = issuerEl !== undefined ? textOf(issuerEl) : '';
  // "Issuer not present in specified provider" (IAM User Guide, "Troubleshoot SAML 2.0 federation").
  if (issuer !== options.entityId) throw invalid('Issuer not present in specified provider');

  const extra = new Set(options.extraAudiences ?? []);
  const subject = onlyChild(a, NS.saml, 'Subject');
  if (subject === undefined) throw invalid('Invalid SAML assertion: no Subject');
  const nameIdEl = onlyChild(subject, NS.saml, 'NameID');
  if (nameIdEl === undefined) throw invalid('Invalid SAML assertion: no NameID');
  const nameId = textOf(nameIdEl);
  const format = nameIdEl.getAttribute('Format');
  // "There must be exactly one SubjectConfirmation element with a SubjectConfirmationData element that
  // includes both the NotOnOrAfter attribute and a Recipient attribute" (IAM User Guide).
  const confirmations = childElements(subject, NS.saml, 'SubjectConfirmation');
  if (confirmations.length !== 1 || confirmations[0] === undefined)
    throw invalid('Invalid SAML assertion: there must be exactly one SubjectConfirmation');
  const data = onlyChild(confirmations[0], NS.saml, 'SubjectConfirmationData');
  if (data === undefined) throw invalid('Invalid SAML assertion: no SubjectConfirmationData');
  const recipient = data.getAttribute('Recipient') ?? '';
  if (!isAwsSamlEndpoint(recipient) && !extra.has(recipient))
    throw invalid(`Invalid SAML assertion: Recipient \`${recipient}\` is not the sign-in SAML endpoint`);
  const notOnOrAfter = instant(data, 'NotOnOrAfter', true) as number;
  if (now >= notOnOrAfter + SAML_CLOCK_SKEW_MS)
    throw new AwsError(
      'ExpiredTokenException',
      'The SAML assertion has expired: SubjectConfirmationData NotOnOrAfter has passed',
    );

  const conditions = onlyChild(a, NS.saml, 'Conditions');
  if (conditions === undefined) throw invalid('Invalid SAML assertion: no Conditions');
  const nb = instant(conditions, 'NotBefore', false);
  const na = instant(conditions, 'NotOnOrAfter', false);
  if (nb !== undefined && now + SAML_CLOCK_SKEW_MS < nb)
    throw invalid('Invalid SAML assertion: Conditions NotBefore is in the future');
  if (na !== undefined && now >= na + SAML_CLOCK_SKEW_MS)
    throw new AwsError(
      'ExpiredTokenException',
      'The SAML assertion has expired: Conditions NotOnOrAfter has passed',
    );
  // SAML Core §2.5.1.4: with several AudienceRestrictions, each must be satisfied.
  const restrictions = childElements(conditions, NS.saml, 'AudienceRestriction');
  if (restrictions.length === 0) throw invalid('Invalid SAML assertion: no AudienceRestriction');
  for (const r of restrictions) {
    const auds = childElements(r, NS.saml, 'Audience').map(textOf);
    if (!auds.some((x) => isAwsSamlAudience(x) || extra.has(x)))
      throw invalid('Invalid SAML assertion: the audience is not the sign-in SAML endpoint');
  }

  const authn = childElements(a, NS.saml, 'AuthnStatement')[0];
  const sessionNotOnOrAfter = authn !== undefined ? instant(authn, 'SessionNotOnOrAfter', false) : undefined;

  const attributes = new Map<string, string[]>();
  for (const st of childElements(a, NS.saml, 'AttributeStatement'))
    for (const attr of childElements(st, NS.saml, 'Attribute')) {
      const name = attr.getAttribute('Name') ?? '';
      const values = childElements(attr, NS.saml, 'AttributeValue').map(textOf);
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  return {
    id,
    issuer,
    nameId,
    nameIdFormat: format !== null && format !== '' ? format : undefined,
    recipient,
    notOnOrAfter,
    sessionNotOnOrAfter,
    attributes,
  };
}

/**
 * `NameQualifier` and `saml:namequalifier`: "BASE64 ( SHA1 ( Issuer + AccountId + "/" + ProviderName ) )"
 * (STS API reference, AssumeRoleWithSAML response `NameQualifier`).
 */
export function nameQualifier(issuer: string, account: string, providerName: string): string {
  return createHash('sha1').update(`${issuer}${account}/${providerName}`, 'utf8').digest('base64');
}

/** `SubjectType` / `saml:sub_type`: `persistent`, `transient`, or the full `Format` URI. */
export function subjectType(format: string | undefined): string {
  if (format === 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent') return 'persistent';
  if (format === 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient') return 'transient';
  return format ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
}

/**
 * Attributes AWS maps to `saml:` condition keys (IAM User Guide, "Mapping SAML attributes to AWS
 * trust policy context keys"): eduPerson / eduOrg OIDs and a few X.500 ones.
 */
export const SAML_ATTRIBUTE_KEYS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': 'saml:edupersonaffiliation',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.2': 'saml:edupersonnickname',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.3': 'saml:edupersonorgdn',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.4': 'saml:edupersonorgunitdn',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.5': 'saml:edupersonprimaryaffiliation',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'saml:edupersonprincipalname',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': 'saml:edupersonentitlement',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.8': 'saml:edupersonprimaryorgunitdn',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': 'saml:edupersonscopedaffiliation',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.10': 'saml:edupersontargetedid',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.11': 'saml:edupersonassurance',
    'urn:oid:1.3.6.1.4.1.5923.1.2.1.2': 'saml:eduorghomepageuri',
    'urn:oid:1.3.6.1.4.1.5923.1.2.1.3': 'saml:eduorgidentityauthnpolicyuri',
    'urn:oid:1.3.6.1.4.1.5923.1.2.1.4': 'saml:eduorglegalname',
    'urn:oid:1.3.6.1.4.1.5923.1.2.1.5': 'saml:eduorgsuperioruri',
    'urn:oid:1.3.6.1.4.1.5923.1.2.1.6': 'saml:eduorgwhitepagesuri',
    'urn:oid:2.5.4.3': 'saml:cn',
    'urn:oid:2.5.4.42': 'saml:givenName',
    'urn:oid:2.5.4.4': 'saml:sn',
    'urn:oid:0.9.2342.19200300.100.1.3': 'saml:mail',
    'urn:oid:0.9.2342.19200300.100.1.1': 'saml:uid',
    'urn:oid:2.16.840.1.113730.3.1.241': 'saml:displayName',
  }),
);
