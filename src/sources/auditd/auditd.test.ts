import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';
import { ContainerAttributor, containerIdFromCgroup, runtimeTarget } from '../attribution.js';
import { decodeSockaddr, parseAuditLine } from './parse.js';
import { AuditAssembler } from './assemble.js';
import { toEvent } from './normalize.js';
import { createAuditParser } from './reader.js';

const log = fixturePath(import.meta.url, './fixtures/containers.log');
const inspect = fixturePath(import.meta.url, '../docker/fixtures/inspect.json');

test('parses RAW and ENRICHED records and decodes hex fields', () => {
  const p = parseAuditLine('type=PROCTITLE msg=audit(1795376356.310:53): proctitle=7461696C002D33');
  assert.ok('record' in p);
  assert.equal(p.record.fields.proctitle, 'tail -3');
  assert.equal(p.record.serial, 53);
  assert.equal(p.record.timeMs, 1795376356310);
  const sc = parseAuditLine('type=SYSCALL msg=audit(1.5:7): arch=c000003e syscall=59 success=yes exe="/bin/x y" key=(null)\x1dARCH=x86_64 SYSCALL=execve UID="root"');
  assert.ok('record' in sc);
  assert.equal(sc.record.fields.exe, '/bin/x y');
  assert.equal(sc.record.fields.SYSCALL, 'execve');
  assert.equal(sc.record.fields.UID, 'root');
  assert.equal(sc.record.timeMs, 1500);
  const ex = parseAuditLine('node=h1 type=EXECVE msg=audit(1.000:8): argc=2 a0="sh" a1=6563686F2022686922');
  assert.ok('record' in ex);
  assert.equal(ex.record.node, 'h1');
  assert.equal(ex.record.fields.a1, 'echo "hi"');
  const user = parseAuditLine("type=USER_CMD msg=audit(1.000:9): pid=5 uid=0 msg='cwd=\"/root\" cmd=6C73202D6C exe=\"/usr/bin/sudo\" res=success'");
  assert.ok('record' in user);
  assert.equal(user.record.fields.cmd, 'ls -l');
  assert.equal(user.record.fields.exe, '/usr/bin/sudo');
  assert.ok('error' in parseAuditLine('garbage'));
});

test('decodes SOCKADDR for inet, inet6 and unix', () => {
  assert.deepEqual(decodeSockaddr('02000050C0A80001' + '0'.repeat(16)), { family: 'inet', port: 80, ip: '192.168.0.1' });
  const v6 = decodeSockaddr('0A0001BB00000000' + '20010DB8000000000000000000000007' + '00000000');
  assert.deepEqual(v6, { family: 'inet6', port: 443, ip: '2001:db8::7' });
  assert.deepEqual(decodeSockaddr('01002F7661722F72756E2F646F636B65722E736F636B00'), { family: 'unix', path: '/var/run/docker.sock' });
  assert.deepEqual(decodeSockaddr('0100006162'), { family: 'unix', path: '@ab' });
});

test('assembles by serial: EOE, newer serials, flush at the end', () => {
  const asm = new AuditAssembler({ lookbehind: 2 });
  const rec = (t: string, s: number) => (parseAuditLine(`type=${t} msg=audit(1.000:${s}): pid=1`) as { record: never }).record;
  assert.equal(asm.push(rec('SYSCALL', 1)).length, 0);
  assert.equal(asm.push(rec('PATH', 1)).length, 0);
  const done = asm.push(rec('EOE', 1));
  assert.equal(done.length, 1);
  assert.deepEqual(done[0]!.records.map((r) => r.type), ['SYSCALL', 'PATH']);
  asm.push(rec('SYSCALL', 2));
  asm.push(rec('SYSCALL', 3));
  const later = asm.push(rec('SYSCALL', 4));
  assert.deepEqual(later.map((g) => g.serial), [2]);
  assert.deepEqual(asm.flush().map((g) => g.serial), [3, 4]);
  // a reboot restarts serials: pending events complete, the new ones assemble as before
  const b = new AuditAssembler();
  b.push(rec('SYSCALL', 50000));
  assert.deepEqual(b.push(rec('SYSCALL', 1)).map((g) => g.serial), [50000]);
  for (let s = 2; s < 40; s++) b.push(rec('SYSCALL', s));
  assert.ok(b.pendingCount <= 33);
});

test('recorded container activity: execve and connect normalized with categories', async () => {
  const { events, diagnostics } = await readAll(log);
  assert.equal(diagnostics.length, 0);
  assert.ok(events.length > 100);
  const execs = events.filter((e) => e.event.action === 'execve');
  assert.ok(execs.every((e) => e.stowaway.logsource.category === 'process_creation' && e.stowaway.logsource.product === 'linux' && e.stowaway.logsource.service === 'auditd'));
  const cat = execs.find((e) => e.process?.args?.[0] === 'cat')!;
  assert.deepEqual(cat.process!.args, ['cat', '/host-etc/hostname']);
  assert.equal(cat.process!.executable, '/bin/busybox');
  assert.equal(cat.process!.title, 'cat /host-etc/hostname');
  assert.ok(Array.isArray((cat.auditd as { records: unknown[] }).records));
  assert.equal((cat.auditd as { key: string }).key, 'stowaway-fx');
  const nc = events.find((e) => e.event.action === 'connect' && e.process?.name === 'nc')!;
  assert.equal(nc.stowaway.logsource.category, 'network_connection');
  assert.equal(nc.destination!.ip, '127.0.0.1');
  assert.equal(nc.destination!.port, 9);
  assert.equal(nc.event.outcome, 'failure');
});

test('recorded container activity is attributed to the right containers', async () => {
  const { events } = await readAll(log, { inspect });
  const names = (pred: (a: string[]) => boolean) => events.filter((e) => e.process?.args && pred(e.process.args)).map((e) => e.container?.name);
  assert.deepEqual(names((a) => a[0] === 'cat'), ['stowaway-fx-bind']);
  assert.deepEqual(names((a) => a[0] === 'nc'), ['stowaway-fx-hostns']);
  const connect = events.find((e) => e.event.action === 'connect' && e.process?.name === 'nc')!;
  assert.equal(connect.container!.name, 'stowaway-fx-hostns');
  assert.equal(connect.container!.pid_mode, 'host', 'the container configuration travels with its processes');
  assert.equal(connect.container!.network_mode, 'host');
  const runc = events.filter((e) => e.process?.executable === '/usr/sbin/runc');
  assert.ok(runc.length > 0 && runc.every((e) => !e.container), 'the runtime itself stays a host process');
  // without the inspect dump, the runtime's command lines still attribute (by id)
  const bare = await readAll(log);
  const bareCat = bare.events.find((e) => e.process?.args?.[0] === 'cat')!;
  assert.equal(bareCat.container!.id, events.find((e) => e.process?.args?.[0] === 'cat')!.container!.id);
  assert.equal(bareCat.container!.metadata, 'partial');
});

test('an event split across a rotation: assembled whole when read as one stream, flagged when not', () => {
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const firstExecve = lines.findIndex((l) => l.startsWith('type=EXECVE'));
  const head = lines.slice(0, firstExecve);
  const tail = lines.slice(firstExecve);
  // one parser across both files, as the live tail does across a rotation
  const p = createAuditParser('audit.log.1');
  const out = [...head.flatMap((l, i) => p.line(l, i + 1))];
  p.setFile('audit.log');
  out.push(...tail.flatMap((l, i) => p.line(l, i + 1)), ...p.end());
  const whole = out.filter((r) => 'event' in r);
  assert.ok(out.every((r) => 'event' in r));
  // separately: the second file starts with an event that lost its head
  const p2 = createAuditParser('audit.log');
  const part = [...tail.flatMap((l, i) => p2.line(l, i + 1)), ...p2.end()];
  const partial = part.filter((r) => 'diagnostic' in r);
  assert.equal(partial.length, 1);
  assert.ok('diagnostic' in partial[0]! && partial[0].diagnostic.code === 'audit-partial-event' && partial[0].diagnostic.file === 'audit.log');
  assert.equal(part.filter((r) => 'event' in r).length, whole.length, 'no event lost, the partial one is kept');
});

test('truncated and garbage lines are counted, good records still read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-audit-'));
  try {
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean).slice(0, 40);
    lines.splice(10, 0, 'type=SYSCALL msg=audit(17953');
    lines.splice(20, 0, '\u0000\u0000garbage');
    const f = join(dir, 'audit.log');
    writeFileSync(f, lines.join('\n') + '\n');
    const { events, diagnostics } = await readAll(f, { format: 'auditd' });
    assert.equal(diagnostics.filter((d) => d.code === 'bad-audit-record').length, 2);
    assert.deepEqual(diagnostics.map((d) => d.line).filter((l) => l !== undefined).slice(0, 2), [11, 21]);
    assert.ok(events.length > 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file syscalls: write opens, rename, unlink resolve paths with cwd', () => {
  const g = (recs: string[]) => {
    const records = recs.map((l) => (parseAuditLine(l) as { record: never }).record);
    return toEvent({ serial: 1, timeMs: 1000, records, complete: true });
  };
  const open = g([
    'type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd a2=241 a3=1b6 items=2 ppid=1 pid=2 uid=0 comm="sh" exe="/bin/sh" key="etc"',
    'type=CWD msg=audit(1.000:1): cwd="/etc/docker"',
    'type=PATH msg=audit(1.000:1): item=0 name="/etc/docker" nametype=PARENT',
    'type=PATH msg=audit(1.000:1): item=1 name="daemon.json" nametype=CREATE mode=0100644',
  ]);
  assert.equal(open.stowaway.logsource.category, 'file_event');
  assert.equal(open.file!.path, '/etc/docker/daemon.json');
  assert.deepEqual(open.event.type, ['creation']);
  const ren = g([
    'type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=82 success=yes exit=0 items=4 ppid=1 pid=2 uid=0 comm="mv" exe="/bin/mv"',
    'type=PATH msg=audit(1.000:1): item=2 name="/tmp/a" nametype=DELETE',
    'type=PATH msg=audit(1.000:1): item=3 name="/tmp/b" nametype=CREATE',
  ]);
  assert.equal(ren.file!.path, '/tmp/a');
  assert.equal(ren.file!.target_path, '/tmp/b');
  const ro = g(['type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=257 success=yes a2=0 pid=2 exe="/bin/cat"', 'type=PATH msg=audit(1.000:1): item=0 name="/etc/shadow" nametype=NORMAL']);
  assert.equal(ro.stowaway.logsource.category, undefined);
  const mod = g(['type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=313 success=yes pid=2 exe="/sbin/insmod"']);
  assert.deepEqual(mod.event.category, ['driver']);
  const ns = g(['type=SYSCALL msg=audit(1.000:1): arch=c00000b7 syscall=268 success=yes pid=2 exe="/usr/bin/nsenter"']);
  assert.equal(ns.event.action, 'setns');
});

test('cgroup paths and runtime command lines name containers', () => {
  const id = 'a'.repeat(64);
  assert.equal(containerIdFromCgroup(`4:memory:/docker/${id}\n`), id);
  assert.equal(containerIdFromCgroup(`0::/system.slice/docker-${id}.scope\n`), id);
  assert.equal(containerIdFromCgroup(`0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-${id}.scope`), id);
  assert.equal(containerIdFromCgroup('0::/user.slice/session-1.scope\n'), null);
  assert.equal(runtimeTarget(['containerd-shim-runc-v2', '-namespace', 'moby', '-id', id, 'start']), id);
  assert.equal(runtimeTarget(['runc', '--root', '/x', 'start', id]), id);
  const a = new ContainerAttributor();
  a.addContainer({ id, name: 'c1', pid: 100 });
  const ev = toEvent({ serial: 1, timeMs: 1, complete: true, records: [(parseAuditLine('type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes ppid=100 pid=101 exe="/bin/sh"') as { record: never }).record] });
  assert.equal(a.attribute(ev), 'container');
  assert.equal(ev.container!.name, 'c1');
  const orphan = toEvent({ serial: 2, timeMs: 1, complete: true, records: [(parseAuditLine('type=SYSCALL msg=audit(1.000:2): arch=c000003e syscall=59 success=yes ppid=5 pid=6 exe="/bin/sh"') as { record: never }).record] });
  assert.equal(a.attribute(orphan), 'unknown');
  assert.deepEqual(a.counts, { container: 1, host: 0, unknown: 1 });
});
