// The AWS CLI through the gateway (issue #18): `aws s3 mb/cp/ls/presign` and `aws s3api` against a
// real iamd in front of s3rver — both CLI generations when installed (Debian's v2 at /usr/bin/aws signs
// uploads with its own payload modes; v1 under pyenv with botocore's).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startS3Gateway, type S3Gateway } from './setup.js';
import { ROOT, type TestServer } from '../contract/harness.js';

/** The aws binaries installed: CLI v2 (Debian) and v1 (PATH). */
function findAws(): string[] {
  const found: string[] = [];
  if (existsSync('/usr/bin/aws')) found.push('/usr/bin/aws');
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) found.push('aws');
  return found;
}

const BINARIES = findAws();
let gateway: S3Gateway;
let server: TestServer;
let dir = '';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function aws(bin: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      bin,
      [...args, '--endpoint-url', server.url],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: join(dir, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
          AWS_PAGER: '',
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function ok(bin: string, ...args: string[]): Promise<string> {
  const r = await aws(bin, ...args);
  assert.equal(r.code, 0, `${bin} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  if (BINARIES.length === 0) return;
  dir = mkdtempSync(join(tmpdir(), 'iamd-s3-cli-'));
  // CLI v1 presigns with SigV2 unless told otherwise (AWS CLI v1 reference, `aws s3 presign`); iamd
  // verifies SigV4 only.
  writeFileSync(
    join(dir, 'config'),
    '[default]\ns3 =\n  addressing_style = path\n  signature_version = s3v4\n',
  );
  gateway = await startS3Gateway();
  server = gateway.server;
});

after(async () => {
  await gateway?.stop();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const skip = BINARIES.length === 0 ? 'no aws binary' : false;

for (const [i, bin] of BINARIES.entries()) {
  test(`${bin}: s3 mb, cp up and down, ls, presign`, { skip }, async () => {
    const bucket = `cli-bucket-${i}`;
    const started = Date.now();
    await ok(bin, 's3', 'mb', `s3://${bucket}`);
    const file = join(dir, `upload-${i}.txt`);
    const content = 'x'.repeat(70_000) + ' the end';
    writeFileSync(file, content);
    await ok(bin, 's3', 'cp', file, `s3://${bucket}/dir/upload.txt`);
    const listing = await ok(bin, 's3', 'ls', `s3://${bucket}/dir/`);
    assert.match(listing, /70008 upload\.txt/);
    const down = join(dir, `download-${i}.txt`);
    await ok(bin, 's3', 'cp', `s3://${bucket}/dir/upload.txt`, down);
    assert.equal(spawnSync('cat', [down], { encoding: 'utf8' }).stdout, content);
    const url = (
      await ok(bin, 's3', 'presign', `s3://${bucket}/dir/upload.txt`, '--expires-in', '300')
    ).trim();
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), content);
    const buckets = await ok(bin, 's3', 'ls');
    assert.match(buckets, new RegExp(`${bucket}`));
    assert.ok(Date.now() - started < 30_000);
  });
}
