import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';
import { imageRef, normalizeDockerMessage, parseInspectDump } from './normalize.js';

const events = fixturePath(import.meta.url, './fixtures/events.ndjson');
const inspect = fixturePath(import.meta.url, './fixtures/inspect.json');

test('recorded docker events with the inspect dump carry full container metadata', async () => {
  const { events: evs, diagnostics } = await readAll(events, { inspect });
  assert.equal(diagnostics.length, 0);
  assert.ok(evs.length >= 25, `got ${evs.length}`);
  for (const e of evs) {
    assert.equal(e.stowaway.source, 'docker');
    assert.deepEqual(e.stowaway.logsource, { product: 'docker', category: 'container', service: 'events' });
    assert.match(e.stowaway.origin!, /events\.ndjson:\d+$/);
  }
  const byName = (n: string, action: string) => evs.find((e) => e.container?.name === n && e.event.action === action);

  const bind = byName('stowaway-fx-bind', 'container-start')!;
  assert.equal(bind.container!.metadata, 'complete');
  assert.deepEqual(
    bind.container!.mounts!.map((m) => [m.type, m.source, m.destination, m.rw]),
    [
      ['bind', '/etc', '/host-etc', false],
      ['bind', '/tmp/stowaway-fx', '/data', true],
    ],
  );
  assert.equal(bind.container!.labels!.app, 'fixture');
  assert.deepEqual(bind.container!.image, { name: 'stowaway/busybox', tag: 'test', id: bind.container!.image!.id });
  assert.deepEqual(bind.container!.command, ['sleep', '30']);

  const hostns = byName('stowaway-fx-hostns', 'container-create')!.container!;
  assert.equal(hostns.pid_mode, 'host');
  assert.equal(hostns.network_mode, 'host');
  assert.equal(hostns.ipc_mode, 'host');
  assert.equal(hostns.uts_mode, 'host');

  const nolog = byName('stowaway-fx-nolog', 'container-create')!.container!;
  assert.equal(nolog.log_driver, 'none');
  assert.deepEqual(nolog.capabilities, { add: ['CAP_NET_ADMIN'], drop: ['CAP_MKNOD'] });
  assert.deepEqual(nolog.security_opt, ['no-new-privileges']);
  assert.equal(nolog.readonly_rootfs, true);
  assert.equal(nolog.user, '1000:1000');

  const nfs = byName('stowaway-fx-nfs', 'container-create')!.container!;
  const share = nfs.mounts!.find((m) => m.destination === '/share')!;
  assert.equal(share.type, 'volume');
  assert.equal(share.volume!.driver, 'local');
  assert.deepEqual(share.volume!.options, { type: 'nfs', device: ':/exports', o: 'addr=10.0.0.1,ro' });

  const priv = byName('stowaway-fx-priv', 'container-create')!.container!;
  assert.equal(priv.privileged, true);
});

test('a --rm container keeps its metadata on die and destroy, with exit code and lifetime', async () => {
  const { events: evs } = await readAll(events, { inspect });
  const die = evs.find((e) => e.container?.name === 'stowaway-fx-rm' && e.event.action === 'container-die')!;
  const destroy = evs.find((e) => e.container?.name === 'stowaway-fx-rm' && e.event.action === 'container-destroy')!;
  for (const e of [die, destroy]) {
    assert.equal(e.container!.metadata, 'complete');
    assert.equal(e.container!.auto_remove, true);
  }
  assert.equal(die.container!.exit_code, 3);
  assert.equal(die.event.outcome, 'failure');
  assert.ok(die.container!.lifetime_s! >= 2.5 && die.container!.lifetime_s! < 60, `lifetime ${die.container!.lifetime_s}`);
});

test('exec events carry the command as process fields', async () => {
  const { events: evs } = await readAll(events, { inspect });
  const execs = evs.filter((e) => e.event.action === 'container-exec_start');
  assert.equal(execs.length, 2);
  const cat = execs.find((e) => e.process?.name === 'cat')!;
  assert.deepEqual(cat.process!.args, ['cat', '/host-etc/hostname']);
  assert.equal(cat.process!.command_line, 'cat /host-etc/hostname');
  const sh = execs.find((e) => e.process?.name === 'sh')!;
  assert.deepEqual(sh.process!.args, ['sh', '-c', 'echo hi > /data/x; ls /data']);
  assert.ok(sh.process!.entity_id);
});

test('without an inspect document metadata is marked partial with a reason, never blank', async () => {
  const { events: evs } = await readAll(events);
  for (const e of evs.filter((x) => x.container)) {
    assert.equal(e.container!.metadata, 'partial');
    assert.match(e.container!.metadata_reason!, /inspect/);
    assert.ok(e.container!.name);
  }
});

test('bad docker messages become diagnostics', () => {
  const r = normalizeDockerMessage({ Type: 'container' }, 'x:1');
  assert.ok('diagnostic' in r && r.diagnostic.code === 'bad-docker-event' && r.diagnostic.line === 1);
  assert.ok('diagnostic' in normalizeDockerMessage('nope', 'x:2'));
  const dump = parseInspectDump('{"Id":"a"}\n{broken\n', 'dump');
  assert.equal(dump.docs.length, 1);
  assert.equal(dump.diagnostics.length, 1);
});

test('image references split into registry, name and tag', () => {
  assert.deepEqual(imageRef('nginx'), { name: 'nginx', tag: 'latest', registry: undefined });
  assert.deepEqual(imageRef('registry.example.com:5000/team/app:1.2'), {
    name: 'registry.example.com:5000/team/app',
    tag: '1.2',
    registry: 'registry.example.com:5000',
  });
  assert.deepEqual(imageRef('sha256:abc'), { id: 'sha256:abc' });
});
