import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyBag } from './bag.js';

test('a bag inherits nothing: Object.prototype names and __proto__ are ordinary keys', () => {
  const bag = emptyBag<string>();
  for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf'])
    assert.equal(bag[name], undefined, name);
  assert.equal('toString' in bag, false);
  bag['__proto__'] = 'x';
  bag['constructor'] = 'y';
  assert.equal(Object.hasOwn(bag, '__proto__'), true);
  assert.equal(bag['__proto__'], 'x');
  assert.deepEqual(Object.keys(bag), ['__proto__', 'constructor']);
  assert.equal(JSON.stringify(bag), '{"__proto__":"x","constructor":"y"}');
  // Copying a bag copies only its own keys.
  assert.deepEqual(Object.keys(Object.assign(emptyBag(), bag)), ['__proto__', 'constructor']);
});
