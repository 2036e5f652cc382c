// `demo` and `start` as a user runs them: real processes, a real store, a real Docker engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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

function dockerReady(t: { skip: (m: string) => void }): boolean {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) {
    console.error('SKIP: Docker engine not reachable (run scripts/test-env.sh)');
    t.skip('no docker');
    return false;
  }
  if (spawnSync('docker', ['image', 'inspect', 'stowaway/busybox:test'], { stdio: 'ignore' }).status !== 0) {
    console.error('SKIP: image stowaway/busybox:test missing (run scripts/test-env.sh)');
    t.skip('no image');
    return false;
  }
  return true;
}

const USER_RULE = `title: Container named for the configuration test
id: 0d5e1c2a-7b3f-4e8d-9a61-2c4b5d6e7f80
status: experimental
description: a user's own rule, added to the built-in content by stowaway.yaml
logsource: { product: docker, category: container }
detection:
  selection:
    event.action: container-create
    container.name|startswith: stowaway-cfg-
  condition: selection
level: low
tags: [attack.execution, attack.t1610]
`;

test('issue 15: start loads stowaway.yaml (a user rule folder, outputs, no page); the user rule fires; alert line, summary, SIGINT exits 0', async (t) => {
  if (!dockerReady(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-config-'));
  const name = `stowaway-cfg-${process.pid}`;
  mkdirSync(join(dir, 'my-rules'));
  writeFileSync(join(dir, 'my-rules', 'named.yml'), USER_RULE);
  writeFileSync(
    join(dir, 'stowaway.yaml'),
    [
      `data-dir: ${join(dir, 'data')}`,
      'create: true',
      'serve: false',
      'audit: false',
      'stdout: falco',
      'counters: 0',
      'rules:',
      `  - ${join(dir, 'my-rules')}`,
      '',
    ].join('\n'),
  );
  assert.equal(spawnSync(process.execPath, [...loaders(), main, 'config', 'check', join(dir, 'stowaway.yaml')]).status, 0);
  const child = cli(['start', '--config', join(dir, 'stowaway.yaml')]);
  const c = collect(child);
  try {
    for (let i = 0; i < 150 && !/docker: (started|not started)/.test(c.err()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(c.err(), /configuration .*stowaway\.yaml \(7 settings/);
    assert.match(c.err(), /source docker: started/, c.err());
    assert.match(c.err(), /added to the content: rules from .*my-rules/);
    assert.equal(spawnSync('docker', ['create', '--name', name, 'stowaway/busybox:test', 'true']).status, 0);
    for (let i = 0; i < 150 && !c.out().includes(name); i++) await new Promise((r) => setTimeout(r, 100));
    const line = c
      .out()
      .split('\n')
      .find((l) => l.includes(name));
    assert.ok(line, `a Falco line (stdout: falco, from the file) for ${name}:\n${c.out()}\n${c.err()}`);
    assert.equal((JSON.parse(line) as { rule: string }).rule, 'Container named for the configuration test');
    // One human line per alert on the terminal, by default.
    assert.match(c.err(), new RegExp(`alert low\\s+Container named for the configuration test — .*${name}.*\\(stowaway alerts show [0-9a-f]{8}\\)`));
    child.kill('SIGINT');
    assert.equal(await c.exit, 0, c.err());
    assert.match(c.err(), /summary: \d+ s, \d+ events, \d+ findings, \d+ alerts/);
    assert.match(c.err(), /\s+1\s+Container named for the configuration test/);
    assert.match(c.err(), /lost: /);
    const store = openStore(join(dir, 'data'));
    assert.ok(store.queryAlerts({ container: name }).alerts.some((a) => a.rule.id === '0d5e1c2a-7b3f-4e8d-9a61-2c4b5d6e7f80'));
    store.close();
  } finally {
    child.kill('SIGKILL');
    spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 15: config check names the YAML path and line of each problem and exits 1; flags override the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-config-'));
  try {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, ['serve: false', 'data_dir: ./x', 'stdout: xml', 'rules:', '  - ./a', '  - [nested]', 'quiet: yes please', ''].join('\n'));
    const r = spawnSync(process.execPath, [...loaders(), main, 'config', 'check', bad], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${bad}:2: data_dir: unknown option 'data_dir' \\(did you mean 'data-dir'\\?\\)`));
    assert.match(r.stderr, new RegExp(`${bad}:5: rules: expected a value or a list of values`));
    assert.match(r.stderr, new RegExp(`${bad}:7: quiet: expected true or false`));
    const nope = spawnSync(process.execPath, [...loaders(), main, 'config', 'check', join(dir, 'none.yaml')], { encoding: 'utf8' });
    assert.equal(nope.status, 2);
    assert.match(nope.stderr, /no configuration file at .*none\.yaml/);
    // The option's own parser judges a value as on the command line.
    writeFileSync(bad, 'stdout: xml\n');
    const fmt = spawnSync(process.execPath, [...loaders(), main, 'config', 'check', bad], { encoding: 'utf8' });
    assert.equal(fmt.status, 1);
    assert.match(fmt.stderr, /bad\.yaml:1: stdout: .*xml/);
    // start refuses a file with problems before doing anything.
    const st = spawnSync(process.execPath, [...loaders(), main, 'start', '--config', bad], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(st.status, 2);
    assert.match(st.stderr, /bad\.yaml: 1 problem\(s\)/);
    // A flag beats the file: the file's data-dir does not exist, the flag's does not either, and the message names the flag's.
    writeFileSync(join(dir, 'ok.yaml'), `data-dir: ${join(dir, 'from-file')}\nserve: false\n`);
    const o = spawnSync(process.execPath, [...loaders(), main, 'start', '--config', join(dir, 'ok.yaml'), '--data-dir', join(dir, 'from-flag')], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(o.status, 2, o.stderr);
    assert.match(o.stderr, /--data-dir .*from-flag does not exist; give --create/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 15: a busy port names the port and the flag, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-port-'));
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as AddressInfo).port;
  try {
    const c = collect(cli(['start', '--data-dir', dir, '--no-docker', '--no-audit', '--port', String(port)]));
    assert.equal(await c.exit, 2, c.err());
    assert.match(c.err(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use .*--port N.*--no-serve`));
  } finally {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
