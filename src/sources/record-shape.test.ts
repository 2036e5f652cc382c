import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plainRecord, recordMaker } from './record-shape.js';

// names a record source could write, the awkward ones often: quotes, backslashes, line and
// paragraph separators, integer-like names (which objects order first), prototype names
const name = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '0',
    '1',
    '10',
    '-1',
    '01',
    '',
    '"',
    '\\',
    "'",
    '`',
    '${x}',
    '\u2028',
    '\u2029',
    '*/',
    '});',
  ),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ maxLength: 8 }),
);

/** What assigning each member in turn to a fresh object gives: the plain way the readers used. */
function assigned(names: readonly string[], values: readonly string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) o[names[i]!] = values[i]!;
  return o;
}

// first in this file: the property test below fills the table of compiled shapes
test('a record maker is made once per list of names and later changes to that list do not reach it', () => {
  const names = ['RuleName', 'UtcTime'];
  const make = recordMaker(names);
  assert.equal(recordMaker(['RuleName', 'UtcTime']), make);
  names[1] = 'Image';
  assert.deepEqual(make(['a', 'b']), { RuleName: 'a', UtcTime: 'b' });
  // names that would read as code stay names
  const odd = ['a"]: 1, b: globalThis.process.exit(3), c: v[0', "x'}); throw 1; ({"];
  assert.deepEqual(Object.keys(recordMaker(odd)(['1', '2'])), odd);
});

test('a compiled record maker builds what member-by-member assignment builds: members, order, values, prototype', () => {
  fc.assert(
    fc.property(fc.array(name, { maxLength: 30 }), fc.array(fc.string(), { minLength: 30, maxLength: 30 }), (names, values) => {
      const want = assigned(names, values);
      for (const got of [recordMaker(names)(values), plainRecord(names, values)]) {
        assert.deepEqual(Object.keys(got), Object.keys(want));
        assert.equal(JSON.stringify(got), JSON.stringify(want));
        assert.equal(Object.getPrototypeOf(got), Object.prototype);
        assert.equal(Object.hasOwn(got, '__proto__'), false);
      }
    }),
    { numRuns: 3000 },
  );
});
