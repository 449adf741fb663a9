/**
 * Who is calling: the principal the credentials layer resolved from a signed request. This is the
 * shape the authorizer, the handlers and the audit trail all read.
 */

/** A session tag (`aws:PrincipalTag/...` inside a session). */
export interface SessionTag {
  readonly key: string;
  readonly value: string;
}

/** What a session (an `ASIA…` key) carries; sealed inside its session token. */
export interface SessionClaims {
  /** The kind of temporary credential. */
  readonly kind: 'AssumedRole' | 'FederatedUser' | 'SessionToken';
  readonly account: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** AssumedRole: the role. */
  readonly roleName?: string | undefined;
  readonly roleId?: string | undefined;
  readonly rolePath?: string | undefined;
  readonly sessionName?: string | undefined;
  /** SessionToken: the user the token was issued to (absent for the root). FederatedUser: the broker user. */
  readonly userName?: string | undefined;
  readonly userId?: string | undefined;
  /** FederatedUser: the `Name` given to GetFederationToken. */
  readonly federatedName?: string | undefined;
  /** Inline session policy documents (JSON text) and managed session policy ARNs. */
  readonly sessionPolicies?: readonly string[] | undefined;
  readonly sessionPolicyArns?: readonly string[] | undefined;
  readonly tags?: readonly SessionTag[] | undefined;
  readonly transitiveTagKeys?: readonly string[] | undefined;
  /** When MFA was proven (ms since epoch), if it was. */
  readonly mfaAuthenticatedAt?: number | undefined;
  readonly sourceIdentity?: string | undefined;
  /** True when this session was made by a role session (role chaining: at most one hour). */
  readonly chained?: boolean | undefined;
  /**
   * True for a web-console sign-in session (src/console): a password (+ MFA) sign-in, like AWS's console,
   * may use every API the user's policies allow, so the GetSessionToken "no IAM without MFA" rule does
   * not apply to it (authz `checkCredentialKind`). Only the console mints it; it is sealed in the token.
   */
  readonly console?: boolean | undefined;
  /**
   * True for an sts:AssumeRoot session (kind `SessionToken`, no user: the member account's root),
   * limited by the task policy in `sessionPolicyArns` (src/sts/assume-root.ts).
   */
  readonly assumedRoot?: boolean | undefined;
  /**
   * True for a session from sts:GetDelegatedAccessToken (src/sts/delegated-access-token.ts): the owner
   * of a delegation request acting within the delegated permissions (its session policy). Minted as
   * kind `SessionToken` for an IAM user or root owner, it is not bound by GetSessionToken's rules.
   */
  readonly delegated?: boolean | undefined;
  /** Who assumed: `IAMUser`, `AssumedRole`, `Root`, `AWSService`, `WebIdentityUser`, `SAMLUser`, `FederatedUser`. */
  readonly issuerType?: string | undefined;
  /** The ARN (or service / provider) of whoever assumed the role, for the audit trail. */
  readonly issuerArn?: string | undefined;
  /** Web identity / SAML: the provider ARN and subject. */
  readonly federatedProvider?: string | undefined;
  readonly federatedSubject?: string | undefined;
}

/** The caller of an API operation. */
export type Principal =
  | {
      readonly type: 'Root';
      readonly account: string;
      readonly arn: string;
      readonly userId: string;
      readonly accessKeyId: string;
      readonly session?: SessionClaims | undefined;
    }
  | {
      readonly type: 'IAMUser';
      readonly account: string;
      readonly arn: string;
      readonly userId: string;
      readonly userName: string;
      readonly accessKeyId: string;
      readonly session?: SessionClaims | undefined;
    }
  | {
      readonly type: 'AssumedRole';
      readonly account: string;
      /** `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` */
      readonly arn: string;
      /** `AROA…:SESSION` */
      readonly userId: string;
      /** `arn:aws:iam::ACCT:role/PATH/ROLE` */
      readonly roleArn: string;
      readonly roleName: string;
      readonly accessKeyId: string;
      readonly session: SessionClaims;
    }
  | {
      readonly type: 'FederatedUser';
      readonly account: string;
      /** `arn:aws:sts::ACCT:federated-user/NAME` */
      readonly arn: string;
      /** `ACCT:NAME` */
      readonly userId: string;
      readonly accessKeyId: string;
      readonly session: SessionClaims;
    }
  | {
      readonly type: 'Anonymous';
    };
