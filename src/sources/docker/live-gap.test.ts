// A broken Docker events stream is a sensor gap, not quiet: the live source says it is stopped
// while it reconnects. The stream runs through a socket relay to the real engine, so the break
// is the real failure (the connection to the daemon goes away), not a stand-in daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, createServer, type Socket } from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerLiveSource } from './live.js';
import { SensorWatch } from '../../alerts/sensor.js';

const DOCKER = '/var/run/docker.sock';
const noDocker = existsSync(DOCKER) ? undefined : `no Docker socket at ${DOCKER}`;
if (noDocker) console.error(`\n*** SKIPPING Docker stream gap test: ${noDocker} ***\n`);

test('Docker: a broken events stream reports the source stopped, and the sensor watch raises it', { skip: noDocker, timeout: 60_000 }, async () => {
  const relay = join(tmpdir(), `stowaway-docker-relay-${process.pid}.sock`);
  rmSync(relay, { force: true });
  const open = new Set<Socket>();
  const every = new Set<Socket>();
  const server = createServer((client) => {
    const engine = createConnection(DOCKER);
    open.add(client);
    every.add(client).add(engine);
    client.on('close', () => open.delete(client));
    client.pipe(engine).pipe(client);
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(relay, r));
  const src = new DockerLiveSource({ socketPath: relay, statsIntervalMs: 0, reconnectMs: 60_000 });
  const until = async (what: string, f: () => boolean): Promise<void> => {
    const end = Date.now() + 20_000;
    while (!f()) {
      if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    const started = await src.start(() => undefined);
    assert.ok(started.started, started.reason);
    await until('the events stream', () => open.size > 0);
    assert.equal(src.stats().stopped, undefined, 'connected: reading');
    const w = new SensorWatch();
    assert.deepEqual(w.check(Date.now(), [{ name: 'docker', started: true, stats: src.stats() }]), []);
    for (const c of open) c.destroy();
    await until('the source to say it stopped', () => src.stats().stopped === true);
    const found = w.check(Date.now(), [{ name: 'docker', started: true, stats: src.stats(), stopped: src.stats().stopped }]);
    assert.deepEqual(
      found.map((f) => f.rule.id),
      ['stowaway-sensor-stopped'],
    );
  } finally {
    await src.stop();
    // kept-alive connections of the client would hold the relay open
    for (const s of every) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(relay, { force: true });
  }
});
