import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textOf, toNumber } from './values.js';
import { parseImageRef } from './image.js';

test('toNumber: finite numbers and numeric strings only', () => {
  assert.equal(toNumber(3), 3);
  assert.equal(toNumber(' 42 '), 42);
  assert.equal(toNumber('1e3'), 1000);
  for (const [i, v] of ['', '  ', 'x', NaN, Infinity, null, undefined, {}, [1], true].entries()) assert.equal(toNumber(v), undefined, `case ${i}`);
});

test('textOf: scalars as written, structures as JSON, never [object Object]', () => {
  assert.equal(textOf('a'), 'a');
  assert.equal(textOf(2), '2');
  assert.equal(textOf(false), 'false');
  assert.equal(textOf(null), '');
  assert.equal(textOf(undefined), '');
  assert.equal(textOf({ a: 1 }), '{"a":1}');
  assert.equal(textOf([1, 'b']), '[1,"b"]');
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.equal(textOf(loop), '[object Object]');
});

test('parseImageRef: tags, registries with ports, digests and bare ids', () => {
  assert.deepEqual(parseImageRef('nginx'), { name: 'nginx' });
  assert.deepEqual(parseImageRef('nginx:1.27'), { name: 'nginx', tag: '1.27' });
  assert.deepEqual(parseImageRef('registry.example.com:5000/team/app'), { name: 'registry.example.com:5000/team/app', registry: 'registry.example.com:5000' });
  assert.deepEqual(parseImageRef('localhost/app:dev'), { name: 'localhost/app', tag: 'dev', registry: 'localhost' });
  const d = 'sha256:' + 'a'.repeat(64);
  assert.deepEqual(parseImageRef(`nginx@${d}`), { name: 'nginx', digest: d }, 'the digest is not a tag of the name nginx@sha256');
  assert.deepEqual(parseImageRef(`ghcr.io/org/app:1.0@${d}`), { name: 'ghcr.io/org/app', tag: '1.0', digest: d, registry: 'ghcr.io' });
  assert.deepEqual(parseImageRef(d), { id: d });
});
