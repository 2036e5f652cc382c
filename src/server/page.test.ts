// The triage page in a real Chromium: list, filter, open, response steps, acknowledge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from './testing-browser.js';
import { startServer } from './http.js';
import { coverageOf } from './coverage.js';
import { openStore } from '../sinks/store/index.js';
import { createAlertPipeline } from '../alerts/pipeline.js';
import { finding, ruleMeta } from '../alerts/fixtures.js';
import type { StrategyLookup } from '../alerts/build.js';

/** Polls from Node (the page's CSP forbids evaluating strings in it) until check() holds. */
async function pageUntil(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`page: gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the list shows n rows. */
function rowsAre(page: Page, n: number): Promise<unknown> {
  return pageUntil(`${n} rows`, async () => (await page.locator('[data-testid=alert-row]').count()) === n);
}
const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');

const catalog: StrategyLookup = {
  forRule: (id) =>
    id === 'b1f0a6c2-0000-4000-8000-000000000001'
      ? {
          strategy: {
            id: 'ADS-0003',
            title: 'Privileged container escape',
            priority: 'high',
            response: [
              'Confirm who started the container and from which image',
              'Capture the container (docker checkpoint / export) before stopping it',
              'Stop the container and rotate credentials it could reach',
            ],
          },
          attack: [{ technique: 'T1611', name: 'Escape to Host', tactics: ['privilege-escalation'] }],
        }
      : undefined,
};

test('triage in a real browser: filter, open, response steps, acknowledge; the store changes', async (t) => {
  if (!existsSync(CHROMIUM)) {
    console.error(`SKIP page test: ${CHROMIUM} not found (run scripts/test-env.sh)`);
    t.skip('chromium not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-page-'));
  const store = openStore(dir);
  const pipeline = createAlertPipeline({ store, catalog, rateLimit: { perRule: 2, windowS: 600 } });
  const at = (m: number): string => new Date(Date.UTC(2026, 10, 22, 10, m)).toISOString();
  pipeline.process([
    finding({ time: at(0) }),
    finding({ time: at(1) }),
    finding({ time: at(2), id: 'a1b2c3d4e5f6a7b8', name: 'api-1', image: 'ghcr.io/acme/api', tag: '2.1', ns: 'prod', pod: 'api-1-7d9' }),
    finding({ time: at(3), id: 'ffff0000eeee1111', name: 'held-1' }),
    finding({
      time: at(4),
      id: '0123456789ab',
      name: 'db-1',
      image: 'postgres',
      tag: '16',
      rule: { id: 'r-audit', title: 'Kernel audit disabled in container', level: 'critical', tags: ['attack.defense-evasion', 'attack.t1562.012'] },
    }),
  ]);
  const srv = await startServer({
    store,
    port: 0,
    pollMs: 200,
    coverage: () =>
      coverageOf(
        [ruleMeta(), ruleMeta({ id: 'r-audit', title: 'Kernel audit disabled in container', tags: ['attack.defense-evasion', 'attack.t1562.012'] })],
        catalog,
      ),
    health: () => ({
      time: new Date().toISOString(),
      mode: 'live',
      sources: [{ name: 'docker', started: true, events: 120, errors: 1, dropped: 0, unattributed: 2, lag_s: 0.4, events_per_s: 3.5 }],
      pipeline: pipeline.stats(),
      outputs: [],
    }),
  });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(srv.url);
    const rows = page.getByTestId('alert-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3, 'three alerts: one merged pair, one pod, one critical (the fourth was held back)');
    assert.match(await page.getByTestId('alert-table').innerText(), /\+1 held back/);

    await page.getByTestId('f-level').selectOption('critical');
    await rowsAre(page, 1);
    assert.match(await rows.first().innerText(), /Kernel audit disabled in container: db-1/);
    await page.getByTestId('f-level').selectOption('');
    await page.getByTestId('f-text').fill('api-1');
    await rowsAre(page, 1);
    await page.getByTestId('f-text').fill('');
    await page.getByTestId('f-ads').selectOption('ADS-0003');
    await rowsAre(page, 2);
    await page.getByTestId('f-ads').selectOption('');
    await rowsAre(page, 3);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'alerts-list.png') });

    await rows.filter({ hasText: 'web-1' }).first().click();
    await page.getByTestId('alert-summary').waitFor();
    assert.match(await page.getByTestId('alert-summary').innerText(), /^Privileged container created: web-1 \(busybox:latest, 3f2a9c0d1e2b…\) on host h1$/);
    const steps = page.getByTestId('response-steps').locator('li');
    assert.equal(await steps.count(), 3);
    assert.match(await steps.nth(1).innerText(), /Capture the container/);
    await steps.nth(0).locator('input').check();
    assert.match(await page.getByTestId('alert-detail').innerText(), /count\s+2/);
    assert.match(await page.getByTestId('selections').innerText(), /selection/);
    await page.getByTestId('status-note').fill('checked with the platform team');
    await page.getByTestId('btn-ack').click();
    await pageUntil(
      'acknowledged',
      async () =>
        (await page
          .locator('[data-testid=alert-status]')
          .first()
          .textContent()
          .catch(() => null)) === 'acknowledged',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'alert-view.png') });

    const acked = store.queryAlerts({ status: ['acknowledged'] }).alerts;
    assert.equal(acked.length, 1);
    const stored = store.getAlert(acked[0]!.id)!;
    assert.equal(stored.note, 'checked with the platform team');
    assert.equal(stored.history[0]?.actor, 'web');

    // Live update: a new alert written to the store appears without reloading.
    pipeline.process([
      finding({ time: at(30), id: 'cafe0000', name: 'late-1', rule: { id: 'r-late', title: 'Container runtime socket mounted', level: 'high', tags: [] } }),
    ]);
    await rowsAre(page, 4);

    await page.getByTestId('tab-coverage').click();
    // the matrix is fetched when its tab opens
    await pageUntil('the coverage matrix', async () =>
      (
        (await page
          .locator('[data-testid=coverage-matrix]')
          .first()
          .textContent()
          .catch(() => null)) ?? ''
      ).includes('T1611'),
    );
    const matrix = await page.getByTestId('coverage-matrix').innerText();
    assert.match(matrix, /T1611 Escape to Host/);
    assert.match(matrix, /T1562\.012/);
    await page.screenshot({ path: join(ARTIFACTS, 'coverage.png') });
    await page.getByTestId('tab-health').click();
    await page.getByTestId('source-card').first().waitFor();
    const health = await page.getByTestId('health').innerText();
    assert.match(health, /docker/);
    assert.match(health, /held back \(rate limit\)\s+1/);
    await page.screenshot({ path: join(ARTIFACTS, 'health.png') });
    assert.deepEqual(errors, [], 'no script errors on the page');
  } finally {
    await browser?.close();
    await srv.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
