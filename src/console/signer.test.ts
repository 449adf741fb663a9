/**
 * The console's signer against iamd's own SigV4 verifier (two independent implementations of "Create a
 * signed AWS API request", IAM User Guide), and the XML reader against awsQuery shapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { parseSigV4, verifySigV4, type SigV4Crypto } from '../sigv4/index.js';
import { encodeQuery, signRequest } from './signer.js';
import { parseQueryAnswer } from './xml.js';

const crypto: SigV4Crypto = {
  sha256Hex: (d) => createHash('sha256').update(d).digest('hex'),
  hmac: (k, d) => createHmac('sha256', k).update(d).digest(),
};
const creds = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  secretAccessKey: 'secret/+key',
  sessionToken: 'tok+en==',
};

test('a request the console signs verifies; a changed body does not', () => {
  const body = encodeQuery({ Action: 'ListUsers', Version: '2010-05-08', PathPrefix: "/a b!'()*/" });
  const headers = signRequest(
    {
      method: 'POST',
      host: 'iamd.console',
      path: '/',
      query: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    },
    creds,
    { service: 'iam', region: 'us-east-1', now: Date.UTC(2026, 0, 2, 3, 4, 5) },
  );
  assert.equal(headers['x-amz-date'], '20260102T030405Z');
  assert.equal(headers['x-amz-security-token'], 'tok+en==');
  const req = { method: 'POST', path: '/', query: '', headers, body };
  const parsed = parseSigV4(req);
  assert.ok(parsed);
  assert.equal(parsed.accessKeyId, creds.accessKeyId);
  assert.equal(parsed.service, 'iam');
  verifySigV4(req, parsed, creds.secretAccessKey, crypto);
  assert.throws(
    () => verifySigV4({ ...req, body: `${body}&x=1` }, parsed, creds.secretAccessKey, crypto),
    (e: Error & { code?: string }) => e.code === 'SignatureDoesNotMatch',
  );
});

test('Query answers become JSON: member lists, nested structures, errors', () => {
  const ok = parseQueryAnswer(
    '<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><IsTruncated>false</IsTruncated>' +
      '<Users><member><UserName>a</UserName><Tags/></member></Users></ListUsersResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></ListUsersResponse>',
  );
  assert.deepEqual(JSON.parse(JSON.stringify(ok)), {
    ok: true,
    requestId: 'r-1',
    result: { IsTruncated: 'false', Users: [{ UserName: 'a', Tags: '' }] },
  });
  const err = parseQueryAnswer(
    '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>' +
      '<Message>The user with name x cannot be found.</Message></Error><RequestId>r-2</RequestId></ErrorResponse>',
  );
  assert.deepEqual(err, {
    ok: false,
    requestId: 'r-2',
    error: { code: 'NoSuchEntity', message: 'The user with name x cannot be found.' },
  });
  const junk = parseQueryAnswer('', 'r-3');
  assert.equal(junk.ok, false);
  assert.equal(junk.requestId, 'r-3');
});
