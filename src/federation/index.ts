/**
 * Federation (issue 5): OpenID Connect ID tokens and SAML 2.0 assertions, verified as strictly as AWS
 * verifies them. The handlers in `sts/` and `iam/` reach it through {@link FederationServices}.
 */
import type { OidcKeySets } from './oidc.js';

export * from './http.js';
export * from './oidc.js';
export * from './saml.js';
export * from './saml-metadata.js';

/** Federation settings and state handed to handlers through `Services.federation`. */
export interface FederationServices {
  /** Cached OIDC key sets (the only outbound HTTP iamd makes). */
  readonly oidcKeys: OidcKeySets;
  /** `--oidc-allow-http-loopback`: providers may be registered with an `http://` loopback URL. */
  readonly oidcAllowHttpLoopback: boolean;
  /** `--saml-one-time-use`: an assertion id seen before is refused (AWS itself accepts replays while valid). */
  readonly samlOneTimeUse: boolean;
  /** Audiences / recipients accepted besides AWS's sign-in SAML endpoints. */
  readonly samlAudiences: readonly string[];
}
