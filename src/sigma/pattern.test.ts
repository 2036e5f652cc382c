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
    fc.property(fc.array(alphabet, { maxLength: 10 }).map((a) => a.join('')), text, (raw, s) => {
      const p = parsePattern(raw);
      assert.equal(compilePattern(p)(s), reference(p, s), `pattern ${JSON.stringify(raw)} on ${JSON.stringify(s)}`);
    }),
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

import { requiredLiteral } from './regex.js';
test('regex required literal (candidate index) is conservative', () => {
  assert.equal(requiredLiteral('abc'), 'abc');
  assert.equal(requiredLiteral('foo|bar'), '');
  assert.equal(requiredLiteral('a(b|c)defg'), 'defg');
  assert.equal(requiredLiteral('abcd?e'), 'abc');
  assert.equal(requiredLiteral('x\\.exe$'), 'x.exe');
  assert.equal(requiredLiteral('\\d+user[0-9]{2}'), 'user');
  assert.equal(requiredLiteral('ab{0,2}cd'), 'cd');
  assert.equal(requiredLiteral('ab+cd'), 'ab');
  assert.equal(requiredLiteral('.*'), '');
});

test('property: a regex never matches text lacking its required literal', () => {
  const tok = fc.constantFrom('a', 'b', 'c', 'ab', '.', '*', '+', '?', '|', '(a|b)', '[ab]', '\\.', '{0,1}', '{2}', 'c?');
  fc.assert(
    fc.property(fc.array(tok, { maxLength: 8 }).map((a) => a.join('')), fc.array(fc.constantFrom('a', 'b', 'c', '.'), { maxLength: 12 }).map((a) => a.join('')), (src, text) => {
      let re: RegExp;
      try {
        re = new RegExp(src);
      } catch {
        return;
      }
      const lit = requiredLiteral(src);
      if (re.test(text)) assert.ok(text.includes(lit), `/${src}/ matched ${JSON.stringify(text)} without ${JSON.stringify(lit)}`);
    }),
    { numRuns: 5000 },
  );
});
