import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorMessage, firstLine } from './errors.js';

test('errorMessage reads Errors and anything else thrown', () => {
  assert.equal(errorMessage(new Error('boom')), 'boom');
  assert.equal(errorMessage('plain'), 'plain');
  assert.equal(errorMessage(42), '42');
  assert.equal(errorMessage(undefined), 'undefined');
});

test('firstLine keeps status lines to one line', () => {
  assert.equal(firstLine(new Error('first\nsecond')), 'first');
  assert.equal(firstLine(''), '');
});
