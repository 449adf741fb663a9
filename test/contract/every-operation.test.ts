/**
 * Issue #20's "Done means" check: every operation of models/iam.json and models/sts.json is called
 * through the real SDK v3 clients with a minimal input that passes the model's constraints (required
 * members only, values built from each shape's type, enum, length, range and pattern). An operation that
 * answers `501 NotImplemented` goes in the list; the list must equal {@link NOT_YET} exactly, so the
 * list shrinks honestly as operations land (an operation that starts working must leave it too).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as iamSdk from '@aws-sdk/client-iam';
import * as stsSdk from '@aws-sdk/client-sts';
import { ROOT, startIamd, type TestServer } from './harness.js';

/** Operations still answering NotImplemented (issue #20: none left). */
const NOT_YET: readonly string[] = [];

interface ModelShape {
  readonly type: string;
  readonly required?: readonly string[];
  readonly members?: Readonly<Record<string, { readonly shape: string }>>;
  readonly member?: { readonly shape: string };
  readonly key?: { readonly shape: string };
  readonly value?: { readonly shape: string };
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
}
interface Model {
  readonly operations: Readonly<Record<string, { readonly input?: { readonly shape: string } }>>;
  readonly shapes: Readonly<Record<string, ModelShape>>;
}

function loadModel(name: string): Model {
  const url = new URL(`../../../models/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as Model;
}

const A = ROOT.accountId;
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }],
});

/** Candidate strings, most specific first, for a member/shape name. */
function candidates(member: string, shapeName: string): string[] {
  const m = member.toLowerCase();
  const s = shapeName.toLowerCase();
  const out: string[] = [];
  if (m.includes('document') || s.includes('policydocument') || m === 'policy') out.push(POLICY);
  if (m === 'versionid') out.push('v1');
  if (m === 'entitypath') out.push('o-a1b2c3d4e5/r-ab12');
  if (m === 'serialnumber') out.push(`arn:aws:iam::${A}:mfa/every-op`);
  if (m.includes('arn') || s.includes('arn')) out.push(`arn:aws:iam::${A}:user/every-op`);
  if (m.includes('url') || s.includes('url')) out.push('https://example.com');
  if (m.includes('password')) out.push('Str0ng-Passw0rd!');
  if (m.includes('authenticationcode')) out.push('123456');
  if (m.includes('path')) out.push('/');
  if (m.includes('region')) out.push('us-east-1');
  if (m.includes('thumbprint')) out.push('a'.repeat(40));
  // GetWebIdentityToken: the model has no enum, the STS API reference lists RS256 | ES384.
  if (m === 'signingalgorithm') out.push('RS256');
  out.push('every-op', 'EveryOp123', 'a', '*', '/', '1234567890');
  return out;
}

function fits(v: string, sh: ModelShape): boolean {
  if (sh.min !== undefined && v.length < sh.min) return false;
  if (sh.max !== undefined && v.length > sh.max) return false;
  if (sh.pattern !== undefined) {
    try {
      if (!new RegExp(`^(?:${sh.pattern})$`, 'u').test(v)) return false;
    } catch {
      return true;
    }
  }
  return true;
}

/** A minimal valid value of `shapeName` for member `member`. */
function value(model: Model, shapeName: string, member: string, depth = 0): unknown {
  const sh = model.shapes[shapeName]!;
  switch (sh.type) {
    case 'structure': {
      const o: Record<string, unknown> = {};
      if (depth > 6) return o;
      // A nested structure with no required member still needs one to be sent at all (an empty one
      // is absent on the wire): take its first member.
      const names = sh.required?.length
        ? sh.required
        : depth > 0
          ? Object.keys(sh.members ?? {}).slice(0, 1)
          : [];
      for (const r of names) o[r] = value(model, sh.members![r]!.shape, r, depth + 1);
      return o;
    }
    case 'list': {
      const n = Math.max(sh.min ?? 0, 1);
      return Array.from({ length: n }, () => value(model, sh.member!.shape, member, depth + 1));
    }
    case 'map':
      return {
        [String(value(model, sh.key!.shape, 'key', depth + 1))]: value(
          model,
          sh.value!.shape,
          'value',
          depth + 1,
        ),
      };
    case 'integer':
    case 'long':
      return sh.min ?? 1;
    case 'boolean':
      return false;
    case 'timestamp':
      return new Date();
    case 'blob':
      return new TextEncoder().encode('x'.repeat(Math.max(sh.min ?? 1, 1)));
    case 'string': {
      if (sh.enum) return sh.enum[0];
      const c = candidates(member, shapeName).find((v) => fits(v, sh));
      if (c !== undefined) return c;
      return 'a'.repeat(Math.max(sh.min ?? 1, 1));
    }
    default:
      return undefined;
  }
}

let server: TestServer;
before(async () => {
  server = await startIamd();
});
after(async () => {
  await server.stop();
});

/** Calls every operation of a model; returns [not implemented, rejected by input validation]. */
async function sweep(
  model: Model,
  sdk: Record<string, unknown>,
  send: (cmd: unknown) => Promise<unknown>,
): Promise<{ notImplemented: string[]; inputRejected: string[] }> {
  const notImplemented: string[] = [];
  const inputRejected: string[] = [];
  for (const name of Object.keys(model.operations).sort()) {
    const op = model.operations[name]!;
    const input = op.input ? value(model, op.input.shape, '') : {};
    const Command = sdk[`${name}Command`] as new (i: unknown) => unknown;
    assert.ok(Command, `the SDK has ${name}Command`);
    try {
      await send(new Command(input));
    } catch (e) {
      const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      if (err.name === 'NotImplemented' || err.$metadata?.httpStatusCode === 501) notImplemented.push(name);
      else if (/Member must|failed to satisfy constraint/.test(err.message ?? ''))
        inputRejected.push(`${name}: ${err.message}`);
    }
  }
  return { notImplemented, inputRejected };
}

test('every IAM and STS operation of the shipped models is implemented (or listed as not yet)', async () => {
  const iam = server.iam();
  const sts = server.sts();
  const a = await sweep(loadModel('iam'), iamSdk as unknown as Record<string, unknown>, (c) =>
    iam.send(c as never),
  );
  const b = await sweep(loadModel('sts'), stsSdk as unknown as Record<string, unknown>, (c) =>
    sts.send(c as never),
  );
  // The sweep's inputs must pass the model's validation, or a NotImplemented could hide behind it.
  assert.deepEqual([...a.inputRejected, ...b.inputRejected], []);
  assert.deepEqual([...a.notImplemented, ...b.notImplemented].sort(), [...NOT_YET].sort());
});
