import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FileTail } from './tail.js';
import { createAuditParser } from './auditd/reader.js';

test('follows a file through rename-rotation and truncation; a split record arrives whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-tail-'));
  const f = join(dir, 'audit.log');
  try {
    writeFileSync(f, 'old history\n');
    const got: string[] = [];
    const t = new FileTail(f, { pollMs: 1e9, onLine: (l) => got.push(l) });
    t.start();
    appendFileSync(f, 'a1\na2 par');
    t.poll();
    appendFileSync(f, 'tial\n');
    renameSync(f, f + '.1');
    writeFileSync(f, 'b1\n');
    t.poll();
    appendFileSync(f, 'b2\n');
    t.poll();
    truncateSync(f, 0);
    t.poll();
    appendFileSync(f, 'c1\n');
    t.poll();
    t.stop();
    assert.deepEqual(got, ['a1', 'a2 partial', 'b1', 'b2', 'c1']);
    assert.equal(t.rotations, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an audit event whose records straddle a rotation is assembled as one event', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-tail-'));
  const f = join(dir, 'audit.log');
  try {
    writeFileSync(f, '');
    const p = createAuditParser(f);
    const out: ReturnType<typeof p.line> = [];
    const t = new FileTail(f, {
      pollMs: 1e9,
      onLine: (l, file, n) => {
        p.setFile(file);
        out.push(...p.line(l, n));
      },
    });
    t.start();
    appendFileSync(
      f,
      'type=SYSCALL msg=audit(1700000000.100:500): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=77 uid=0 comm="id" exe="/usr/bin/id" key="k"\n',
    );
    appendFileSync(f, 'type=EXECVE msg=audit(1700000000.100:500): argc=1 a0="id"\n');
    t.poll();
    renameSync(f, f + '.1');
    writeFileSync(f, 'type=PROCTITLE msg=audit(1700000000.100:500): proctitle=6964\ntype=EOE msg=audit(1700000000.100:500): \n');
    t.poll();
    t.stop();
    out.push(...p.end());
    assert.equal(out.length, 1);
    const r = out[0]!;
    assert.ok('event' in r);
    assert.deepEqual(
      (r.event.auditd as { records: Array<{ type: string }> }).records.map((x) => x.type),
      ['SYSCALL', 'EXECVE', 'PROCTITLE'],
    );
    assert.equal(r.event.process!.title, 'id');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
