// Containment against the real Docker engine: a container talking to a listener on the
// test's own bridge network is isolated by an alert and can no longer reach it, is
// restored and can again; pause and stop are checked by the engine's state; evidence
// has digests; every attempt is a row of the audit trail in SQLite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { openStore, type Store } from '../sinks/store/index.js';
import { createAlertPipeline } from '../alerts/pipeline.js';
import { finding } from '../alerts/fixtures.js';
import { applyUserPolicy, emptyPolicy, type ResponsePolicy } from './policy.js';
import { createResponder } from './index.js';
import { sha256 } from './evidence.js';

const IMAGE = 'stowaway/busybox:test';
const docker = new Docker();
const run = randomBytes(3).toString('hex');
const LABEL = 'stowaway.respond-test';
let skip: string | undefined;
let net: { id: string; name: string; gateway: string } | undefined;
let listener: Server | undefined;
let port = 0;
let connections = 0;
let dir = '';
let store: Store;

before(async () => {
  try {
    await docker.ping();
    await docker.getImage(IMAGE).inspect();
  } catch (e) {
    skip = `Docker engine or ${IMAGE} unavailable (${(e as Error).message}); run bash scripts/test-env.sh`;
    console.error(`SKIP respond docker tests: ${skip}`);
    return;
  }
  const n = await docker.createNetwork({ Name: `stowaway-respond-${run}`, Driver: 'bridge', Labels: { [LABEL]: run } });
  const info = (await n.inspect()) as { Id: string; IPAM?: { Config?: { Gateway?: string }[] } };
  const gateway = info.IPAM?.Config?.find((c) => c.Gateway && /^\d+\.\d+\.\d+\.\d+$/.test(c.Gateway))?.Gateway;
  assert.ok(gateway, 'the test network has an IPv4 gateway');
  net = { id: info.Id, name: `stowaway-respond-${run}`, gateway };
  // The listener binds the test bridge's own gateway address: nothing beyond this host reaches it.
  listener = createServer((s) => {
    connections++;
    s.end('hello from the listener\n');
  });
  await new Promise<void>((r) => listener!.listen(0, gateway, () => r()));
  port = (listener.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), 'stowaway-respond-'));
  store = openStore(dir);
});

after(async () => {
  if (skip) return;
  const cs = await docker.listContainers({ all: true, filters: { label: [`${LABEL}=${run}`] } });
  for (const c of cs)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  if (net)
    await docker
      .getNetwork(net.id)
      .remove()
      .catch(() => {});
  listener?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startContainer(name: string, labels: Record<string, string> = {}): Promise<string> {
  const c = await docker.createContainer({
    Image: IMAGE,
    name: `${name}-${run}`,
    Cmd: ['sh', '-c', 'echo started; echo secret > /tmp/loot.txt; sleep 300'],
    Labels: { [LABEL]: run, ...labels },
    HostConfig: { NetworkMode: net!.name },
  });
  await c.start();
  return c.id;
}

/** Runs a command in the container; its exit code and output. */
async function execIn(id: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const ex = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await ex.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((r) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => r());
  });
  const { ExitCode } = await ex.inspect();
  return { code: ExitCode ?? -1, out: Buffer.concat(chunks).toString('utf8') };
}

async function reach(id: string): Promise<boolean> {
  const before = connections;
  const r = await execIn(id, ['nc', '-w', '2', net!.gateway, String(port)]);
  return r.out.includes('hello from the listener') && connections > before;
}

function alertFor(containerId: string, name: string): string {
  const pipeline = createAlertPipeline({ store });
  const res = pipeline.process([
    finding({
      id: containerId,
      name: `${name}-${run}`,
      image: 'stowaway/busybox',
      tag: 'test',
      rule: { id: `rule-${name}`, title: 'Test containment rule', level: 'high' },
    }),
  ]);
  assert.equal(res.created.length, 1);
  return res.created[0]!.id;
}

function policy(mode: string, extra = ''): ResponsePolicy {
  const text = `mode: ${mode}\n${extra}strategies:\n  '*':\n    - rules: ['*']\n      min_level: medium\n      allow: [preserve, isolate, pause, stop]\n      auto: [isolate]\n`;
  const r = applyUserPolicy(emptyPolicy(), text, 'test-policy.yaml');
  assert.deepEqual(r.diagnostics, []);
  return r.policy;
}

test('isolate cuts a container off its listener, restore brings it back; pause, unpause, stop by engine state; evidence; audit rows', async (t) => {
  if (skip) {
    t.skip(skip);
    return;
  }
  const id = await startContainer('victim');
  const alertId = alertFor(id, 'victim');
  const responder = createResponder({ store, policy: policy('suggest'), dataDir: dir, selfIds: [] });
  assert.equal(await reach(id), true, 'before: the container reaches the listener');

  const dry = await responder.run(alertId, 'isolate', { actor: 'test', dryRun: true });
  assert.equal(dry.result, 'dry-run');
  assert.match(dry.detail, new RegExp(`would disconnect .* from ${net!.name}`));
  assert.equal(await reach(id), true, 'a dry run changes nothing');

  const iso = await responder.run(alertId, 'isolate', { actor: 'test' });
  assert.equal(iso.result, 'done', iso.detail);
  assert.deepEqual(
    (iso.data?.networks as { name: string }[]).map((n) => n.name),
    [net!.name],
  );
  const inspected = await docker.getContainer(id).inspect();
  assert.deepEqual(Object.keys(inspected.NetworkSettings.Networks ?? {}), [], 'the engine reports no network attached');
  assert.equal(await reach(id), false, 'isolated: the listener is unreachable');
  console.error(`isolate: ${iso.detail} (${iso.duration_ms} ms, isolated_ms ${String(iso.data?.isolated_ms)})`);

  const res = await responder.run(alertId, 'restore', { actor: 'test' });
  assert.equal(res.result, 'done', res.detail);
  assert.equal(await reach(id), true, 'restored: the listener is reachable again');

  const p = await responder.run(alertId, 'pause', { actor: 'test' });
  assert.equal(p.result, 'done', p.detail);
  let st = (await docker.getContainer(id).inspect()).State;
  assert.equal(st.Paused, true);
  assert.equal(st.Status, 'paused');
  const u = await responder.run(alertId, 'unpause', { actor: 'test' });
  assert.equal(u.result, 'done', u.detail);
  assert.equal((await docker.getContainer(id).inspect()).State.Status, 'running');

  const s = await responder.run(alertId, 'stop', { actor: 'test' });
  assert.equal(s.result, 'done', s.detail);
  st = (await docker.getContainer(id).inspect()).State;
  assert.equal(st.Running, false);
  assert.equal(st.Status, 'exited', 'stopped, not removed');

  // Evidence came first, and every file is what its digest says.
  const ev = s.data?.evidence as { dir: string; manifest_sha256: string; files: { name: string; sha256: string; bytes: number }[] };
  assert.ok(existsSync(join(ev.dir, 'manifest.json')));
  assert.equal(sha256(readFileSync(join(ev.dir, 'manifest.json'))), ev.manifest_sha256);
  const names = ev.files.map((f) => f.name);
  for (const want of ['inspect.json', 'changes.json', 'logs.txt', 'top.json', 'changed-files.json'])
    assert.ok(names.includes(want), `evidence has ${want}: ${names.join(', ')}`);
  for (const f of ev.files) assert.equal(sha256(readFileSync(join(ev.dir, f.name))), f.sha256, `digest of ${f.name}`);
  assert.match(readFileSync(join(ev.dir, 'logs.txt'), 'utf8'), /started/);
  assert.match(readFileSync(join(ev.dir, 'top.json'), 'utf8'), /sleep 300/);
  const index = JSON.parse(readFileSync(join(ev.dir, 'changed-files.json'), 'utf8')) as { path: string; file: string }[];
  const tmp = index.find((x) => x.path === '/tmp' || x.path === '/tmp/loot.txt');
  assert.ok(tmp, `the changed /tmp is archived: ${JSON.stringify(index)}`);
  assert.ok(readFileSync(join(ev.dir, tmp.file)).includes(Buffer.from('secret\n')), 'the archive holds the dropped file');

  // The audit trail, straight from SQLite.
  const rows = store.db.prepare(`SELECT action, result, dry_run, actor FROM response_actions WHERE alert_id = ? ORDER BY started, rowid`).all(alertId);
  assert.deepEqual(
    rows.map((r) => Object.values(r as object).join(' ')),
    ['isolate dry-run 1 test', 'isolate done 0 test', 'restore done 0 test', 'pause done 0 test', 'unpause done 0 test', 'stop done 0 test'],
  );
  const shown = store.getAlert(alertId)!;
  assert.equal(shown.response.length, 6, 'the trail is on the alert');
  assert.match(shown.response[1]!.undo ?? '', /restore/);
});

test("refusals: mode off, a protected container, a container that is no longer the alert's, a policy that does not allow it; nothing changes", async (t) => {
  if (skip) {
    t.skip(skip);
    return;
  }
  const id = await startContainer('guarded', { 'com.example.infra': 'true' });
  const alertId = alertFor(id, 'guarded');
  const attached = async (): Promise<string[]> => Object.keys((await docker.getContainer(id).inspect()).NetworkSettings.Networks ?? {});

  const off = await createResponder({ store, policy: policy('off'), dataDir: dir, selfIds: [] }).run(alertId, 'isolate', { actor: 'test' });
  assert.equal(off.result, 'refused');
  assert.match(off.detail, /mode is off/);
  assert.deepEqual(await attached(), [net!.name]);

  const prot = await createResponder({ store, policy: policy('suggest', 'protect:\n  labels: [com.example.infra=true]\n'), dataDir: dir, selfIds: [] }).run(
    alertId,
    'isolate',
    { actor: 'test' },
  );
  assert.equal(prot.result, 'refused');
  assert.match(prot.detail, /protected/);
  assert.deepEqual(await attached(), [net!.name]);

  const self = await createResponder({ store, policy: policy('suggest'), dataDir: dir, selfIds: [id] }).run(alertId, 'pause', { actor: 'test' });
  assert.equal(self.result, 'refused');
  assert.match(self.detail, /stowaway itself/);

  const notAllowed = await createResponder({ store, policy: policy('suggest'), dataDir: dir, selfIds: [] }).run(alertId, 'terminate', { actor: 'test' });
  assert.equal(notAllowed.result, 'refused');

  // The alert's container is gone and another one took its name: never act on the newcomer.
  await docker.getContainer(id).remove({ force: true });
  const newcomer = await docker.createContainer({
    Image: IMAGE,
    name: `guarded-${run}`,
    Cmd: ['sleep', '300'],
    Labels: { [LABEL]: run },
    HostConfig: { NetworkMode: net!.name },
  });
  await newcomer.start();
  const gone = await createResponder({ store, policy: policy('suggest'), dataDir: dir, selfIds: [] }).run(alertId, 'isolate', { actor: 'test' });
  assert.equal(gone.result, 'refused');
  assert.match(gone.detail, /not found/);
  assert.deepEqual(Object.keys((await newcomer.inspect()).NetworkSettings.Networks ?? {}), [net!.name], 'the newcomer keeps its network');
  const rows = store.db.prepare(`SELECT count(*) FROM response_actions WHERE alert_id = ? AND result = 'refused'`).pluck().get(alertId);
  assert.equal(rows, 5);
});

test('auto mode isolates on a new alert, answers a second alert on the same container with the first action, and rate-limits what follows', async (t) => {
  if (skip) {
    t.skip(skip);
    return;
  }
  const a = await startContainer('auto-a');
  const b = await startContainer('auto-b');
  const responder = createResponder({ store, policy: policy('auto', 'auto_rate_limit: 2/3600\n'), dataDir: dir, selfIds: [] });
  const first = await responder.onAlert(store.getAlert(alertFor(a, 'auto-a'))!);
  assert.deepEqual(
    first.map((r) => `${r.action} ${r.result}`),
    ['isolate done'],
  );
  assert.match(first[0]!.actor, /^auto:test-policy.yaml/);
  assert.equal(await reach(a), false);
  const again = await responder.onAlert(store.getAlert(alertFor(a, 'auto-a-other-rule'))!);
  assert.deepEqual(
    again.map((r) => `${r.action} ${r.result}`),
    ['isolate done'],
  );
  assert.match(again[0]!.detail, /already done for alert/);
  assert.deepEqual(again[0]!.data?.networks, first[0]!.data?.networks, 'restore from either alert knows the networks');
  const second = await responder.onAlert(store.getAlert(alertFor(b, 'auto-b'))!);
  assert.deepEqual(
    second.map((r) => `${r.action} ${r.result}`),
    ['isolate refused'],
  );
  assert.match(second[0]!.detail, /rate-limited/);
  assert.equal(await reach(b), true, 'the rate-limited container was left alone');
  const manual = createResponder({ store, policy: policy('suggest'), dataDir: dir, selfIds: [] });
  assert.deepEqual(await manual.onAlert(store.getAlert(alertFor(b, 'auto-b2'))!), [], 'suggest mode never acts by itself');
});
