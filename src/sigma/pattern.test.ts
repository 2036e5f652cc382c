// Wildcards and the spec's backslash escaping ("Escape Character" examples), and a property test
// of the glob matcher against a regex-based reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compilePattern, parsePattern, patternText, type Pattern } from './pattern.js';

const m = (pattern: string, s: string) => compilePattern(parsePattern(pattern))(s);

test('plain backslash: single or double backslash both mean one backslash', () => {
  assert.equal(m('C:\\Windows', 'C:\\Windows'), true);
  assert.equal(m('C:\\\\Windows', 'C:\\Windows'), true);
});

test('escaped wildcards are plain characters: \\* and \\?', () => {
  assert.equal(m('a\\*b', 'a*b'), true);
  assert.equal(m('a\\*b', 'axxb'), false);
  assert.equal(m('a\\?b', 'a?b'), true);
  assert.equal(m('a\\?b', 'axb'), false);
});

test('\\\\* is a backslash followed by a wildcard', () => {
  assert.equal(m('dir\\\\*', 'dir\\anything'), true);
  assert.equal(m('dir\\\\*', 'dir\\'), true);
  assert.equal(m('dir\\\\*', 'dirx'), false);
});

test('\\\\\\* is a backslash followed by a plain star', () => {
  assert.equal(m('dir\\\\\\*', 'dir\\*'), true);
  assert.equal(m('dir\\\\\\*', 'dir\\x'), false);
});

test('three or four backslashes are a double backslash', () => {
  assert.deepEqual(parsePattern('\\\\\\\\server'), [{ t: 'lit', s: '\\\\server' }]);
  assert.deepEqual(parsePattern('\\\\\\server'), [{ t: 'lit', s: '\\\\server' }]);
});

test('wildcards: * any run, ? exactly one character', () => {
  assert.equal(m('prog?.exe', 'progA.exe'), true);
  assert.equal(m('prog?.exe', 'prog.exe'), false);
  assert.equal(m('antivirus_V*.exe', 'antivirus_V21.2.1.exe'), true);
  assert.equal(m('*', ''), true);
  assert.equal(m('a*b*c', 'abc'), true);
  assert.equal(m('a*b*c', 'acb'), false);
  assert.equal(m('*a?c*', 'xxabcxx'), true);
  assert.equal(m('?', ''), false);
});

test('patternText round-trips through parsePattern', () => {
  for (const s of ['a\\*b', 'C:\\Windows\\*', '*foo?bar*', '\\\\\\*']) {
    const p = parsePattern(s);
    assert.deepEqual(parsePattern(patternText(p)), p);
  }
});

function reference(p: Pattern, s: string): boolean {
  const src = p.map((t) => (t.t === 'star' ? '.*' : t.t === 'one' ? '.' : t.s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp('^' + src + '$', 's').test(s);
}

test('property: glob matcher agrees with a regex reference', () => {
  const alphabet = fc.constantFrom('a', 'b', 'c', '*', '?', '\\', '.');
  const text = fc.array(fc.constantFrom('a', 'b', 'c', '*', '?', '\\', '.', '\n'), { maxLength: 14 }).map((a) => a.join(''));
  fc.assert(
    fc.property(
      fc.array(alphabet, { maxLength: 10 }).map((a) => a.join('')),
      text,
      (raw, s) => {
        const p = parsePattern(raw);
        assert.equal(compilePattern(p)(s), reference(p, s), `pattern ${JSON.stringify(raw)} on ${JSON.stringify(s)}`);
      },
    ),
    { numRuns: 5000 },
  );
});

test('property: a pattern matches the text it was built from', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 20 }), (s) => {
      const escaped = s.replace(/[\\*?]/g, (c) => '\\' + c);
      assert.equal(compilePattern(parsePattern(escaped))(s), true);
    }),
  );
});
