import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintPolicy, type ActionCatalogue } from './lint.js';

/** A catalogue of one service, `s3`, with two actions. */
const catalog: ActionCatalogue = {
  iamServiceExists: async (s) => s === 's3',
  iamActionsForService: async (s) => (s === 's3' ? ['getobject', 'putobject'] : []),
  iamActionExists: async (s, a) => s === 's3' && ['getobject', 'putobject'].includes(a),
};

const policy = (actions: string[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

test('lintPolicy warns against the catalogue it is given, and only against it', async () => {
  const out = await lintPolicy(
    policy(['s3:GetObject', 's3:Get*', 'fsx:ListBucket', 's3:ListBuckets', 's3:Delete*']),
    'identity',
    catalog,
  );
  assert.deepEqual(out, [
    {
      path: 'Statement[0].Action[2]',
      message: 'unknown service prefix `fsx` in `fsx:ListBucket` (AWS accepts it, but it matches nothing)',
    },
    {
      path: 'Statement[0].Action[3]',
      message: 'unknown action `s3:ListBuckets` (AWS accepts it, but no request will use it)',
    },
    { path: 'Statement[0].Action[4]', message: '`s3:Delete*` matches no action of service `s3`' },
  ]);
  assert.deepEqual(await lintPolicy(policy(['s3:PutObject', '*']), 'identity', catalog), []);
});
