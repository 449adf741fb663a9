/**
 * The bodies of the IAM entities as iamd stores them (see store/index.ts for the envelope). Times are
 * milliseconds since the epoch; wire rendering (ISO-8601) happens in the handlers' output mapping.
 * Policy documents are stored as the validated JSON text the caller sent (AWS returns it URL-encoded).
 */

/** A tag on an IAM resource. */
export interface TagBody {
  readonly Key: string;
  readonly Value: string;
}

/** Inline policies of a user, group or role: name -> document text. Insertion order is kept. */
export type InlinePolicies = Readonly<Record<string, string>>;

/** `user` entity; key = lower-cased UserName. */
export interface UserBody {
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
  readonly permissionsBoundary?: string | undefined;
  readonly tags: readonly TagBody[];
  readonly inlinePolicies: InlinePolicies;
  /** Attached managed policy ARNs, in attach order. */
  readonly attachedPolicies: readonly string[];
  /** Group names (as created), in join order. */
  readonly groups: readonly string[];
  readonly passwordLastUsed?: number | undefined;
}

/** `group` entity; key = lower-cased GroupName. */
export interface GroupBody {
  readonly groupName: string;
  readonly groupId: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
  readonly inlinePolicies: InlinePolicies;
  readonly attachedPolicies: readonly string[];
  /** Member user names (as created), in join order. */
  readonly members: readonly string[];
}

/** `role` entity; key = lower-cased RoleName. */
export interface RoleBody {
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
  /** The trust policy (JSON text), as written. */
  readonly assumeRolePolicyDocument: string;
  /**
   * The user and role ARNs of the trust policy bound to their unique ids when it was saved
   * (`src/iam/trust-principals.ts`). Absent for policies saved by older iamd versions: those match by ARN.
   */
  readonly trustPrincipalIds?: Readonly<Record<string, string>> | undefined;
  readonly description?: string | undefined;
  /** Seconds, 3600–43200. */
  readonly maxSessionDuration: number;
  readonly permissionsBoundary?: string | undefined;
  readonly tags: readonly TagBody[];
  readonly inlinePolicies: InlinePolicies;
  readonly attachedPolicies: readonly string[];
  readonly lastUsed?: { readonly date: number; readonly region: string } | undefined;
}

/** One version of a customer managed policy. */
export interface PolicyVersionBody {
  readonly versionId: string;
  readonly document: string;
  readonly createDate: number;
}

/** `policy` entity (customer managed); key = lower-cased PolicyName. */
export interface ManagedPolicyBody {
  readonly policyName: string;
  readonly policyId: string;
  readonly arn: string;
  readonly path: string;
  readonly description?: string | undefined;
  readonly createDate: number;
  readonly updateDate: number;
  readonly defaultVersionId: string;
  /** The next version number to hand out (AWS never reuses version ids). */
  readonly nextVersion: number;
  readonly versions: readonly PolicyVersionBody[];
  readonly attachmentCount: number;
  readonly permissionsBoundaryUsageCount: number;
  readonly tags: readonly TagBody[];
}

/** `accessKey` entity; key = AccessKeyId, index = lower-cased user name (`''` for the root). */
export interface AccessKeyBody {
  readonly accessKeyId: string;
  /** The user name as created; absent for the account root's keys. */
  readonly userName?: string | undefined;
  /** The secret access key, sealed with the master key (see credentials/). */
  readonly sealedSecret: string;
  readonly status: 'Active' | 'Inactive';
  readonly createDate: number;
  readonly lastUsed?:
    { readonly date: number; readonly serviceName: string; readonly region: string } | undefined;
}

/** `loginProfile` entity; key = lower-cased user name. */
export interface LoginProfileBody {
  readonly userName: string;
  /** scrypt hash (`scrypt$N$r$p$salt$hash`, base64 parts). */
  readonly passwordHash: string;
  readonly createDate: number;
  readonly passwordResetRequired: boolean;
  /** When the password was last set (ms); absent means `createDate`. */
  readonly passwordLastChanged?: number | undefined;
  /**
   * Hashes of earlier passwords, newest first, kept only as far back as the account policy's
   * `PasswordReusePrevention` (at most 24) so a reused password can be refused.
   */
  readonly passwordHistory?: readonly string[] | undefined;
}

/** `instanceProfile` entity; key = lower-cased InstanceProfileName. */
export interface InstanceProfileBody {
  readonly instanceProfileName: string;
  readonly instanceProfileId: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
  /** Role names (at most one, as AWS allows). */
  readonly roles: readonly string[];
  readonly tags: readonly TagBody[];
}

/** `mfaDevice` entity; key = SerialNumber, index = lower-cased user name once enabled. */
export interface MfaDeviceBody {
  readonly serialNumber: string;
  /** Base32 seed, sealed with the master key. */
  readonly sealedSeed: string;
  readonly userName?: string | undefined;
  readonly enableDate?: number | undefined;
  readonly createDate: number;
  readonly tags: readonly TagBody[];
  /** TOTP time steps already accepted (a code is not accepted twice). */
  readonly usedSteps: readonly number[];
}

/** `oidcProvider` entity; key = the provider's URL without scheme (`host/path`). */
export interface OidcProviderBody {
  readonly arn: string;
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
  readonly createDate: number;
  readonly tags: readonly TagBody[];
}

/** `samlProvider` entity; key = lower-cased Name. */
export interface SamlProviderBody {
  readonly arn: string;
  readonly name: string;
  readonly samlProviderUUID: string;
  readonly metadataDocument: string;
  readonly createDate: number;
  readonly validUntil?: number | undefined;
  readonly tags: readonly TagBody[];
}

/** `setting` entity key `password-policy`: the account password policy. */
export interface PasswordPolicyBody {
  readonly MinimumPasswordLength: number;
  readonly RequireSymbols: boolean;
  readonly RequireNumbers: boolean;
  readonly RequireUppercaseCharacters: boolean;
  readonly RequireLowercaseCharacters: boolean;
  readonly AllowUsersToChangePassword: boolean;
  readonly ExpirePasswords: boolean;
  readonly MaxPasswordAge?: number | undefined;
  readonly PasswordReusePrevention?: number | undefined;
  readonly HardExpiry?: boolean | undefined;
}
