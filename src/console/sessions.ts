/**
 * Console sessions, kept server-side in memory: the browser holds only an opaque random id in an
 * HttpOnly, SameSite=Strict cookie (issue 10, "Security"). The session maps to the temporary
 * credentials the console signs API calls with: the signed-in identity's, and while a role is
 * switched to, the role's. No long-term secret ever reaches the browser.
 *
 * Being in memory, a session lives on the node that created it; several iamd nodes behind a balancer
 * need sticky sessions for the console (the API itself is stateless).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Temporary credentials and their expiry (ms since the epoch). */
export interface ConsoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresAt: number;
}

/** Who signed in. */
export interface ConsoleIdentity {
  readonly type: 'IAMUser' | 'Root' | 'FederatedUser' | 'AssumedRole';
  readonly account: string;
  readonly arn: string;
  /** The name shown in the header (user name, `root`, federated name, session). */
  readonly displayName: string;
  readonly userName?: string | undefined;
  /** Whether the sign-in proved MFA. */
  readonly mfa: boolean;
}

/** The role the console currently acts as (after Switch role). */
export interface SwitchedRole {
  readonly account: string;
  readonly roleName: string;
  /** `arn:aws:iam::ACCT:role/NAME` as given to AssumeRole. */
  readonly roleArn: string;
  /** The assumed-role ARN AssumeRole answered with. */
  readonly arn: string;
  readonly displayName: string;
  /** `#rrggbb`. */
  readonly color: string;
  readonly creds: ConsoleCredentials;
}

/** One console session. */
export interface ConsoleSession {
  readonly id: string;
  /** The CSRF token every state-changing request must echo in `x-csrf-token`. */
  readonly csrf: string;
  readonly identity: ConsoleIdentity;
  readonly creds: ConsoleCredentials;
  /** The session ends when the signed-in identity's credentials do (never later). */
  readonly expiresAt: number;
  /** Set while switched to a role; the console then signs with the role's credentials only. */
  switched?: SwitchedRole | undefined;
  /** Set when the password must be changed before anything else (login profile `PasswordResetRequired`). */
  passwordResetRequired: boolean;
}

/** The most sessions one node keeps; beyond it the oldest are dropped. */
const MAX_SESSIONS = 10_000;

/** Random URL-safe token of `bytes` bytes. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Compares two tokens in constant time (STYLE.md: secrets are compared with `timingSafeEqual`). */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === '' || b === '') return false;
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The in-memory session table of one node. */
export class ConsoleSessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();

  /** Creates a session for `identity` signing with `creds`. */
  create(
    identity: ConsoleIdentity,
    creds: ConsoleCredentials,
    now: number,
    passwordResetRequired = false,
  ): ConsoleSession {
    this.sweep(now);
    const session: ConsoleSession = {
      id: randomToken(),
      csrf: randomToken(),
      identity,
      creds,
      expiresAt: creds.expiresAt,
      passwordResetRequired,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with `id`, or undefined (unknown, signed out, or expired). */
  get(id: string | undefined, now: number): ConsoleSession | undefined {
    if (id === undefined) return undefined;
    const s = this.sessions.get(id);
    if (s === undefined) return undefined;
    if (now >= s.expiresAt) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  /** Ends a session (sign-out). */
  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** How many sessions are held (for tests and metrics). */
  get size(): number {
    return this.sessions.size;
  }

  private sweep(now: number): void {
    for (const [id, s] of this.sessions) if (now >= s.expiresAt) this.sessions.delete(id);
    // Maps iterate in insertion order: the first keys are the oldest sessions.
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next();
      if (oldest.done === true) break;
      this.sessions.delete(oldest.value);
    }
  }
}
