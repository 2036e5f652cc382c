// Exceptions a running pipeline re-reads: added, changed and removed files apply to the next batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveExceptions } from './alerts.js';

test('live exceptions: the file is read when it appears, again when it changes, and forgotten when removed; at most once a second', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-live-exceptions-'));
  const file = join(dir, 'exceptions.yaml');
  let now = 0;
  const lint: string[] = [];
  try {
    const get = liveExceptions(
      [file],
      (d) => lint.push(d.code),
      () => now,
    );
    assert.deepEqual(get(), [], 'no file yet');
    writeFileSync(file, 'exceptions:\n  - id: a\n    rule: r\n    reason: ok\n    scope: { image: [x] }\n');
    now += 500;
    assert.deepEqual(get(), [], 'not looked at again within the second');
    now += 600;
    assert.deepEqual(
      get().map((e) => e.id),
      ['a'],
    );
    writeFileSync(file, 'exceptions:\n  - id: a\n    rule: r\n    reason: ok\n    scope: { image: [x] }\n  - id: b\n    rule: r\n    reason: broad\n');
    now += 1000;
    assert.deepEqual(
      get().map((e) => e.id),
      ['a', 'b'],
    );
    assert.deepEqual(lint, ['exception-broad'], 'lint is reported on the read');
    unlinkSync(file);
    now += 1000;
    assert.deepEqual(get(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
