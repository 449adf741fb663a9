import type { Principal } from './principal.js';
import type { Store } from '../store/index.js';

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
  /** Extra request context (`aws:RequestTag/k`, `aws:TagKeys`, `iam:PassedToService`, …); keys as AWS names them. */
  readonly context?: Readonly<Record<string, ContextValue>> | undefined;
}

/** Everything a handler may use. Handlers never see HTTP. */
export interface CallContext {
  readonly requestId: string;
  /** Milliseconds since the epoch, fixed for the whole call. */
  readonly now: number;
  readonly principal: Principal;
  readonly store: Store;
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
}

/**
 * One API action. `input` and the returned output use the AWS wire member names of the service
 * model (`UserName`, `Tags`, …), already decoded and validated against the model by `protocol/`.
 */
export interface Operation<I = Record<string, unknown>, O = Record<string, unknown>> {
  readonly service: 'iam' | 'sts';
  /** The wire operation name, e.g. `CreateUser`. */
  readonly name: string;
  /** Calls that need no signature (AssumeRoleWithWebIdentity, AssumeRoleWithSAML). */
  readonly unsigned?: boolean;
  handle(input: I, ctx: CallContext): Promise<O>;
}
