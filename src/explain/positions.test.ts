/** Statement positions for the simulator (IAM API reference, Statement / Position). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statementSpans } from './positions.js';

test('the AWS CLI example layout: the statement opened by `[{` on line 3 starts at column 19', () => {
  // aws-cli examples/iam/simulate-principal-policy.rst: StartPosition {Line: 3, Column: 19}.
  const text = [
    '{',
    '    "Version": "2012-10-17",',
    '    "Statement": [{',
    '            "Sid": "Grant-Access-To-CodeCommit-ListRepo",',
    '            "Effect": "Allow",',
    '            "Action": "codecommit:ListRepositories",',
    '            "Resource": "*"',
    '        }',
    '    ]',
    '}',
  ].join('\n');
  assert.deepEqual(statementSpans(text), [{ start: { line: 3, column: 19 }, end: { line: 8, column: 9 } }]);
});

test('several statements on one line, a single statement object, and strings with braces', () => {
  const one =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"a}"},{"Effect":"Deny","Action":"*","Resource":"*"}]}';
  const spans = statementSpans(one);
  assert.equal(spans.length, 2);
  assert.deepEqual(spans[0]!.start, { line: 1, column: 38 });
  assert.equal(one[spans[0]!.end.column - 1], '}');
  assert.equal(one[spans[1]!.start.column - 1], '{');
  const obj = '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"},"Version":"2012-10-17"}';
  assert.deepEqual(statementSpans(obj), [{ start: { line: 1, column: 14 }, end: { line: 1, column: 59 } }]);
  assert.deepEqual(statementSpans('not json'), []);
});
