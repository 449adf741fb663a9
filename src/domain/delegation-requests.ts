/**
 * The IAM temporary-delegation model shared by the IAM operations (src/iam/delegation-requests.ts) and
 * sts:GetDelegatedAccessToken (src/sts/delegated-access-token.ts): stored bodies, states, ids, and the
 * trade-in token's hash.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** One parameter of a policy template (the model's `PolicyParameter`). */
export interface DelegationParameter {
  readonly Name?: string | undefined;
  readonly Values?: readonly string[] | undefined;
  /** `string` (one value) or `stringList`. */
  readonly Type?: string | undefined;
}

/** The states of the model's `stateType`. */
export type DelegationState =
  'UNASSIGNED' | 'ASSIGNED' | 'PENDING_APPROVAL' | 'ACCEPTED' | 'FINALIZED' | 'REJECTED' | 'EXPIRED';

/**
 * How long a request may wait to be finalized. The User Guide says only "Request expired due to
 * inactivity or timeout"; iamd gives a request 7 days from creation to reach FINALIZED.
 */
export const DELEGATION_REQUEST_TTL_SECONDS = 7 * 24 * 3600;

/** Who owns a request after association, and what a delegated session is minted for. */
export interface DelegationOwner {
  readonly type: 'IAMUser' | 'AssumedRole' | 'Root';
  readonly account: string;
  readonly arn: string;
  readonly userName?: string | undefined;
  readonly userId?: string | undefined;
  readonly roleName?: string | undefined;
  readonly roleId?: string | undefined;
  readonly rolePath?: string | undefined;
  readonly sessionName?: string | undefined;
}

/** `delegationRequest` entity (requestor's account; key = id). */
export interface DelegationRequestBody {
  readonly id: string;
  readonly requestorAccount: string;
  readonly requestorArn: string;
  readonly targetAccount?: string | undefined;
  readonly description: string;
  readonly requestMessage?: string | undefined;
  readonly policyTemplateArn: string;
  readonly parameters: readonly DelegationParameter[];
  /** The template rendered with the parameters: the session policy of delegated credentials. */
  readonly permissionPolicy: string;
  readonly requestorWorkflowId: string;
  readonly redirectUrl?: string | undefined;
  readonly notificationChannel: string;
  readonly sessionDuration: number;
  readonly onlySendByOwner: boolean;
  readonly state: DelegationState;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Until FINALIZED: created + TTL; after: finalized + SessionDuration (the delegation period's end). */
  readonly expiresAt: number;
  readonly owner?: DelegationOwner | undefined;
  readonly approverArn?: string | undefined;
  readonly notes?: string | undefined;
  readonly rejectionReason?: string | undefined;
  readonly finalizedAt?: number | undefined;
  /** SHA-256 (hex) of the trade-in token's secret part; the token itself is never stored in clear. */
  readonly tokenHash?: string | undefined;
}

/** `delegationLink` entity (target/owner account; key = id). */
export interface DelegationLinkBody {
  readonly requestorAccount: string;
}

/** `delegationNotification` entity (requestor's account; key = request id). */
export interface DelegationNotificationBody {
  readonly delegationRequestId: string;
  readonly notificationChannel: string;
  readonly requestorWorkflowId: string;
  readonly sentAt: number;
  readonly expiresAt: number;
  /** The trade-in token, sealed with the master key (aad {@link notificationAad}). */
  readonly sealedToken: string;
}

/** The AAD binding a sealed trade-in token to its request. */
export function notificationAad(id: string): string {
  return `delegation-token:${id}`;
}

/** The requestor account encoded in an id; undefined when the id is not one iamd issued. */
export function requestorOf(id: string): string | undefined {
  const m = /^(\d{12})-[A-Z2-7]{20}$/.exec(id);
  return m?.[1];
}

/** The state as of `now`: a request past its expiry (not REJECTED) is EXPIRED. */
export function effectiveState(b: DelegationRequestBody, now: number): DelegationState {
  if (b.state === 'REJECTED' || b.state === 'EXPIRED') return b.state;
  return now >= b.expiresAt ? 'EXPIRED' : b.state;
}

/** SHA-256 hex of a token secret. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
