/**
 * Runtime credentials: the role session EC2 (for an instance profile) or ECS (for a task role) assumes
 * on the workload's behalf, cached and rotated the way AWS documents (see constants.ts).
 *
 * Every read looks the profile and role up again and re-evaluates the trust policy, so a change in IAM
 * shows at the next read: a profile without a role (or with its role removed) serves no credentials, a
 * role that no longer trusts the service gets AWS's `AssumeRoleUnauthorizedAccess` document. AWS
 * propagates such changes with a delay (instances were seen keeping a removed role's credentials for
 * hours); iamd applies them at once, which is the state AWS converges to. Credentials already handed out
 * stay valid until they expire, as on AWS (session tokens are self-contained).
 */
import type { Services } from '../api/operation.js';
import type { SessionClaims } from '../domain/principal.js';
import type { Clock } from '../core/clock.js';
import { isoSeconds } from '../core/clock.js';
import type { AuditRecord, StoreReader } from '../store/index.js';
import type { InstanceProfileBody, RoleBody } from '../domain/entities.js';
import { nameKey } from '../domain/names.js';
import { evaluate, loadPolicy } from '../policy/index.js';
import { mintSession, type MintedSession } from '../domain/sessions.js';
import { buildAuditRecord } from '../audit/event.js';
import { timeOrderedUuid } from '../core/uuid.js';
import {
  CREDENTIAL_LIFETIME_SECONDS,
  EC2_SERVICE,
  ECS_TASKS_SERVICE,
  ROTATE_BEFORE_EXPIRY_SECONDS,
} from './constants.js';

/** Whose credentials: an instance (through its profile) or a task (its task role). */
export type RuntimeTarget =
  | {
      readonly kind: 'instance';
      readonly account: string;
      readonly instanceId: string;
      readonly profileName: string;
    }
  | {
      readonly kind: 'task';
      readonly account: string;
      readonly taskId: string;
      readonly roleName: string;
    };

/** What the metadata paths show for a target right now. */
export type CredentialState =
  /** No profile, or a profile without a role: no `iam/` data at all. */
  | { readonly status: 'no-role' }
  /** The role exists but does not trust the service (or its trust policy cannot be read). */
  | {
      readonly status: 'untrusted';
      readonly roleName: string;
      readonly roleArn: string;
      readonly profile: InstanceProfileBody | undefined;
      readonly lastUpdated: number;
    }
  | {
      readonly status: 'ok';
      readonly role: RoleBody;
      readonly profile: InstanceProfileBody | undefined;
      readonly session: MintedSession;
      /** When these credentials were minted (`LastUpdated`). */
      readonly lastUpdated: number;
    };

/** What {@link RuntimeCredentials} needs from the process. */
export interface RuntimeCredentialDeps {
  readonly store: StoreReader;
  readonly services: Services;
  readonly clock: Clock;
  /** Region recorded in the audit events. */
  readonly region: string;
  /** Records an audit event (the server's batching writer). */
  readonly audit: (record: AuditRecord) => void;
}

interface CacheEntry {
  readonly roleId: string;
  readonly session: MintedSession;
  readonly lastUpdated: number;
}

/** The service principal that assumes the role for `target`. */
export function serviceFor(target: RuntimeTarget): string {
  return target.kind === 'instance' ? EC2_SERVICE : ECS_TASKS_SERVICE;
}

/** The session name: the instance id for EC2 (DOMAIN.md; AWS names the session after the instance), the task id for ECS. */
export function sessionNameFor(target: RuntimeTarget): string {
  return target.kind === 'instance' ? target.instanceId : target.taskId;
}

/**
 * Whether `service` may assume `role`: the trust policy alone decides for a service principal (IAM User
 * Guide, "Policy evaluation logic": a service principal has no identity policies). A stored document that
 * cannot be loaded trusts nobody.
 */
export function trustsService(role: RoleBody, service: string, sessionName: string, nowMs: number): boolean {
  let trust;
  try {
    trust = loadPolicy(role.assumeRolePolicyDocument, 'trust', 'trust-policy');
  } catch {
    return false;
  }
  const context = Object.create(null) as Record<string, string | number | boolean>;
  context['aws:CurrentTime'] = isoSeconds(nowMs);
  context['aws:EpochTime'] = Math.floor(nowMs / 1000);
  context['aws:PrincipalIsAWSService'] = true;
  context['aws:PrincipalServiceName'] = service;
  context['aws:SecureTransport'] = true;
  context['sts:RoleSessionName'] = sessionName;
  const decision = evaluate(
    {
      principal: { kind: 'Service', service },
      action: 'sts:AssumeRole',
      resource: role.arn,
      resourceAccount: parseAccount(role.arn),
      context,
    },
    { resource: trust },
  );
  return decision.decision === 'Allow';
}

function parseAccount(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** Resolves and caches the credentials of instances and tasks. One per process. */
export class RuntimeCredentials {
  private readonly cache = new Map<string, CacheEntry>();
  /** Keys whose last state was a refusal, so a denial is audited once, not on every poll. */
  private readonly refused = new Set<string>();

  constructor(private readonly deps: RuntimeCredentialDeps) {}

  /** The state of `target` now, minting or rotating its credentials when due. */
  async resolve(target: RuntimeTarget): Promise<CredentialState> {
    const key = `${target.kind}\u0000${target.account}\u0000${sessionNameFor(target)}`;
    const { store } = this.deps;
    let profile: InstanceProfileBody | undefined;
    let roleName: string | undefined;
    if (target.kind === 'instance') {
      profile = (
        await store.get<InstanceProfileBody>(target.account, 'instanceProfile', nameKey(target.profileName))
      )?.body;
      roleName = profile?.roles[0];
    } else roleName = target.roleName;
    const role =
      roleName === undefined
        ? undefined
        : (await store.get<RoleBody>(target.account, 'role', nameKey(roleName)))?.body;
    // INVARIANT: no await below this line, so two concurrent reads can never mint twice.
    const now = this.deps.clock.now();
    if (role === undefined) {
      this.cache.delete(key);
      return { status: 'no-role' };
    }
    const service = serviceFor(target);
    const sessionName = sessionNameFor(target);
    if (!trustsService(role, service, sessionName, now)) {
      this.cache.delete(key);
      if (!this.refused.has(key)) {
        this.refused.add(key);
        this.record(target, role, now, undefined);
      }
      return { status: 'untrusted', roleName: role.roleName, roleArn: role.arn, profile, lastUpdated: now };
    }
    this.refused.delete(key);
    const cached = this.cache.get(key);
    const due = (e: CacheEntry): boolean =>
      e.roleId !== role.roleId || now >= e.session.claims.expiresAt - ROTATE_BEFORE_EXPIRY_SECONDS * 1000;
    let entry = cached;
    if (entry === undefined || due(entry)) {
      const fields: Omit<SessionClaims, 'accessKeyId' | 'secretAccessKey' | 'issuedAt' | 'expiresAt'> = {
        kind: 'AssumedRole',
        account: target.account,
        roleName: role.roleName,
        roleId: role.roleId,
        rolePath: role.path,
        sessionName,
        issuerType: 'AWSService',
        issuerArn: service,
      };
      const session = mintSession({ now, services: this.deps.services }, fields, CREDENTIAL_LIFETIME_SECONDS);
      entry = { roleId: role.roleId, session, lastUpdated: now };
      this.cache.set(key, entry);
      this.record(target, role, now, session);
    }
    return { status: 'ok', role, profile, session: entry.session, lastUpdated: entry.lastUpdated };
  }

  /**
   * Audits the service's AssumeRole as CloudTrail shows it: `userIdentity {type: AWSService, invokedBy}`,
   * the service as source address and user agent, recorded in the role's account (CloudTrail User Guide,
   * "CloudTrail userIdentity element"; AWS services' AssumeRole events).
   */
  private record(
    target: RuntimeTarget,
    role: RoleBody,
    now: number,
    session: MintedSession | undefined,
  ): void {
    const service = serviceFor(target);
    const random = (n: number): Uint8Array => this.deps.services.random(n);
    const sessionName = sessionNameFor(target);
    const input = {
      RoleArn: role.arn,
      RoleSessionName: sessionName,
      DurationSeconds: CREDENTIAL_LIFETIME_SECONDS,
    };
    const output =
      session === undefined
        ? undefined
        : {
            Credentials: {
              AccessKeyId: session.credentials.AccessKeyId,
              Expiration: new Date(session.credentials.Expiration),
            },
            AssumedRoleUser: {
              AssumedRoleId: `${role.roleId}:${sessionName}`,
              Arn: `arn:aws:sts::${target.account}:assumed-role/${role.roleName}/${sessionName}`,
            },
          };
    try {
      this.deps.audit(
        buildAuditRecord({
          // Version-7 ids, like every other request and event id the server writes.
          eventId: timeOrderedUuid(now, random),
          requestId: timeOrderedUuid(now, random),
          now,
          service: 'sts',
          operation: 'AssumeRole',
          principal: { type: 'Anonymous' },
          invokedBy: service,
          recipientAccount: target.account,
          region: this.deps.region,
          sourceIp: service,
          userAgent: service,
          input,
          output,
          error:
            session === undefined
              ? {
                  code: 'AccessDenied',
                  message: `${service} is not authorized to perform: sts:AssumeRole on resource: ${role.arn}`,
                }
              : undefined,
        }),
      );
    } catch {
      // Auditing never stops credentials from being served; the writer logs its own failures.
    }
  }
}
