/**
 * Credential report CSV: AWS's columns in order and its value formats (`true`/`false`, `N/A`,
 * `no_information`, `not_supported`, ISO 8601 dates). Sources: "Getting credential reports for your AWS
 * account" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html) and the
 * AWS recording shared/reference/localstack-snapshots/pr-13720/iam/test_iam_credential_report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CREDENTIAL_REPORT_COLUMNS, credentialReportCsv, reportDate } from './credential-report.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

test('header: the 22 columns in AWS order', () => {
  const csv = credentialReportCsv([]);
  assert.equal(csv.split('\n')[0], CREDENTIAL_REPORT_COLUMNS.join(','));
  assert.equal(CREDENTIAL_REPORT_COLUMNS.length, 22);
  assert.equal(CREDENTIAL_REPORT_COLUMNS[12], 'access_key_1_last_used_service');
  assert.equal(CREDENTIAL_REPORT_COLUMNS[21], 'cert_2_last_rotated');
});

test('dates are ISO 8601 with seconds and +00:00', () => {
  assert.equal(reportDate(T0), '2026-01-02T03:04:05+00:00');
});

test('root row: <root_account>, not_supported password columns', () => {
  const csv = credentialReportCsv([
    { arn: 'arn:aws:iam::111122223333:root', createDate: T0, mfaActive: true, keys: [] },
  ]);
  assert.equal(
    csv.split('\n')[1],
    '<root_account>,arn:aws:iam::111122223333:root,2026-01-02T03:04:05+00:00,not_supported,N/A,not_supported,' +
      'not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  );
});

test('user with a never-used password, an unused active key and a used inactive key (recorded shape)', () => {
  const csv = credentialReportCsv([
    {
      userName: 'alice',
      arn: 'arn:aws:iam::111122223333:user/alice',
      createDate: T0,
      password: { lastChanged: T0 + 1000 },
      mfaActive: false,
      keys: [
        { active: true, createDate: T0 + 2000 },
        {
          active: false,
          createDate: T0 + 3000,
          lastUsed: { date: T0 + 4000, region: 'eu-west-1', serviceName: 'sts' },
        },
      ],
    },
  ]);
  const row = csv.split('\n')[1]!.split(',');
  const byName = Object.fromEntries(CREDENTIAL_REPORT_COLUMNS.map((c, i) => [c, row[i]]));
  assert.deepEqual(byName, {
    user: 'alice',
    arn: 'arn:aws:iam::111122223333:user/alice',
    user_creation_time: '2026-01-02T03:04:05+00:00',
    password_enabled: 'true',
    password_last_used: 'no_information',
    password_last_changed: '2026-01-02T03:04:06+00:00',
    password_next_rotation: 'N/A',
    mfa_active: 'false',
    access_key_1_active: 'true',
    access_key_1_last_rotated: '2026-01-02T03:04:07+00:00',
    access_key_1_last_used_date: 'N/A',
    access_key_1_last_used_region: 'N/A',
    access_key_1_last_used_service: 'N/A',
    access_key_2_active: 'false',
    access_key_2_last_rotated: '2026-01-02T03:04:08+00:00',
    access_key_2_last_used_date: '2026-01-02T03:04:09+00:00',
    access_key_2_last_used_region: 'eu-west-1',
    access_key_2_last_used_service: 'sts',
    cert_1_active: 'false',
    cert_1_last_rotated: 'N/A',
    cert_2_active: 'false',
    cert_2_last_rotated: 'N/A',
  });
});

test('no password: false and N/A; MaxPasswordAge gives password_next_rotation', () => {
  const none = credentialReportCsv([
    { userName: 'bob', arn: 'arn:aws:iam::1:user/bob', createDate: T0, mfaActive: false, keys: [] },
  ]);
  assert.deepEqual(none.split('\n')[1]!.split(',').slice(3, 7), ['false', 'N/A', 'N/A', 'N/A']);
  const rotating = credentialReportCsv(
    [
      {
        userName: 'bob',
        arn: 'arn:aws:iam::1:user/bob',
        createDate: T0,
        password: { lastChanged: T0, lastUsed: T0 + 5000 },
        mfaActive: false,
        keys: [],
      },
    ],
    90,
  );
  assert.deepEqual(rotating.split('\n')[1]!.split(',').slice(3, 7), [
    'true',
    '2026-01-02T03:04:10+00:00',
    '2026-01-02T03:04:05+00:00',
    '2026-04-02T03:04:05+00:00',
  ]);
});

/** A minimal RFC 4180 line parser (quoted fields, doubled quotes), for the round-trip below. */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      i++; // the comma
    } else {
      const end = line.indexOf(',', i);
      const stop = end < 0 ? line.length : end;
      out.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return out;
}

test('any IAM user name (commas included) keeps the row at 22 fields', () => {
  // IAM user names: [\w+=,.@-]+ (API_CreateUser), so a name may hold a comma and must be quoted.
  const nameChar = fc.constantFrom(...'abcXYZ019_+=,.@-'.split(''));
  fc.assert(
    fc.property(fc.array(nameChar, { minLength: 1, maxLength: 64 }), (chars) => {
      const userName = chars.join('');
      const csv = credentialReportCsv([
        { userName, arn: `arn:aws:iam::1:user/${userName}`, createDate: T0, mfaActive: false, keys: [] },
      ]);
      const fields = parseCsvLine(csv.split('\n')[1]!);
      assert.equal(fields.length, 22);
      assert.equal(fields[0], userName);
      assert.equal(fields[1], `arn:aws:iam::1:user/${userName}`);
    }),
  );
});

// IAM User Guide, "Getting credential reports for your AWS account": cert_N_active is TRUE for an
// Active signing certificate, cert_N_last_rotated its creation/change date, N/A without one.
test('signing certificates fill the cert_1 / cert_2 columns, oldest first', () => {
  const csv = credentialReportCsv([
    {
      userName: 'c',
      arn: 'arn:aws:iam::111122223333:user/c',
      createDate: Date.UTC(2026, 0, 1),
      mfaActive: false,
      keys: [],
      certs: [
        { active: true, uploadDate: Date.UTC(2026, 0, 2, 3, 4, 5) },
        { active: false, uploadDate: Date.UTC(2026, 1, 2) },
      ],
    },
    { userName: 'd', arn: 'arn:aws:iam::111122223333:user/d', createDate: 0, mfaActive: false, keys: [] },
  ]);
  const [header, c, d] = csv.trimEnd().split('\n');
  const col = (line: string, name: string) => line.split(',')[header!.split(',').indexOf(name)];
  assert.equal(col(c!, 'cert_1_active'), 'true');
  assert.equal(col(c!, 'cert_1_last_rotated'), '2026-01-02T03:04:05+00:00');
  assert.equal(col(c!, 'cert_2_active'), 'false');
  assert.equal(col(c!, 'cert_2_last_rotated'), '2026-02-02T00:00:00+00:00');
  assert.deepEqual(
    ['cert_1_active', 'cert_1_last_rotated', 'cert_2_active', 'cert_2_last_rotated'].map((n) => col(d!, n)),
    ['false', 'N/A', 'false', 'N/A'],
  );
});
