// `stowaway store` and `stowaway worker` as processes against a real nats-server with JetStream:
// poison on the events stream (not JSON, not an event) goes to the dead-letter stream, is counted
// per reason, and shows on the store's /metrics and in its page's health API, while the good
// events around it are detected as in one process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { loadContent } from '../runtime/index.js';
import { ALERTS_STREAM, DLQ_STREAM, endSubject, eventSubject, partitionKey, partitionOf } from '../fleet/subjects.js';
import { ensureFleet } from '../fleet/nats.js';
import {
  freePort,
  natsServerMissing,
  readNdjson,
  referenceRun,
  sleep,
  startJetStream,
  stowaway,
  streamIds,
  streamMessages,
  until,
  writeFleetData,
  type Child,
} from '../fleet/testdata.js';

const P = 2;

test(
  'store: poison events are dead-lettered, counted per reason, and shown on /metrics and the health API; the good events around them are detected',
  { timeout: 180_000 },
  async (t) => {
    if (natsServerMissing()) {
      console.error('SKIP store dead-letter test: nats-server is not installed (run scripts/test-env.sh)');
      t.skip('nats-server not installed');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'stowaway-dlq-'));
    const nats = await startJetStream(join(dir, 'js'));
    const nc = await connect({ servers: nats.url });
    const children: Child[] = [];
    try {
      const content = await loadContent();
      const data = await writeFleetData(dir, content, { hosts: 1, total: 600, copies: 1, partitions: P });
      const events = [...(await readNdjson(data.files[0]![0])), ...(await readNdjson(data.files[0]![1]))];
      const ref = await referenceRun(content, data, P);
      assert.ok(ref.ids.size > 0, 'the good events bring findings out');

      await ensureFleet(nc);
      const js = nc.jetstream();
      const port = await freePort();
      const fleet = ['--fleet', nats.url, '--partitions', String(P)];
      const store = stowaway(['store', ...fleet, '--data-dir', join(dir, 'data'), '--port', String(port)]);
      const worker = stowaway(['worker', ...fleet, '--id', 'w1', '--event-time', '--lease-ttl', '4s', '--status-every', '1s']);
      children.push(store, worker);

      // Poison between good events, on the partition of the host the good events belong to.
      const p = partitionOf(partitionKey(events[0]!), P);
      const poison: Array<[string, string]> = [
        ['not json {', 'not-json'],
        ['[1,2]', 'not-an-event'],
        ['{"@timestamp":"2026-01-05T00:00:00Z","event":{}}', 'not-an-event'],
        ['{"@timestamp":"2026-01-05T00:00:00Z","event":{"kind":"event"},"host":{"name":"x"}}', 'not-an-event'],
      ];
      const half = Math.floor(events.length / 2);
      for (const e of events.slice(0, half)) await js.publish(eventSubject(p, e.host!.name!, 'auditd'), JSON.stringify(e));
      for (const [i, [body]] of poison.entries()) await js.publish(eventSubject(p, 'bad', 'x'), body, { msgID: `poison-${i}` });
      for (const e of events.slice(half)) await js.publish(eventSubject(p, e.host!.name!, 'auditd'), JSON.stringify(e));
      for (let q = 0; q < P; q++) await js.publish(endSubject(q), '{}');

      await until('the dead letters', async () => (await streamMessages(nc, DLQ_STREAM)) >= poison.length, 60_000);
      await until('every finding', async () => (await streamMessages(nc, ALERTS_STREAM)) >= ref.ids.size, 60_000);
      const got = await streamIds(nc, ALERTS_STREAM);
      assert.deepEqual(
        [...ref.ids].filter((id) => !got.has(id)),
        [],
        'no finding of the good events lost to the poison',
      );
      assert.equal(got.size, ref.ids.size);

      const base = `http://127.0.0.1:${port}`;
      const dead = (text: string, reason: string): number =>
        Number(new RegExp(`stowaway_diagnostics_total\\{code="dead-letter\\.${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      let metrics = '';
      // The store counts the dead-letter stream and its health snapshot every 2 s.
      await until(
        '/metrics to show the dead letters',
        async () => {
          metrics = await fetch(`${base}/metrics`).then((r) => r.text());
          return dead(metrics, 'not-json') + dead(metrics, 'not-an-event') === poison.length;
        },
        30_000,
      );
      assert.equal(dead(metrics, 'not-json'), 1);
      assert.equal(dead(metrics, 'not-an-event'), 3);
      const health = (await fetch(`${base}/api/health`).then((r) => r.json())) as { live?: { diagnostics?: Record<string, number> } };
      assert.deepEqual(health.live?.diagnostics, { 'dead-letter.not-json': 1, 'dead-letter.not-an-event': 3 });

      // The dead letters themselves say why, and keep the message.
      const dlq = await (await nc.jetstreamManager()).streams.getMessage(DLQ_STREAM, { seq: 1 });
      const first = dlq.json<{ reason: string; message: string; data: string; partition: number }>();
      assert.equal(first.reason, 'not-json');
      assert.equal(first.data, 'not json {');
      assert.equal(first.partition, p);
      assert.ok(first.message.length > 0, 'the parser’s reason is kept');
      console.log(
        `store: ${events.length} good events and ${poison.length} poison on partition ${p}: findings ${got.size} (reference ${ref.ids.size}); /metrics: ${metrics
          .split('\n')
          .filter((l) => l.startsWith('stowaway_diagnostics_total'))
          .join(', ')}`,
      );
    } catch (e) {
      for (const c of children) console.log(`--- ${c.proc.spawnargs[2]}\n${c.lines.slice(-15).join('\n')}`);
      throw e;
    } finally {
      for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
      await Promise.race([Promise.all(children.map((c) => c.exited)), sleep(5000)]);
      await nc.close();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
