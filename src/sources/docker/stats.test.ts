import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDockerStats } from './stats.js';

// Shape of GET /containers/{id}/stats?stream=false (Docker Engine API), cgroup v1 values.
const sample = {
  read: '2024-03-05T10:00:02.000000000Z',
  preread: '2024-03-05T10:00:01.000000000Z',
  cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 4 },
  precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 16_000_000_000, online_cpus: 4 },
  memory_stats: { usage: 60_000_000, limit: 1_000_000_000, stats: { cache: 10_000_000 } },
  networks: { eth0: { rx_bytes: 1000, tx_bytes: 250 }, eth1: { rx_bytes: 24, tx_bytes: 6 } },
};

test('stats sample: cpu as fraction of one CPU, memory without page cache, network summed', () => {
  const ev = normalizeDockerStats(sample, { id: 'c1', name: 'web' }, 'docker:stats')!;
  assert.deepEqual(ev.stowaway.logsource, { product: 'docker', category: 'container_stats', service: 'stats' });
  assert.equal(ev.event.kind, 'metric');
  assert.equal(ev.container!.cpu!.usage, 1); // 1e9 / 4e9 * 4 CPUs
  assert.equal(ev.container!.memory!.bytes, 50_000_000);
  assert.equal(ev.container!.memory!.usage, 0.05);
  assert.deepEqual(ev.container!.network, { ingress: { bytes: 1024 }, egress: { bytes: 256 } });
  assert.equal(ev.container!.name, 'web');
});

test('a stopped container (zero read time) or a first sample gives no cpu, never NaN', () => {
  assert.equal(normalizeDockerStats({ ...sample, read: '0001-01-01T00:00:00Z' }, { id: 'c' }, 'x'), undefined);
  const first = normalizeDockerStats({ ...sample, precpu_stats: {} }, { id: 'c' }, 'x')!;
  assert.equal(first.container!.cpu, undefined);
});
