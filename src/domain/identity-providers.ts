/** OIDC and SAML identity providers as STS and the seed files see them: store keys and ARNs. */

/** The store key of an OIDC provider URL: the URL without `https://` / `http://`. */
export function oidcProviderKey(url: string): string {
  return url.replace(/^https?:\/\//i, '');
}

/** The parts of a SAML provider ARN, or undefined. */
export function parseSamlProviderArn(arn: string): { account: string; name: string } | undefined {
  const m = /^arn:aws:iam::(\d{12}):saml-provider\/([\w.-]{1,128})$/.exec(arn);
  return m?.[1] !== undefined && m[2] !== undefined ? { account: m[1], name: m[2] } : undefined;
}
