// The sensor's disk spool on real files: segments, the size cap with counted drops, oldest-first
// delivery, a segment removed only after all of it was sent, and a restarted process that finds
// a spool left behind and delivers it before anything newer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool, type SpoolRecord } from './spool.js';

const rec = (i: number): SpoolRecord => ({ subject: `stowaway.events.p${i % 4}.h.auditd`, id: `h:${i}`, data: JSON.stringify({ n: i, pad: 'x'.repeat(40) }) });
const files = (dir: string): string[] => readdirSync(dir).sort();

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowaway-spool-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'records go into several segment files and come back oldest first, in batches; the spool is empty after',
  withDir(async (dir) => {
    const s = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 1024 });
    for (let i = 0; i < 100; i++) assert.equal(s.append(rec(i)), true);
    assert.ok(files(dir).length > 3, `several segments: ${files(dir).join(' ')}`);
    assert.equal(s.st.segments, files(dir).length);
    assert.equal(s.st.spooled, 100);
    assert.equal(s.empty, false);
    const got: string[] = [];
    const sizes: number[] = [];
    const n = await s.drain(async (b) => {
      sizes.push(b.length);
      got.push(...b.map((r) => r.id));
    }, 7);
    assert.equal(n, 100);
    assert.deepEqual(
      got,
      Array.from({ length: 100 }, (_, i) => `h:${i}`),
    );
    assert.ok(
      sizes.every((x) => x <= 7),
      'batches never exceed the batch size',
    );
    assert.deepEqual(files(dir), []);
    assert.equal(s.empty, true);
    assert.deepEqual({ ...s.st }, { spooled: 100, delivered: 100, dropped: 0, bytes: 0, segments: 0, corrupt: 0 });
    s.close();
  }),
);

test(
  'a full spool drops new records and counts them; draining makes room again',
  withDir(async (dir) => {
    const s = new Spool({ dir, maxBytes: 4096, segmentBytes: 1024 });
    let accepted = 0;
    for (let i = 0; i < 200; i++) if (s.append(rec(i))) accepted++;
    assert.ok(accepted > 0 && accepted < 200, `accepted ${accepted}`);
    assert.equal(s.st.spooled, accepted);
    assert.equal(s.st.dropped, 200 - accepted);
    assert.ok(s.st.bytes <= 4096, `bytes ${s.st.bytes} within the cap`);
    // The oldest are the ones kept: a full spool refuses the newest.
    const got: string[] = [];
    await s.drain(async (b) => {
      got.push(...b.map((r) => r.id));
    });
    assert.deepEqual(
      got,
      Array.from({ length: accepted }, (_, i) => `h:${i}`),
    );
    assert.equal(s.append(rec(1000)), true, 'room again after the drain');
    assert.equal(s.st.dropped, 200 - accepted, 'drops stay counted');
    s.close();
  }),
);

test(
  'a failed send keeps its segment: the next drain sends that whole segment again, earlier segments are gone',
  withDir(async (dir) => {
    const s = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 1024 });
    for (let i = 0; i < 60; i++) s.append(rec(i));
    const before = files(dir);
    assert.ok(before.length >= 3, before.join(' '));
    const lines = (f: string): number => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).length;
    const [n1, n2] = [lines(before[0]!), lines(before[1]!)];
    assert.ok(n2 > 5, 'the second segment takes two batches');
    const sent: string[] = [];
    let calls = 0;
    // The first segment goes through; the second batch of the second segment fails.
    const failAt = Math.ceil(n1 / 5) + 2;
    await assert.rejects(
      s.drain(async (b) => {
        if (++calls === failAt) throw new Error('NATS down');
        sent.push(...b.map((r) => r.id));
      }, 5),
      /NATS down/,
    );
    const left = files(dir);
    assert.equal(left.length, before.length - 1, 'only the first segment, fully sent, was removed');
    assert.deepEqual(left, before.slice(1));
    const firstSegCount = s.st.delivered;
    assert.equal(firstSegCount, n1, 'the first segment counts as delivered');
    assert.equal(sent.length, n1 + 5, 'one batch of the second segment went out before the failure');
    assert.equal(s.empty, false);
    // Retry: everything from the start of the kept segment, in order, nothing skipped.
    const retry: string[] = [];
    await s.drain(async (b) => {
      retry.push(...b.map((r) => r.id));
    }, 5);
    assert.deepEqual(
      retry,
      Array.from({ length: 60 - firstSegCount }, (_, i) => `h:${i + firstSegCount}`),
    );
    assert.ok(
      sent.slice(firstSegCount).every((id) => retry.includes(id)),
      'what went out before the failure is sent again (the stream drops repeats by id)',
    );
    assert.equal(s.st.delivered, 60);
    assert.deepEqual(files(dir), []);
    s.close();
  }),
);

test(
  'a new process on a spool left behind delivers the old records first, then the new ones; a torn last line is counted, not fatal',
  withDir(async (dir) => {
    const a = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 1024 });
    for (let i = 0; i < 30; i++) a.append(rec(i));
    a.close();
    const left = files(dir);
    // A crash mid-write: half a record at the end of the last segment.
    appendFileSync(join(dir, left[left.length - 1]!), '{"subject":"stowaway.events.p0.h.au');

    const b = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 1024 });
    assert.equal(b.empty, false, 'the spool of the earlier run is seen');
    assert.equal(b.st.segments, left.length);
    assert.ok(b.st.bytes > 0);
    for (let i = 30; i < 40; i++) b.append(rec(i));
    assert.ok(files(dir).length > left.length, 'new records start a new segment after the old ones');
    const got: string[] = [];
    const n = await b.drain(async (batch) => {
      got.push(...batch.map((r) => r.id));
    });
    assert.equal(n, 40);
    assert.deepEqual(
      got,
      Array.from({ length: 40 }, (_, i) => `h:${i}`),
    );
    assert.equal(b.st.corrupt, 1);
    assert.equal(b.st.bytes, 0);
    assert.equal(b.empty, true);
    b.close();
  }),
);
