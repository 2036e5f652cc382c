import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { LineSplitter, lineBatches, onStreamLines, OVERLONG_LINE } from './lines.js';

test('stream lines: chunks that split lines and multi-byte characters anywhere give whole lines', async () => {
  const s = new PassThrough();
  const got: string[] = [];
  onStreamLines(s, (l) => got.push(l));
  const bytes = Buffer.from('{"a":1}\n\n  {"b":"é"}  \n{"c"', 'utf8');
  for (const b of bytes) s.write(Buffer.from([b]));
  s.write(':3}\n');
  s.end();
  await new Promise((r) => s.on('end', r));
  assert.deepEqual(got, ['{"a":1}', '{"b":"é"}', '{"c":3}']);
});

// readline is the reference: the file reader once used it and its line numbers must not move
async function viaReadline(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for await (const l of createInterface({ input: Readable.from(chunks), crlfDelay: Infinity })) out.push(l);
  return out;
}

function viaSplitter(chunks: Array<Buffer | string>): string[] {
  const s = new LineSplitter();
  return [...chunks.flatMap((c) => s.push(c)), ...s.end()];
}

function chunked(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out.filter((b) => b.length);
}

test('line splitter: \\r\\n, lone \\r, empty lines, a last line without a break, as readline counts them', () => {
  assert.deepEqual(viaSplitter(['a\r\nb\rc\n\nd']), ['a', 'b', 'c', '', 'd']);
  // \r\n cut between two chunks is one break, not two
  assert.deepEqual(viaSplitter(['a\r', '\nb\r', 'c\r', '']), ['a', 'b', 'c']);
  assert.deepEqual(viaSplitter(['a\r\r']), ['a', '']);
  assert.deepEqual(viaSplitter(['no break ', 'at all']), ['no break at all']);
  assert.deepEqual(viaSplitter(['']), []);
  // a UTF-8 character split across chunks
  const e = Buffer.from('é\n', 'utf8');
  assert.deepEqual(viaSplitter([e.subarray(0, 1), e.subarray(1)]), ['é']);
});

test('line splitter: an ASCII chunk after a cut or broken character is decoded as UTF-8 would', async () => {
  // the ASCII fast path must not skip the bytes the decoder still holds
  const cases: Buffer[][] = [
    [Buffer.from([0x61, 0xc3]), Buffer.from('a\n')],
    [Buffer.from([0xe2, 0x82]), Buffer.from([0xac]), Buffer.from('x\n')],
    [Buffer.from('ok\n'), Buffer.from([0xff]), Buffer.from('b\n'), Buffer.from('c\n')],
    [Buffer.from([0xc3, 0xa9]), Buffer.from('\n'), Buffer.alloc(0), Buffer.from('d\n')],
  ];
  for (const chunks of cases) assert.deepEqual(viaSplitter(chunks), await viaReadline(chunks));
  assert.deepEqual(viaSplitter([Buffer.from([0x61, 0xc3]), Buffer.from('a\n')]), ['a\ufffda']);
});

test('line splitter gives the same lines as readline for any text cut anywhere', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom('a', 'bc', ' ', '\r', '\n', '\r\n', 'é', '€'), { maxLength: 40 }),
      fc.array(fc.nat(200), { maxLength: 6 }),
      async (parts, cuts) => {
        const bytes = Buffer.from(parts.join(''), 'utf8');
        const chunks = chunked(bytes, cuts);
        assert.deepEqual(viaSplitter(chunks), await viaReadline(chunks));
      },
    ),
    { numRuns: 300 },
  );
});

test('line batches: lines before a read error arrive, then the error', async () => {
  async function* failing(): AsyncGenerator<string> {
    yield 'one\ntwo\nthr';
    throw new Error('EIO');
  }
  const got: string[] = [];
  await assert.rejects(async () => {
    for await (const b of lineBatches(failing())) got.push(...b);
  }, /EIO/);
  assert.deepEqual(got, ['one', 'two']);
});

test('an overlong line becomes one OVERLONG_LINE, whatever the chunking, and line numbers stay right', () => {
  for (const size of [3, 7, 64, 1000]) {
    const text = `a\n${'x'.repeat(50)}\nb\r\n${'y'.repeat(30)}`;
    const s = new LineSplitter(20);
    const lines: string[] = [];
    for (let i = 0; i < text.length; i += size) lines.push(...s.push(Buffer.from(text.slice(i, i + size))));
    lines.push(...s.end());
    assert.deepEqual(lines, ['a', OVERLONG_LINE, 'b', OVERLONG_LINE], `chunk size ${size}`);
  }
});
