// `demo` and `start` as a user runs them: real processes, a real store, a real Docker engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../sinks/store/index.js';

const here = fileURLToPath(import.meta.url);
const main = join(here, '..', here.endsWith('.ts') ? 'main.ts' : 'main.js');

function loaders(): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const a = process.execArgv[i]!;
    if ((a === '--import' || a === '--loader') && process.execArgv[i + 1]) out.push(a, process.execArgv[++i]!);
    else if (a.startsWith('--import=') || a.startsWith('--loader=')) out.push(a);
  }
  return out;
}

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, [...loaders(), main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(child: ChildProcess): { out: () => string; err: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return { out: () => out, err: () => err, exit: new Promise((r) => child.on('exit', (code) => r(code))) };
}

test('demo --no-serve fills the store through the real engine and says what it did', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-demo-'));
  try {
    const run = async () => {
      const c = collect(cli(['demo', '--no-serve', '--data-dir', dir]));
      assert.equal(await c.exit, 0, c.err());
      return c.err();
    };
    const err = await run();
    assert.match(err, /replayed \d+ scenarios/);
    const store = openStore(dir);
    const first = store.queryAlerts().total;
    assert.ok(first > 0, 'demo raised alerts');
    assert.ok(
      store.queryAlerts({ limit: 500 }).alerts.some((a) => a.strategy?.response.length),
      'alerts carry ADS response steps',
    );
    store.close();
    // A second run replaces the first instead of doubling it.
    assert.match(await run(), /replacing \d+ alerts from an earlier demo run/);
    const again = openStore(dir);
    assert.equal(again.queryAlerts().total, first);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start: a privileged container created on the real Docker engine becomes a stored alert', async (t) => {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) {
    console.error('SKIP start test: Docker engine not reachable (run scripts/test-env.sh)');
    t.skip('no docker');
    return;
  }
  if (spawnSync('docker', ['image', 'inspect', 'stowaway/busybox:test'], { stdio: 'ignore' }).status !== 0) {
    console.error('SKIP start test: image stowaway/busybox:test missing (run scripts/test-env.sh)');
    t.skip('no image');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-start-'));
  const name = `stowaway-start-test-${process.pid}`;
  const child = cli(['start', '--no-serve', '--no-audit', '--data-dir', dir, '--stdout', 'falco']);
  const c = collect(child);
  try {
    for (let i = 0; i < 100 && !/docker: (started|not started)/.test(c.err()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(c.err(), /source docker: started/, c.err());
    assert.equal(spawnSync('docker', ['create', '--privileged', '--name', name, 'stowaway/busybox:test', 'true']).status, 0);
    let line: { rule?: string; output_fields?: Record<string, unknown> } | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const hit = c
        .out()
        .split('\n')
        .find((l) => l.includes(name) && l.includes('Privileged'));
      if (hit) line = JSON.parse(hit) as typeof line;
    }
    assert.ok(line, `a Falco-shaped alert line for ${name} on stdout:\n${c.out()}\n${c.err()}`);
    assert.equal(line.output_fields?.['container.name'], name);
    child.kill('SIGTERM');
    assert.equal(await c.exit, 0);
    const store = openStore(dir);
    const stored = store.queryAlerts({ container: name }).alerts;
    assert.ok(stored.length >= 1, 'the alert is in the store');
    assert.match(stored[0]!.summary, new RegExp(name));
    assert.ok(store.health().pipeline, 'the health snapshot was written for the page');
    store.close();
  } finally {
    child.kill('SIGKILL');
    spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
});
