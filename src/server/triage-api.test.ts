// The API behind triage at volume: cursors, groups, stats, bulk status and exceptions from an
// alert, over a real store file, with the refusals a client can meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './http.js';
import { openStore } from '../sinks/store/index.js';
import { createAlertPipeline } from '../alerts/pipeline.js';
import { finding } from '../alerts/fixtures.js';
import { loadExceptions } from '../alerts/exceptions.js';

const post = (url: string, body: unknown, type = 'application/json') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });

test('API: keyset pages, groups, stats, bulk status, and their refusals', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-triage-api-'));
  const store = openStore(dir);
  const p = createAlertPipeline({ store, rateLimit: { perRule: 1000, windowS: 60 } });
  p.process(
    Array.from({ length: 250 }, (_, i) =>
      finding({ time: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(), id: `c${i}`, name: `n${i}`, host: `h${i % 3}` }),
    ),
  );
  const srv = await startServer({ store, port: 0 });
  const base = srv.url.replace(/\/$/, '');
  try {
    const ids: string[] = [];
    let cursor = '';
    for (;;) {
      const r = (await (await fetch(`${base}/api/alerts?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        total: number;
        alerts: { id: string }[];
        next?: string;
      };
      assert.equal(r.total, 250);
      ids.push(...r.alerts.map((a) => a.id));
      if (!r.next) break;
      cursor = r.next;
    }
    assert.equal(ids.length, 250);
    assert.equal(new Set(ids).size, 250);
    const first = (await (await fetch(`${base}/api/alerts?limit=10`)).json()) as { next: string };
    assert.equal((await fetch(`${base}/api/alerts?sort=level&cursor=${first.next}`)).status, 400, 'a cursor of another sort is refused, not misread');
    assert.equal((await fetch(`${base}/api/alerts?cursor=garbage`)).status, 400);

    const groups = (await (await fetch(`${base}/api/groups?by=host`)).json()) as { groups: { key: string; alerts: number }[] };
    assert.deepEqual(groups.groups.map((g) => [g.key, g.alerts]).sort(), [
      ['h0', 84],
      ['h1', 83],
      ['h2', 83],
    ]);
    assert.equal((await fetch(`${base}/api/groups?by=password`)).status, 400);
    const stats = (await (await fetch(`${base}/api/stats?host=h1`)).json()) as { bucket_s: number; buckets: { alerts: number }[]; hosts: { key: string }[] };
    assert.equal(stats.bucket_s, 60);
    assert.equal(
      stats.buckets.reduce((n, b) => n + b.alerts, 0),
      83,
    );
    assert.deepEqual(
      stats.hosts.map((h) => h.key),
      ['h1'],
    );

    const bulk = await post(`${base}/api/alerts/status`, { ids: [...ids.slice(0, 3), 'gone'], status: 'false_positive', note: 'lab' });
    assert.equal(bulk.status, 200);
    const out = (await bulk.json()) as { updated: string[]; missing: string[] };
    assert.deepEqual(out.updated, ids.slice(0, 3));
    assert.deepEqual(out.missing, ['gone']);
    assert.equal(store.queryAlerts({ status: ['false_positive'] }).total, 3);
    assert.equal((await post(`${base}/api/alerts/status`, { ids: [], status: 'resolved' })).status, 400);
    assert.equal((await post(`${base}/api/alerts/status`, { ids: ids.slice(0, 1), status: 'deleted' })).status, 400);
    assert.equal((await post(`${base}/api/alerts/status`, { ids: Array.from({ length: 1001 }, (_, i) => `x${i}`), status: 'resolved' })).status, 400);
    assert.equal((await post(`${base}/api/alerts/status`, { ids: ids.slice(0, 1), status: 'resolved' }, 'text/plain')).status, 415, 'JSON only');
  } finally {
    await srv.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('API: an exception from an alert lands in <data-dir>/exceptions.yaml beside what is there, linted; refusals say why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-exception-api-'));
  const file = join(dir, 'exceptions.yaml');
  writeFileSync(
    file,
    '# reviewed by the platform team\nexceptions:\n  - id: ci-runners\n    rule: r-other\n    reason: CI runners\n    scope: { image: ["ghcr.io/acme/runner:*"] }\n',
  );
  const store = openStore(dir);
  const p = createAlertPipeline({ store });
  const [a] = p.process([finding({ time: '2026-11-22T10:00:00Z', image: 'ghcr.io/acme/api', tag: '2.1', ns: 'shop', pod: 'api-1' })]).created;
  const [bare] = p.process([
    finding({
      time: '2026-11-22T10:00:00Z',
      rule: { id: 'r-bare', title: 'Bare' },
      events: [{ '@timestamp': '2026-11-22T10:00:00Z', event: { kind: 'event' }, stowaway: { source: 'x', logsource: {} } } as never],
    }),
  ]).created;
  const srv = await startServer({ store, port: 0 });
  const base = srv.url.replace(/\/$/, '');
  try {
    assert.equal((await post(`${base}/api/alerts/${a!.id}/exception`, { reason: '  ' })).status, 400, 'a reason is required');
    const noScope = await post(`${base}/api/alerts/${bare!.id}/exception`, { reason: 'x' });
    assert.equal(noScope.status, 400);
    assert.match(((await noScope.json()) as { error: string }).error, /names no image, namespace or host/);
    assert.equal((await post(`${base}/api/alerts/nope/exception`, { reason: 'x' })).status, 404);

    const ok = await post(`${base}/api/alerts/${a!.id}/exception`, { reason: 'api smoke tests', days: 30 });
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { file: string; exception: { id: string; expires: string } };
    assert.equal(body.file, file);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# reviewed by the platform team/, 'comments kept');
    const set = loadExceptions(file);
    assert.deepEqual(
      set.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.deepEqual(
      set.exceptions.map((e) => e.id),
      ['ci-runners', body.exception.id],
    );
    const added = set.exceptions[1]!;
    assert.equal(added.rule, a!.rule.id);
    assert.deepEqual(added.scope, { image: ['ghcr.io/acme/api:2.1'], namespace: ['shop'] });
    const days = (Date.parse(added.expires!) - Date.now()) / 86_400_000;
    assert.ok(days > 28 && days <= 30, `expires in ~30 days (${days.toFixed(1)})`);
    // A second one from the same alert gets its own id.
    const again = (await (await post(`${base}/api/alerts/${a!.id}/exception`, { reason: 'again' })).json()) as { exception: { id: string } };
    assert.equal(again.exception.id, `${body.exception.id}-2`);

    // A file the linter cannot read is not overwritten.
    writeFileSync(file, 'exceptions: [unclosed\n');
    const broken = await post(`${base}/api/alerts/${a!.id}/exception`, { reason: 'x' });
    assert.equal(broken.status, 400);
    assert.match(((await broken.json()) as { error: string }).error, /not a valid exceptions file/);
    assert.equal(readFileSync(file, 'utf8'), 'exceptions: [unclosed\n');
  } finally {
    await srv.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
