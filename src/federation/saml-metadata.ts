/**
 * SAML 2.0 IdP metadata (SAML 2.0 Metadata §2.3.2, §2.4.3): the `entityID` and the signing
 * certificates of the `IDPSSODescriptor`, as IAM reads them for CreateSAMLProvider / UpdateSAMLProvider
 * (IAM User Guide, "Create a SAML identity provider in IAM").
 */
import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { NS, XmlRejected, childElements, parseStrictXml, textOf } from './xml.js';

/** What iamd keeps from a metadata document. */
export interface SamlMetadata {
  readonly entityId: string;
  /** PEM certificates usable for signatures (`use="signing"` or no `use`). */
  readonly certificates: readonly string[];
  /** `validUntil` of the entity descriptor (ms since the epoch), when given. */
  readonly validUntil?: number | undefined;
}

function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}

/** Parses IdP metadata; returns undefined for anything IAM would answer "Could not parse metadata". */
export function parseSamlMetadata(text: string): SamlMetadata | undefined {
  try {
    const doc = parseStrictXml(text);
    const root = doc.documentElement;
    if (root === null) return undefined;
    let entity: Element | undefined;
    if (root.namespaceURI === NS.md && root.localName === 'EntityDescriptor') entity = root;
    else if (root.namespaceURI === NS.md && root.localName === 'EntitiesDescriptor')
      entity = childElements(root, NS.md, 'EntityDescriptor').find(
        (e) => childElements(e, NS.md, 'IDPSSODescriptor').length > 0,
      );
    if (entity === undefined) return undefined;
    const entityId = entity.getAttribute('entityID') ?? '';
    if (entityId === '') return undefined;
    const idp = childElements(entity, NS.md, 'IDPSSODescriptor')[0];
    if (idp === undefined) return undefined;
    const certificates: string[] = [];
    for (const kd of childElements(idp, NS.md, 'KeyDescriptor')) {
      const use = kd.getAttribute('use');
      if (use !== null && use !== '' && use !== 'signing') continue;
      for (const ki of childElements(kd, NS.ds, 'KeyInfo'))
        for (const xd of childElements(ki, NS.ds, 'X509Data'))
          for (const xc of childElements(xd, NS.ds, 'X509Certificate')) {
            const b64 = textOf(xc).replace(/\s+/g, '');
            // xs:base64Binary (XML Signature §4.4.4): Buffer.from would skip foreign characters and
            // decode a stray one into a trailing byte, so only canonical base64 is taken.
            if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64))
              return undefined;
            const der = Buffer.from(b64, 'base64');
            // Throws for anything that is not a DER certificate. OpenSSL ignores bytes after the
            // certificate here but not in PEM form, so trailing bytes would store a key that never verifies.
            if (!new X509Certificate(der).raw.equals(der)) return undefined;
            certificates.push(toPem(der));
          }
    }
    if (certificates.length === 0) return undefined;
    const vu = entity.getAttribute('validUntil');
    const validUntil = vu !== null && vu !== '' ? Date.parse(vu) : undefined;
    if (validUntil !== undefined && Number.isNaN(validUntil)) return undefined;
    return { entityId, certificates, validUntil };
  } catch (e) {
    if (e instanceof XmlRejected || e instanceof Error) return undefined;
    throw e;
  }
}
