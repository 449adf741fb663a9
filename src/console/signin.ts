/**
 * Console sign-in: an IAM user's console password (login profile) or the account root's password
 * (`iamd accounts set-root-password`), plus a code from the user's virtual MFA device when one is
 * enabled — then temporary credentials for the console session.
 *
 * The credentials are a `SessionToken`-kind session marked `console: true` (src/api/principal.ts):
 * like a GetSessionToken session it stands for the user itself (same policies, `aws:MultiFactorAuthPresent`
 * when MFA was proven), and the marker lets it call IAM the way AWS console sessions can.
 *
 * Every attempt is recorded as CloudTrail records it: eventSource `signin.amazonaws.com`, eventName
 * `ConsoleLogin`, `responseElements.ConsoleLogin` `Success`/`Failure`, `additionalEventData.MFAUsed`,
 * failures with errorMessage "Failed authentication" ("AWS Management Console sign-in events",
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html).
 */
import { randomUUID } from 'node:crypto';
import type { Services } from '../api/operation.js';
import type { AccountRecord, AuditRecord, Store } from '../store/index.js';
import type { LoginProfileBody, MfaDeviceBody, UserBody } from '../domain/entities.js';
import { nameKey } from '../domain/names.js';
import { checkMfaCode } from '../domain/mfa-devices.js';
import { hashPassword, verifyPasswordAsync } from '../credentials/password.js';
import { mintSession } from '../domain/sessions.js';
import { sessionPrincipal } from '../authn/resolve.js';
import { userIdentity } from '../audit/event.js';
import { lockoutRecord } from '../authn/lockout.js';
import type { ConsoleCredentials, ConsoleIdentity } from './sessions.js';

/** Console sessions of IAM users last 12 hours, the AWS console's default for IAM users. */
export const USER_SESSION_SECONDS = 12 * 3600;
/** The root's sessions are capped at one hour, as STS caps the root's GetSessionToken sessions. */
export const ROOT_SESSION_SECONDS = 3600;

/** What the sign-in form sends. */
export interface SignInInput {
  /** 12-digit account id or account alias. */
  readonly account: string;
  /** IAM user name; undefined or `''` with `root`. */
  readonly userName?: string | undefined;
  readonly root: boolean;
  readonly password: string;
  readonly mfaCode?: string | undefined;
}

/** The outcome of a sign-in attempt. */
export type SignInResult =
  | {
      readonly ok: true;
      readonly identity: ConsoleIdentity;
      readonly creds: ConsoleCredentials;
      readonly passwordResetRequired: boolean;
    }
  | { readonly ok: false; readonly reason: 'invalid' | 'mfa-required' };

/** What sign-in needs. */
export interface SignInDeps {
  readonly store: Store;
  readonly services: Services;
  readonly now: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly region: string;
  /** Records events that change nothing (failures), batched. */
  readonly addAudit?: ((record: AuditRecord) => void) | undefined;
}

/** Verified against when the user has no password, so a missing user costs the same time as a wrong password. */
let dummyHash: string | undefined;

async function findAccount(store: Store, account: string): Promise<AccountRecord | undefined> {
  const a = account.trim();
  if (/^\d{12}$/.test(a)) return store.getAccount(a);
  return a === '' ? undefined : store.getAccountByAlias(a.toLowerCase());
}

/** Signs in; never says which part was wrong ("Your authentication information is incorrect"). */
export async function signIn(deps: SignInDeps, input: SignInInput): Promise<SignInResult> {
  const { store } = deps;
  const account = await findAccount(store, input.account);
  const userName = input.root ? undefined : (input.userName ?? '').trim();
  let hash: string | undefined;
  let user: UserBody | undefined;
  let profile: LoginProfileBody | undefined;
  if (account !== undefined) {
    if (userName === undefined) hash = account.rootPasswordHash;
    else if (userName !== '') {
      profile = (await store.get<LoginProfileBody>(account.id, 'loginProfile', nameKey(userName)))?.body;
      user = (await store.get<UserBody>(account.id, 'user', nameKey(userName)))?.body;
      hash = user === undefined ? undefined : profile?.passwordHash;
    }
  }
  // Guessing is limited (issue #16 item 1): failures count per existing user (or root) and per MFA
  // device. While locked the password is still hashed (the answer takes as long as a wrong password)
  // but never compared, and the answer is the one a wrong password gets: the lock is no oracle.
  const lockout = deps.services.lockout;
  const signInKey =
    account !== undefined && hash !== undefined
      ? `console:${account.id}:${userName === undefined ? 'root' : nameKey(userName)}`
      : undefined;
  const lockedOut =
    lockout !== undefined && signInKey !== undefined && (await lockout.locked([signInKey], deps.now));
  dummyHash ??= hashPassword('iamd-console-timing-equaliser');
  const passwordOk = (await verifyPasswordAsync(input.password, hash ?? dummyHash)) && !lockedOut;
  const fail = async (mfaUsed: boolean, keys: readonly string[]): Promise<SignInResult> => {
    deps.addAudit?.(loginRecord(deps, account?.id ?? input.account, user, userName, false, mfaUsed));
    if (lockout !== undefined && account !== undefined && keys.length > 0 && !lockedOut)
      await lockout.failed(keys, deps.now, (key, lockMs) =>
        lockoutRecord({
          account: account.id,
          nowMs: deps.now,
          eventSource: 'signin.amazonaws.com',
          userIdentity:
            user === undefined
              ? {
                  type: 'Root',
                  principalId: account.id,
                  arn: `arn:aws:iam::${account.id}:root`,
                  accountId: account.id,
                }
              : {
                  type: 'IAMUser',
                  principalId: user.userId,
                  arn: user.arn,
                  accountId: account.id,
                  userName: user.userName,
                },
          sourceIp: deps.sourceIp,
          userAgent: deps.userAgent,
          region: deps.region,
          subject: key.startsWith('mfa:')
            ? { type: 'AWS::IAM::MFADevice', name: key.slice(`mfa:${account.id}:`.length) }
            : user === undefined
              ? { type: 'AWS::IAM::Root', name: `arn:aws:iam::${account.id}:root` }
              : { type: 'AWS::IAM::User', name: user.arn },
          key,
          lockMs,
        }),
      );
    return { ok: false, reason: 'invalid' };
  };
  if (!passwordOk || hash === undefined || account === undefined || signInKey === undefined)
    return fail(false, signInKey === undefined ? [] : [signInKey]);

  const index = userName === undefined ? '' : nameKey(userName);
  const devices = (await store.list<MfaDeviceBody>(account.id, 'mfaDevice', { index })).filter(
    (d) => d.body.enableDate !== undefined,
  );
  const code = input.mfaCode?.trim() ?? '';
  if (devices.length > 0 && code === '') return { ok: false, reason: 'mfa-required' };
  const deviceKeys = devices.map((d) => `mfa:${account.id}:${d.key}`);
  const allKeys = [signInKey, ...deviceKeys];
  if (deviceKeys.length > 0 && lockout !== undefined && (await lockout.locked(deviceKeys, deps.now)))
    return fail(true, []);

  const duration = userName === undefined ? ROOT_SESSION_SECONDS : USER_SESSION_SECONDS;
  return store
    .transact(async (tx) => {
      let mfa = false;
      for (const d of devices) {
        const outcome = await checkMfaCode(tx, account.id, user?.userName, d.key, code, deps.now, (s, aad) =>
          deps.services.unsealSecret(s, aad),
        );
        if (outcome === 'ok') {
          mfa = true;
          break;
        }
      }
      if (devices.length > 0 && !mfa) return undefined;
      const minted = mintSession(
        { now: deps.now, services: deps.services },
        {
          kind: 'SessionToken',
          account: account.id,
          userName: user?.userName,
          userId: user?.userId,
          mfaAuthenticatedAt: mfa ? deps.now : undefined,
          issuerType: user === undefined ? 'Root' : 'IAMUser',
          issuerArn: user?.arn ?? `arn:aws:iam::${account.id}:root`,
          console: true,
        },
        duration,
      );
      // IAM reports a user's last console sign-in as PasswordLastUsed (GetUser API reference).
      if (user !== undefined) {
        const entity = await tx.get<UserBody>(account.id, 'user', nameKey(user.userName));
        if (entity !== undefined)
          await tx.update(account.id, 'user', entity.key, { ...entity.body, passwordLastUsed: deps.now });
      }
      const record = loginRecord(deps, account.id, user, userName, true, mfa, minted.claims);
      await tx.appendAudit(record);
      const identity: ConsoleIdentity = {
        type: user === undefined ? 'Root' : 'IAMUser',
        account: account.id,
        arn: user?.arn ?? `arn:aws:iam::${account.id}:root`,
        displayName: user?.userName ?? 'root',
        userName: user?.userName,
        mfa,
      };
      const creds: ConsoleCredentials = {
        accessKeyId: minted.credentials.AccessKeyId,
        secretAccessKey: minted.credentials.SecretAccessKey,
        sessionToken: minted.credentials.SessionToken,
        expiresAt: minted.credentials.Expiration,
      };
      return {
        ok: true as const,
        identity,
        creds,
        passwordResetRequired: profile?.passwordResetRequired === true,
      };
    })
    .then(async (r) => {
      if (r === undefined) return fail(true, allKeys);
      await lockout?.succeeded(allKeys);
      return r;
    });
}

/** The CloudTrail `ConsoleLogin` record of one attempt. */
function loginRecord(
  deps: SignInDeps,
  account: string,
  user: UserBody | undefined,
  userName: string | undefined,
  success: boolean,
  mfaUsed: boolean,
  claims?: Parameters<typeof sessionPrincipal>[0],
): AuditRecord {
  const eventId = randomUUID();
  const identity: Record<string, unknown> =
    claims !== undefined
      ? userIdentity(sessionPrincipal(claims))
      : userName === undefined
        ? { type: 'Root', principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account }
        : // CloudTrail hides the typed name of a failed IAM-user sign-in ("HIDDEN_DUE_TO_SECURITY_REASONS").
          {
            type: 'IAMUser',
            accountId: account,
            accessKeyId: '',
            userName: 'HIDDEN_DUE_TO_SECURITY_REASONS',
          };
  const record: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity: identity,
    eventTime: new Date(deps.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: deps.region,
    sourceIPAddress: deps.sourceIp,
    userAgent: deps.userAgent,
    requestParameters: null,
    responseElements: { ConsoleLogin: success ? 'Success' : 'Failure' },
    additionalEventData: { LoginTo: '/console', MobileVersion: 'No', MFAUsed: mfaUsed ? 'Yes' : 'No' },
    eventID: eventId,
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  };
  if (!success) record.errorMessage = 'Failed authentication';
  return {
    eventId,
    eventTime: deps.now,
    account,
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    requestId: eventId,
    readOnly: false,
    username: success ? (user?.userName ?? 'root') : undefined,
    accessKeyId: claims?.accessKeyId,
    errorCode: success ? undefined : 'Failed authentication',
    resources: [],
    record,
  };
}
