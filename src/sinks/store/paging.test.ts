// Working at volume over a real SQLite file: keyset pages, sorts, groups, volume over time,
// bulk status and id prefixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './index.js';
import { buildAlert } from '../../alerts/build.js';
import { finding } from '../../alerts/fixtures.js';
import type { Alert, Level } from '../../model/alert.js';

const LV: Level[] = ['low', 'medium', 'high', 'critical'];

/** n alerts, one per minute, over 3 rules × 4 hosts × 5 images, levels and counts varied. */
function fill(store: Store, n: number): Alert[] {
  const out: Alert[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2026, 10, 22, 0, i)).toISOString();
    const f = finding({
      time: t,
      host: `node-${i % 4}`,
      id: `c${i}`,
      name: `app-${i}`,
      image: `registry.example.net/team/img${i % 5}`,
      rule: { id: `rule-${i % 3}`, title: `Rule ${i % 3}`, level: LV[i % 4]! },
    });
    const a = buildAlert(f, { newId: () => `id-${String(i).padStart(5, '0')}` });
    a.count = 1 + (i % 7);
    out.push(a);
  }
  store.writeAlerts({ insert: out });
  return out;
}

function withStore(fn: (s: Store) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-paging-'));
  const s = openStore(dir);
  try {
    fn(s);
  } finally {
    s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('keyset pages walk every alert exactly once, in each sort order, under a filter too', () => {
  withStore((s) => {
    fill(s, 1234);
    for (const sort of ['time', 'level', 'count'] as const) {
      for (const q of [{}, { host: 'node-1' }]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        let prev: { level: number; count: number; ts: string } | undefined;
        do {
          const page = s.queryAlerts({ ...q, sort, limit: 100, ...(cursor ? { cursor } : {}) });
          for (const a of page.alerts) {
            const cur = { level: LV.indexOf(a.level), count: a.count, ts: a['@timestamp'] };
            if (prev) {
              if (sort === 'level') assert.ok(cur.level <= prev.level, 'level order');
              if (sort === 'count') assert.ok(cur.count <= prev.count, 'count order');
              if (sort === 'time' || (sort === 'level' && cur.level === prev.level) || (sort === 'count' && cur.count === prev.count))
                assert.ok(cur.ts <= prev.ts, `${sort}: newest first within ties`);
            }
            prev = cur;
            seen.push(a.id);
          }
          cursor = page.next;
          pages++;
          assert.equal(page.total, q.host ? 309 : 1234);
        } while (cursor);
        assert.equal(seen.length, q.host ? 309 : 1234, `${sort} ${JSON.stringify(q)}: every alert`);
        assert.equal(new Set(seen).size, seen.length, `${sort}: none twice`);
        assert.equal(pages, Math.ceil(seen.length / 100));
      }
    }
  });
});

test('the time sort walks its index (no temporary sort), and a cursor page reads from where the last stopped', () => {
  withStore((s) => {
    fill(s, 50);
    const plan = (
      s.db.prepare(`EXPLAIN QUERY PLAN SELECT rowid FROM alerts WHERE (ts, rowid) < (?, ?) ORDER BY ts DESC, rowid DESC LIMIT 10`).all('z', 1e9) as {
        detail: string;
      }[]
    )
      .map((r) => r.detail)
      .join('; ');
    assert.match(plan, /USING (COVERING )?INDEX alerts_ts/);
    assert.doesNotMatch(plan, /TEMP B-TREE/);
    const levelPlan = (
      s.db.prepare(`EXPLAIN QUERY PLAN SELECT rowid FROM alerts ORDER BY level_n DESC, ts DESC, rowid DESC LIMIT 10`).all() as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('; ');
    assert.match(levelPlan, /USING (COVERING )?INDEX alerts_level/);
  });
});

test('groups by rule, host and image count alerts, findings and new ones; stats bucket the volume over time', () => {
  withStore((s) => {
    const all = fill(s, 120);
    const rules = s.groupAlerts('rule');
    assert.deepEqual(rules.map((g) => [g.key, g.label, g.alerts]).sort(), [
      ['rule-0', 'Rule 0', 40],
      ['rule-1', 'Rule 1', 40],
      ['rule-2', 'Rule 2', 40],
    ]);
    const r0 = rules.find((g) => g.key === 'rule-0')!;
    assert.equal(
      r0.findings,
      all.filter((a) => a.rule.id === 'rule-0').reduce((n, a) => n + a.count, 0),
    );
    assert.equal(r0.level, 'critical');
    assert.equal(s.groupAlerts('host').length, 4);
    const images = s.groupAlerts('image', { host: 'node-0' });
    // node-0 holds i ≡ 0 (mod 4): images i mod 5 cycle through all five.
    assert.equal(images.length, 5);
    assert.equal(
      images.reduce((n, g) => n + g.alerts, 0),
      30,
    );
    s.setStatusMany(
      all.slice(0, 10).map((a) => a.id),
      'acknowledged',
    );
    assert.equal(
      s.groupAlerts('rule').reduce((n, g) => n + g.new, 0),
      110,
    );

    const st = s.alertStats();
    // 120 minutes of alerts: 5-minute buckets keep the chart under 60 bars.
    assert.equal(st.bucket_s, 300);
    assert.equal(st.buckets.length, 24);
    assert.equal(
      st.buckets.reduce((n, b) => n + b.alerts, 0),
      120,
    );
    assert.ok(st.buckets.every((b) => b.alerts === 5));
    assert.equal(st.buckets[0]!.start, '2026-11-22T00:00:00.000Z');
    assert.equal(st.rules.length, 3);
    assert.equal(st.hosts.length, 4);
    const one = s.alertStats({ rule: 'rule-1' });
    assert.equal(
      one.buckets.reduce((n, b) => n + b.alerts, 0),
      40,
    );
  });
});

test('bulk status changes many alerts in one revision with history, and reports the ids it did not find', () => {
  withStore((s) => {
    const all = fill(s, 30);
    const rev = s.revision();
    const changed = s.setStatusMany([...all.slice(0, 5).map((a) => a.id), 'nope'], 'acknowledged', 'bulk', 'tester');
    assert.deepEqual(
      changed,
      all.slice(0, 5).map((a) => a.id),
    );
    assert.equal(s.revision(), rev + 1);
    const a = s.getAlert(all[2]!.id)!;
    assert.equal(a.status, 'acknowledged');
    assert.deepEqual(
      a.history.map((h) => [h.status, h.note, h.actor]),
      [['acknowledged', 'bulk', 'tester']],
    );
    assert.equal(s.statusOf(all[6]!.id), 'new');
    assert.throws(() => s.setStatusMany([all[0]!.id], 'closed' as never), /unknown status/);
  });
});

test('ids by prefix: a range on the key, exact characters (no LIKE wildcards)', () => {
  withStore((s) => {
    fill(s, 30);
    assert.deepEqual(
      s.idsByPrefix('id-0002'),
      Array.from({ length: 10 }, (_, i) => `id-000${20 + i}`),
    );
    assert.deepEqual(s.idsByPrefix('id-00029'), ['id-00029']);
    assert.deepEqual(s.idsByPrefix('id-0002', 3).length, 3);
    assert.deepEqual(s.idsByPrefix('id_0002'), [], '_ is not a wildcard');
    assert.deepEqual(s.idsByPrefix('%'), []);
    assert.deepEqual(s.idsByPrefix(''), []);
  });
});

test('pod user, image and name are filters: a Kubernetes pod alert is found by each', () => {
  withStore((s) => {
    const ev = {
      '@timestamp': '2026-11-22T10:00:00.000Z',
      stowaway: { source: 'k8s-audit', logsource: { product: 'kubernetes', service: 'audit' } },
      orchestrator: {
        type: 'kubernetes',
        namespace: 'shop',
        resource: { type: 'pods', name: 'copy-job' },
        pod: { images: ['ghcr.io/acme/backup:1.2', 'busybox:1.36'] },
        user: { name: 'dev-jane' },
      },
    };
    const a = buildAlert({
      rule: { id: 'r', title: 'Pod mounts a share', kind: 'sigma', level: 'high', tags: [] },
      time: ev['@timestamp'],
      events: [ev as never],
    });
    s.writeAlerts({ insert: [a] });
    assert.deepEqual(a.entity.pod, { namespace: 'shop', name: 'copy-job', images: ['ghcr.io/acme/backup:1.2', 'busybox:1.36'] });
    for (const q of [
      { user: 'dev-jane' },
      { image: 'acme/backup' },
      { image: 'busybox' },
      { pod: 'copy-job' },
      { pod: 'shop/copy' },
      { text: 'dev-jane' },
      { text: 'acme/backup' },
    ])
      assert.equal(s.queryAlerts(q).total, 1, JSON.stringify(q));
    for (const q of [{ user: 'dev' }, { image: 'nginx' }, { pod: 'other' }]) assert.equal(s.queryAlerts(q).total, 0, JSON.stringify(q));
    assert.deepEqual(
      s.groupAlerts('image').map((g) => g.key),
      ['ghcr.io/acme/backup:1.2 busybox:1.36'],
    );
    assert.deepEqual(
      s.groupAlerts('user').map((g) => g.key),
      ['dev-jane'],
    );
  });
});
