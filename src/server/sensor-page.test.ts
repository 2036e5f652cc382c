// The page in a real browser shows open sensor gaps on its health view, under the CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startServer } from './http.js';
import { openStore } from '../sinks/store/index.js';
import { CHROMIUM, launchChromium } from './testing-browser.js';
import { SensorWatch } from '../alerts/sensor.js';
import type { HealthSnapshot } from './health.js';

test('health view shows a source losing events and removed audit rules as open gaps', async (t) => {
  if (!existsSync(CHROMIUM)) {
    console.error(`SKIP sensor page test: ${CHROMIUM} not found (run scripts/test-env.sh)`);
    t.skip('chromium not installed');
    return;
  }
  const w = new SensorWatch();
  const src = (events: number, dropped: number) => ({ name: 'auditd', started: true, stats: { events, errors: 0, dropped, unattributed: 0 } });
  w.check(Date.parse('2026-05-01T00:00:00Z'), [src(10, 0)], 12);
  w.check(Date.parse('2026-05-01T00:00:10Z'), [src(20, 5)], 0);
  const store = openStore(':memory:');
  const health = (): HealthSnapshot => ({
    time: new Date().toISOString(),
    mode: 'live',
    sources: [{ name: 'auditd', started: true, events: 20, errors: 0, dropped: 5, unattributed: 0 }],
    pipeline: {
      findings: 2,
      created: 2,
      merged: 0,
      excepted: 0,
      held_back: 0,
      evicted: 0,
      reopened: 0,
      open: 2,
      store_errors: 0,
      truncated_events: 0,
      excepted_by: {},
      held_back_by_rule: {},
    },
    outputs: [],
    gaps: w.gaps(),
  });
  const srv = await startServer({ store, port: 0, health });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(srv.url + '#health');
    await page.locator('[data-testid=sensor-gap]').first().waitFor({ timeout: 10_000 });
    const gaps = await page.locator('[data-testid=sensor-gap]').allTextContents();
    assert.equal(gaps.length, 2);
    assert.match(gaps.join('\n'), /auditd: losing since 2026-05-01 00:00:10Z — auditd dropped 5 events/);
    assert.match(gaps.join('\n'), /audit-rules-removed/);
    assert.match(
      (await page.locator('[data-testid=source-card] h3').first().textContent()) ?? '',
      /auditd — (losing, audit-rules-removed|audit-rules-removed, losing)/,
    );
    assert.deepEqual(
      errors.filter((e) => /Content Security Policy/.test(e)),
      [],
      'the page runs under its CSP',
    );
  } finally {
    await browser.close();
    await srv.close();
    store.close();
  }
});
