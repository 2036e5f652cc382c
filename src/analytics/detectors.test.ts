// Behaviour of each analytic kind beyond the headline scenarios: learning, horizons, bounds,
// lateness, churn, and what `view` shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { createAnalytics, parseAnalytics, type AnalyticDetector } from './index.js';
import { judge, mad, median } from './robust.js';
import { connectEvent, execEvent, lifecycleEvent, statsEvent, type ContainerRef } from './scenario.js';

const T0 = Date.parse('2026-11-02T00:00:00Z');
const MIN = 60_000;
const H = 60 * MIN;
const ID = 'id: 5b0c7e3e-3a43-4e8e-9d7e-0a1f2b3c4d5e\ntitle: test analytic\n';

function detector(yaml: string): AnalyticDetector {
  const r = parseAnalytics(ID + yaml);
  assert.deepEqual(r.diagnostics, []);
  return createAnalytics(r.defs).detectors[0]!;
}

function feed(d: AnalyticDetector, evs: StowawayEvent[], final?: number): Finding[] {
  const out = evs.flatMap((e) => d.process(e));
  if (final !== undefined) out.push(...d.advance!(new Date(final).toISOString()));
  return out;
}

const ctr = (n: number, image = 'acme/api', host = 'node-1'): ContainerRef => ({ id: n.toString(16).padStart(64, '0'), name: `c${n}`, image, host });

test('median and MAD ignore a single outlier', () => {
  assert.equal(median([1, 2, 3, 100]), 2.5);
  assert.equal(mad([1, 2, 3, 4, 1000]), 1);
  const j = judge([10, 11, 9, 10, 10, 12, 10], 100, {
    window: 48,
    warmup: 1,
    threshold: { mad: 6, ratio: 5 },
    floor: 0,
    minSpread: 0,
    fill: 'zero',
    realert: 'edge',
  });
  assert.equal(j.median, 10);
  assert.ok(j.anomalous);
  assert.equal(
    judge([10, 10, 10], 40, { window: 48, warmup: 1, threshold: { mad: 6, ratio: 5 }, floor: 0, minSpread: 1, fill: 'zero', realert: 'edge' }).anomalous,
    false,
    'ratio must also hold',
  );
});

const FIRST_SEEN = `type: first_seen
logsource: {product: linux, category: process_creation}
entity: [container.image.name]
terms: [process.executable]
learning_period: 1h
horizon: 2d
limits: {entities: 2, terms: 3}
`;

test('first-seen: silent while learning, then each new executable once; again after the horizon', () => {
  const d = detector(FIRST_SEEN);
  const c = ctr(1);
  const found = feed(d, [
    execEvent(c, T0, '/usr/bin/node'),
    execEvent(c, T0 + 30 * MIN, '/bin/sh'), // new but learning
    execEvent(c, T0 + 2 * H, '/usr/bin/node'),
    execEvent(c, T0 + 2 * H + 1, '/usr/bin/curl'), // new
    execEvent(c, T0 + 3 * H, '/usr/bin/curl'), // known
    execEvent(c, T0 + 5 * 24 * H, '/usr/bin/curl'), // not seen for 3 days > 2d horizon
  ]);
  assert.deepEqual(
    found.map((f) => (f.details as any).term['process.executable']),
    ['/usr/bin/curl', '/usr/bin/curl'],
  );
  assert.equal((found[0]!.details as any).known_terms, 2);
  assert.equal((found[1]!.details as any).last_seen, new Date(T0 + 3 * H).toISOString());
  assert.match((found[1]!.details as any).reason, /not seen for more than 2d/);
  assert.equal(d.stats!().suppressed_learning, 2);
});

test('first-seen: terms and entities stay within their limits, evictions counted', () => {
  const d = detector(FIRST_SEEN.replace('learning_period: 1h', 'learning_period: 0s'));
  const evs: StowawayEvent[] = [];
  for (let i = 0; i < 10; i++) evs.push(execEvent(ctr(1), T0 + i * 1000, `/bin/tool${i}`));
  for (let i = 0; i < 5; i++) evs.push(execEvent(ctr(i, `image-${i}`), T0 + 20_000 + i, '/bin/sh'));
  feed(d, evs);
  const s = d.stats!();
  assert.equal(s.terms_evicted, 7);
  assert.equal(s.e_kept, 2);
  assert.equal(s.e_evicted, 4);
  assert.ok(d.view().entities.every((e) => (e.terms as number) <= 3));
});

const BASELINE = `type: baseline
logsource: {product: docker, category: container_stats}
entity: [container.id]
signal: {field: container.cpu.usage, aggregate: max}
interval: 1m
lateness: 0s
baseline: {window: 10, warmup: 5, threshold: {mad: 5}, floor: 0.5, min_spread: 0.02}
limits: {entities: 100}
`;

test('baseline: gauge spike per container, late events counted and not learned, learning mode silent', () => {
  const c = ctr(7);
  const evs: StowawayEvent[] = [];
  for (let m = 0; m < 20; m++) evs.push(statsEvent(c, T0 + m * MIN + 5000, { txTotal: 0, cpu: m === 15 ? 1.9 : 0.1 + (m % 3) * 0.01 }));
  const d = detector(BASELINE);
  const found = feed(d, evs, T0 + 30 * MIN);
  assert.equal(found.length, 1);
  assert.equal((found[0]!.details as any).observed, 1.9);
  assert.equal((found[0]!.details as any).signal, 'max(container.cpu.usage)');
  d.process(statsEvent(c, T0 + 3 * MIN, { txTotal: 0, cpu: 5 }));
  assert.equal(d.stats!().late, 1);

  const learning = detector(BASELINE + 'learning: true\n');
  assert.deepEqual(feed(learning, evs, T0 + 30 * MIN), []);
  assert.equal(learning.stats!().suppressed_learning, 1);
});

test('baseline: entities bounded under churn, least recently seen evicted', () => {
  const d = detector(BASELINE);
  for (let i = 0; i < 1000; i++) d.process(statsEvent(ctr(i), T0 + i * 10, { txTotal: 0, cpu: 0.1 }));
  const s = d.stats!();
  assert.equal(s.s_kept, 100);
  assert.equal(s.s_evicted, 900);
  assert.equal(d.view().entities.length, 100);
});

test('baseline: distinct destinations per image, events without the entity counted as unattributed', () => {
  const d = detector(`type: baseline
logsource: {product: linux, category: network_connection}
entity: [container.image.name]
signal: {aggregate: distinct, distinct: [destination.ip]}
interval: 1m
lateness: 0s
baseline: {window: 20, warmup: 5, threshold: {mad: 4, ratio: 5}, floor: 10}
`);
  const c = ctr(3, 'scanner-bait');
  const evs: StowawayEvent[] = [];
  for (let m = 0; m < 10; m++) for (let k = 0; k < (m === 8 ? 200 : 2); k++) evs.push(connectEvent(c, T0 + m * MIN + k, `10.0.${k >> 8}.${k & 255}`, 443));
  const orphan = connectEvent(c, T0, '1.1.1.1', 53);
  delete orphan.container;
  evs.unshift(orphan);
  const found = feed(d, evs, T0 + 20 * MIN);
  assert.equal(found.length, 1);
  assert.equal((found[0]!.details as any).observed, 200);
  assert.equal((found[0]!.details as any).baseline.median, 2);
  assert.equal(d.stats!().unattributed, 1);
});

test('lifecycle churn: a burst of throw-away containers with an egress spike on the host alerts; churn alone does not', () => {
  const d = detector(`type: lifecycle
mode: churn
entity: [host.name]
interval: 5m
lateness: 0s
egress:
  - logsource: {product: docker, category: container_stats}
    field: container.network.egress.bytes
    counter: true
churn: {min_events: 20}
egress_baseline: {window: 48, warmup: 6, threshold: {mad: 6, ratio: 5}, floor: 10MB}
`);
  const evs: StowawayEvent[] = [];
  const svc = ctr(1, 'acme/api');
  let total = 0;
  for (let m = 0; m < 120; m++) {
    total += m >= 100 && m < 105 ? 20_000_000 : 1_000_000;
    evs.push(statsEvent(svc, T0 + m * MIN, { txTotal: total }));
  }
  // Churn without egress at minute 60, churn with egress at minute 100.
  for (const at of [60, 100]) {
    for (let i = 0; i < 15; i++) {
      const c = ctr(1000 + at * 100 + i, 'busybox');
      evs.push(lifecycleEvent(c, T0 + at * MIN + i * 1000, 'create'), lifecycleEvent(c, T0 + at * MIN + i * 1000 + 500, 'destroy'));
    }
  }
  evs.sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
  const found = feed(d, evs, T0 + 130 * MIN);
  assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.details?.reason)));
  const det = found[0]!.details as any;
  assert.equal(det.churn.events, 30);
  assert.deepEqual(det.churn.by_action, { create: 15, destroy: 15 });
  assert.equal(det.window.start, new Date(T0 + 100 * MIN).toISOString());
  assert.equal(det.baseline.median, 5_000_000);
});

test('lifecycle: containers that never end are forgotten after the idle limit and counted', () => {
  const d = detector(`type: lifecycle
egress:
  - logsource: {product: docker, category: container_stats}
    field: container.network.egress.bytes
    counter: true
trigger: {egress_bytes: 1MB}
lateness: 0s
limits: {idle: 1h}
`);
  for (let i = 0; i < 10; i++) d.process(lifecycleEvent(ctr(i), T0 + i, 'create'));
  d.advance!(new Date(T0 + 2 * H).toISOString());
  assert.equal(d.stats!().expired, 10);
  assert.equal(d.stats!().c_kept, 0);
});

test('first-seen pod exec (shipped): a user exec-ing into a namespace for the first time after learning, from real audit records', async () => {
  const { normalizeK8sAudit } = await import('../sources/k8s-audit/normalize.js');
  const { loadAnalyticDefs } = await import('./index.js');
  const { fileURLToPath } = await import('node:url');
  const defs = loadAnalyticDefs([fileURLToPath(new URL('../../content/analytics/first-seen-pod-exec-user.yml', import.meta.url))]).defs;
  const d = createAnalytics(defs).detectors[0]!;
  const exec = (day: number, user: string, ns = 'default') => {
    const rec = normalizeK8sAudit(
      {
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'Request',
        auditID: `id-${day}-${user}`,
        stage: 'ResponseStarted',
        requestURI: `/api/v1/namespaces/${ns}/pods/web-1/exec?command=sh&container=web`,
        verb: 'create',
        user: { username: user },
        objectRef: { resource: 'pods', namespace: ns, name: 'web-1', apiVersion: 'v1', subresource: 'exec' },
        responseStatus: { code: 101 },
        requestReceivedTimestamp: new Date(T0 + day * 24 * H).toISOString(),
        stageTimestamp: new Date(T0 + day * 24 * H + 30).toISOString(),
      },
      'test',
    );
    const r = rec[0]!;
    assert.ok('event' in r);
    return r.event;
  };
  const found = feed(d, [exec(0, 'alice'), exec(3, 'bob'), exec(8, 'alice'), exec(9, 'mallory'), exec(9.5, 'mallory'), exec(10, 'alice', 'payments')]);
  assert.deepEqual(
    found.map((f) => [(f.details as any).entity['orchestrator.namespace'], (f.details as any).term['orchestrator.user.name']]),
    [
      ['default', 'mallory'],
      ['payments', 'alice'],
    ],
  );
});

test('lifecycle: Zeek records without a container id count for the container that held the source address', async () => {
  const { normalizeZeekConn } = await import('../sources/zeek/normalize.js');
  const { loadAnalyticDefs } = await import('./index.js');
  const { fileURLToPath } = await import('node:url');
  const defs = loadAnalyticDefs([fileURLToPath(new URL('../../content/analytics/short-lived-container-egress.yml', import.meta.url))]).defs;
  const d = createAnalytics(defs).detectors[0]!;
  const c = ctr(77, 'busybox');
  const start = lifecycleEvent(c, T0 + 500, 'start', { autoRemove: true });
  (start as any).docker = { inspect: { NetworkSettings: { Networks: { exfil: { IPAddress: '172.18.0.5' } } } } };
  const conn = (ts: number, ip: string, bytes: number) => {
    const r = normalizeZeekConn(
      {
        ts: ts / 1000,
        uid: `C${ts}`,
        'id.orig_h': ip,
        'id.orig_p': 40000,
        'id.resp_h': '198.51.100.7',
        'id.resp_p': 443,
        proto: 'tcp',
        orig_bytes: bytes,
        resp_bytes: 4000,
        conn_state: 'SF',
        local_orig: true,
        local_resp: false,
      },
      'test',
    )[0]!;
    assert.ok('event' in r);
    return r.event;
  };
  const found = feed(
    d,
    [
      lifecycleEvent(c, T0, 'create', { autoRemove: true }),
      start,
      conn(T0 + 5000, '172.18.0.5', 30_000_000),
      conn(T0 + 6000, '172.18.0.9', 90_000_000),
      lifecycleEvent(c, T0 + 40_000, 'die', { autoRemove: true }),
    ],
    T0 + 10 * MIN,
  );
  assert.equal(found.length, 1);
  const det = found[0]!.details as any;
  assert.equal(det.egress_bytes, 30_000_000);
  assert.equal(det.egress_by_input['zeek/network_connection:source.bytes'], 30_000_000);
  assert.equal(d.stats!().unattributed, 1, 'the record from an unknown address is counted, not guessed');
});
