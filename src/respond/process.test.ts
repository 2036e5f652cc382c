// A VM started on this host (a real qemu-system-x86_64 with its CPU halted, or a stand-in
// named like one when QEMU is absent) is terminated by the shipped ADS-0004 policy in auto
// mode, evidence first; a pid now running something else is never signalled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore } from '../sinks/store/index.js';
import { buildAlert } from '../alerts/build.js';
import { loadStrategies, defaultStrategiesDir } from '../ads/index.js';
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { applyUserPolicy, loadContentPolicy } from './policy.js';
import { createResponder } from './index.js';
import { findAlertProcess, parseStat, procInfo, startedAtMs, type ProcInfo } from './process.js';
import { sha256 } from './evidence.js';

const QEMU_RULE = '6d9080e1-55f9-460a-9698-d70c335564b5';
const REAL_QEMU = '/usr/bin/qemu-system-x86_64';

/** The VM: real QEMU when installed, else /bin/sleep copied under QEMU's name (the rule and the policy see only the name). */
function vmBinary(dir: string): { exe: string; args: string[] } {
  const name = `vm-${randomBytes(3).toString('hex')}`;
  if (existsSync(REAL_QEMU)) return { exe: REAL_QEMU, args: ['-name', name, '-display', 'none', '-S', '-nodefaults', '-no-user-config', '-m', '16'] };
  console.error(`note: ${REAL_QEMU} not installed; a stand-in named qemu-system-x86_64 is used`);
  const exe = join(dir, 'qemu-system-x86_64');
  copyFileSync('/bin/sleep', exe);
  chmodSync(exe, 0o755);
  return { exe, args: ['300'] };
}

function execEvent(pid: number, exe: string, args: string[]): StowawayEvent {
  return {
    '@timestamp': new Date().toISOString(),
    event: { kind: 'event', category: ['process'], type: ['start'], action: 'executed', module: 'auditd' },
    stowaway: { source: 'auditd', logsource: { product: 'linux', category: 'process_creation' } },
    host: { name: 'h1' },
    process: { pid, executable: exe, command_line: [exe, ...args].join(' '), args: [exe, ...args] },
  };
}

async function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

test('parseStat reads ppid and start time after a command name holding spaces and parentheses', () => {
  const s = parseStat('4242 (qemu (x) y) S 17 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 3 0 987654 1000 200');
  assert.deepEqual(s, { ppid: 17, state: 'S', start: 987654 });
});

test('a process start time is boot time plus its ticks', () => {
  assert.equal(startedAtMs({ pid: 1, ppid: 0, start: 250, state: 'S', cmdline: '' }, 'cpu 1 2 3\nbtime 1700000000\n'), 1_700_000_002_500);
  assert.equal(startedAtMs({ pid: 1, ppid: 0, start: 250, state: 'S', cmdline: '' }, ''), undefined);
});

test('findAlertProcess: the pid when it still runs the executable, the one same command line when it forked away, never a guess', () => {
  const p = (pid: number, exe: string, cmdline: string): ProcInfo => ({ pid, ppid: 1, start: 1, state: 'S', exe, cmdline });
  const q = '/usr/bin/qemu-system-x86_64';
  assert.equal(findAlertProcess({ pid: 10, executable: q }, [p(10, q, `${q} -S`)]).proc?.pid, 10);
  assert.equal(findAlertProcess({ pid: 10, executable: q, command_line: `${q} -S` }, [p(10, '/usr/bin/sleep', 'sleep 9'), p(11, q, `${q} -S`)]).proc?.pid, 11);
  const two = findAlertProcess({ pid: 10, executable: q, command_line: `${q} -S` }, [p(11, q, `${q} -S`), p(12, q, `${q} -S`)]);
  assert.equal(two.proc, undefined);
  assert.match(two.reason, /refusing to guess/);
  const other = findAlertProcess({ pid: 10, executable: q }, [p(10, '/usr/bin/sleep', 'sleep 9')]);
  assert.equal(other.proc, undefined);
  assert.match(other.reason, /now runs \/usr\/bin\/sleep/);
});

test('a VM-like process started here is terminated by the shipped ADS-0004 policy in auto mode, evidence first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-vm-'));
  const store = openStore(dir);
  const vm = vmBinary(dir);
  const child = spawn(vm.exe, vm.args, { stdio: 'ignore' });
  const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
  try {
    // Wait until the VM process really runs its executable (not a forked node).
    for (let i = 0; i < 100 && procInfo(child.pid!)?.exe !== vm.exe; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(procInfo(child.pid!)?.exe, vm.exe, 'the VM runs');
    const { catalog } = await loadStrategies(defaultStrategiesDir());
    const content = await loadContentPolicy(defaultStrategiesDir());
    assert.deepEqual(content.diagnostics, [], 'the shipped response.yml files lint clean');
    const { policy } = applyUserPolicy(content.policy, 'mode: auto\n', 'user.yaml');
    const finding: Finding = {
      rule: { id: QEMU_RULE, title: 'Headless QEMU virtual machine', kind: 'sigma', level: 'high', tags: ['attack.t1564.006'] },
      time: new Date().toISOString(),
      events: [execEvent(child.pid!, vm.exe, vm.args)],
    };
    const alert = buildAlert(finding, { catalog });
    assert.equal(alert.strategy?.id, 'ADS-0004');
    store.writeAlerts({ insert: [alert] });
    const responder = createResponder({ store, policy, dataDir: dir, selfIds: [] });
    assert.deepEqual(responder.permitted(alert).auto, ['terminate'], 'the shipped policy terminates headless QEMU in auto mode');

    // The wrong process first: the alert's pid now runs `sleep`; it must survive.
    const stale = buildAlert({ ...finding, events: [execEvent(bystander.pid!, vm.exe, ['-name', 'not-this-one'])] }, { catalog });
    store.writeAlerts({ insert: [stale] });
    const refused = await responder.run(stale.id, 'terminate', { actor: 'test' });
    assert.equal(refused.result, 'refused', refused.detail);
    assert.match(refused.detail, /now runs .*sleep/);
    assert.equal(procInfo(bystander.pid!)?.state !== undefined && procInfo(bystander.pid!)?.state !== 'Z', true, 'the bystander still runs');

    // The right executable, but born after the alert: pid reuse, never signalled.
    const early = buildAlert({ ...finding, time: new Date(Date.now() - 60_000).toISOString() }, { catalog });
    store.writeAlerts({ insert: [early] });
    const reused = await responder.run(early.id, 'terminate', { actor: 'test' });
    assert.equal(reused.result, 'refused', reused.detail);
    assert.match(reused.detail, /after the alert's last event/);
    assert.equal(procInfo(child.pid!)?.exe, vm.exe, 'the VM still runs');

    const [rec, ...more] = await responder.onAlert(alert);
    assert.equal(more.length, 0);
    assert.equal(rec!.action, 'terminate');
    assert.equal(rec!.result, 'done', rec!.detail);
    assert.match(rec!.actor, /^auto:.*ads-0004.*response\.yml/);
    const end = await exited(child);
    assert.equal(end.signal, 'SIGKILL', 'the VM was killed');
    console.error(`terminate: ${rec!.detail} (${rec!.duration_ms} ms)`);

    const ev = rec!.data?.evidence as { dir: string; manifest_sha256: string; files: { name: string; sha256: string }[] };
    assert.equal(sha256(readFileSync(join(ev.dir, 'manifest.json'))), ev.manifest_sha256);
    for (const f of ev.files) assert.equal(sha256(readFileSync(join(ev.dir, f.name))), f.sha256, f.name);
    const tree = JSON.parse(readFileSync(join(ev.dir, 'tree.json'), 'utf8')) as { pid: number; exe: string; exe_sha256: string }[];
    assert.equal(tree[0]!.pid, child.pid);
    assert.equal(tree[0]!.exe_sha256, sha256(readFileSync(vm.exe)), 'the executable digest is the file on disk');
    const rows = store.db.prepare(`SELECT action, result, actor FROM response_actions WHERE alert_id = ?`).all(alert.id) as {
      action: string;
      result: string;
      actor: string;
    }[];
    assert.deepEqual(
      rows.map((r) => `${r.action} ${r.result}`),
      ['terminate done'],
    );
  } finally {
    child.kill('SIGKILL');
    bystander.kill('SIGKILL');
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a daemonized VM forks away from the pid audit saw: the one process with its command line is the one terminated', async (t) => {
  if (!existsSync(REAL_QEMU)) {
    t.skip(`${REAL_QEMU} not installed`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-vm-'));
  const store = openStore(dir);
  const args = [
    '-name',
    `vm-${randomBytes(3).toString('hex')}`,
    '-display',
    'none',
    '-S',
    '-nodefaults',
    '-no-user-config',
    '-m',
    '16',
    '-daemonize',
    '-pidfile',
    join(dir, 'qemu.pid'),
  ];
  const launched = spawnSync(REAL_QEMU, args, { encoding: 'utf8' });
  assert.equal(launched.status, 0, launched.stderr);
  const daemon = Number(readFileSync(join(dir, 'qemu.pid'), 'utf8').trim());
  try {
    const { policy } = applyUserPolicy((await loadContentPolicy(defaultStrategiesDir())).policy, 'mode: suggest\n', 'user.yaml');
    const { catalog } = await loadStrategies(defaultStrategiesDir());
    // The pid audit saw is the launcher's, long gone; the daemon is its child's child.
    const alert = buildAlert(
      {
        rule: { id: QEMU_RULE, title: 'Headless QEMU virtual machine', kind: 'sigma', level: 'high', tags: [] },
        time: new Date().toISOString(),
        events: [execEvent(launched.pid, REAL_QEMU, args)],
      },
      { catalog },
    );
    store.writeAlerts({ insert: [alert] });
    const rec = await createResponder({ store, policy, dataDir: dir, selfIds: [] }).run(alert.id, 'terminate', { actor: 'test' });
    assert.equal(rec.result, 'done', rec.detail);
    assert.match(rec.detail, new RegExp(`pid ${daemon} runs the same executable and command line`));
    assert.deepEqual(rec.data?.pids, [daemon], 'the daemon, which has no children');
    assert.equal(procInfo(daemon) === undefined || procInfo(daemon)?.state === 'Z', true, 'the daemon is gone');
  } finally {
    try {
      process.kill(daemon, 'SIGKILL');
    } catch {
      /* already gone */
    }
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
