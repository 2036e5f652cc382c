// The stored configuration of a just-created container stands in for its inspect document:
// shape by hand, then against the REAL Docker engine (root reads its data root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import Docker from 'dockerode';
import { inspectFromStored, readStoredInspect } from './ondisk.js';
import { inspectToContainer } from './normalize.js';
import type { Obj } from '../util.js';

const IMAGE = 'stowaway/busybox:test';

test('inspectFromStored: MountPoints become the Mounts list; anything else is refused', () => {
  const config = {
    ID: 'a'.repeat(64),
    Name: '/web',
    Image: 'sha256:' + 'b'.repeat(64),
    Created: '2026-11-22T10:00:00.123456789Z',
    State: { Running: false, Pid: 0, StartedAt: '0001-01-01T00:00:00Z' },
    Config: { Image: 'registry.example/web:1', Labels: { app: 'web' } },
    MountPoints: {
      '/v': {
        Source: '/var/lib/docker/volumes/v1/_data',
        Destination: '/v',
        RW: true,
        Name: 'v1',
        Driver: 'local',
        Type: 'volume',
        Relabel: 'z',
        Propagation: '',
      },
      '/etc-host': { Source: '/etc', Destination: '/etc-host', RW: false, Name: '', Driver: '', Type: 'bind', Relabel: 'ro', Propagation: 'rprivate' },
    },
  };
  const doc = inspectFromStored(config, { CapAdd: ['NET_ADMIN'], Privileged: false, LogConfig: { Type: 'none' } })!;
  assert.deepEqual(doc.Mounts, [
    { Type: 'bind', Source: '/etc', Destination: '/etc-host', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    { Type: 'volume', Source: '/var/lib/docker/volumes/v1/_data', Destination: '/v', Mode: 'z', RW: true, Propagation: '', Name: 'v1', Driver: 'local' },
  ]);
  const c = inspectToContainer(doc);
  assert.equal(c.id, 'a'.repeat(64));
  assert.equal(c.name, 'web');
  assert.deepEqual(c.capabilities?.add, ['NET_ADMIN']);
  assert.equal(c.log_driver, 'none');
  assert.equal(inspectFromStored({ ID: 'x' }, {}), undefined, 'no Config: not a container');
  assert.equal(inspectFromStored('nope', {}), undefined);
  assert.equal(readStoredInspect('/nonexistent', 'c'.repeat(64)), undefined);
  assert.equal(readStoredInspect('/var/lib/docker', '../../etc'), undefined, 'only container ids name a directory');
});

const reason = ((): string | undefined => {
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0)
    return `Docker engine or image ${IMAGE} missing (run: bash scripts/test-env.sh)`;
  if (process.getuid?.() !== 0) return "not root: the daemon's data root is not readable";
  return undefined;
})();
if (reason) console.error(`\n*** SKIPPING stored-config test against Docker: ${reason} ***\n`);

test('a created container: its stored configuration gives the same container fields as inspect', { skip: reason }, async () => {
  const docker = new Docker();
  const root = ((await docker.info()) as { DockerRootDir?: string }).DockerRootDir ?? '';
  assert.ok(root, 'the daemon names its data root');
  const vol = `stowaway-ondisk-${process.pid}`;
  const made = spawnSync(
    'docker',
    [
      'create',
      '--label',
      'stowaway.test=1',
      '--network',
      'none',
      '--cap-add',
      'NET_ADMIN',
      '--cap-drop',
      'MKNOD',
      '--device',
      '/dev/null:/dev/xnull',
      '-v',
      '/etc:/host/etc:ro',
      '--mount',
      `type=volume,source=${vol},target=/data`,
      '--log-driver',
      'none',
      '--security-opt',
      'no-new-privileges',
      '-u',
      '1000',
      IMAGE,
      'sleep',
      '5',
    ],
    { encoding: 'utf8' },
  );
  const id = made.stdout.trim();
  try {
    assert.equal(made.status, 0, made.stderr);
    const stored = readStoredInspect(root, id);
    assert.ok(stored, `no stored configuration under ${root}/containers/${id}`);
    const api = (await docker.getContainer(id).inspect()) as unknown as Obj;
    const byDest = (c: ReturnType<typeof inspectToContainer>) => ({
      ...c,
      mounts: [...(c.mounts ?? [])].sort((a, b) => String(a.destination).localeCompare(String(b.destination))),
    });
    const fromDisk = byDest(inspectToContainer(stored));
    assert.deepEqual(fromDisk, byDest(inspectToContainer(api)));
    // and the fields the detections read are really there
    assert.deepEqual(fromDisk.capabilities?.add, ['CAP_NET_ADMIN']);
    assert.deepEqual(fromDisk.devices, ['/dev/null:/dev/xnull:rwm']);
    assert.equal(fromDisk.log_driver, 'none');
    assert.ok(fromDisk.mounts.some((m) => m.type === 'bind' && m.source === '/etc' && m.rw === false));
  } finally {
    spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    spawnSync('docker', ['volume', 'rm', vol], { stdio: 'ignore' });
  }
});

test('live source: a create event is complete whichever answers first, inspect or the stored configuration', { skip: reason, timeout: 60000 }, async (t) => {
  const { DockerLiveSource } = await import('./live.js');
  const label = `stowaway.ondisk=${process.pid}`;
  const events: Array<{ ev: import('../../model/event.js').StowawayEvent; calls: string[] }> = [];
  // no wait at all for inspect: the stored configuration is taken whenever the daemon is not instant
  const src = new DockerLiveSource({
    statsIntervalMs: 0,
    labelFilter: label,
    createInspectWaitMs: 0,
    onTimings: (ev, tm) => void events.push({ ev, calls: tm.calls.map((c) => c.call) }),
  });
  assert.equal((await src.start(() => {})).started, true);
  let id = '';
  try {
    const made = spawnSync(
      'docker',
      [
        'run',
        '-d',
        '--label',
        label,
        '--network',
        'none',
        '--cap-add',
        'NET_ADMIN',
        '-v',
        '/etc:/host/etc:ro',
        '--device',
        '/dev/null:/dev/xnull',
        IMAGE,
        'sleep',
        '5',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, made.stderr);
    id = made.stdout.trim();
    const of = (action: string) => events.find((e) => e.ev.container?.id === id && e.ev.event.action === action);
    for (let i = 0; i < 200 && !(of('container-create') && of('container-start')); i++) await new Promise((r) => setTimeout(r, 50));
    const create = of('container-create');
    assert.ok(create, 'create event seen');
    t.diagnostic(
      `create completed from: ${create.calls.includes('stored config') ? 'the stored configuration' : 'inspect'} (calls: ${create.calls.join(', ')})`,
    );
    const c = create.ev.container!;
    assert.equal(c.metadata, 'complete');
    assert.deepEqual(c.capabilities?.add, ['CAP_NET_ADMIN']);
    assert.deepEqual(c.devices, ['/dev/null:/dev/xnull:rwm']);
    assert.ok(c.mounts?.some((m) => m.source === '/etc' && m.destination === '/host/etc' && m.rw === false));
    assert.equal(c.image?.name, 'stowaway/busybox');
    // the start that follows carries the running container's own inspect (its init pid)
    assert.ok((of('container-start')?.ev.container?.pid ?? 0) > 0);
  } finally {
    await src.stop();
    if (id) spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
  }
});
