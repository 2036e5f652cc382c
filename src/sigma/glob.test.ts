import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { globMatcher } from './glob.js';
import { expandOf } from './condition.js';

// The reference the matcher must agree with: the regular expression a glob means.
function reference(glob: string, questionMark: boolean, caseInsensitive: boolean): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\?]/g, (c) => (c === '?' && questionMark ? '.' : `\\${c}`)).replace(/\*/g, '.*');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

test('glob matcher agrees with the regular expression of the glob', () => {
  const small = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '*', '?', '.', '\\'), maxLength: 8 });
  const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '.', '?', '*', '\\', '\n'), maxLength: 12 });
  fc.assert(
    fc.property(small, text, fc.boolean(), fc.boolean(), (g, s, q, ci) => {
      assert.equal(
        globMatcher(g, { questionMark: q, caseInsensitive: ci })(s),
        reference(g, q, ci).test(s),
        `${JSON.stringify(g)} ${JSON.stringify(s)} q=${q} ci=${ci}`,
      );
    }),
    { numRuns: 20_000 },
  );
});

test('finding 8: a glob with many stars against a long attacker text does not backtrack', { timeout: 60_000 }, () => {
  // As a regular expression this is 40 nested `.*`: it would not finish in any lifetime.
  const glob = '*a'.repeat(40) + '*b';
  const text = 'a'.repeat(16 * 1024);
  assert.equal(globMatcher(glob, { caseInsensitive: true })(text), false);
  assert.equal(globMatcher(glob, { caseInsensitive: true })(text + 'B'), true);
  const ids = Array.from({ length: 200 }, (_, i) => `${'a'.repeat(60)}${i}`);
  assert.deepEqual(expandOf('a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', ids), []);
  assert.deepEqual(expandOf('sel_?', ['sel_1', 'sel_22', 'other']), ['sel_1']);
});
