import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveOptionsFrom } from './options.js';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fixturePath } from '../sources/fixture-path.js';

const ts = import.meta.url.endsWith('.ts');
const main = fileURLToPath(new URL(`./main.${ts ? 'ts' : 'js'}`, import.meta.url));
const argv = (args: string[]) => [...(ts ? ['--import', 'tsx'] : []), main, ...args];

test('watch with every source turned off says so, per source, and exits 1', () => {
  const r = spawnSync(process.execPath, argv(['watch', '--no-docker', '--no-audit']), { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^docker: not started \(turned off\)$/m);
  assert.match(r.stderr, /^auditd: not started \(turned off\)$/m);
  assert.match(r.stderr, /^k8s-audit: not started \(no webhook port configured/m);
  assert.match(r.stderr, /^falco: not started/m);
  assert.match(r.stderr, /no source could start/);
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('watch --events: the Kubernetes audit webhook feeds normalized events to stdout', { timeout: 90000 }, async () => {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    argv(['watch', '--no-docker', '--no-audit', '--events', '--k8s-audit-port', String(port), '--k8s-audit-host', '127.0.0.1', '--max-age', '1e10']),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const until = async (what: string, f: () => boolean) => {
    const end = Date.now() + 60000;
    while (!f()) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`gave up waiting for ${what}; stderr: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await until('webhook start', () => err.includes('k8s-audit: started'));
    const body = readFileSync(fixturePath(import.meta.url.replace('/cli/', '/sources/'), './k8s-audit/fixtures/eventlist.json'), 'utf8');
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body });
    assert.equal(res.status, 200);
    await until('two events on stdout', () => out.split('\n').filter(Boolean).length >= 2);
    const evs = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { stowaway: { source: string } });
    assert.deepEqual(
      evs.map((e) => e.stowaway.source),
      ['k8s-audit', 'k8s-audit'],
    );
    assert.match(err, /bad-k8s-audit/);
    // the attach of the first item alerts, on stderr, not among the events
    await until('the attach alert', () => /alert medium: Kubernetes Exec, Attach Or Debug Container/.test(err));
    child.kill('SIGTERM');
    await until('summary', () => /watch: 2 events/.test(err) || child.exitCode !== null);
    assert.match(err, /watch: 2 events, \d+ alerts, 1 diagnostics/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test(
  "watch --rules and --placeholders add the user's rule and its allowlist to the built-in content; alerts come out on stdout",
  { timeout: 90000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowaway-watch-user-'));
    writeFileSync(
      join(dir, 'attach.yml'),
      [
        'title: Attach to a pod in a watched namespace',
        'id: 5b0c6a52-1d3e-4f00-9a7e-0c1d2e3f4a5b',
        'logsource: { product: kubernetes, service: audit }',
        'detection:',
        '  sel:',
        // Kubernetes audit rules name the API server's own fields.
        '    objectRef.subresource: attach',
        "    objectRef.namespace|expand: '%watched_namespaces%'",
        '  condition: sel',
        'level: high',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'ours.yml'), 'watched_namespaces: [prod]\n');
    const port = await freePort();
    const args = [
      'watch',
      '--no-docker',
      '--no-audit',
      '--k8s-audit-port',
      String(port),
      '--k8s-audit-host',
      '127.0.0.1',
      '--rules',
      dir,
      '--placeholders',
      join(dir, 'ours.yml'),
    ];
    const child = spawn(process.execPath, argv(args), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const until = async (what: string, f: () => boolean) => {
      const end = Date.now() + 60000;
      while (!f()) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`gave up waiting for ${what}; stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await until('webhook start', () => err.includes('k8s-audit: started'));
      assert.match(err, /engine: added to the content: rules from .*; placeholders layered in order .*placeholders\.yml < .*ours\.yml/);
      const body = readFileSync(fixturePath(import.meta.url.replace('/cli/', '/sources/'), './k8s-audit/fixtures/eventlist.json'), 'utf8');
      assert.equal((await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body })).status, 200);
      await until('the user rule alerts', () => out.includes('Attach to a pod in a watched namespace'));
      const alert = out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { rule: { id: string }; level: string })
        .find((a) => a.rule.id === '5b0c6a52-1d3e-4f00-9a7e-0c1d2e3f4a5b');
      assert.equal(alert?.level, 'high');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('finding 9: a certificate without its key, an empty token or a public bind without a token is an error, not plain HTTP', () => {
  const base = { docker: false, stats: '0', audit: false, maxErrors: '1' } as const;
  assert.throws(() => liveOptionsFrom({ ...base, k8sAuditPort: '8443', tlsCert: 'cert.pem' }), /--tls-cert and --tls-key go together/);
  assert.throws(() => liveOptionsFrom({ ...base, falcoPort: '2801', falcoToken: '' }), /token is empty/);
  assert.throws(() => liveOptionsFrom({ ...base, falcoPort: '2801', falcoHost: '0.0.0.0' }), /refusing to listen on 0\.0\.0\.0 without a token/);
  assert.equal(liveOptionsFrom({ ...base, falcoPort: '2801', falcoHost: '0.0.0.0', falcoToken: 'tok' }).falco?.token, 'tok');
  const dataDir = mkdtempSync(join(tmpdir(), 'stowaway-tls-'));
  try {
    const r = spawnSync(
      process.execPath,
      argv(['start', '--no-docker', '--no-audit', '--no-serve', '--data-dir', dataDir, '--k8s-audit-port', '0', '--tls-cert', 'cert.pem']),
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--tls-cert and --tls-key go together/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
