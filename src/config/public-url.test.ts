/** `--public-url` / `IAMD_PUBLIC_URL`: the prefix of outbound-federation issuers (issue #20). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './index.js';

test('unset by default: iamd uses the address it listens on', () => {
  assert.equal(loadConfig({}, {}).publicUrl, undefined);
});

test('the option wins over the environment; trailing slashes are dropped', () => {
  assert.equal(
    loadConfig({}, { IAMD_PUBLIC_URL: 'https://iam.example.com/' }).publicUrl,
    'https://iam.example.com',
  );
  assert.equal(
    loadConfig({ publicUrl: 'https://a.example/iamd//' }, { IAMD_PUBLIC_URL: 'https://b.example' }).publicUrl,
    'https://a.example/iamd',
  );
});

test('not an http(s) URL, or with a query or fragment: a configuration problem', () => {
  for (const bad of ['iam.example.com', 'ftp://x', 'https://x/?a=1', 'https://x/#f', 'https://']) {
    assert.throws(
      () => loadConfig({ publicUrl: bad }, {}),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.includes(
          `public URL \`${bad}\` is not an http(s) URL without query or fragment (--public-url / IAMD_PUBLIC_URL)`,
        ),
      bad,
    );
  }
});
