/**
 * Authentication: an access key id (and session token) to the principal and the secret that must
 * have signed the request. Long-term keys come from the store (cached until a change); session
 * keys are unsealed from their token with no store read.
 */
import type { Principal, SessionClaims } from '../domain/principal.js';
import { AwsError } from '../errors/index.js';
import type { Store } from '../store/index.js';
import type { AccessKeyBody, UserBody } from '../domain/entities.js';
import { nameKey } from '../domain/names.js';
import { accountFromAccessKeyId } from '../credentials/ids.js';
import { keyIdOf } from '../credentials/session-token.js';

/** A resolved caller: who it is and the secret its signature must verify with. */
export interface ResolvedCredentials {
  readonly principal: Exclude<Principal, { type: 'Anonymous' }>;
  readonly secretAccessKey: string;
  /**
   * True when iamd holds no secret for this key (the `permissive` level's stand-in root): the
   * signature cannot be checked, only its form.
   */
  readonly unverified?: boolean | undefined;
}

/**
 * The `permissive` level (issue 9): a long-term access key iamd does not know acts as the root of an
 * account — the account a 12-digit key id names (created on the fly, as moto does), else the default
 * account — so suites written with dummy credentials run unchanged.
 */
export interface PermissiveKeys {
  /** The account an unknown key that is not 12 digits acts in. */
  defaultAccount(): string;
  /** Creates `account` when it does not exist yet. */
  ensureAccount(account: string): Promise<void>;
}

/** Meta entry mapping an access key id given from outside (env, seed file) to its account. */
export const KEY_ACCOUNT_META = 'access-key-account/';

/** "The security token included in the request is invalid" (aws-errors.md §1: raw STS XML, no period). */
export function invalidToken(): AwsError {
  return new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid');
}

/** Everything the resolver needs. */
export interface ResolverDeps {
  readonly store: Store;
  unsealSecret(sealed: string, aad: string): string;
  /** Unseals a session token; throws InvalidClientTokenId when altered or unknown. */
  unsealSession(token: string): SessionClaims;
  /**
   * Called when a token names a sealing key this node does not know (another node rotated keys):
   * reloads the keyring (rate-limited) and says whether a retry may succeed.
   */
  refreshKeysFor?(token: string): Promise<boolean>;
  /** Set at the `permissive` and `off` levels: where an unknown key acts. */
  readonly permissive?: PermissiveKeys | undefined;
  /**
   * The `off` level (issue #21): every credential is accepted. A key iamd knows (active or not) still
   * resolves to its principal and a session token that opens to its session (expired or not); anything
   * else falls back to the stand-in root of {@link permissive}, which must be set too.
   */
  readonly off?: boolean | undefined;
}

/** Resolves access keys to principals, with a per-node cache of long-term keys. */
export class CredentialResolver {
  private readonly longTerm = new Map<string, ResolvedCredentials>();
  /**
   * Session principals by their (cached, shared) opened claims: a client signs every call of a session
   * with one token, so its principal — and what hangs off it, like its audit identity — is built once.
   */
  private readonly sessions = new WeakMap<SessionClaims, ResolvedCredentials>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: ResolverDeps) {
    this.unsubscribe = deps.store.onChange(() => this.longTerm.clear());
  }

  close(): void {
    this.unsubscribe();
  }

  /** True at the `off` level: signatures and request times are not checked (see {@link authenticate}). */
  get checksNothing(): boolean {
    return this.deps.off === true && this.deps.permissive !== undefined;
  }

  /**
   * Resolves `accessKeyId` (+ `securityToken` for `ASIA` keys). Throws InvalidClientTokenId for unknown,
   * inactive or forged credentials and ExpiredToken for expired sessions (AWS's texts).
   */
  async resolve(
    accessKeyId: string,
    securityToken: string | undefined,
    nowMs: number,
  ): Promise<ResolvedCredentials> {
    if (this.checksNothing) return this.resolveAny(accessKeyId, securityToken);
    if (securityToken !== undefined && securityToken !== '') {
      // moto-style suites also send a dummy session token ("testing"); one that is not iamd's at all
      // is treated like an unknown key at the permissive level. A forged iamd token is still refused.
      if (this.deps.permissive && keyIdOf(securityToken) === undefined)
        return permissiveRootOf(accessKeyId, this.deps.permissive);
      return this.resolveSession(accessKeyId, securityToken, nowMs);
    }
    const hit = this.longTerm.get(accessKeyId);
    if (hit) return hit;
    const resolved = await this.lookup(accessKeyId);
    if (this.longTerm.size > 50_000) this.longTerm.clear();
    this.longTerm.set(accessKeyId, resolved);
    return resolved;
  }

  /** The `off` level: the principal a credential names, else the stand-in root; never a refusal. */
  private async resolveAny(accessKeyId: string, token: string | undefined): Promise<ResolvedCredentials> {
    const keys = this.deps.permissive;
    // INVARIANT: checksNothing implies permissive keys.
    if (keys === undefined) throw invalidToken();
    if (token !== undefined && token !== '' && keyIdOf(token) !== undefined) {
      let claims: SessionClaims | undefined;
      try {
        claims = this.deps.unsealSession(token);
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
      }
      // No expiry check: clocks frozen in the past (and long suites) are what this level is for.
      if (claims !== undefined && claims.accessKeyId === accessKeyId)
        return {
          principal: sessionPrincipal(claims),
          secretAccessKey: claims.secretAccessKey,
          unverified: true,
        };
    }
    // An active key keeps its secret (GetAccessKeyLastUsed, the reset route's root check still work);
    // an inactive one or one whose user is gone is marked unverified, and an unknown one is a root.
    const hit = this.longTerm.get(accessKeyId);
    if (hit) return hit;
    for (const anyStatus of [false, true]) {
      try {
        const known = await this.lookup(accessKeyId, anyStatus);
        if (!anyStatus) {
          if (this.longTerm.size > 50_000) this.longTerm.clear();
          this.longTerm.set(accessKeyId, known);
          return known;
        }
        return { ...known, unverified: true };
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
      }
    }
    return permissiveRootOf(accessKeyId, keys);
  }

  private resolveSession(accessKeyId: string, token: string, nowMs: number): ResolvedCredentials {
    const claims = this.deps.unsealSession(token);
    if (claims.accessKeyId !== accessKeyId) throw invalidToken();
    if (nowMs >= claims.expiresAt)
      throw new AwsError('ExpiredToken', 'The security token included in the request is expired');
    let resolved = this.sessions.get(claims);
    if (resolved === undefined) {
      resolved = { principal: sessionPrincipal(claims), secretAccessKey: claims.secretAccessKey };
      this.sessions.set(claims, resolved);
    }
    return resolved;
  }

  private async lookup(accessKeyId: string, anyStatus = false): Promise<ResolvedCredentials> {
    const { store } = this.deps;
    let account = accountFromAccessKeyId(accessKeyId);
    let entity =
      account !== undefined ? await store.get<AccessKeyBody>(account, 'accessKey', accessKeyId) : undefined;
    if (!entity) {
      account = await store.getMeta(KEY_ACCOUNT_META + accessKeyId);
      entity =
        account !== undefined ? await store.get<AccessKeyBody>(account, 'accessKey', accessKeyId) : undefined;
    }
    if ((!entity || account === undefined) && this.deps.permissive && !anyStatus)
      return permissiveRootOf(accessKeyId, this.deps.permissive);
    if (!entity || account === undefined || (entity.body.status !== 'Active' && !anyStatus))
      throw invalidToken();
    const key = entity.body;
    const secretAccessKey = this.deps.unsealSecret(key.sealedSecret, `${account}/${accessKeyId}`);
    if (key.userName === undefined) {
      return {
        principal: {
          type: 'Root',
          account,
          arn: `arn:aws:iam::${account}:root`,
          userId: account,
          accessKeyId,
        },
        secretAccessKey,
      };
    }
    const user = await store.get<UserBody>(account, 'user', nameKey(key.userName));
    if (!user) throw invalidToken();
    return {
      principal: {
        type: 'IAMUser',
        account,
        arn: user.body.arn,
        userId: user.body.userId,
        userName: user.body.userName,
        accessKeyId,
      },
      secretAccessKey,
    };
  }
}

/** The stand-in root of an unknown key at the permissive level (see {@link PermissiveKeys}). */
async function permissiveRootOf(accessKeyId: string, keys: PermissiveKeys): Promise<ResolvedCredentials> {
  const account = /^\d{12}$/.test(accessKeyId) ? accessKeyId : keys.defaultAccount();
  await keys.ensureAccount(account);
  return {
    principal: { type: 'Root', account, arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId },
    secretAccessKey: '',
    unverified: true,
  };
}

/** The principal a session token stands for. */
export function sessionPrincipal(s: SessionClaims): ResolvedCredentials['principal'] {
  switch (s.kind) {
    case 'AssumedRole': {
      const roleName = s.roleName ?? '';
      const path = s.rolePath ?? '/';
      return {
        type: 'AssumedRole',
        account: s.account,
        arn: `arn:aws:sts::${s.account}:assumed-role/${roleName}/${s.sessionName ?? ''}`,
        userId: `${s.roleId ?? ''}:${s.sessionName ?? ''}`,
        roleArn: `arn:aws:iam::${s.account}:role${path}${roleName}`,
        roleName,
        accessKeyId: s.accessKeyId,
        session: s,
      };
    }
    case 'FederatedUser':
      return {
        type: 'FederatedUser',
        account: s.account,
        arn: `arn:aws:sts::${s.account}:federated-user/${s.federatedName ?? ''}`,
        userId: `${s.account}:${s.federatedName ?? ''}`,
        accessKeyId: s.accessKeyId,
        session: s,
      };
    case 'SessionToken':
      if (s.userName === undefined)
        return {
          type: 'Root',
          account: s.account,
          arn: `arn:aws:iam::${s.account}:root`,
          userId: s.account,
          accessKeyId: s.accessKeyId,
          session: s,
        };
      return {
        type: 'IAMUser',
        account: s.account,
        arn: `arn:aws:iam::${s.account}:user/${s.userName}`,
        userId: s.userId ?? '',
        userName: s.userName,
        accessKeyId: s.accessKeyId,
        session: s,
      };
  }
}
