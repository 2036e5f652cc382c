// The live audit tail over a file we write ourselves: events complete at their PROCTITLE
// record and are read when the file changes, without waiting for the idle timer or a poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { StowawayEvent } from '../../model/event.js';
import { AuditLiveSource, endOfEventFor } from './live.js';
import type { EventTimings } from '../types.js';

const HOUR = 3_600_000;

function execveEvent(serial: number, exe: string, args: string[]): string {
  const t = `${Math.floor(Date.now() / 1000)}.123:${serial}`;
  const hex = Buffer.from(args.join('\0')).toString('hex').toUpperCase();
  return [
    `type=SYSCALL msg=audit(${t}): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=${40000 + serial} auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="${exe.split('/').pop()}" exe="${exe}" key="stowaway-test"`,
    `type=EXECVE msg=audit(${t}): argc=${args.length} ${args.map((a, i) => `a${i}="${a}"`).join(' ')}`,
    `type=CWD msg=audit(${t}): cwd="/"`,
    `type=PATH msg=audit(${t}): item=0 name="${exe}" inode=1 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL`,
    `type=PROCTITLE msg=audit(${t}): proctitle=${hex}`,
    '',
  ].join('\n');
}

/** Resolves with the first event whose executable is `exe`; rejects after `ms` (a hang guard, not a speed claim). */
function nextEvent(events: StowawayEvent[], exe: string, ms = 10_000): Promise<StowawayEvent> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const check = (): void => {
      const ev = events.find((e) => e.process?.executable === exe);
      if (ev) resolve(ev);
      else if (Date.now() > deadline) reject(new Error(`no ${exe} event: the tail neither woke on the write nor completed the event at PROCTITLE`));
      else setTimeout(check, 10);
    };
    check();
  });
}

test('endOfEventFor gives back the EOE auditd dropped, only for PROCTITLE lines', () => {
  assert.equal(endOfEventFor('type=PROCTITLE msg=audit(1795386070.363:219500): proctitle=6E6F6465'), 'type=EOE msg=audit(1795386070.363:219500): ');
  assert.equal(endOfEventFor('node=web-1 type=PROCTITLE msg=audit(1.002:7): proctitle=6E'), 'node=web-1 type=EOE msg=audit(1.002:7): ');
  assert.equal(endOfEventFor('type=SYSCALL msg=audit(1.002:7): arch=c000003e syscall=59'), undefined);
  assert.equal(endOfEventFor('type=EXECVE msg=audit(1.002:7): argc=2 a0="x" a1="type=PROCTITLE "'), undefined);
  assert.equal(endOfEventFor('garbage'), undefined);
});

test('an event is emitted once its PROCTITLE is written: no poll, no idle wait (both set to an hour)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-audit-live-'));
  const path = join(dir, 'audit.log');
  writeFileSync(path, '');
  const events: StowawayEvent[] = [];
  const stamps: EventTimings[] = [];
  const src = new AuditLiveSource({ path, pollMs: HOUR, idleMs: HOUR, onTimings: (_e, t) => void stamps.push(t) });
  try {
    assert.deepEqual(
      await src.start((r) => {
        if ('event' in r) events.push(r.event);
      }),
      { started: true },
    );
    appendFileSync(path, execveEvent(11, '/usr/bin/first-tool', ['first-tool', '--flag']));
    const ev = await nextEvent(events, '/usr/bin/first-tool');
    assert.deepEqual(ev.process?.args, ['first-tool', '--flag']);
    assert.equal((ev.auditd as { partial?: boolean }).partial, undefined);
    // the stamps tell the same story: read, assembled and emitted, in that order
    const s = stamps[0]!;
    assert.equal(s.source, 'auditd');
    assert.ok(s.read_ms <= s.assembled_ms! && s.assembled_ms! <= s.emitted_ms);

    // after a rotation (rename, new file) the new file is still noticed by its writes
    renameSync(path, `${path}.1`);
    writeFileSync(path, execveEvent(12, '/usr/bin/second-tool', ['second-tool']));
    assert.deepEqual((await nextEvent(events, '/usr/bin/second-tool')).process?.args, ['second-tool']);
    assert.equal(src.rotations, 1);
  } finally {
    await src.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  // nothing was held back for stop() to flush, and nothing came twice
  assert.deepEqual(
    events.map((e) => e.process?.executable),
    ['/usr/bin/first-tool', '/usr/bin/second-tool'],
  );
});

test('an event without PROCTITLE still completes by the idle wait', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-audit-live-'));
  const path = join(dir, 'audit.log');
  writeFileSync(path, '');
  const events: StowawayEvent[] = [];
  const src = new AuditLiveSource({ path, pollMs: 20, idleMs: 50 });
  try {
    await src.start((r) => {
      if ('event' in r) events.push(r.event);
    });
    const noTitle = execveEvent(21, '/usr/bin/untitled', ['untitled'])
      .split('\n')
      .filter((l) => !l.includes('PROCTITLE'))
      .join('\n');
    appendFileSync(path, noTitle);
    assert.deepEqual((await nextEvent(events, '/usr/bin/untitled')).process?.args, ['untitled']);
  } finally {
    await src.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
