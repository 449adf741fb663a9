// Wildcards: IAM User Guide, "IAM JSON policy elements: Action" (case-insensitive, `*` and `?`) and
// "Condition operators › ARN condition operators" (six components matched separately, case-sensitive).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob, globMatch } from './glob.js';
import { compileArnPattern, arnMatch, splitArn } from './arn-pattern.js';
import { parseTemplate, resolveText } from './template.js';

const g = (p: string, s: string) => globMatch(compileGlob(p), s);
const none = () => undefined;

test('glob: * matches any run, ? exactly one character', () => {
  assert.equal(g('*', ''), true);
  assert.equal(g('get*', 'getobject'), true);
  assert.equal(g('*object', 'getobject'), true);
  assert.equal(g('get?bject', 'getobject'), true);
  assert.equal(g('get?bject', 'getbject'), false);
  assert.equal(g('a*b*c', 'axxbyyc'), true);
  assert.equal(g('a*b*c', 'axxbyy'), false);
  assert.equal(g('*a*a*a', 'aaaa'), true);
  assert.equal(g('abc', 'abcd'), false);
});

test('ARN: wildcards stay within a component, the resource component keeps its colons', () => {
  const m = (p: string, r: string) => arnMatch(compileArnPattern(p, true), r, splitArn(r), none);
  assert.equal(m('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b:c'), true);
  assert.equal(m('arn:aws:iam::*:role/*', 'arn:aws:iam::111122223333:role/x'), true);
  assert.equal(m('arn:aws:iam::1111*:role/x', 'arn:aws:iam::111122223333:role/x'), true);
  assert.equal(m('arn:aws:iam::*:role/x', 'arn:aws:iam::111122223333:role/X'), false);
  // A `*` in the resource component cannot swallow the region: components are matched one by one.
  assert.equal(m('arn:aws:s3:::*', 'arn:aws:s3:us-east-1::x'), false);
  assert.equal(m('arn:aws:ec2:*:*:instance/*', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1'), true);
  assert.equal(m('*', 'not-an-arn'), true);
});

test('policy variables: substitution, defaults, specials, missing key', () => {
  const ctx: Record<string, string> = { 'aws:username': 'alice' };
  const lookup = (k: string) => ctx[k];
  assert.equal(resolveText(parseTemplate('home/${aws:username}/')!, lookup), 'home/alice/');
  assert.equal(resolveText(parseTemplate("${aws:PrincipalTag/team, 'none'}")!, lookup), 'none');
  assert.equal(resolveText(parseTemplate('a${*}b${?}${$}')!, lookup), 'a*b?$');
  assert.equal(resolveText(parseTemplate('${aws:userid}')!, lookup), undefined);
  assert.equal(parseTemplate('no variables'), undefined);
  // A substituted value is literal: a `*` in a user name is not a wildcard.
  const p = compileArnPattern('arn:aws:s3:::b/${aws:username}', true);
  const star = (k: string) => (k === 'aws:username' ? '*' : undefined);
  assert.equal(arnMatch(p, 'arn:aws:s3:::b/x', splitArn('arn:aws:s3:::b/x'), star), false);
  assert.equal(arnMatch(p, 'arn:aws:s3:::b/*', splitArn('arn:aws:s3:::b/*'), star), true);
});
