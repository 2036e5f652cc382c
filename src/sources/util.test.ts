import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitArgs, splitArgsQuoted } from './util.js';

test('splitArgs: the one-pass split of plain command lines gives what the quoting split gives, on any text', () => {
  const piece = fc.oneof(
    fc.constantFrom(
      ' ',
      '  ',
      '\t',
      '\n',
      '\r',
      '\v',
      '\f',
      '\u00a0',
      '\u2003',
      '\u3000',
      '\ufeff',
      '"',
      "'",
      '\\',
      '\\"',
      '=',
      '-c',
      '/bin/sh',
      'é',
      '\u001f',
      '\u007f',
    ),
    fc.string({ maxLength: 6 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
      const s = parts.join('');
      assert.deepEqual(splitArgs(s), splitArgsQuoted(s), JSON.stringify(s));
    }),
    { numRuns: 20000 },
  );
  assert.deepEqual(splitArgs('  ls   -la\t/var/log  '), ['ls', '-la', '/var/log']);
  assert.deepEqual(splitArgs('bash -c "echo ok && date"'), ['bash', '-c', 'echo ok && date']);
  assert.deepEqual(splitArgs(''), []);
});
