import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAlertPipeline } from './pipeline.js';
import { parseExceptions } from './exceptions.js';
import { finding } from './fixtures.js';
import { openStore } from '../sinks/store/index.js';
import type { Alert } from '../model/alert.js';
import type { Output } from '../sinks/types.js';

function tmpStore() {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-pipeline-'));
  return { dir, store: openStore(dir), done: () => rmSync(dir, { recursive: true, force: true }) };
}

const at = (s: number): string => new Date(Date.UTC(2026, 10, 22, 10, 0, 0) + s * 1000).toISOString();

test('repeats of one rule on one container merge into one alert with count and first/last seen', () => {
  const { store, done } = tmpStore();
  try {
    const p = createAlertPipeline({ store });
    p.process([finding({ time: at(0) }), finding({ time: at(5) })]);
    p.process([finding({ time: at(9) }), finding({ time: at(2), id: 'other-container' })]);
    p.process([finding({ time: at(-3) })]);
    const { alerts, total } = store.queryAlerts();
    assert.equal(total, 2);
    const merged = alerts.find((a) => a.count === 4)!;
    assert.equal(merged.first_seen, at(-3), 'a late finding moves first_seen back, in the store too');
    assert.equal(merged.last_seen, at(9));
    assert.equal(store.getAlert(merged.id)!.events.length, 1);
    assert.equal(p.stats().merged, 3);
    assert.equal(store.counters('pipeline.')['pipeline.merged'], 3);
  } finally {
    done();
  }
});

test('a repeat after the dedup window opens a new alert', () => {
  const p = createAlertPipeline({ dedupWindowS: 60 });
  const a = p.process([finding({ time: at(0) }), finding({ time: at(59) })]);
  const b = p.process([finding({ time: at(61) })]);
  assert.equal(a.created.length, 1);
  assert.equal(a.created[0]!.count, 2);
  assert.equal(b.created.length, 1);
});

test('flood: 100,000 matches become a handful of alerts, held-back shown, nothing lost from the counts', () => {
  const { store, done } = tmpStore();
  try {
    const p = createAlertPipeline({ store, dedupWindowS: 600, rateLimit: { perRule: 3, windowS: 600 } });
    const N = 100_000;
    const batch = [];
    for (let i = 0; i < N; i++) {
      batch.push(finding({ time: at((i * 1800) / N), id: `c${i % 10}`, name: `web-${i % 10}` }));
      if (batch.length === 1000) p.process(batch.splice(0));
    }
    p.process(batch);
    const { alerts, total } = store.queryAlerts({ limit: 1000 });
    assert.ok(total >= 3 && total <= 12, `a handful of alerts, got ${total}`);
    const counted = alerts.reduce((n, a) => n + a.count, 0);
    const held = alerts.reduce((n, a) => n + (a.held_back ?? 0), 0);
    assert.ok(held > 0, 'the held-back figure is visible on stored alerts');
    assert.equal(counted + held, N, 'every finding is either counted on an alert or held back on one');
    const s = p.stats();
    assert.equal(s.findings, N);
    assert.equal(s.created + s.merged + s.held_back, N);
    assert.equal(s.held_back, held);
    assert.equal(s.created, total);
    assert.equal(store.counters()['pipeline.findings'], N);
    assert.equal(store.counters()['pipeline.held_back'], held);
  } finally {
    done();
  }
});

test('excepted findings are counted per exception and never become alerts', () => {
  const { store, done } = tmpStore();
  try {
    const { exceptions } = parseExceptions(
      `exceptions:\n  - id: ci\n    rule: b1f0a6c2-0000-4000-8000-000000000001\n    reason: CI\n    scope: { namespace: ci }\n`,
    );
    const p = createAlertPipeline({ store, exceptions });
    const r = p.process([finding({ ns: 'ci', pod: 'a' }), finding({ ns: 'ci', pod: 'b' }), finding({ ns: 'prod', pod: 'c' })]);
    assert.equal(r.excepted, 2);
    assert.equal(r.created.length, 1);
    assert.equal(p.stats().excepted_by.ci, 2);
    assert.equal(store.counters('exception.')['exception.ci'], 2);
  } finally {
    done();
  }
});

test('new alerts reach outputs after the commit, merges do not resend', () => {
  const seen: Alert[] = [];
  const out: Output = {
    name: 'mem',
    send: (a) => void seen.push(a),
    close: async () => {},
    stats: () => ({ sent: seen.length, failed: 0, retries: 0, dropped: 0, queued: 0 }),
  };
  const p = createAlertPipeline({ outputs: [out] });
  p.process([finding({ time: at(0) }), finding({ time: at(1) }), finding({ time: at(2), id: 'b' })]);
  assert.equal(seen.length, 2);
});

test('analyst status survives later merges', () => {
  const { store, done } = tmpStore();
  try {
    const p = createAlertPipeline({ store });
    const [a] = p.process([finding({ time: at(0) })]).created;
    store.setStatus(a!.id, 'acknowledged', 'looking', 'tester');
    p.process([finding({ time: at(3) })]);
    const got = store.getAlert(a!.id)!;
    assert.equal(got.status, 'acknowledged');
    assert.equal(got.note, 'looking');
    assert.equal(got.count, 2);
    assert.deepEqual(
      got.history.map((h) => [h.status, h.note, h.actor]),
      [['acknowledged', 'looking', 'tester']],
    );
  } finally {
    done();
  }
});

test('a repeat after the analyst resolved the alert opens a new one; acknowledged keeps counting', () => {
  const { store, done } = tmpStore();
  try {
    const p = createAlertPipeline({ store });
    const [a] = p.process([finding({ time: at(0) })]).created;
    store.setStatus(a!.id, 'resolved', 'fixed');
    const r = p.process([finding({ time: at(5) }), finding({ time: at(6) })]);
    assert.equal(r.created.length, 1);
    assert.equal(r.created[0]!.count, 2);
    assert.equal(store.getAlert(a!.id)!.count, 1, 'the resolved alert is left as the analyst closed it');
    assert.equal(p.stats().reopened, 1);
    store.setStatus(r.created[0]!.id, 'acknowledged');
    assert.equal(p.process([finding({ time: at(7) })]).created.length, 0);
    assert.equal(store.getAlert(r.created[0]!.id)!.count, 3);
  } finally {
    done();
  }
});

test('open alerts drop their events from memory once stored; the store keeps them', () => {
  const { store, done } = tmpStore();
  try {
    const p = createAlertPipeline({ store });
    const [a] = p.process([finding({ time: at(0) })]).created;
    assert.equal(a!.events.length, 1, 'the alert handed to outputs is complete');
    p.process([finding({ time: at(1) })]);
    assert.equal(store.getAlert(a!.id)!.events.length, 1);
    assert.equal(store.getAlert(a!.id)!.count, 2);
  } finally {
    done();
  }
});

test('property: whatever the stream, every finding is counted exactly once (alert count, held back or excepted)', async () => {
  const fc = await import('fast-check');
  const { exceptions } = parseExceptions(`exceptions:\n  - id: ns-ci\n    rule: r0\n    reason: CI\n    scope: { namespace: ci }\n`);
  fc.assert(
    fc.property(
      fc.array(fc.record({ rule: fc.integer({ min: 0, max: 2 }), c: fc.integer({ min: 0, max: 4 }), t: fc.integer({ min: 0, max: 3600 }), ci: fc.boolean() }), {
        maxLength: 300,
      }),
      fc.integer({ min: 1, max: 900 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 50 }),
      (items, windowS, perRule, batch) => {
        const store = openStore(':memory:');
        const p = createAlertPipeline({ store, exceptions, dedupWindowS: windowS, rateLimit: { perRule, windowS: 300 } });
        const fs = items.map((x) => finding({ time: at(x.t), id: `c${x.c}`, ns: x.ci ? 'ci' : 'prod', pod: `p${x.c}`, rule: { id: `r${x.rule}` } }));
        for (let i = 0; i < fs.length; i += batch) p.process(fs.slice(i, i + batch));
        const alerts = store.queryAlerts({ limit: 1000 }).alerts;
        const counted = alerts.reduce((n, a) => n + a.count + (a.held_back ?? 0), 0);
        const s = p.stats();
        store.close();
        return counted + s.excepted === fs.length && s.created === alerts.length && alerts.every((a) => a.first_seen <= a.last_seen);
      },
    ),
    { numRuns: 200 },
  );
});

test('finding 2: findings dated 2099 open their own rate window instead of holding back the real ones', () => {
  const p = createAlertPipeline({ dedupWindowS: 1, rateLimit: { perRule: 2, windowS: 60 } });
  const forged = p.process([
    finding({ time: '2099-01-01T00:00:00.000Z', id: 'f1', name: 'f1' }),
    finding({ time: '2099-01-01T00:00:01.000Z', id: 'f2', name: 'f2' }),
  ]);
  assert.equal(forged.created.length, 2);
  const real = p.process([
    finding({ time: at(0), id: 'r1', name: 'r1' }),
    finding({ time: at(1), id: 'r2', name: 'r2' }),
    finding({ time: at(2), id: 'r3', name: 'r3' }),
  ]);
  assert.equal(real.created.length, 2, 'the real window has its own budget');
  assert.equal(real.held, 1);
});
