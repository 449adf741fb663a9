/**
 * The console's `inlineCode` (console/lib.js): backtick spans of an explanation become `<code>`
 * elements and everything else text nodes, so nothing in the text can inject markup (issue #16 item 9).
 * Runs the browser module under Node with a minimal DOM (element and text nodes only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

class FakeNode {}
class FakeText extends FakeNode {
  constructor(readonly text: string) {
    super();
  }
}
class FakeElement extends FakeNode {
  readonly children: FakeNode[] = [];
  readonly attributes = new Map<string, string>();
  className = '';
  constructor(readonly tag: string) {
    super();
  }
  setAttribute(k: string, v: string): void {
    this.attributes.set(k, v);
  }
  addEventListener(): void {}
  append(c: FakeNode): void {
    this.children.push(c);
  }
}
const g = globalThis as unknown as Record<string, unknown>;
g.window ??= { Node: FakeNode };
g.document ??= {
  createElement: (tag: string) => new FakeElement(tag),
  createTextNode: (text: string) => new FakeText(text),
};

type Piece = string | FakeElement;
const lib = (await import(new URL('../../../console/lib.js', import.meta.url).href)) as {
  inlineCode: (text: unknown) => Piece[];
};

/** Pieces as `text` and `<code>text</code>` strings (the element's only child is a text node). */
function shape(pieces: Piece[]): string[] {
  return pieces.map((p) => {
    if (typeof p === 'string') return p;
    assert.equal(p.tag, 'code');
    assert.equal(p.children.length, 1);
    const only = p.children[0]!;
    assert.ok(only instanceof FakeText, 'code holds a text node, never parsed markup');
    return `<code>${only.text}</code>`;
  });
}

test('backtick spans become code elements, the rest stays text', () => {
  assert.deepEqual(shape(lib.inlineCode('Attach a policy allowing `iam:ListUsers` on `*` to x.')), [
    'Attach a policy allowing ',
    '<code>iam:ListUsers</code>',
    ' on ',
    '<code>*</code>',
    ' to x.',
  ]);
  assert.deepEqual(shape(lib.inlineCode('`a`')), ['<code>a</code>']);
  assert.deepEqual(shape(lib.inlineCode('no code')), ['no code']);
  assert.deepEqual(shape(lib.inlineCode(undefined)), []);
});

test('an unpaired backtick stays literal', () => {
  assert.deepEqual(shape(lib.inlineCode('a `b` c ` d')), ['a ', '<code>b</code>', ' c ` d']);
  assert.deepEqual(shape(lib.inlineCode('one ` only')), ['one ` only']);
});

test('markup inside or outside code is text, not HTML', () => {
  const pieces = lib.inlineCode('<img src=x onerror=alert(1)> `<script>alert(2)</script>`');
  assert.deepEqual(shape(pieces), [
    '<img src=x onerror=alert(1)> ',
    '<code><script>alert(2)</script></code>',
  ]);
  // Plain strings are appended by h() as text nodes (console/lib.js), never as HTML.
  assert.equal(typeof pieces[0], 'string');
});
