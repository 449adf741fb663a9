/**
 * sts:AssumeRoleWithSAML (STS API reference; IAM User Guide, "Configure SAML assertions for the
 * authentication response", "Mapping SAML attributes to AWS trust policy context keys",
 * "Troubleshoot SAML 2.0 federation").
 *
 * The assertion is verified against the certificates of the provider's metadata
 * (federation/saml.ts), then the `Role` attribute must list the requested role together with the
 * provider, and the role's trust policy is decided for `{Federated: PROVIDER_ARN}` with the `saml:`
 * keys. AWS accepts one assertion several times while it is valid (SAML CLI tools rely on that);
 * with `--saml-one-time-use` iamd refuses an assertion id it has seen before, recorded in the store so
 * every node sees it.
 */
import type { ContextValue } from '../api/operation.js';
import { stsOperation } from '../api/typed-operation.js';
import { AwsError } from '../errors/index.js';
import type { SamlProviderBody } from '../domain/entities.js';
import { nameKey } from '../domain/names.js';
import { parseSamlProviderArn } from '../domain/identity-providers.js';
import {
  SAML_ATTRIBUTE_KEYS,
  nameQualifier,
  parseSamlMetadata,
  subjectType,
  verifySamlResponse,
} from '../federation/index.js';
import {
  SOURCE_IDENTITY_PATTERN,
  assumeRoleFederated,
  digestKey,
  federationServices,
  notAuthorized,
} from './web-identity.js';

/** AWS's SAML attribute names (IAM User Guide, "Configure SAML assertions"). */
export const SAML_ATTR = {
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  sessionDuration: 'https://aws.amazon.com/SAML/Attributes/SessionDuration',
  principalTagPrefix: 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:',
  transitiveTagKeys: 'https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys',
  sourceIdentity: 'https://aws.amazon.com/SAML/Attributes/SourceIdentity',
} as const;

/** Store meta name prefix of assertion ids already used (one-time use). */
export const SAML_SEEN_META = 'saml-assertion-seen/';

function invalid(message: string): AwsError {
  return new AwsError('InvalidIdentityToken', message);
}

/** Whether the `Role` attribute values name (role, provider), in either order ("role,provider"). */
export function rolePairListed(values: readonly string[], roleArn: string, providerArn: string): boolean {
  return values.some((v) => {
    const parts = v.split(',').map((p) => p.trim());
    return parts.length === 2 && parts.includes(roleArn) && parts.includes(providerArn);
  });
}

/** sts:AssumeRoleWithSAML. */
export const assumeRoleWithSAML = stsOperation<'AssumeRoleWithSAML'>({
  service: 'sts',
  name: 'AssumeRoleWithSAML',
  auth: 'unsigned',
  async handle(input, ctx) {
    const fed = federationServices(ctx);
    const roleArn = input.RoleArn;
    const providerArn = input.PrincipalArn;
    const provParts = parseSamlProviderArn(providerArn);
    const entity =
      provParts === undefined
        ? undefined
        : await ctx.store.get<SamlProviderBody>(provParts.account, 'samlProvider', nameKey(provParts.name));
    const metadata =
      entity !== undefined && entity.body.arn === providerArn
        ? parseSamlMetadata(entity.body.metadataDocument)
        : undefined;
    // "Specified provider doesn't exist" (IAM User Guide, "Troubleshoot SAML 2.0 federation").
    if (provParts === undefined || entity === undefined || metadata === undefined)
      throw invalid("Specified provider doesn't exist.");

    const encoded = input.SAMLAssertion.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw invalid('Invalid SAML response: not base64');
    const xml = Buffer.from(encoded, 'base64').toString('utf8');
    const a = verifySamlResponse(xml, {
      certificates: metadata.certificates,
      entityId: metadata.entityId,
      nowMs: ctx.now,
      extraAudiences: fed.samlAudiences,
    });

    // The assertion must grant this role through this provider; otherwise it is "an assertion for another role".
    if (!rolePairListed(a.attributes.get(SAML_ATTR.role) ?? [], roleArn, providerArn))
      throw notAuthorized('sts:AssumeRoleWithSAML');

    const sessionName = a.attributes.get(SAML_ATTR.roleSessionName)?.[0];
    if (sessionName === undefined || sessionName === '')
      throw invalid('RoleSessionName is required in AuthnResponse');
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
      throw invalid('RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}');

    let durationSeconds = typeof input.DurationSeconds === 'number' ? input.DurationSeconds : undefined;
    const sd = a.attributes.get(SAML_ATTR.sessionDuration)?.[0];
    if (durationSeconds === undefined && sd !== undefined) {
      const n = Number(sd);
      if (!/^\d+$/.test(sd) || n < 900 || n > 43200)
        throw invalid('SessionDuration in AuthnResponse must be an integer between 900 and 43200');
      durationSeconds = n;
    }

    const tags: { key: string; value: string }[] = [];
    for (const [name, values] of a.attributes)
      if (name.startsWith(SAML_ATTR.principalTagPrefix) && values[0] !== undefined)
        tags.push({ key: name.slice(SAML_ATTR.principalTagPrefix.length), value: values[0] });
    const transitiveTagKeys = [...(a.attributes.get(SAML_ATTR.transitiveTagKeys) ?? [])];
    const sourceIdentity = a.attributes.get(SAML_ATTR.sourceIdentity)?.[0];
    if (sourceIdentity !== undefined && !SOURCE_IDENTITY_PATTERN.test(sourceIdentity))
      throw invalid('Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64}');

    const qualifier = nameQualifier(a.issuer, provParts.account, provParts.name);
    const subType = subjectType(a.nameIdFormat);
    const claimContext = Object.create(null) as Record<string, ContextValue>;
    // saml:aud is the Recipient, "not the Audience field" (IAM User Guide, SAML context keys).
    claimContext['saml:aud'] = a.recipient;
    claimContext['saml:sub'] = a.nameId;
    claimContext['saml:sub_type'] = subType;
    claimContext['saml:iss'] = a.issuer;
    claimContext['saml:namequalifier'] = qualifier;
    claimContext['saml:doc'] = `${provParts.account}/${provParts.name}`;
    for (const [name, values] of a.attributes) {
      const key = SAML_ATTRIBUTE_KEYS[name];
      if (key !== undefined && values.length > 0)
        claimContext[key] = values.length === 1 ? (values[0] as string) : values;
    }

    const result = await assumeRoleFederated(ctx, {
      action: 'sts:AssumeRoleWithSAML',
      roleArn,
      providerArn,
      sessionName,
      claimContext,
      tags,
      transitiveTagKeys,
      sourceIdentity,
      durationSeconds,
      notAfter: a.sessionNotOnOrAfter,
      policy: input.Policy,
      policyArns: input.PolicyArns,
      issuerType: 'SAMLUser',
      subject: a.nameId,
    });
    const output: Record<string, unknown> = {
      ...result,
      Subject: a.nameId,
      SubjectType: subType,
      Issuer: a.issuer,
      Audience: a.recipient,
      NameQualifier: qualifier,
    };
    if (!fed.samlOneTimeUse) return output;
    // One-time use: the id is recorded with the audit event in one transaction; a second use is refused.
    const seen = `${SAML_SEEN_META}${digestKey(a.issuer, a.id)}`;
    return ctx.transact(async (tx) => {
      if ((await tx.getMeta(seen)) !== undefined)
        throw invalid(`The SAML assertion \`${a.id}\` has already been used (one-time use is on)`);
      await tx.putMeta(seen, String(a.notOnOrAfter));
      return output;
    });
  },
});
