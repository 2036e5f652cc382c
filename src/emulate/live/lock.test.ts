import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { acquireHostLock } from './lock.js';

test('a second run waits for the first; a lock whose owner died is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stowaway-lock-'));
  const file = join(dir, 'lock');
  try {
    // Held by a live process that is not us: the waiter must wait for it to exit.
    const holder = spawn('sleep', ['1.5']);
    await writeFile(file, String(holder.pid));
    let waitedFor = 0;
    const lock = await acquireHostLock({ file, waitS: 10, onWait: (pid) => (waitedFor = pid) });
    assert.equal(waitedFor, holder.pid);
    assert.ok(lock.waited_ms >= 1000, `waited ${lock.waited_ms} ms`);
    assert.equal((await readFile(file, 'utf8')).trim(), String(process.pid));
    await lock.release();

    // The owner recorded in the file is gone (a run that was killed): no waiting.
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    await writeFile(file, String(dead.pid));
    const again = await acquireHostLock({ file, waitS: 10 });
    assert.ok(again.waited_ms < 1000);
    await again.release();

    // Waiting has a bound, and says who holds the lock.
    const long = spawn('sleep', ['30']);
    await writeFile(file, String(long.pid));
    await assert.rejects(acquireHostLock({ file, waitS: 1 }), new RegExp(`pid ${long.pid}`));
    long.kill();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
