import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerMessageKeys } from './message.js';

test('current format: actor id, verb and detail of the action, nanosecond time', () => {
  const timeNano = 1700000000123 * 1e6 + 456_000;
  const k = dockerMessageKeys({ Type: 'container', Action: 'exec_start: sh -c id', Actor: { ID: 'abc', Attributes: {} }, time: 1700000000, timeNano });
  assert.equal(k.type, 'container');
  assert.equal(k.id, 'abc');
  assert.equal(k.verb, 'exec_start');
  assert.equal(k.detail, 'sh -c id');
  assert.equal(k.timeMs, 1700000000123);
  assert.equal(k.dedup, `|exec_start: sh -c id|${timeNano}`);
});

test('old format: status and top-level id are a container event; seconds are the time', () => {
  const k = dockerMessageKeys({ status: 'die', id: 'abc', time: 1700000000 });
  assert.deepEqual([k.type, k.id, k.verb, k.detail, k.timeMs], ['container', 'abc', 'die', undefined, 1700000000000]);
  assert.equal(k.dedup, 'abc|die|1700000000');
});

test('a message without action or time has empty keys, not a crash', () => {
  const k = dockerMessageKeys({});
  assert.deepEqual([k.type, k.id, k.action, k.verb, k.timeMs, k.dedup], [undefined, undefined, undefined, '', undefined, '||']);
});
