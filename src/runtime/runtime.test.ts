import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { loadContent } from './content.js';
import { createRuntime, type FindingCause, type FindingSink } from './runtime.js';
import { imageRef } from '../sources/docker/normalize.js';

const OFF = { docker: false, audit: false } as const;

function create(image: string, i = 0): StowawayEvent {
  return {
    '@timestamp': new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(),
    event: { kind: 'event', category: ['configuration'], type: ['creation'], action: 'container-create', module: 'docker', dataset: 'docker.events' },
    stowaway: { source: 'docker', logsource: { product: 'docker', category: 'container' } },
    host: { name: 'h1' },
    container: { id: String(i).padStart(64, 'c'), name: `app-${i}`, image: imageRef(image), labels: {} },
  };
}

function collector(): FindingSink & { got: Array<{ n: number; cause: FindingCause }>; closed: number } {
  const s = {
    got: [] as Array<{ n: number; cause: FindingCause }>,
    closed: 0,
    findings(found: readonly Finding[], cause: FindingCause) {
      s.got.push({ n: found.length, cause });
    },
    async close() {
      s.closed++;
    },
  };
  return s;
}

test('runtime: records through the content engine into every sink, per event; stop flushes and closes once', async () => {
  const content = await loadContent({ analytics: false });
  const a = collector();
  const b = collector();
  const rt = createRuntime({ content, sources: OFF, sinks: [a, b] });
  const status = await rt.start();
  assert.deepEqual(
    status.map((s) => s.line),
    [
      'docker: not started (turned off)',
      'auditd: not started (turned off)',
      'k8s-audit: not started (no webhook port configured (--k8s-audit-port))',
      'falco: not started (no Falco receiver port configured (--falco-port))',
    ],
  );
  rt.record({ event: create('evil.example.org/miner') });
  rt.record({ event: create('registry.k8s.io/pause', 1) });
  rt.record({ diagnostic: { severity: 'error', code: 'bad-line', message: 'x' } });
  assert.ok(a.got.length >= 1 && a.got.every((g) => g.cause === 'event'), 'findings of events arrive at once');
  assert.deepEqual(a.got, b.got, 'every sink hears the same');
  await rt.stop();
  await rt.stop();
  assert.equal(a.closed, 1);
  const st = rt.stats();
  assert.equal(st.events, 2);
  assert.equal(st.diagnostics, 1);
  assert.equal(
    st.findings,
    a.got.reduce((n, g) => n + g.n, 0),
  );
  assert.deepEqual(rt.health().diagnostics, { 'bad-line': 1 });
});

test('runtime batch mode: findings wait for the tick and go out together', async () => {
  const content = await loadContent({ analytics: false });
  const a = collector();
  const rt = createRuntime({ content, sources: OFF, sinks: [a], batch: true, tickMs: 3_600_000 });
  await rt.start();
  for (let i = 0; i < 5; i++) rt.record({ event: create('evil.example.org/miner', i) });
  assert.equal(a.got.length, 0, 'nothing before the tick');
  rt.tick();
  assert.equal(a.got.length, 1, 'one batch');
  assert.ok(a.got[0]!.n >= 5, 'every create found');
  await rt.stop();
});

test('runtime: an event the engine throws on is counted as engine-error and the run goes on', async () => {
  const a = collector();
  let calls = 0;
  const engine = {
    process(e: StowawayEvent): Finding[] {
      calls++;
      if (e.container?.name === 'boom') throw new Error('cannot take this one');
      return [];
    },
    tick: () => [],
    flush: () => [],
    stats: () => ({}),
    diagnostics: [],
  };
  const rt = createRuntime({ content: { engine: () => engine as never }, sources: OFF, sinks: [a] });
  await rt.start();
  rt.record({ event: { ...create('x'), container: { name: 'boom' } } });
  rt.record({ event: create('y', 1) });
  await rt.stop();
  assert.equal(calls, 2);
  assert.equal(rt.stats().engine_errors, 1);
  assert.equal(rt.diagnostics()[0]!.message, 'cannot take this one');
});

test('runtime without content reads and counts, and finds nothing', async () => {
  const seen: string[] = [];
  const rt = createRuntime({ sources: OFF, sinks: [], onRecord: (r) => seen.push('event' in r ? 'event' : 'diagnostic') });
  await rt.start();
  rt.record({ event: create('evil.example.org/miner') });
  await rt.stop();
  assert.deepEqual(seen, ['event']);
  assert.equal(rt.stats().findings, 0);
  assert.equal(rt.engine, undefined);
});
