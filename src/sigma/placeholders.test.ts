import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerPlaceholders, parsePlaceholders } from './placeholders.js';

test('values, lists and %name% keys read the same; scalars become strings', () => {
  const r = parsePlaceholders("a: one\nb: [x, 2, true]\n'%c%': [z]\n", 'p.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    { ...r.entries },
    { a: { values: ['one'], replace: false }, b: { values: ['x', '2', 'true'], replace: false }, c: { values: ['z'], replace: false } },
  );
});

test('non-scalar values are refused one entry at a time, naming the entry and the file', () => {
  const r = parsePlaceholders('good: [x]\nbad: [{ k: v }]\nalso_bad: { replace: [x], extra: 1 }\n', 'p.yml');
  assert.deepEqual(Object.keys(r.entries), ['good']);
  assert.equal(r.diagnostics.length, 2);
  assert.match(r.diagnostics[0]!.message, /^placeholder bad /);
  assert.equal(r.diagnostics[0]!.file, 'p.yml');
});

test('a file that is not a mapping, or not YAML, is one diagnostic and no values', () => {
  assert.equal(parsePlaceholders('- a\n- b\n', 'p.yml').diagnostics[0]!.code, 'bad-placeholders');
  const y = parsePlaceholders('a: [unclosed\n', 'p.yml');
  assert.equal(y.diagnostics[0]!.code, 'yaml-syntax');
  assert.deepEqual({ ...y.entries }, {});
  const empty = parsePlaceholders('', 'empty.yml');
  assert.deepEqual({ entries: { ...empty.entries }, diagnostics: empty.diagnostics }, { entries: {}, diagnostics: [] });
});

test('layers: a later list adds without repeats, replace drops the earlier values, other names stay', () => {
  const base = { imgs: ['a/*', 'b/*'], other: ['o'] };
  assert.deepEqual({ ...layerPlaceholders(base, { imgs: { values: ['b/*', 'c/*'], replace: false } }) }, { imgs: ['a/*', 'b/*', 'c/*'], other: ['o'] });
  assert.deepEqual({ ...layerPlaceholders(base, { imgs: { values: ['c/*'], replace: true } }) }, { imgs: ['c/*'], other: ['o'] });
  assert.deepEqual(base, { imgs: ['a/*', 'b/*'], other: ['o'] }, 'the base is not changed');
});

test('a placeholder named __proto__ is a name like any other, never the prototype', () => {
  const r = parsePlaceholders('__proto__: [x]\nconstructor: y\n', 'proto.yml');
  const layered = layerPlaceholders({}, r.entries);
  assert.deepEqual(Object.getOwnPropertyNames(layered).sort(), ['__proto__', 'constructor']);
  assert.equal(({} as Record<string, unknown>).x, undefined);
  assert.equal(Object.getPrototypeOf(layered), null);
});
