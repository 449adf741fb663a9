/**
 * The account credential report: GenerateCredentialReport and GetCredentialReport.
 *
 * Columns, order and value formats follow AWS's "Getting credential reports for your AWS account"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html) and the report
 * AWS produced in shared/reference/localstack-snapshots/pr-13720/iam/test_iam_credential_report
 * (lower-case `true`/`false`, `N/A` where a credential is absent, `no_information` for a password never
 * used, an inactive key still reporting its rotation date, the first generation answering STARTED with
 * "No report exists. Starting a new report generation task", the next COMPLETE).
 *
 * Storage: one `setting` entity per account (key {@link CREDENTIAL_REPORT_KEY}) holding the CSV and its
 * generation time, so every node of a PostgreSQL cluster serves the same report. iamd builds the report
 * within the Generate call, so a report is never in progress when GetCredentialReport reads it.
 */
import type { SigningCertificateBody } from './signing-certificates.js';
import type { Operation } from '../api/operation.js';
import { iamOperation } from '../api/typed-operation.js';
import type { StoreReader } from '../store/index.js';
import { AwsError } from '../errors/index.js';
import { callerAccount } from './common.js';
import { nameKey } from '../domain/names.js';
import type { AccessKeyBody, LoginProfileBody, MfaDeviceBody, UserBody } from '../domain/entities.js';
import { getPasswordPolicy } from './account.js';

/** The `setting` entity key of the account's latest credential report. */
export const CREDENTIAL_REPORT_KEY = 'credential-report';

/**
 * How long a report is reused and served (ms). AWS: "If the existing report is less than four hours old,
 * IAM returns it; otherwise IAM generates a new one" (credential report user guide); GetCredentialReport
 * answers ReportExpired for an older one (API_GetCredentialReport).
 */
export const CREDENTIAL_REPORT_TTL_MS = 4 * 60 * 60 * 1000;

/** The report's columns, in AWS's order. */
export const CREDENTIAL_REPORT_COLUMNS: readonly string[] = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
];

/** The stored report. */
interface CredentialReportBody {
  readonly generatedTime: number;
  readonly csv: string;
}

/** One access key as the report needs it. */
export interface ReportKey {
  readonly active: boolean;
  readonly createDate: number;
  readonly lastUsed?:
    { readonly date: number; readonly region: string; readonly serviceName: string } | undefined;
}

/** What the report says about one identity (a user, or the account root). */
export interface ReportIdentity {
  /** The user name; undefined for the account root (`<root_account>`). */
  readonly userName?: string | undefined;
  readonly arn: string;
  readonly createDate: number;
  /** Console password: whether present, when last changed, when last used. */
  readonly password?: { readonly lastChanged: number; readonly lastUsed?: number | undefined } | undefined;
  readonly mfaActive: boolean;
  /** Access keys, oldest first (at most two are reported). */
  readonly keys: readonly ReportKey[];
  /** X.509 signing certificates, oldest first (at most two are reported). */
  readonly certs?: readonly { readonly active: boolean; readonly uploadDate: number }[] | undefined;
}

/**
 * ISO 8601 with an explicit UTC offset, seconds precision (`2014-10-08T22:26:13+00:00`), as the report's
 * date columns are written.
 */
export function reportDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

/** Quotes a CSV field when it holds a comma, quote or line break (RFC 4180). */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * One report row. `maxPasswordAgeDays` is the account policy's `MaxPasswordAge` (password_next_rotation
 * is `N/A` without one). For the root, the password columns other than password_last_used are
 * `not_supported`, as AWS documents them.
 */
export function credentialReportRow(id: ReportIdentity, maxPasswordAgeDays: number | undefined): string[] {
  const root = id.userName === undefined;
  const bool = (b: boolean): string => (b ? 'true' : 'false');
  const row: string[] = [root ? '<root_account>' : (id.userName ?? ''), id.arn, reportDate(id.createDate)];
  if (root) {
    row.push(
      'not_supported',
      id.password?.lastUsed !== undefined
        ? reportDate(id.password.lastUsed)
        : id.password
          ? 'no_information'
          : 'N/A',
      'not_supported',
      'not_supported',
    );
  } else if (id.password === undefined) {
    row.push('false', 'N/A', 'N/A', 'N/A');
  } else {
    const p = id.password;
    row.push(
      'true',
      p.lastUsed !== undefined ? reportDate(p.lastUsed) : 'no_information',
      reportDate(p.lastChanged),
      maxPasswordAgeDays !== undefined ? reportDate(p.lastChanged + maxPasswordAgeDays * 86_400_000) : 'N/A',
    );
  }
  row.push(bool(id.mfaActive));
  for (let i = 0; i < 2; i++) {
    const k = id.keys[i];
    if (k === undefined) {
      row.push('false', 'N/A', 'N/A', 'N/A', 'N/A');
      continue;
    }
    row.push(
      bool(k.active),
      reportDate(k.createDate),
      k.lastUsed ? reportDate(k.lastUsed.date) : 'N/A',
      k.lastUsed ? k.lastUsed.region : 'N/A',
      k.lastUsed ? k.lastUsed.serviceName : 'N/A',
    );
  }
  // "cert_1_active: When the user has an X.509 signing certificate and that certificate's status is
  // Active, this value is TRUE"; "cert_1_last_rotated: … when the user's signing certificate was created
  // or last changed. If the user does not have a signing certificate, this value is N/A" (IAM User
  // Guide, "Getting credential reports for your AWS account").
  for (let i = 0; i < 2; i++) {
    const c = id.certs?.[i];
    row.push(c === undefined ? 'false' : bool(c.active), c === undefined ? 'N/A' : reportDate(c.uploadDate));
  }
  return row;
}

/** The whole CSV: header line, then one line per identity, root first. Lines end with `\n`. */
export function credentialReportCsv(ids: readonly ReportIdentity[], maxPasswordAgeDays?: number): string {
  const lines = [CREDENTIAL_REPORT_COLUMNS.join(',')];
  for (const id of ids) lines.push(credentialReportRow(id, maxPasswordAgeDays).map(csvField).join(','));
  return lines.join('\n') + '\n';
}

function toReportKeys(keys: readonly AccessKeyBody[]): ReportKey[] {
  return [...keys]
    .sort((a, b) => a.createDate - b.createDate || (a.accessKeyId < b.accessKeyId ? -1 : 1))
    .map((k) => ({ active: k.status === 'Active', createDate: k.createDate, lastUsed: k.lastUsed }));
}

/** Reads everything the report says about `account`, root first, then users by name. */
export async function collectReportIdentities(
  store: StoreReader,
  account: string,
): Promise<ReportIdentity[]> {
  const acct = await store.getAccount(account);
  const allKeys = await store.list<AccessKeyBody>(account, 'accessKey');
  const devices = (await store.list<MfaDeviceBody>(account, 'mfaDevice')).filter(
    (d) => d.body.enableDate !== undefined && d.index !== null,
  );
  const keysOf = (index: string): AccessKeyBody[] =>
    allKeys.filter((k) => k.index === index).map((k) => k.body);
  const allCerts = await store.list<SigningCertificateBody>(account, 'signingCertificate');
  const certsOf = (index: string) =>
    allCerts
      .filter((c) => c.index === index)
      .map((c) => c.body)
      .sort((a, b) => a.uploadDate - b.uploadDate || (a.certificateId < b.certificateId ? -1 : 1))
      .map((c) => ({ active: c.status === 'Active', uploadDate: c.uploadDate }));
  const out: ReportIdentity[] = [
    {
      arn: `arn:aws:iam::${account}:root`,
      createDate: acct?.createdAt ?? 0,
      password: acct?.rootPasswordHash !== undefined ? { lastChanged: acct.createdAt } : undefined,
      mfaActive: devices.some((d) => d.index === ''),
      keys: toReportKeys(keysOf('')),
      certs: certsOf(''),
    },
  ];
  const users = await store.list<UserBody>(account, 'user');
  const profiles = await store.list<LoginProfileBody>(account, 'loginProfile');
  const profileOf = new Map(profiles.map((p) => [p.key, p.body]));
  for (const u of users) {
    const profile = profileOf.get(u.key);
    out.push({
      userName: u.body.userName,
      arn: u.body.arn,
      createDate: u.body.createDate,
      password: profile
        ? {
            lastChanged: profile.passwordLastChanged ?? profile.createDate,
            lastUsed: u.body.passwordLastUsed,
          }
        : undefined,
      mfaActive: devices.some((d) => d.index === nameKey(u.body.userName)),
      keys: toReportKeys(keysOf(u.key)),
      certs: certsOf(u.key),
    });
  }
  return out;
}

/**
 * GenerateCredentialReport: builds a new report unless one younger than four hours exists. A new report
 * answers `STARTED` with AWS's description; an existing one `COMPLETE`.
 */
export const generateCredentialReport = iamOperation<'GenerateCredentialReport'>({
  service: 'iam',
  name: 'GenerateCredentialReport',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GenerateCredentialReport', resource: '*' });
    const existing = await ctx.store.get<CredentialReportBody>(account, 'setting', CREDENTIAL_REPORT_KEY);
    if (
      existing &&
      ctx.now - existing.body.generatedTime < CREDENTIAL_REPORT_TTL_MS &&
      ctx.now >= existing.body.generatedTime
    )
      return { State: 'COMPLETE' };
    const ids = await collectReportIdentities(ctx.store, account);
    const policy = await getPasswordPolicy(ctx.store, account);
    const body: CredentialReportBody = {
      generatedTime: ctx.now,
      csv: credentialReportCsv(ids, policy?.MaxPasswordAge),
    };
    return ctx.transact(async (tx) => {
      const cur = await tx.get<CredentialReportBody>(account, 'setting', CREDENTIAL_REPORT_KEY);
      if (cur === undefined) await tx.insert(account, 'setting', CREDENTIAL_REPORT_KEY, body);
      else await tx.update(account, 'setting', CREDENTIAL_REPORT_KEY, body);
      return { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' };
    });
  },
});

/**
 * GetCredentialReport: the latest report, base64 CSV. ReportNotPresent (410) before any Generate — AWS
 * sends no message (recorded `get-credential-report-without-generate-error`); ReportExpired (410) once
 * the report is four hours old (message: the exception's text in API_GetCredentialReport).
 */
export const getCredentialReport = iamOperation<'GetCredentialReport'>({
  service: 'iam',
  name: 'GetCredentialReport',
  async handle(_input, ctx) {
    const account = callerAccount(ctx);
    await ctx.authorize({ action: 'iam:GetCredentialReport', resource: '*' });
    const report = await ctx.store.get<CredentialReportBody>(account, 'setting', CREDENTIAL_REPORT_KEY);
    if (report === undefined) throw new AwsError('ReportNotPresent', '');
    if (ctx.now - report.body.generatedTime >= CREDENTIAL_REPORT_TTL_MS)
      throw new AwsError(
        'ReportExpired',
        'The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.',
      );
    return {
      Content: new TextEncoder().encode(report.body.csv),
      ReportFormat: 'text/csv',
      GeneratedTime: report.body.generatedTime,
    };
  },
});

/** The credential report operations. */
export const credentialReportOperations: readonly Operation[] = [
  generateCredentialReport,
  getCredentialReport,
];
