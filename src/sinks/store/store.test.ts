import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { openStore, STORE_FILE } from './index.js';
import { MIGRATIONS } from './schema.js';
import { buildAlert } from '../../alerts/build.js';
import { finding } from '../../alerts/fixtures.js';

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-store-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('opens in WAL mode with synchronous=FULL at the current schema version', () => {
  const { dir, done } = tmp();
  try {
    const s = openStore(dir);
    assert.equal(s.path, join(dir, STORE_FILE));
    assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(s.db.pragma('synchronous', { simple: true }), 2);
    assert.equal(s.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal(s.db.pragma('auto_vacuum', { simple: true }), 2);
    s.close();
    // Reopening is a no-op migration; another component's own table lives beside ours.
    const again = openStore(dir);
    again.db.exec('CREATE TABLE IF NOT EXISTS analytics_baseline (k TEXT PRIMARY KEY, v TEXT)');
    assert.equal(again.integrityCheck(), 'ok');
    again.close();
  } finally {
    done();
  }
});

test('refuses a file from a newer stowaway instead of guessing', () => {
  const { dir, done } = tmp();
  try {
    const raw = new Database(join(dir, STORE_FILE));
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    assert.throws(() => openStore(dir), /newer than this stowaway understands/);
  } finally {
    done();
  }
});

test('a file at schema 1 migrates in place and keeps its alerts queryable', () => {
  const { dir, done } = tmp();
  try {
    const raw = new Database(join(dir, STORE_FILE));
    raw.exec(MIGRATIONS[0]!);
    raw.pragma('user_version = 1');
    raw
      .prepare(
        `INSERT INTO alerts (id, ts, created, first_seen, last_seen, rule_id, rule_title, rule_kind, level, level_n, summary, doc, rev)
      VALUES ('old-1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'r', 'Old', 'sigma', 'high', 3, 'Old: x', ?, 1)`,
      )
      .run(
        JSON.stringify({
          id: 'old-1',
          rule: { id: 'r', title: 'Old', kind: 'sigma', level: 'high', tags: [] },
          level: 'high',
          summary: 'Old: x',
          attack: [{ technique: 'T1611', tactics: [] }],
          entity: {},
          selections: [],
          count: 1,
          status: 'new',
        }),
      );
    raw.prepare(`INSERT INTO alert_techniques (alert_id, technique) VALUES ('old-1', 'T1611'), ('old-1', 'T1562.001')`).run();
    raw.close();
    const s = openStore(dir);
    assert.equal(s.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.deepEqual(
      s.queryAlerts({ technique: 'T1562' }).alerts.map((a) => a.id),
      ['old-1'],
      'backfilled techniques serve the filter',
    );
    assert.deepEqual(
      s.queryAlerts({ technique: 'T1611' }).alerts.map((a) => a.id),
      ['old-1'],
    );
    assert.deepEqual(
      s.queryAlerts({ technique: 'T161' }).alerts.map((a) => a.id),
      [],
      'no prefix confusion between T161 and T1611',
    );
    assert.ok(s.health(), 'tables of later migrations exist');
    s.close();
  } finally {
    done();
  }
});

test('query by time, rule, strategy, technique, container, host, status, level and text', () => {
  const { dir, done } = tmp();
  try {
    const s = openStore(dir);
    const catalog = {
      forRule: (id: string) =>
        id === 'r2'
          ? {
              strategy: { id: 'ADS-002', title: 'Escape', priority: 'critical' as const, response: ['Isolate'] },
              attack: [{ technique: 'T1562.001', tactics: ['defense-evasion'] }],
            }
          : undefined,
    };
    const a = buildAlert(finding({ time: '2026-11-22T10:00:00.000Z' }));
    const b = buildAlert(
      finding({
        time: '2026-11-22T11:00:00.000Z',
        rule: { id: 'r2', title: 'Audit disabled', level: 'critical', tags: [] },
        id: 'deadbeef0000',
        name: 'db-1',
        image: 'postgres',
        host: 'h2',
      }),
      { catalog },
    );
    s.writeAlerts({ insert: [a, b] });
    const ids = (q: Parameters<typeof s.queryAlerts>[0]) => s.queryAlerts(q).alerts.map((x) => x.id);
    assert.deepEqual(ids({}), [b.id, a.id]);
    assert.deepEqual(ids({ since: '2026-11-22T10:30:00Z' }), [b.id]);
    assert.deepEqual(ids({ until: '2026-11-22T10:30:00Z' }), [a.id]);
    assert.deepEqual(ids({ rule: 'r2' }), [b.id]);
    assert.deepEqual(ids({ strategy: 'ADS-002' }), [b.id]);
    assert.deepEqual(ids({ technique: 'T1562' }), [b.id]);
    assert.deepEqual(ids({ technique: 't1611' }), [a.id]);
    assert.deepEqual(ids({ container: 'deadbeef' }), [b.id]);
    assert.deepEqual(ids({ container: 'web-1' }), [a.id]);
    assert.deepEqual(ids({ container: 'postgres' }), [b.id]);
    assert.deepEqual(ids({ host: 'h1' }), [a.id]);
    assert.deepEqual(ids({ minLevel: 'critical' }), [b.id]);
    assert.deepEqual(ids({ level: ['high'] }), [a.id]);
    assert.deepEqual(ids({ text: 'db-1' }), [b.id]);
    assert.deepEqual(ids({ text: '100%_' }), []);
    s.setStatus(a.id, 'false_positive', 'lab host');
    assert.deepEqual(ids({ status: ['false_positive'] }), [a.id]);
    assert.equal(s.facets().statuses.false_positive, 1);
    assert.throws(() => s.setStatus(a.id, 'bogus' as never));
    assert.equal(s.setStatus('missing', 'resolved'), undefined);
    s.close();
  } finally {
    done();
  }
});

test('retention by age and by size', () => {
  const { dir, done } = tmp();
  try {
    const s = openStore(dir);
    const old = buildAlert(finding({ time: '2026-01-01T00:00:00.000Z' }));
    const recent = buildAlert(finding({ time: '2026-11-20T00:00:00.000Z' }));
    s.writeAlerts({ insert: [old, recent] });
    assert.equal(s.applyRetention({ maxAgeDays: 30, now: new Date('2026-11-22T00:00:00Z') }).deleted, 1);
    assert.equal(s.getAlert(old.id), undefined);
    assert.ok(s.getAlert(recent.id));
    const many = Array.from({ length: 3000 }, (_, i) => buildAlert(finding({ time: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), id: `c${i}` })));
    s.writeAlerts({ insert: many });
    const before = s.sizeBytes();
    const r = s.applyRetention({ maxBytes: 1_000_000 });
    assert.ok(r.deleted > 0);
    assert.ok(r.bytes < before, `file shrank: ${before} → ${r.bytes}`);
    assert.ok(r.bytes <= 1_200_000, `file near the cap: ${r.bytes}`);
    assert.ok(s.getAlert(recent.id), 'newest alerts are kept');
    assert.equal(s.counters()['retention.deleted'], 1 + r.deleted);
    assert.equal(s.integrityCheck(), 'ok');
    s.close();
  } finally {
    done();
  }
});

test('kill -9 during a write burst: the file opens clean and every acknowledged alert is there', async () => {
  const { dir, done } = tmp();
  try {
    const here = fileURLToPath(import.meta.url);
    const ext = here.endsWith('.ts') ? '.ts' : '.js';
    const storeUrl = new URL(`./index${ext}`, import.meta.url).href;
    const fixturesUrl = new URL(`../../alerts/fixtures${ext}`, import.meta.url).href;
    const buildUrl = new URL(`../../alerts/build${ext}`, import.meta.url).href;
    // The child writes small transactions forever and prints each id only after its commit returned.
    const code = `
      import { openStore } from ${JSON.stringify(storeUrl)};
      import { finding } from ${JSON.stringify(fixturesUrl)};
      import { buildAlert } from ${JSON.stringify(buildUrl)};
      const s = openStore(${JSON.stringify(dir)});
      for (let i = 0; ; i++) {
        const a = buildAlert(finding({ id: 'c' + i, time: new Date(Date.UTC(2026, 10, 22) + i).toISOString() }));
        s.writeAlerts({ insert: [a], counters: { burst: 1 } });
        process.stdout.write(a.id + '\\n');
      }
    `;
    const loaders: string[] = [];
    for (let i = 0; i < process.execArgv.length; i++) {
      const a = process.execArgv[i]!;
      if ((a === '--import' || a === '--loader' || a === '--require') && process.execArgv[i + 1]) loaders.push(a, process.execArgv[++i]!);
      else if (a.startsWith('--import=') || a.startsWith('--loader=')) loaders.push(a);
    }
    const child = spawn(process.execPath, [...loaders, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: string[] = [];
    const rl = createInterface({ input: child.stdout });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await new Promise<void>((resolve) => {
      rl.on('line', (id) => {
        acked.push(id);
        if (acked.length === 300) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    await exited;
    assert.ok(acked.length >= 300, `child acknowledged ${acked.length} alerts before the kill`);
    const s = openStore(dir);
    assert.equal(s.integrityCheck(), 'ok');
    const stored = new Set(s.queryAlerts({ limit: 1000 }).alerts.map((a) => a.id));
    const total = s.queryAlerts().total;
    const missing = acked.filter((id) => !stored.has(id) && !s.getAlert(id));
    assert.deepEqual(missing, [], `every acknowledged alert survived (${acked.length} acked, ${total} stored)`);
    assert.ok(total >= acked.length);
    assert.equal(s.counters().burst, total, 'counters committed with the alerts they describe');
    s.close();
  } finally {
    done();
  }
});

test('finding 2: an alert dated in the future ages by when it was stored', () => {
  const { dir, done } = tmp();
  try {
    const s = openStore(dir);
    const stored = new Date('2026-01-01T00:00:00Z');
    const future = buildAlert(finding({ time: '2099-01-01T00:00:00.000Z' }), { now: () => stored });
    const now = buildAlert(finding({ time: '2026-11-20T00:00:00.000Z', id: 'c2' }), { now: () => stored });
    s.writeAlerts({ insert: [future, now] });
    assert.equal(s.applyRetention({ maxAgeDays: 30, now: new Date('2026-01-15T00:00:00Z') }).deleted, 0, 'not yet: stored two weeks ago');
    assert.equal(s.applyRetention({ maxAgeDays: 30, now: new Date('2026-11-22T00:00:00Z') }).deleted, 1);
    assert.equal(s.getAlert(future.id), undefined);
    assert.ok(s.getAlert(now.id));
    s.close();
  } finally {
    done();
  }
});

test('finding 6: an event that cannot be serialized is stored truncated; the other alerts of the batch are kept', () => {
  const { dir, done } = tmp();
  try {
    const s = openStore(dir);
    const good = buildAlert(finding({ id: 'c-good', name: 'good' }));
    const odd = buildAlert(finding({ id: 'c-odd', name: 'odd' }));
    (odd.events[0] as Record<string, unknown>).size = 10n; // BigInt: JSON.stringify throws
    const broken = buildAlert(finding({ id: 'c-broken', name: 'broken' }));
    (broken as unknown as Record<string, unknown>).id = { not: 'a string' }; // SQLite cannot bind an object
    const r = s.writeAlerts({ insert: [good, odd, broken] });
    assert.equal(r.failed, 1);
    assert.equal(r.truncated, 1);
    assert.match(r.problems.join('\n'), /event 0 stored truncated \(not serializable/);
    assert.ok(s.getAlert(good.id));
    const stored = s.getAlert(odd.id)!;
    assert.equal(stored.events.length, 1);
    assert.match(String(stored.events[0]!.stowaway_truncated), /BigInt/);
    assert.equal(stored.events[0]!.container?.name, 'odd');
    assert.equal(s.counters('store.')['store.truncated_events'], 1);
    s.close();
  } finally {
    done();
  }
});

test('finding 9: the store file is owner-only, also inside a data directory that already existed', () => {
  const { dir, done } = tmp();
  try {
    chmodSync(dir, 0o755);
    const s = openStore(dir);
    s.writeAlerts({ insert: [buildAlert(finding())] });
    for (const f of [STORE_FILE, `${STORE_FILE}-wal`]) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    s.close();
  } finally {
    done();
  }
});
