import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startServer } from './http.js';
import { coverageOf } from './coverage.js';
import { openStore } from '../sinks/store/index.js';
import { createAlertPipeline } from '../alerts/pipeline.js';
import { finding, ruleMeta } from '../alerts/fixtures.js';

function seeded() {
  const store = openStore(':memory:');
  const p = createAlertPipeline({ store });
  p.process([
    finding({ time: '2026-11-22T10:00:00Z' }),
    finding({
      time: '2026-11-22T10:01:00Z',
      id: 'ab12',
      name: 'db',
      rule: { id: 'r2', title: 'Audit disabled', level: 'critical', tags: ['attack.defense-evasion', 'attack.t1562.001'] },
    }),
  ]);
  return store;
}

test('API: list with filters, one alert, status change with validation', async () => {
  const store = seeded();
  const srv = await startServer({ store, port: 0 });
  try {
    const base = srv.url.replace(/\/$/, '');
    const all = (await (await fetch(`${base}/api/alerts`)).json()) as { total: number; alerts: { id: string; level: string }[] };
    assert.equal(all.total, 2);
    const crit = (await (await fetch(`${base}/api/alerts?level=critical`)).json()) as typeof all;
    assert.deepEqual(
      crit.alerts.map((a) => a.level),
      ['critical'],
    );
    const tech = (await (await fetch(`${base}/api/alerts?technique=T1562`)).json()) as typeof all;
    assert.equal(tech.total, 1);
    const id = crit.alerts[0]!.id;
    const one = (await (await fetch(`${base}/api/alerts/${id}`)).json()) as { events: unknown[] };
    assert.equal(one.events.length, 1);
    const bad = await fetch(`${base}/api/alerts/${id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'gone' }),
    });
    assert.equal(bad.status, 400);
    const form = await fetch(`${base}/api/alerts/${id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'status=resolved',
    });
    assert.equal(form.status, 415, 'cross-site form posts are refused');
    const ok = await fetch(`${base}/api/alerts/${id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'resolved', note: 'patched' }),
    });
    assert.equal(ok.status, 200);
    assert.equal(store.getAlert(id)!.status, 'resolved');
    assert.equal((await fetch(`${base}/api/alerts/nope`)).status, 404);
    const rebound = await new Promise<number>((resolve, reject) => {
      const u = new URL(base);
      request({ host: u.hostname, port: u.port, path: '/api/alerts', headers: { host: 'evil.example:8478' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(rebound, 403, 'DNS-rebinding Host header refused on loopback');
  } finally {
    await srv.close();
    store.close();
  }
});

test('beyond loopback a token is required', async () => {
  const store = seeded();
  const srv = await startServer({ store, host: '0.0.0.0', port: 0 });
  try {
    assert.ok(srv.token && srv.token.length >= 20, 'a token is generated');
    const port = new URL(srv.url).port;
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/api/alerts`)).status, 401);
    assert.equal((await fetch(`${base}/api/alerts`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${base}/api/alerts`, { headers: { authorization: `Bearer ${srv.token}` } })).status, 200);
    const page = await fetch(`${base}/?token=${srv.token}`, { redirect: 'manual' });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/');
    const cookie = page.headers.get('set-cookie') ?? '';
    assert.match(cookie, /stowaway_token=.*HttpOnly/);
    assert.equal((await fetch(`${base}/`, { headers: { cookie: cookie.split(';')[0]! } })).status, 200);
  } finally {
    await srv.close();
    store.close();
  }
});

test('coverage matrix groups techniques under tactics in kill-chain order', () => {
  const m = coverageOf([
    ruleMeta(),
    ruleMeta({ id: 'r2', title: 'Audit disabled', tags: ['attack.defense-evasion', 'attack.t1562.001'] }),
    ruleMeta({ id: 'r3', title: 'Untagged', tags: [] }),
  ]);
  // The untagged rule is loaded but detects no technique: it is not counted as coverage.
  assert.equal(m.rules, 2);
  assert.equal(m.loaded, 3);
  assert.equal(m.techniques, 2);
  const names = m.tactics.filter((t) => t.techniques.length).map((t) => `${t.tactic}:${t.techniques.map((c) => c.technique).join(',')}`);
  assert.deepEqual(names, ['privilege-escalation:T1611', 'defense-evasion:T1562.001']);
});

test('finding 5: a Host that only starts with 127. is refused on loopback, an empty token is refused, CSP forbids framing', async () => {
  const store = seeded();
  const srv = await startServer({ store, port: 0 });
  try {
    const u = new URL(srv.url);
    const status = (path: string, host: string, method = 'GET', body?: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request({ host: u.hostname, port: u.port, path, method, headers: { host, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    const id = store.queryAlerts().alerts[0]!.id;
    assert.equal(await status(`/api/alerts/${id}/status`, `127.0.0.1.rebind.example:${u.port}`, 'POST', '{"status":"resolved"}'), 403);
    assert.equal(store.getAlert(id)!.status, 'new');
    assert.equal(await status('/api/alerts', `127.evil.example:${u.port}`), 403);
    assert.equal(await status('/api/alerts', `127.0.0.2:${u.port}`), 200);
    const page = await fetch(srv.url);
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
  } finally {
    await srv.close();
  }
  await assert.rejects(startServer({ store, host: '0.0.0.0', port: 0, token: '' }), /token is empty/);
  store.close();
});
