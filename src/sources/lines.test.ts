import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { onStreamLines } from './lines.js';

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
