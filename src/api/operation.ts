import type { Principal, SessionClaims } from '../domain/principal.js';
import type { AuditPage, AuditQuery, StoreReader, StoreTx } from '../store/index.js';
import type { FederationServices } from '../federation/index.js';
import type { AwsError } from '../errors/index.js';
import type { Lockout } from '../authn/lockout.js';

/** A value in a policy request context (`aws:SourceIp`, `aws:TagKeys`, …). */
export type ContextValue = string | boolean | number | readonly string[];

/** What a handler asks the authorizer to decide. */
export interface AuthorizationRequest {
  /** `service:Action`, e.g. `iam:CreateRole`. */
  readonly action: string;
  /** The resource ARN, `*` when the action has no resource type. */
  readonly resource: string;
  /** The resource's account (default: the ARN's account, else the caller's). */
  readonly resourceAccount?: string | undefined;
  /** The resource-based policy (JSON text), e.g. a role's trust policy for `sts:AssumeRole`. */
  readonly resourcePolicy?: string | undefined;
  /** How `resourcePolicy` was validated when stored: a role's trust policy is `trust`. Default `resource`. */
  readonly resourcePolicyType?: 'resource' | 'trust' | undefined;
  /** Extra request context (`aws:RequestTag/k`, `aws:TagKeys`, `iam:PassedToService`, …); keys as AWS names them. */
  readonly context?: Readonly<Record<string, ContextValue>> | undefined;
}

/** Everything a handler may use. Handlers never see HTTP. */
export interface CallContext {
  readonly requestId: string;
  /** Milliseconds since the epoch, fixed for the whole call. */
  readonly now: number;
  readonly principal: Principal;
  /** Reads (outside a transaction). Writes go through {@link CallContext.transact}. */
  readonly store: StoreReader;
  readonly services: Services;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly secureTransport: boolean;
  /** The region of the request's SigV4 credential scope (`us-east-1` when unsigned). */
  readonly region: string;
  /**
   * Authorizes with the policy engine; throws `AccessDenied` with AWS's message when denied.
   * Every operation that needs permission calls this before it reads or changes anything.
   */
  authorize(request: AuthorizationRequest): Promise<void>;
  /**
   * Runs the call's writes in ONE store transaction and returns what `fn` returns (the operation's
   * output). The server appends this call's audit event inside the same transaction, built from that
   * output, so a change and its event land together or not at all. At most once per call.
   *
   * INVARIANT: inside `fn`, read through `tx` only — never `ctx.store` or `ctx.authorize` (the store runs
   * transactions one at a time, so a read outside the transaction waits for it: a deadlock). `fn` may be
   * run more than once (PostgreSQL retries serialization failures), so it must have no other effects.
   */
  transact<T extends Record<string, unknown> | undefined>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Records this call's audit event in `account` too (cross-account AssumeRole is recorded in both
   * the caller's and the role's account, with one shared event id). Call before returning.
   */
  alsoRecordIn(account: string): void;
  /**
   * For unsigned calls (AssumeRoleWithWebIdentity / SAML): who the caller is for the audit trail
   * (CloudTrail `userIdentity`, e.g. `{type: 'WebIdentityUser', …}`) and the account the event belongs to.
   */
  identifyCaller?(identity: Readonly<Record<string, unknown>>, account: string): void;
  /**
   * Set only at the `off` level (issue #21): records `denial` — a refusal that is enforcement, not an
   * input check — as what enforcement would have answered, and lets the call go on. Call it through
   * {@link refuse}.
   */
  refuse?(denial: AwsError, action: string): void;
}

/**
 * Refuses the call with `denial` (an enforcement refusal outside the policy engine, e.g. a root
 * assuming a role); at the `off` level the refusal is only recorded and the handler goes on.
 */
export function refuse(ctx: CallContext, denial: AwsError, action: string): void {
  if (ctx.refuse === undefined) throw denial;
  ctx.refuse(denial, action);
}

/** Process-wide services a handler may use (keys are never exposed, only operations on them). */
export interface Services {
  /** `n` cryptographically strong random bytes. */
  random(n: number): Uint8Array;
  /** Seals a secret for storage at rest (AES-256-GCM under the master key); `aad` binds it to its owner. */
  sealSecret(plaintext: string, aad: string): string;
  unsealSecret(sealed: string, aad: string): string;
  /** Seals session claims into a session token (STS). */
  sealSession(claims: SessionClaims): string;
  /** A list `Marker` for `position` that only this iamd (its master key) can have issued. */
  issueMarker(position: string): string;
  /** The position of a marker {@link Services.issueMarker} issued; undefined for any other string. */
  openMarker(marker: string): string | undefined;
  /**
   * iamd's public base URL (`http://host:port`), known once the server listens: the base of each
   * account's outbound-federation issuer URL. Undefined in tools that serve no HTTP.
   */
  readonly publicUrl?: (() => string | undefined) | undefined;
  /** OIDC key sets and SAML settings (AssumeRoleWithWebIdentity / AssumeRoleWithSAML, provider CRUD). */
  readonly federation?: FederationServices | undefined;
  /**
   * Failure counts and locks for guessable secrets (MFA codes, console passwords); undefined turns the
   * lock-out off (`--lockout-threshold off`) and in tools that check no secrets.
   */
  readonly lockout?: Lockout | undefined;
  /**
   * The audit trail, read with every event of calls already answered (the batching writer is flushed
   * first): what last-accessed reports are computed from. Undefined in tools without a server.
   */
  readonly auditTrail?: { query(query: AuditQuery): Promise<AuditPage> } | undefined;
}

/**
 * How a call of an operation is authenticated (the request pipeline reads it; no list in the server):
 *
 * - `signed` (the default): the call must be SigV4-signed (else `MissingAuthenticationToken`).
 * - `unsigned`: the call may come unsigned — AssumeRoleWithWebIdentity and AssumeRoleWithSAML, whose
 *   token or assertion in the input is the credential and the role's trust policy the authorization
 *   (STS API reference: "Calling AssumeRoleWithWebIdentity does not require the use of AWS security
 *   credentials"). A signed call is still authenticated. Unsigned calls are rate-limited by address.
 * - `none`: may come unsigned like `unsigned`, and needs no decision at all, not even a trust
 *   policy's (a signed call is still authenticated). No AWS operation iamd serves is so; the value
 *   exists for iamd-specific ones.
 */
export type OperationAuth = 'signed' | 'unsigned' | 'none';

/**
 * One API action. `input` and the returned output use the AWS wire member names of the service
 * model (`UserName`, `Tags`, …), already decoded and validated against the model by `protocol/`.
 */
export interface Operation<I = Record<string, unknown>, O = Record<string, unknown>> {
  readonly service: 'iam' | 'sts' | 'organizations';
  /** The wire operation name, e.g. `CreateUser`. */
  readonly name: string;
  /** How calls are authenticated (default `signed`). */
  readonly auth?: OperationAuth | undefined;
  /**
   * The IAM action a signed call is authorized with; default `service:Name` (`iam:CreateUser`). The
   * handler asks for it (with its resource and context keys) through {@link CallContext.authorize},
   * and the pipeline refuses to answer a signed call whose handler did not. `null`: the operation
   * needs no permission, so no decision is required — GetCallerIdentity ("No permissions are required
   * to perform this operation", STS API reference), GetSessionToken, GetAccessKeyInfo and
   * DecodeAuthorizationMessage, whose handlers decide for themselves what they check.
   */
  readonly action?: string | null | undefined;
  handle(input: I, ctx: CallContext): Promise<O>;
}

/** The IAM action of `op` (`null`: it needs no permission). */
export function operationAction(op: Operation): string | null {
  return op.action === undefined ? `${op.service}:${op.name}` : op.action;
}
