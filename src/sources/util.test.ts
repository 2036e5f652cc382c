import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lastSeparator, searchFrom, splitArgs, splitArgsQuoted } from './util.js';

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

test('searchFrom finds what indexOf finds, from any place, whichever character it searches from', () => {
  const text = fc.array(fc.constantFrom('<', '/', 'E', 'v', 'e', 'n', 't', '>', '</Event', '</Event>', '<Data N', '<Data Name=', 'x', '<Event>', 'vent>'), {
    maxLength: 30,
  });
  const pattern = fc.oneof(fc.constantFrom('</Event>', '<Data Name=', '</System>', '<System>', 'vent>', '<', ''), fc.string({ maxLength: 10 }));
  fc.assert(
    fc.property(text, pattern, fc.integer({ min: -2, max: 12 }), fc.integer({ min: -2, max: 200 }), (parts, p, at, from) => {
      const s = parts.join('');
      assert.equal(searchFrom(p, at)(s, from), s.indexOf(p, from), JSON.stringify([s, p, at, from]));
      assert.equal(searchFrom(p, at)(s), s.indexOf(p));
    }),
    { numRuns: 20000 },
  );
});

test('lastSeparator: the last slash or backslash, as the two lastIndexOf calls found it', () => {
  const text = fc.array(fc.constantFrom('/', '\\', 'a', '.', 'usr', 'bin', ' ', 'é', ''), { maxLength: 12 });
  fc.assert(
    fc.property(text, (parts) => {
      const p = parts.join('');
      assert.equal(lastSeparator(p), Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')), JSON.stringify(p));
    }),
    { numRuns: 20000 },
  );
});
