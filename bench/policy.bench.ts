/**
 * Policy-engine throughput (decisions per second, one core) against @cloud-copilot/iam-simulate on
 * the same workloads through its public `runSimulation` (policies given as parsed JSON objects):
 *   (a) one statement, exact action;
 *   (b) AWS managed ReadOnlyAccess and PowerUserAccess (wildcards, ~2,900 actions);
 *   (c) a condition-heavy policy (IP ranges, StringLike, ForAnyValue, Date, Null, Bool);
 *   (d) identity + resource + permissions boundary + session policies for a role session.
 * `npm run bench -- policy [--json]`.
 */
import { readFileSync } from 'node:fs';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import {
  evaluate,
  loadPolicy,
  validatePolicy,
  type EvaluationRequest,
  type PolicySet,
  type PolicyType,
} from '../src/policy/index.js';
import { fmt, measure, measureAsync, printTable, wantsJson } from './lib/measure.js';

const ACCT = '111122223333';
const fixture = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`../../test/fixtures/policy/${name}.json`, import.meta.url), 'utf8')) as {
      Document: object;
    }
  ).Document;

function compiled(doc: object, type: PolicyType, id: string) {
  const text = JSON.stringify(doc);
  const errors = validatePolicy(text, type, { requireCurrentVersion: false }).errors;
  if (errors.length) throw new Error(`${id}: ${errors[0]?.message}`);
  return loadPolicy(text, type, id);
}

interface Workload {
  readonly name: string;
  readonly requests: readonly EvaluationRequest[];
  readonly ours: PolicySet;
  readonly theirs: (r: EvaluationRequest) => Simulation;
}

const USER = `arn:aws:iam::${ACCT}:user/alice`;
const userReq = (
  action: string,
  resource: string,
  context: EvaluationRequest['context'] = {},
): EvaluationRequest => ({
  principal: { kind: 'AWS', arn: USER, account: ACCT },
  action,
  resource,
  resourceAccount: ACCT,
  context,
});
/** iam-simulate takes string-valued context. */
const strCtx = (c: EvaluationRequest['context']) =>
  Object.fromEntries(
    Object.entries(c).map(([k, v]) => [k, Array.isArray(v) ? [...(v as string[])] : String(v)]),
  );
const principalArn = (r: EvaluationRequest) => (r.principal.kind === 'AWS' ? r.principal.arn : '');
const simBase = (r: EvaluationRequest, identity: object[]): Simulation => ({
  request: {
    principal: principalArn(r),
    action: r.action,
    resource: { resource: r.resource, accountId: r.resourceAccount ?? ACCT },
    contextVariables: strCtx(r.context),
  },
  identityPolicies: identity.map((policy, i) => ({ name: `p${i}`, policy })),
  serviceControlPolicies: [],
  resourceControlPolicies: [],
});

// (a)
const oneDoc = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' }],
};
const a: Workload = {
  name: '(a) one statement, exact action',
  requests: [userReq('s3:GetObject', 'arn:aws:s3:::bucket/key')],
  ours: { identity: [compiled(oneDoc, 'identity', 'one')] },
  theirs: (r) => simBase(r, [oneDoc]),
};

// (b)
const readOnly = fixture('ReadOnlyAccess');
const powerUser = fixture('PowerUserAccess');
const bRequests = [
  userReq('s3:GetObject', 'arn:aws:s3:::bucket/key'),
  userReq('ec2:DescribeInstances', '*'),
  userReq('iam:CreateUser', `arn:aws:iam::${ACCT}:user/bob`),
  userReq('dynamodb:Query', `arn:aws:dynamodb:us-east-1:${ACCT}:table/t`),
  userReq('lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCT}:function:f`),
  userReq('sns:Publish', `arn:aws:sns:us-east-1:${ACCT}:topic`),
  userReq('cloudwatch:GetMetricData', '*'),
  userReq('organizations:ListAccounts', '*'),
];
const b: Workload = {
  name: '(b) ReadOnlyAccess + PowerUserAccess',
  requests: bRequests,
  ours: {
    identity: [
      compiled(readOnly, 'identity', 'ReadOnlyAccess'),
      compiled(powerUser, 'identity', 'PowerUserAccess'),
    ],
  },
  theirs: (r) => simBase(r, [readOnly, powerUser]),
};

// (c)
const condDoc = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'OfficeHoursFromOffice',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/*'],
      Condition: {
        IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24', '198.51.100.0/24', '2001:db8::/32'] },
        StringLike: { 's3:prefix': ['home/${aws:username}/*', 'shared/*'] },
        'ForAnyValue:StringEquals': { 'aws:TagKeys': ['project', 'team', 'cost-center'] },
        DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
        DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
        Null: { 'aws:TokenIssueTime': 'false' },
        Bool: { 'aws:SecureTransport': 'true' },
      },
    },
    {
      Sid: 'DenyOutsideNetworks',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: {
        NotIpAddress: {
          'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24', '198.51.100.0/24', '2001:db8::/32'],
        },
      },
    },
    {
      Sid: 'RequireMfaForDelete',
      Effect: 'Deny',
      Action: 's3:DeleteObject',
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ],
};
const cCtx = (ip: string, prefix: string) => ({
  'aws:SourceIp': ip,
  's3:prefix': prefix,
  'aws:TagKeys': ['team', 'owner'],
  'aws:CurrentTime': '2026-03-01T12:00:00Z',
  'aws:TokenIssueTime': '2026-03-01T11:00:00Z',
  'aws:SecureTransport': 'true',
  'aws:username': 'alice',
});
const c: Workload = {
  name: '(c) condition-heavy',
  requests: [
    userReq('s3:ListBucket', 'arn:aws:s3:::bucket', cCtx('203.0.113.7', 'home/alice/docs')),
    userReq('s3:GetObject', 'arn:aws:s3:::bucket/shared/x', cCtx('198.51.100.20', 'shared/x')),
    userReq('s3:GetObject', 'arn:aws:s3:::bucket/x', cCtx('8.8.8.8', 'home/alice/x')),
    userReq('s3:PutObject', 'arn:aws:s3:::bucket/x', cCtx('2001:db8::7', 'home/bob/x')),
  ],
  ours: { identity: [compiled(condDoc, 'identity', 'conditions')] },
  theirs: (r) => simBase(r, [condDoc]),
};

// (d)
const ROLE = `arn:aws:iam::${ACCT}:role/app`;
const SESSION = `arn:aws:sts::${ACCT}:assumed-role/app/worker`;
const dIdentity = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'sqs:*'], Resource: '*' },
    { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
  ],
};
const dResource = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::data/*',
    },
    {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: 'arn:aws:s3:::data/*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};
const dBoundary = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:*', 'dynamodb:*'], Resource: '*' }],
};
const dSession = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 'dynamodb:Query'], Resource: '*' }],
};
const roleReq = (action: string, resource: string): EvaluationRequest => ({
  principal: { kind: 'AWS', arn: SESSION, account: ACCT, roleArn: ROLE },
  action,
  resource,
  resourceAccount: ACCT,
  context: { 'aws:SecureTransport': 'true', 'aws:PrincipalArn': ROLE },
});
const d: Workload = {
  name: '(d) identity+resource+boundary+session',
  requests: [
    roleReq('s3:GetObject', 'arn:aws:s3:::data/k'),
    roleReq('s3:PutObject', 'arn:aws:s3:::data/k'),
    roleReq('dynamodb:Query', `arn:aws:dynamodb:us-east-1:${ACCT}:table/t`),
    roleReq('sqs:SendMessage', `arn:aws:sqs:us-east-1:${ACCT}:q`),
  ],
  ours: {
    identity: [compiled(dIdentity, 'identity', 'role-policy')],
    resource: compiled(dResource, 'resource', 'bucket-policy'),
    permissionsBoundary: compiled(dBoundary, 'boundary', 'boundary'),
    session: [compiled(dSession, 'session', 'session')],
  },
  theirs: (r) => ({
    ...simBase(r, [dIdentity]),
    resourcePolicy: dResource,
    permissionBoundaryPolicies: [{ name: 'boundary', policy: dBoundary }],
    sessionPolicy: dSession,
  }),
};

const THEIRS: Record<string, string> = {
  Allowed: 'Allow',
  ExplicitlyDenied: 'ExplicitDeny',
  ImplicitlyDenied: 'ImplicitDeny',
};
const json = wantsJson();
const results: Record<string, unknown>[] = [];
const rows: string[][] = [];
for (const w of [a, b, c, d]) {
  const sims = w.requests.map((r) => w.theirs(r));
  const n = w.requests.length;
  // Both engines must agree before their speed is compared.
  const disagreements: string[] = [];
  for (const [i, r] of w.requests.entries()) {
    const ours = evaluate(r, w.ours).decision;
    const res = (await runSimulation(sims[i] as Simulation, {})) as {
      overallResult?: string;
      resultType: string;
    };
    const theirs = THEIRS[res.overallResult ?? ''] ?? JSON.stringify(res).slice(0, 200);
    if (ours !== theirs) disagreements.push(`${r.action}: iamd ${ours}, iam-simulate ${theirs}`);
  }
  const ours = measure(
    `iamd ${w.name}`,
    (i) => evaluate(w.requests[i % n] as EvaluationRequest, w.ours).decision === 'Allow',
  );
  const theirs = await measureAsync(`iam-simulate ${w.name}`, (i) =>
    runSimulation(sims[i % n] as Simulation, {}),
  );
  const ratio = ours.opsPerSec / theirs.opsPerSec;
  results.push({
    workload: w.name,
    iamd: Math.round(ours.opsPerSec),
    iamSimulate: Math.round(theirs.opsPerSec),
    ratio: Math.round(ratio),
    disagreements,
  });
  rows.push([w.name, fmt(ours.opsPerSec), fmt(theirs.opsPerSec), `${fmt(ratio)}x`]);
  if (!json) for (const x of disagreements) console.log(`  note: decisions differ: ${x}`);
}
if (json) console.log(JSON.stringify({ node: process.version, unit: 'decisions/s', results }, null, 2));
else {
  console.log(`policy engine benchmark — node ${process.version}, one core, decisions/s`);
  printTable(['workload', 'iamd', 'iam-simulate', 'ratio'], rows);
}
