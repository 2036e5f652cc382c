// Source watermarks: how far each live source says its output is complete, and the
// one choice the live commands make from them. The real Docker engine and audit log
// are exercised in live.test.ts; here a real file stands in for audit.log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { LiveSource, SourceRecord } from './types.js';
import { liveWatermark, startLiveTicker } from './live.js';
import { FileTail } from './tail.js';
import { AuditAssembler } from './auditd/assemble.js';
import { parseAuditLine } from './auditd/parse.js';
import { AuditLiveSource } from './auditd/live.js';
import { DockerLiveSource } from './docker/live.js';

function fake(name: string, wm: number | undefined | 'none'): LiveSource {
  const s: LiveSource = {
    name,
    start: async () => ({ started: true }),
    stop: async () => {},
    stats: () => ({ events: 0, errors: 0, dropped: 0, unattributed: 0 }),
  };
  if (wm !== 'none') s.watermark = () => wm;
  return s;
}

async function until<T>(what: string, f: () => T | undefined, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('liveWatermark: the oldest source decides; one that cannot tell leaves it to the lateness', () => {
  assert.equal(liveWatermark([fake('docker', 5000), fake('auditd', 4200)]), 4200);
  assert.equal(liveWatermark([fake('docker', 5000)]), 5000);
  assert.equal(liveWatermark([fake('docker', 5000), fake('k8s-audit', 'none')]), undefined);
  assert.equal(liveWatermark([fake('docker', 5000), fake('auditd', undefined)]), undefined);
  assert.equal(liveWatermark([fake('docker', 5000), fake('auditd', NaN)]), undefined);
  assert.equal(liveWatermark([]), undefined);
});

test('startLiveTicker calls back until stopped', async () => {
  let n = 0;
  const stop = startLiveTicker(() => n++, 5);
  await until('three ticks', () => (n >= 3 ? n : undefined));
  stop();
  const at = n;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(n, at, 'no tick after stop');
});

test('FileTail.eofAt: what was written before a poll began has been read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-wm-'));
  const f = join(dir, 'audit.log');
  try {
    writeFileSync(f, 'history\n');
    const got: string[] = [];
    const t = new FileTail(f, { pollMs: 1e9, onLine: (l) => got.push(l) });
    const before = Date.now();
    t.start();
    // skipped history is never emitted: complete from the opening on
    assert.ok(t.eofAt !== undefined && t.eofAt >= before);
    appendFileSync(f, 'a\n');
    const written = Date.now();
    t.poll();
    assert.deepEqual(got, ['a']);
    assert.ok(t.eofAt >= written, 'eofAt is at or after the write it read');
    // rotated away and not recreated: nothing is certain past the last complete read
    const last = t.eofAt;
    renameSync(f, f + '.1');
    t.poll();
    assert.equal(t.eofAt, last);
    writeFileSync(f, 'b\n');
    const recreated = Date.now();
    t.poll();
    assert.deepEqual(got, ['a', 'b']);
    assert.ok(t.eofAt >= recreated);
    t.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('AuditAssembler.oldestPendingMs: the oldest event still waiting for its records', () => {
  const asm = new AuditAssembler();
  const rec = (type: string, time: string, s: number) => (parseAuditLine(`type=${type} msg=audit(${time}:${s}): pid=1`) as { record: never }).record;
  assert.equal(asm.oldestPendingMs(), undefined);
  asm.push(rec('SYSCALL', '100.250', 7));
  asm.push(rec('SYSCALL', '100.100', 8));
  assert.equal(asm.oldestPendingMs(), 100_100);
  asm.push(rec('EOE', '100.100', 8));
  assert.equal(asm.oldestPendingMs(), 100_250);
  asm.push(rec('EOE', '100.250', 7));
  assert.equal(asm.oldestPendingMs(), undefined);
});

test('audit source: complete up to the last read to the end less the skew, held before an event still assembling', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-wm-'));
  const f = join(dir, 'audit.log');
  writeFileSync(f, '');
  const events: SourceRecord[] = [];
  const src = new AuditLiveSource({ path: f, pollMs: 10, idleMs: 1e9, watermarkSkewMs: 250 });
  try {
    assert.equal(src.watermark(), undefined, 'not started: cannot tell');
    assert.equal((await src.start((r) => events.push(r))).started, true);
    const opened = src.watermark()!;
    assert.ok(opened <= Date.now() - 250);
    // an event of long ago, still without its EOE: nothing from it on is certain
    const old = Date.now() - 60_000;
    const stamp = `${Math.floor(old / 1000)}.${String(old % 1000).padStart(3, '0')}`;
    appendFileSync(
      f,
      `type=SYSCALL msg=audit(${stamp}:4242): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=4243 uid=0 comm="true" exe="/usr/bin/true"\n`,
    );
    await until('the record read', () => (src.watermark()! < opened ? true : undefined));
    assert.equal(src.watermark(), old - 1);
    assert.equal(events.length, 0);
    // its EOE completes it: the event is out and the watermark follows the file again
    const written = Date.now();
    appendFileSync(f, `type=EOE msg=audit(${stamp}:4242): \n`);
    await until('the event emitted', () => (events.some((r) => 'event' in r) ? true : undefined));
    await until('the watermark past the write', () => (src.watermark()! >= written - 250 ? true : undefined));
    const ev = events.find((r): r is { event: never } => 'event' in r)!.event as { '@timestamp': string };
    assert.equal(Date.parse(ev['@timestamp']), old);
    assert.ok(src.watermark()! <= Date.now() - 250);
  } finally {
    await src.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docker source: cannot tell before it started; holds at the last event seen between streams', () => {
  const src = new DockerLiveSource({ socketPath: '/nonexistent/docker.sock' });
  assert.equal(src.watermark(), undefined);
  // as after a start or a broken stream: the next stream replays from `since`
  (src as unknown as { since: string }).since = '1700000000.500000000';
  assert.equal(src.watermark(), 1_700_000_000_500);
});
