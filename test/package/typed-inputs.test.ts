/**
 * Handlers read typed input (issue #17): IAM and STS operations are declared with
 * `iamOperation<'Name'>` / `stsOperation<'Name'>` (src/api/typed-operation.ts) over the shapes generated
 * from the models, so `String(input.X)` and `input.X as T` casts have no place in them. This test keeps
 * new ones from creeping back: a file outside the allow-list with such a read fails, and so does an
 * allowed file whose count grows. The allow-list may only shrink.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** An untyped read of a handler's input: a String() conversion, a cast, or a member named by a string. */
const UNTYPED = /String\(input\.|\binput\.[A-Za-z]+ as |\binput\[['"`]/g;

/**
 * Files still reading untyped input, with their counts today. Organizations (JSON 1.1) has no generated
 * shapes yet; `SessionDuration` is a number made a condition-key string, not an untyped read, but the
 * pattern cannot tell.
 */
const ALLOWED: Readonly<Record<string, number>> = {
  'src/organizations/policies.ts': 18,
  'src/organizations/accounts.ts': 12,
  'src/organizations/units.ts': 10,
  'src/organizations/handshakes.ts': 7,
  'src/organizations/resource-policy.ts': 1,
  'src/organizations/delegated-admins.ts': 6,
  'src/organizations/organization.ts': 5,
  'src/organizations/effective-policies.ts': 5,
  'src/organizations/tags.ts': 4,
  'src/organizations/common.ts': 2,
  'src/server/gateway/s3-entry.ts': 2,
  'src/iam/delegation-requests.ts': 1,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Untyped input reads per source file (files with none left out). */
function untypedReads(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of sources(join(root, 'src'))) {
    const n = readFileSync(file, 'utf8').match(UNTYPED)?.length ?? 0;
    if (n > 0) counts.set(relative(root, file).split('\\').join('/'), n);
  }
  return counts;
}

test('no handler reads untyped input outside the allow-list, and no allowed count grows', () => {
  const grown: string[] = [];
  for (const [file, n] of untypedReads()) {
    const allowed = ALLOWED[file] ?? 0;
    if (n > allowed) grown.push(`${file}: ${n} untyped input reads (allowed ${allowed})`);
  }
  assert.deepEqual(grown, [], 'read the typed input (src/api/typed-operation.ts) instead');
});

test('the pattern finds the reads it is meant to', () => {
  const probe = "const a = String(input.UserName); const b = input.Tags as Tag[]; const c = input['X'];";
  assert.equal(probe.match(UNTYPED)?.length, 3);
  // A typed read, and a member chosen by a typed key, are not counted.
  assert.equal('const a = input.UserName; const f = (k: Flag) => input[k];'.match(UNTYPED), null);
});
