/**
 * `npm ci` on the oldest Node this package's `engines` admits warns about no dependency (issue #16
 * item 10: cookie@2 wanted Node >= 22 through fastify's light-my-request, so `npm ci` printed
 * EBADENGINE on Node 20). Checks every package the lockfile installs, dev ones included, against the
 * lowest Node version `engines.node` allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
type Version = [number, number, number];

function parse(v: string): Version {
  const [a = 0, b = 0, c = 0] = v
    .replace(/^v/, '')
    .split('.')
    .map((x) => Number.parseInt(x, 10));
  return [a, b, c];
}
function cmp(x: Version, y: Version): number {
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** Whether `v` satisfies a node-semver range of the forms lockfiles use (`>=`, `^`, `~`, bare, `||`, spaces). */
export function satisfies(v: Version, range: string): boolean {
  return range.split('||').some((alt) =>
    alt
      .trim()
      .replace(/(>=|<=|>|<|\^|~|=)\s+/g, '$1')
      .split(/\s+/)
      .filter((c) => c !== '' && c !== '*' && c !== 'x')
      .every((c) => {
        const m = /^(>=|<=|>|<|\^|~|=)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(c);
        if (!m) throw new Error(`unsupported range part \`${c}\` in \`${range}\``);
        const op = m[1] ?? '';
        const parts = [m[2], m[3], m[4]].filter((p) => p !== undefined && p !== 'x' && p !== '*');
        const lo = parse(parts.join('.'));
        const d = cmp(v, lo);
        switch (op) {
          case '>=':
            return d >= 0;
          case '>':
            return d > 0;
          case '<=':
            return d <= 0;
          case '<':
            return d < 0;
          case '~':
            return d >= 0 && v[0] === lo[0] && (parts.length < 2 || v[1] === lo[1]);
          case '^':
            return d >= 0 && v[0] === lo[0];
          default:
            // Bare `20` or `20.1`: that major (and minor); `=1.2.3` or `1.2.3`: exactly.
            return parts.length === 3 ? d === 0 : v[0] === lo[0] && (parts.length < 2 || v[1] === lo[1]);
        }
      }),
  );
}

test('the range reader agrees with node-semver on the lockfile forms', () => {
  assert.equal(satisfies([20, 19, 0], '^20.19.0 || ^22.13.0 || >=24'), true);
  assert.equal(satisfies([20, 18, 9], '^20.19.0 || ^22.13.0 || >=24'), false);
  assert.equal(satisfies([20, 19, 0], '18 || 20 || >=22'), true);
  assert.equal(satisfies([21, 0, 0], '18 || 20 || >=22'), false);
  assert.equal(satisfies([20, 19, 0], '>=22'), false);
  assert.equal(satisfies([20, 19, 0], '>= 20.19.0'), true);
  assert.equal(satisfies([20, 19, 0], '>=14.0.0 <21'), true);
  assert.equal(satisfies([20, 19, 0], '6.* || 8.* || >= 10.*'), true);
  assert.equal(satisfies([7, 1, 0], '6.* || 8.* || >= 10.*'), false);
});

test("every locked package admits the lowest Node that package.json's engines allows", () => {
  const pkg = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { engines: { node: string } };
  const m = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(pkg.engines.node);
  assert.ok(m, `engines.node \`${pkg.engines.node}\` is a lower bound`);
  const lowest = parse(m[1] as string);
  const lock = JSON.parse(readFileSync(root('package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };
  const wrong: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (path === '' || node === undefined) continue;
    if (!satisfies(lowest, node)) wrong.push(`${path}@${entry.version ?? '?'} wants node ${node}`);
  }
  assert.deepEqual(wrong, []);
});
