// The short-lived egress analytic on the REAL Docker engine: a --rm container pushes 60 MB to a
// peer over the bridge network and disappears; the Docker live source reports its lifecycle and
// stats, and the shipped analytic must name it. Skips loudly only when Docker cannot be reached.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { DockerLiveSource } from '../sources/docker/live.js';
import { createAnalytics, loadAnalyticDefs } from './index.js';

const IMAGE = 'stowaway/busybox:test';
const LABEL = `stowaway.analytics-test=${process.pid}`;
const CONTENT = fileURLToPath(new URL('../../content/analytics/', import.meta.url));

function dockerReason(): string | undefined {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) return 'Docker engine not running (run: bash scripts/test-env.sh)';
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0) return `image ${IMAGE} missing (run: bash scripts/test-env.sh)`;
  return undefined;
}
const noDocker = dockerReason();
if (noDocker) console.error(`\n*** SKIPPING live Docker analytics test: ${noDocker} ***\n`);

const run = promisify(execFile);
const docker = async (...args: string[]) => (await run('docker', args, { encoding: 'utf8' })).stdout.trim();
const receiverName = `stowaway-analytics-sink-${process.pid}`;
const network = `stowaway-analytics-${process.pid}`;
after(() => {
  if (noDocker) return;
  spawnSync('docker', ['rm', '-f', receiverName], { stdio: 'ignore' });
  spawnSync('docker', ['network', 'rm', network], { stdio: 'ignore' });
  const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=${LABEL}`], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .filter(Boolean);
  if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
});

test('live Docker: a --rm container uploading 60 MB is found by the short-lived egress analytic', { skip: noDocker, timeout: 120_000 }, async () => {
  const def = loadAnalyticDefs([CONTENT]).defs.find((d) => d.file?.endsWith('short-lived-container-egress.yml'));
  assert.ok(def);
  const { detectors } = createAnalytics([def]);
  const det = detectors[0]!;
  const events: StowawayEvent[] = [];
  const found: Finding[] = [];
  const src = new DockerLiveSource({ statsIntervalMs: 500, labelFilter: LABEL });
  const started = await src.start((r) => {
    if (!('event' in r)) return;
    events.push(r.event);
    found.push(...det.process(r.event));
  });
  assert.ok(started.started, started.reason);
  try {
    // A network of its own: the engine here may run without the default bridge. The receiver is
    // not labelled (only the uploader is watched); busybox nc hangs up when its stdin ends, so the
    // receiver's stdin stays open.
    await docker('network', 'create', network);
    await docker('run', '-d', '--name', receiverName, '--network', network, IMAGE, 'sh', '-c', 'sleep 120 | nc -l -p 9000 > /dev/null');
    await docker(
      'run',
      '--rm',
      '--label',
      LABEL,
      '--network',
      network,
      IMAGE,
      'sh',
      '-c',
      `sleep 3; dd if=/dev/zero bs=1M count=60 2>/dev/null | nc ${receiverName} 9000; sleep 3`,
    );
    const end = Date.now() + 30_000;
    while (!events.some((e) => e.event.action === 'container-destroy') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    // End of input: the watermark moves to the newest event, the container is judged.
    const newest = events
      .map((e) => e['@timestamp'])
      .sort()
      .at(-1)!;
    found.push(...det.advance!(newest));
  } finally {
    await src.stop();
  }
  const stats = events.filter((e) => e.stowaway.logsource.category === 'container_stats');
  assert.ok(stats.length >= 2, `stats samples seen: ${stats.length}`);
  assert.equal(
    found.length,
    1,
    `findings: ${JSON.stringify(found.map((f) => f.details?.reason))}; stats ${JSON.stringify(stats.map((s) => s.container?.network))}`,
  );
  const d = found[0]!.details as Record<string, any>;
  assert.equal(d.auto_remove, true);
  assert.ok(d.egress_bytes >= 60 * 1024 * 1024, `egress ${d.egress_bytes}`);
  assert.ok(d.lifetime_s < 60, `lifetime ${d.lifetime_s}`);
  assert.equal(d.container.image, 'stowaway/busybox');
});
