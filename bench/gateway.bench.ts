/**
 * `npm run bench -- gateway [--json] [--seconds N] [--repeat N] [--stream-mib N] [--only WORKLOAD] [--pin] [--compare DIR]`: the gateway (issue #18)
 * against its upstreams called directly, in the same run, with the same load generator. Real s3rver and
 * dynalite (child processes) and a real `iamd serve --upstream …` (SQLite data directory); iamd's calls
 * are signed with a role session's credentials, the direct ones with the upstream's key.
 *
 * - Small requests: GetObject of a 1 KiB object and DynamoDB PutItem at concurrency 1 and 16, direct
 *   and through iamd: requests/s, p50/p99 latency, the ratio (target ≥ 80% of direct) and the p50
 *   overhead (target < 1 ms). Each request is signed once per cell for its target, as in the server
 *   bench.
 * - Streaming: a `--stream-mib` (default 1024) PutObject, streamed, as UNSIGNED-PAYLOAD and as aws-chunked
 *   STREAMING-AWS4-HMAC-SHA256-PAYLOAD (64 KiB chunks, every chunk signed), then a GetObject of it, direct
 *   and through iamd: MiB/s and the growth of iamd's resident set size over the transfer, sampled every
 *   20 ms from /proc/PID/status (target < 64 MiB).
 *
 * With `--repeat N` every cell is measured N times; the median ratio is shown with all ratios, and the
 * largest RSS growth of the N transfers.
 *
 * With `--pin` (Linux, ≥ 2 CPUs) iamd and the pass-through proxy each run on the last CPU alone, the load
 * generator and the upstreams on the others ({@link cpuSplit}): the gateway's cost to its clients when
 * it has a core of its own, as deployed, rather than when it takes CPU from the load generator and the
 * upstream it is compared with. Direct calls then have the same CPUs as the load generator and the
 * upstreams have through iamd.
 *
 * With `--compare DIR` a second iamd, built from the checkout DIR, runs in front of upstreams of its own
 * (set up as the first's) and takes turns with this build on every small-request cell; its rows are
 * marked `(--compare)`. Streams are measured for this build only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  medianCells,
  repeatArg,
  runLoad,
  runLoadMeasured,
  type Cell,
  type LoadRequest,
} from './http/load.js';
import { EMPTY_SHA256, signedChunk, signForm, signRequest, type SigningCreds } from './http/sign.js';
import {
  BENCH_ROOT,
  compareBinArg,
  cpuSplit,
  pinProcess,
  startIamdProcess,
  type ChildServer,
} from './http/servers.js';
import {
  rssOf,
  S3RVER_CREDS,
  startDynaliteProcess,
  startPassThroughProxy,
  startS3rverProcess,
} from './http/upstreams.js';

const json = process.argv.includes('--json');
const numberArg = (flag: string, fallback: number): number => {
  const i = process.argv.indexOf(flag);
  const n = i > 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
const seconds = numberArg('--seconds', 3);
const repeat = repeatArg();
/** `--only NAME`: measure just that small-request workload (e.g. with IAMD_BENCH_CPU_PROF). */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
/** `--pin`: the measured servers on a CPU of their own (see the module comment). */
const pin = process.argv.includes('--pin') ? cpuSplit() : undefined;
/** `--compare DIR`: the other build's entry point. */
const compareBin = compareBinArg();
const STREAM_BYTES = Math.round(numberArg('--stream-mib', 1024)) * 1024 * 1024;
const MIB = 1024 * 1024;

const BUCKET = 'iamd-bench';
const SMALL_KEY = 'small-1k';
const BIG_KEY = 'big';
const TABLE = 'iamd-bench';
const REGION = 'us-east-1';
/** SDKs' default aws-chunked chunk size. */
const CHUNK = 64 * 1024;
const RSS_TARGET = 64 * MIB;

/** Where one side of the comparison sends its requests, and as whom. */
interface Target {
  readonly name: 'direct' | 'proxy' | 'iamd' | 'iamd (--compare)';
  readonly s3: string;
  readonly dynamodb: string;
  /** The `Host` requests are signed for, when not the URL's (the pass-through proxy relays it). */
  readonly s3Host?: string;
  readonly dynamodbHost?: string;
  readonly s3Creds: SigningCreds;
  readonly dynamodbCreds: SigningCreds;
}

/** A small HTTP exchange (set-up calls): status and body text. */
function exchange(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer = '',
): Promise<{ status: number; text: string; headers: IncomingMessage['headers'] }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function expectOk(what: string, p: ReturnType<typeof exchange>): Promise<string> {
  const r = await p;
  if (r.status < 200 || r.status > 299) throw new Error(`${what} failed: ${r.status} ${r.text}`);
  return r.text;
}

/** An S3 request without a body, signed for `url`. */
function s3Request(
  url: string,
  method: string,
  path: string,
  creds: SigningCreds,
  host = new URL(url).host,
): LoadRequest {
  const s = signRequest({ method, host, path, service: 's3', payloadHash: EMPTY_SHA256 }, creds);
  return { method, path, body: '', headers: s.headers };
}

/** A DynamoDB JSON 1.0 call, signed for `url`. */
function dynamoRequest(
  url: string,
  operation: string,
  input: unknown,
  creds: SigningCreds,
  host = new URL(url).host,
): LoadRequest {
  const body = JSON.stringify(input);
  const s = signRequest(
    {
      method: 'POST',
      host,
      path: '/',
      service: 'dynamodb',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
      payloadHash: createHash('sha256').update(body).digest('hex'),
    },
    creds,
  );
  return { method: 'POST', path: '/', body, headers: s.headers };
}

function send(url: string, r: LoadRequest): ReturnType<typeof exchange> {
  return exchange(url, r.method ?? 'POST', r.path ?? '/', { ...r.headers }, r.body);
}

function form(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

async function query(
  url: string,
  service: 'iam' | 'sts',
  params: Record<string, string>,
  creds: SigningCreds = BENCH_ROOT,
): Promise<string> {
  const body = form(params);
  return expectOk(
    params['Action'] ?? '',
    exchange(url, 'POST', '/', signForm(new URL(url).host, service, body, creds), body),
  );
}

/** The text of the first `<name>` element of `xml`. */
function field(xml: string, name: string): string {
  const m = new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml);
  if (!m) throw new Error(`answer without ${name}: ${xml}`);
  return m[1]!;
}

/**
 * Set-up through iamd as the account root: the bucket, the 1 KiB object and the table; a role allowed
 * exactly what the benchmark does, and a session of it that a user (roots may not assume roles) opens.
 */
async function setUp(iamd: string): Promise<SigningCreds> {
  const root = BENCH_ROOT;
  await expectOk('CreateBucket', send(iamd, s3Request(iamd, 'PUT', `/${BUCKET}`, root)));
  const small = randomBytes(1024);
  const put = signRequest(
    {
      method: 'PUT',
      host: new URL(iamd).host,
      path: `/${BUCKET}/${SMALL_KEY}`,
      service: 's3',
      headers: { 'content-type': 'application/octet-stream' },
      payloadHash: createHash('sha256').update(small).digest('hex'),
    },
    root,
  );
  await expectOk('PutObject', exchange(iamd, 'PUT', `/${BUCKET}/${SMALL_KEY}`, put.headers, small));
  await expectOk(
    'CreateTable',
    send(
      iamd,
      dynamoRequest(
        iamd,
        'CreateTable',
        {
          TableName: TABLE,
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          ProvisionedThroughput: { ReadCapacityUnits: 1000, WriteCapacityUnits: 1000 },
        },
        root,
      ),
    ),
  );
  for (let i = 0; ; i++) {
    const d = await send(iamd, dynamoRequest(iamd, 'DescribeTable', { TableName: TABLE }, root));
    if (d.text.includes('"TableStatus":"ACTIVE"')) break;
    if (i > 100) throw new Error(`table not active: ${d.status} ${d.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${root.accountId}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  await query(iamd, 'iam', {
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: 'gateway-bench',
    AssumeRolePolicyDocument: JSON.stringify(trust),
  });
  const permissions = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${BUCKET}/*` },
      {
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: `arn:aws:dynamodb:${REGION}:${root.accountId}:table/${TABLE}`,
      },
    ],
  };
  await query(iamd, 'iam', {
    Action: 'PutRolePolicy',
    Version: '2010-05-08',
    RoleName: 'gateway-bench',
    PolicyName: 'bench',
    PolicyDocument: JSON.stringify(permissions),
  });
  await query(iamd, 'iam', { Action: 'CreateUser', Version: '2010-05-08', UserName: 'gateway-bench' });
  await query(iamd, 'iam', {
    Action: 'PutUserPolicy',
    Version: '2010-05-08',
    UserName: 'gateway-bench',
    PolicyName: 'assume',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: `arn:aws:iam::${root.accountId}:role/gateway-bench`,
        },
      ],
    }),
  });
  const key = await query(iamd, 'iam', {
    Action: 'CreateAccessKey',
    Version: '2010-05-08',
    UserName: 'gateway-bench',
  });
  const user = { accessKeyId: field(key, 'AccessKeyId'), secretAccessKey: field(key, 'SecretAccessKey') };
  const xml = await query(
    iamd,
    'sts',
    {
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: `arn:aws:iam::${root.accountId}:role/gateway-bench`,
      RoleSessionName: 'bench',
      DurationSeconds: '3600',
    },
    user,
  );
  return {
    accessKeyId: field(xml, 'AccessKeyId'),
    secretAccessKey: field(xml, 'SecretAccessKey'),
    sessionToken: field(xml, 'SessionToken'),
  };
}

/** The small-request workloads, signed for a target. */
const WORKLOADS: readonly { name: string; make: (t: Target) => LoadRequest }[] = [
  {
    name: 'GetObject 1 KiB',
    make: (t) => s3Request(t.s3, 'GET', `/${BUCKET}/${SMALL_KEY}`, t.s3Creds, t.s3Host),
  },
  {
    name: 'PutItem',
    make: (t) =>
      dynamoRequest(
        t.dynamodb,
        'PutItem',
        { TableName: TABLE, Item: { pk: { S: 'bench' }, v: { S: 'x'.repeat(100) } } },
        t.dynamodbCreds,
        t.dynamodbHost,
      ),
  },
];

/** Samples `pid`'s RSS every 20 ms until stopped; the largest value seen. */
function rssSampler(pid: number): { stop: () => Promise<number> } {
  let peak = 0;
  const sample = () =>
    rssOf(pid).then(
      (v) => void (peak = Math.max(peak, v)),
      () => undefined,
    );
  const timer = setInterval(() => void sample(), 20);
  return {
    stop: async () => {
      clearInterval(timer);
      await sample();
      return peak;
    },
  };
}

/** One streamed transfer. */
interface StreamRun {
  readonly workload: string;
  readonly target: Target['name'];
  readonly bytes: number;
  readonly ms: number;
  readonly mibPerSec: number;
  /** iamd's RSS before and its peak during the transfer (iamd's side only). */
  readonly rssBefore?: number;
  readonly rssPeak?: number;
}

/** Reads a response to its end, counting bytes; the text of a small (error) answer. */
async function drain(res: IncomingMessage): Promise<{ status: number; bytes: number; text: string }> {
  let bytes = 0;
  let text = '';
  for await (const c of res) {
    bytes += (c as Buffer).length;
    if (text.length < 2048) text += (c as Buffer).toString('utf8', 0, Math.min((c as Buffer).length, 2048));
  }
  return { status: res.statusCode ?? 0, bytes, text };
}

/** A 1 MiB random block the streamed bodies repeat. */
const BLOCK = randomBytes(MIB);

/**
 * PUTs a `STREAM_BYTES` object to `url` as `mode`, writing with back-pressure (nothing buffered on
 * the client beyond the socket), and waits for the answer.
 */
async function upload(url: string, creds: SigningCreds, mode: 'unsigned' | 'chunked'): Promise<number> {
  const u = new URL(url);
  const path = `/${BUCKET}/${BIG_KEY}`;
  const chunks = STREAM_BYTES / CHUNK;
  // aws-chunked length: every chunk "hex;chunk-signature=<64>\r\n" + data + "\r\n", then the final
  // zero-length chunk and the closing CRLF.
  const frame = (n: number) => n.toString(16).length + ';chunk-signature='.length + 64 + 2;
  const framed = chunks * (frame(CHUNK) + CHUNK + 2) + frame(0) + 2;
  const signed = signRequest(
    {
      method: 'PUT',
      host: u.host,
      path,
      service: 's3',
      headers:
        mode === 'unsigned'
          ? { 'content-type': 'application/octet-stream' }
          : {
              'content-type': 'application/octet-stream',
              'content-encoding': 'aws-chunked',
              'x-amz-decoded-content-length': String(STREAM_BYTES),
            },
      payloadHash: mode === 'unsigned' ? 'UNSIGNED-PAYLOAD' : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    },
    creds,
  );
  const started = performance.now();
  const req = request({
    host: u.hostname,
    port: u.port,
    method: 'PUT',
    path,
    headers: { ...signed.headers, 'content-length': mode === 'unsigned' ? STREAM_BYTES : framed },
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  let early: IncomingMessage | undefined;
  void answered.then(
    (r) => (early = r),
    () => undefined,
  );
  const write = async (b: Buffer) => {
    if (!req.write(b)) await Promise.race([once(req, 'drain'), answered]);
  };
  const CRLF = Buffer.from('\r\n');
  let previous = signed.signature;
  for (let offset = 0; offset < STREAM_BYTES && early === undefined;) {
    if (mode === 'unsigned') {
      await write(BLOCK);
      offset += MIB;
      continue;
    }
    const data = BLOCK.subarray(offset % MIB, (offset % MIB) + CHUNK);
    const c = signedChunk(data, previous, signed);
    previous = c.signature;
    await write(c.head);
    await write(data);
    await write(CRLF);
    offset += CHUNK;
  }
  if (early === undefined && mode === 'chunked') {
    const last = signedChunk(Buffer.alloc(0), previous, signed);
    req.write(last.head);
    req.write(CRLF);
  }
  req.end();
  const r = await drain(await answered);
  if (r.status !== 200) throw new Error(`PutObject (${mode}) to ${url} failed: ${r.status} ${r.text}`);
  return performance.now() - started;
}

/** GETs the big object from `url`, checking its length; the time taken. */
async function download(url: string, creds: SigningCreds): Promise<number> {
  const r = s3Request(url, 'GET', `/${BUCKET}/${BIG_KEY}`, creds);
  const u = new URL(url);
  const started = performance.now();
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: 'GET', path: r.path, headers: r.headers });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
  const d = await drain(res);
  if (d.status !== 200 || d.bytes !== STREAM_BYTES)
    throw new Error(`GetObject from ${url}: ${d.status}, ${d.bytes} bytes: ${d.text.slice(0, 300)}`);
  return performance.now() - started;
}

/** The stored big object's size, asked of s3rver directly. */
async function storedSize(s3: string): Promise<number> {
  const r = await send(s3, s3Request(s3, 'HEAD', `/${BUCKET}/${BIG_KEY}`, S3RVER_CREDS));
  return Number(r.headers['content-length'] ?? -1);
}

async function measureStreams(direct: Target, gateway: Target, iamdPid: number): Promise<StreamRun[]> {
  const runs: StreamRun[] = [];
  const one = async (workload: string, t: Target, transfer: () => Promise<number>): Promise<void> => {
    const before = t.name === 'iamd' ? await rssOf(iamdPid) : undefined;
    const sampler = t.name === 'iamd' ? rssSampler(iamdPid) : undefined;
    const ms = await transfer();
    const peak = await sampler?.stop();
    runs.push({
      workload,
      target: t.name,
      bytes: STREAM_BYTES,
      ms,
      mibPerSec: STREAM_BYTES / MIB / (ms / 1000),
      ...(before !== undefined && peak !== undefined ? { rssBefore: before, rssPeak: peak } : {}),
    });
  };
  for (const mode of ['unsigned', 'chunked'] as const) {
    const name = mode === 'unsigned' ? 'PutObject UNSIGNED-PAYLOAD' : 'PutObject aws-chunked signed';
    for (const t of [direct, gateway]) await one(name, t, () => upload(t.s3, t.s3Creds, mode));
    // Through iamd the framing is decoded and every chunk verified: the object is the payload.
    const size = await storedSize(direct.s3);
    if (size !== STREAM_BYTES) throw new Error(`stored object is ${size} bytes, sent ${STREAM_BYTES}`);
  }
  for (const t of [direct, gateway]) await one('GetObject', t, () => download(t.s3, t.s3Creds));
  return runs;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
}

/** A gated iamd with upstreams of its own, set up for the workloads. */
interface Stack {
  readonly s3: ChildServer;
  readonly dynamodb: ChildServer;
  readonly iamd: ChildServer;
  readonly target: Target;
}

/**
 * Starts s3rver (storing under a new directory pushed on `dirs`), dynalite and `iamd serve` from `bin`
 * in front of them (data directory likewise), each pushed on `running` as it starts, pins iamd when
 * pinning, and sets the workloads up through it.
 */
async function startStack(
  name: 'iamd' | 'iamd (--compare)',
  bin: string | undefined,
  running: ChildServer[],
  dirs: string[],
): Promise<Stack> {
  const s3Dir = mkdtempSync(join(tmpdir(), 'iamd-bench-s3rver-'));
  dirs.push(s3Dir);
  const dataDir = mkdtempSync(join(tmpdir(), 'iamd-bench-gateway-'));
  dirs.push(dataDir);
  const s3 = await startS3rverProcess(s3Dir);
  running.push(s3);
  const dynamodb = await startDynaliteProcess();
  running.push(dynamodb);
  const iamd = await startIamdProcess(
    [
      '--data',
      dataDir,
      '--upstream',
      `s3=${s3.url}`,
      '--upstream-credentials',
      `s3=${S3RVER_CREDS.accessKeyId}:${S3RVER_CREDS.secretAccessKey}`,
      '--upstream',
      `dynamodb=${dynamodb.url}`,
    ],
    bin,
  );
  running.push(iamd);
  if (pin) pinProcess(iamd.pid, pin.server);
  const session = await setUp(iamd.url);
  return {
    s3,
    dynamodb,
    iamd,
    target: { name, s3: iamd.url, dynamodb: iamd.url, s3Creds: session, dynamodbCreds: session },
  };
}

async function main(): Promise<void> {
  const dirs: string[] = [];
  const running: ChildServer[] = [];
  const rows: Cell[] = [];
  const proxyRows: Cell[] = [];
  const streams: StreamRun[] = [];
  // The load generator (this process) first: the upstreams started next inherit its CPUs.
  if (pin) pinProcess(process.pid, pin.others);
  try {
    const stacks = [await startStack('iamd', undefined, running, dirs)];
    if (compareBin !== undefined)
      stacks.push(await startStack('iamd (--compare)', compareBin, running, dirs));
    const { s3, dynamodb, iamd, target: gateway } = stacks[0]!;
    const s3Proxy = await startPassThroughProxy(s3.url);
    running.push(s3Proxy);
    const dynamodbProxy = await startPassThroughProxy(dynamodb.url);
    running.push(dynamodbProxy);
    if (pin) for (const server of [s3Proxy, dynamodbProxy]) pinProcess(server.pid, pin.server);
    const direct: Target = {
      name: 'direct',
      s3: s3.url,
      dynamodb: dynamodb.url,
      s3Creds: S3RVER_CREDS,
      dynamodbCreds: S3RVER_CREDS,
    };
    const proxy: Target = {
      name: 'proxy',
      s3: s3Proxy.url,
      dynamodb: dynamodbProxy.url,
      s3Host: new URL(s3.url).host,
      dynamodbHost: new URL(dynamodb.url).host,
      s3Creds: S3RVER_CREDS,
      dynamodbCreds: S3RVER_CREDS,
    };
    const urlOf = (w: string, t: Target) => (w === 'PutItem' ? t.dynamodb : t.s3);
    const gateways = stacks.map((stack) => stack.target);
    // Every request works on both sides before anything is timed.
    for (const w of WORKLOADS)
      for (const t of [direct, proxy, ...gateways]) {
        const r = await send(urlOf(w.name, t), w.make(t));
        if (r.status !== 200) throw new Error(`${w.name} via ${t.name}: ${r.status} ${r.text}`);
      }
    // A discarded warm-up: the load generator, the upstreams and iamd all JIT-compiled first.
    for (const w of WORKLOADS)
      for (const t of [direct, proxy, ...gateways]) {
        const r = w.make(t);
        await runLoad(urlOf(w.name, t), () => r, 16, 1000);
      }
    for (let rep = 0; rep < repeat; rep++) {
      for (const concurrency of [1, 16])
        for (const w of WORKLOADS.filter((x) => only === undefined || x.name === only)) {
          const d = w.make(direct);
          const base = await runLoad(urlOf(w.name, direct), () => d, concurrency, seconds * 1000);
          const x = w.make(proxy);
          const viaProxy = await runLoadMeasured(
            { url: urlOf(w.name, proxy), cpuMs: (w.name === 'PutItem' ? dynamodbProxy : s3Proxy).cpuMs },
            () => x,
            concurrency,
            seconds * 1000,
          );
          proxyRows.push({ workload: w.name, concurrency, ceiling: base, ...viaProxy });
          // With --compare, the two builds take turns going first, repetition by repetition.
          const order = rep % 2 === 0 ? stacks : [...stacks].reverse();
          for (const stack of order) {
            const g = w.make(stack.target);
            const viaIamd = await runLoadMeasured(
              { url: urlOf(w.name, stack.target), cpuMs: stack.iamd.cpuMs },
              () => g,
              concurrency,
              seconds * 1000,
            );
            const label = stack === stacks[0] ? '' : ' (--compare)';
            rows.push({ workload: w.name + label, concurrency, ceiling: base, ...viaIamd });
          }
        }
      if (only === undefined) streams.push(...(await measureStreams(direct, gateway, iamd.pid)));
    }
  } finally {
    for (const s of running.reverse()) await s.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  const medians = medianCells(rows);
  const proxyMedians = medianCells(proxyRows);
  const streamSummary = ['PutObject UNSIGNED-PAYLOAD', 'PutObject aws-chunked signed', 'GetObject'].map(
    (workload) => {
      const of = (t: 'direct' | 'iamd') => streams.filter((s) => s.workload === workload && s.target === t);
      const d = of('direct');
      const g = of('iamd');
      const ratios = g.map((s, i) => s.mibPerSec / (d[i]?.mibPerSec ?? Number.NaN));
      const growth = g.map((s) => (s.rssPeak ?? 0) - (s.rssBefore ?? 0));
      return {
        workload,
        directMiBps: median(d.map((s) => s.mibPerSec)),
        iamdMiBps: median(g.map((s) => s.mibPerSec)),
        ratios,
        ratio: median(ratios),
        rssBeforeMiB: median(g.map((s) => (s.rssBefore ?? 0) / MIB)),
        maxRssGrowthMiB: Math.max(...growth) / MIB,
        rssGrowthsMiB: growth.map((x) => x / MIB),
      };
    },
  );
  if (json) {
    console.log(
      JSON.stringify(
        {
          node: process.version,
          repeat,
          seconds,
          pinned: pin ?? null,
          streamBytes: STREAM_BYTES,
          rows,
          medians,
          proxyRows,
          proxyMedians,
          streams,
          streamSummary,
        },
        null,
        2,
      ),
    );
    return;
  }
  console.log(
    `iamd gateway benchmark — node ${process.version}, ${seconds}s per cell, loopback, ${repeat} run(s) per cell (median ratio shown)`,
  );
  if (pin)
    console.log(
      `pinned: iamd and the proxy on CPU ${pin.server}, the load generator and the upstreams on CPU ${pin.others}`,
    );
  console.log(
    'workload          conc  direct req/s  iamd req/s  ratio  p50 direct  p50 iamd  overhead  p99 direct  p99 iamd  errors  cpu µs/req  runs',
  );
  for (const { cell: r, ratios } of medians) {
    const overhead = r.result.p50ms - r.ceiling.p50ms;
    console.log(
      `${r.workload.padEnd(16)} ${String(r.concurrency).padStart(5)} ${r.ceiling.rps.toFixed(0).padStart(13)} ${r.result.rps.toFixed(0).padStart(11)} ${((r.result.rps / r.ceiling.rps) * 100).toFixed(0).padStart(5)}% ${r.ceiling.p50ms.toFixed(2).padStart(11)} ${r.result.p50ms.toFixed(2).padStart(9)} ${overhead.toFixed(2).padStart(9)} ${r.ceiling.p99ms.toFixed(2).padStart(11)} ${r.result.p99ms.toFixed(2).padStart(9)} ${String(r.result.errors + r.ceiling.errors).padStart(7)} ${(r.cpuUsPerRequest === undefined ? '-' : r.cpuUsPerRequest.toFixed(0)).padStart(11)}  ${ratios.map((x) => (x * 100).toFixed(0)).join('/')}`,
    );
  }
  // The second baseline: a pass-through proxy that checks nothing, i.e. the price of the extra HTTP hop
  // alone on this machine; iamd's throughput is also shown as a share of it.
  console.log(
    '\nvs a pass-through proxy (no checks)  proxy req/s  proxy/direct  p50 proxy  iamd/proxy  proxy cpu µs/req  iamd cpu µs/req  runs (proxy/direct)',
  );
  for (const { cell: x, ratios } of proxyMedians) {
    const g = medians.find(
      ({ cell }) => cell.workload === x.workload && cell.concurrency === x.concurrency,
    )?.cell;
    const cpu = (c: Cell | undefined) =>
      c?.cpuUsPerRequest === undefined ? '-' : c.cpuUsPerRequest.toFixed(0);
    console.log(
      `${x.workload.padEnd(16)} ${String(x.concurrency).padStart(5)} ${' '.repeat(14)} ${x.result.rps.toFixed(0).padStart(11)} ${((x.result.rps / x.ceiling.rps) * 100).toFixed(0).padStart(12)}% ${x.result.p50ms.toFixed(2).padStart(10)} ${g === undefined ? '-' : ((g.result.rps / x.result.rps) * 100).toFixed(0).padStart(10) + '%'} ${cpu(x).padStart(17)} ${cpu(g).padStart(16)}  ${ratios.map((r) => (r * 100).toFixed(0)).join('/')}`,
    );
  }
  if (streams.length > 0)
    console.log(
      `\nstreamed ${STREAM_BYTES / MIB} MiB          direct MiB/s  iamd MiB/s  ratio  iamd RSS before  max RSS growth  runs`,
    );
  for (const s of streams.length > 0 ? streamSummary : [])
    console.log(
      `${s.workload.padEnd(29)} ${s.directMiBps.toFixed(0).padStart(12)} ${s.iamdMiBps.toFixed(0).padStart(11)} ${(s.ratio * 100).toFixed(0).padStart(5)}% ${s.rssBeforeMiB.toFixed(0).padStart(12)} MiB ${s.maxRssGrowthMiB.toFixed(1).padStart(11)} MiB  ${s.ratios.map((x) => (x * 100).toFixed(0)).join('/')}`,
    );
  const missed = [
    ...medians
      .filter(({ cell }) => cell.result.rps / cell.ceiling.rps < 0.8)
      .map(({ cell }) => `${cell.workload} at ${cell.concurrency}: ratio < 80%`),
    ...medians
      .filter(({ cell }) => cell.result.p50ms - cell.ceiling.p50ms >= 1)
      .map(({ cell }) => `${cell.workload} at ${cell.concurrency}: p50 overhead ≥ 1 ms`),
    ...streamSummary
      .filter((s) => s.maxRssGrowthMiB * MIB >= RSS_TARGET)
      .map((s) => `${s.workload}: RSS growth ≥ 64 MiB`),
  ];
  console.log(
    missed.length === 0
      ? '\ntargets (≥ 80% of direct, p50 overhead < 1 ms, RSS growth < 64 MiB): all met'
      : `\ntargets missed: ${missed.join('; ')}`,
  );
}

await main();
