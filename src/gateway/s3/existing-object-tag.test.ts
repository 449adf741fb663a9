// s3:ExistingObjectTag/<key> (S3 User Guide, "Tagging and access control policies",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html; Service Authorization
// Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html):
// which actions carry it, the GetObjectTagging request that fetches an object's tags, and the reader
// of its answer (S3 API reference, GetObjectTagging,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html), which never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeXml } from '../../protocol/xml.js';
import {
  consultedExistingObjectTag,
  existingObjectTagContext,
  loadExistingObjectTagActions,
  objectKeyOf,
  objectTaggingRequest,
  parseObjectTagging,
} from './existing-object-tag.js';

test('the actions carrying the key come from the Service Authorization Reference (iam-data)', async () => {
  const actions = await loadExistingObjectTagActions();
  for (const a of [
    'GetObject',
    'GetObjectVersion',
    'GetObjectAcl',
    'GetObjectVersionAcl',
    'PutObjectAcl',
    'PutObjectVersionAcl',
    'GetObjectTagging',
    'GetObjectVersionTagging',
    'PutObjectTagging',
    'PutObjectVersionTagging',
    'DeleteObjectTagging',
    'DeleteObjectVersionTagging',
    'GetObjectAttributes',
  ])
    assert.ok(actions.has(`s3:${a.toLowerCase()}`), a);
  // "When granting permissions for the PUT Object and DELETE Object operations, this condition key is
  // not supported" (Tagging and access control policies).
  for (const a of ['PutObject', 'DeleteObject', 'DeleteObjectVersion', 'ListBucket', 'CreateBucket'])
    assert.ok(!actions.has(`s3:${a.toLowerCase()}`), a);
});

test('a decision depends on the tags only when it looked such a key up', () => {
  assert.equal(consultedExistingObjectTag(undefined), false);
  assert.equal(consultedExistingObjectTag(['aws:sourcevpce', 's3:existingobjecttagkeys']), false);
  assert.equal(consultedExistingObjectTag(['aws:sourcevpce', 's3:existingobjecttag/class']), true);
});

test('the tagging request names the object path-style, encoded, with its version', () => {
  assert.deepEqual(objectTaggingRequest('bkt', 'a b/c+d/é.txt', undefined), {
    path: '/bkt/a%20b/c%2Bd/%C3%A9.txt',
    query: 'tagging=',
  });
  assert.deepEqual(objectTaggingRequest('bkt', 'k', 'v1/+=x'), {
    path: '/bkt/k',
    query: 'tagging=&versionId=v1%2F%2B%3Dx',
  });
  assert.equal(objectKeyOf('arn:aws:s3:::bkt/dir/k', 'bkt'), 'dir/k');
  assert.equal(objectKeyOf('arn:aws:s3:::bkt', 'bkt'), undefined);
  assert.equal(objectKeyOf('arn:aws:s3:::other/k', 'bkt'), undefined);
});

test('tags become s3:ExistingObjectTag/<key> condition keys', () => {
  const c = existingObjectTagContext(
    new Map([
      ['class', 'public'],
      ['a b', ''],
    ]),
  );
  assert.deepEqual({ ...c }, { 's3:ExistingObjectTag/class': 'public', 's3:ExistingObjectTag/a b': '' });
  assert.equal(Object.getPrototypeOf(c), null);
});

test("S3's documented answer, the empty tag set and entities read as their tags", () => {
  // S3 API reference, GetObjectTagging, Examples (response).
  const sample = `<?xml version="1.0" encoding="UTF-8"?>
<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <TagSet>
     <Tag>
       <Key>tag1</Key>
       <Value>val1</Value>
     </Tag>
     <Tag>
       <Key>tag2</Key>
       <Value>val2</Value>
     </Tag>
  </TagSet>
</Tagging>`;
  assert.deepEqual(
    parseObjectTagging(sample),
    new Map([
      ['tag1', 'val1'],
      ['tag2', 'val2'],
    ]),
  );
  assert.deepEqual(parseObjectTagging('<Tagging><TagSet /></Tagging>'), new Map());
  assert.deepEqual(parseObjectTagging('<Tagging><TagSet></TagSet></Tagging>'), new Map());
  assert.deepEqual(
    parseObjectTagging(
      '<Tagging><TagSet><Tag><Value>a&amp;b &lt;&#233;&#x41;</Value><Key> k </Key></Tag>' +
        '<Tag><Key><![CDATA[<x>]]></Key><Value/></Tag><!-- c --></TagSet></Tagging>',
    ),
    new Map([
      [' k ', 'a&b <éA'],
      ['<x>', ''],
    ]),
  );
});

test('anything else is malformed (undefined), never a guess', () => {
  for (const bad of [
    '',
    'not xml',
    '<Tagging>',
    '<Tagging><TagSet></Tagging>',
    '<Error><Code>AccessDenied</Code></Error>',
    '<Tagging><TagSet/><TagSet/></Tagging>',
    '<Tagging><TagSet/><Other/></Tagging>',
    '<Tagging>text<TagSet/></Tagging>',
    '<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>',
    '<Tagging><TagSet><Tag><Key>k</Key><Key>j</Key></Tag></TagSet></Tagging>',
    '<Tagging><TagSet><Tag><Key>k</Key></Tag><Tag><Key>k</Key></Tag></TagSet></Tagging>',
    '<Tagging><TagSet><Tag><Key><b>k</b></Key></Tag></TagSet></Tagging>',
    '<Tagging><TagSet><Tag><Key>k</Key><Extra/></Tag></TagSet></Tagging>',
    '<Tagging><TagSet><Other/></TagSet></Tagging>',
    '<Tagging><TagSet/></Tagging><Tagging/>',
    '<!DOCTYPE x [<!ENTITY a "b">]><Tagging><TagSet/></Tagging>',
    '<Tagging><TagSet><Tag><Key>]]></Key></Tag></TagSet></Tagging>',
    '<a><a><a><a><a><a><a><a><a><a></a></a></a></a></a></a></a></a></a></a>',
    '<Tagging attr="unterminated><TagSet/></Tagging>',
  ])
    assert.equal(parseObjectTagging(bad), undefined, bad);
});

test('property: any input never throws', () => {
  const piece = fc.constantFrom(
    '<Tagging>',
    '</Tagging>',
    '<TagSet>',
    '</TagSet>',
    '<TagSet/>',
    '<Tag>',
    '</Tag>',
    '<Key>',
    '</Key>',
    '<Value>',
    '</Value>',
    '<![CDATA[',
    ']]>',
    '<!--',
    '-->',
    '<?xml?>',
    '&amp;',
    '&#x110000;',
    '&#99999999999;',
    '"',
    "'",
    '<',
    '>',
    '/',
    ' ',
    'k',
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.array(piece, { maxLength: 40 }).map((a) => a.join('')),
      ),
      (s) => {
        const r = parseObjectTagging(s);
        assert.ok(r === undefined || r instanceof Map);
      },
    ),
    { numRuns: 3000 },
  );
});

// Characters XML 1.0 can carry (escapeXml turns the others into U+FFFD); CR is sent as &#13;.
const xmlChar = fc
  .integer({ min: 0, max: 0x10ffff })
  .map((n) => String.fromCodePoint(n))
  .filter(
    (c) =>
      /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]$/u.test(c) && c !== '\u0085' && c !== '\u2028',
  );
const xmlText = fc.array(xmlChar, { maxLength: 20 }).map((a) => a.join(''));

test('property: generated tag sets round-trip, whatever the layout', () => {
  const space = fc.constantFrom('', ' ', '\n  ', '\t');
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(xmlText, xmlText), { maxLength: 10, selector: (t) => t[0] }),
      fc.array(space, { minLength: 6, maxLength: 6 }),
      fc.boolean(),
      fc.boolean(),
      ([...tags], ws, prolog, valueFirst) => {
        const [a, b, c, d, e, f] = ws as [string, string, string, string, string, string];
        const body = tags
          .map(([k, v]) => {
            const key = `<Key>${escapeXml(k)}</Key>`;
            const value = `<Value>${escapeXml(v)}</Value>`;
            return `${b}<Tag>${c}${valueFirst ? value + d + key : key + d + value}${e}</Tag>`;
          })
          .join('');
        const xml =
          (prolog ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '') +
          `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${a}<TagSet>${body}${f}</TagSet></Tagging>`;
        assert.deepEqual(parseObjectTagging(xml), new Map(tags));
      },
    ),
    { numRuns: 500 },
  );
});
