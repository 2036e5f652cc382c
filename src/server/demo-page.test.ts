// What a newcomer does: `stowaway demo`, then `stowaway serve`, then triage in a real browser.
// Everything runs as the user runs it: the compiled CLI in child processes, the shipped
// content, a real SQLite file, Debian's Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from './testing-browser.js';
import { openStore } from '../sinks/store/index.js';

/** Polls from Node (the page's CSP forbids evaluating strings in it) until check() holds. */
async function pageUntil(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`page: gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const fromSource = import.meta.url.endsWith('.ts');
const main = join(here, '..', 'cli', fromSource ? 'main.ts' : 'main.js');
const nodeArgs = fromSource ? ['--import', 'tsx'] : [];
const ARTIFACTS = resolve(here, '..', '..', 'test-artifacts');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** Starts `stowaway serve` and resolves once it answers on its port. */
async function serve(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, main, 'serve', '--data-dir', dataDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      if (r.ok) return child;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`stowaway serve did not come up on port ${port}: ${output}`);
}

test('after `stowaway demo`: filter, open an alert, see its ADS response steps, acknowledge; the store changed', async (t) => {
  if (!existsSync(CHROMIUM)) {
    console.error(`SKIP demo page test: ${CHROMIUM} not found (run scripts/test-env.sh)`);
    t.skip('chromium not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-demo-page-'));
  const demo = spawnSync(process.execPath, [...nodeArgs, main, 'demo', '--no-serve', '--data-dir', dir], { encoding: 'utf8' });
  assert.equal(demo.status, 0, `demo failed: ${demo.stderr}`);

  const before = openStore(dir);
  const all = before.queryAlerts({ limit: 1000 }).alerts;
  const privileged = all.filter((a) => a.strategy?.id === 'ADS-0003');
  before.close();
  assert.ok(all.length >= 10, `demo filled the store (${all.length} alerts)`);
  assert.ok(privileged.length >= 1, 'demo raised alerts for the privileged-container strategy');

  const port = await freePort();
  const server = await serve(dir, port);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    const rows = page.getByTestId('alert-row');
    await rows.first().waitFor();
    // One page of 100 at a time; the note counts every stored alert.
    assert.equal(await rows.count(), Math.min(all.length, 100), 'the first page of the stored alerts');
    assert.match(await page.getByTestId('list-note').innerText(), new RegExp(`of ${all.length} alerts`));

    await page.getByTestId('f-ads').selectOption('ADS-0003');
    await pageUntil('the privileged rows', async () => (await page.locator('[data-testid=alert-row]').count()) === privileged.length);
    for (const text of await rows.allInnerTexts()) assert.match(text, /ADS-0003/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-list.png') });

    await rows.first().click();
    await page.getByTestId('alert-summary').waitFor();
    const steps = page.getByTestId('response-steps').locator('li');
    const shownSummary = await page.getByTestId('alert-summary').innerText();
    const shown = privileged.find((a) => a.summary === shownSummary);
    assert.ok(shown, `the opened alert is one of the stored ADS-0003 alerts: ${shownSummary}`);
    assert.ok(shown.strategy!.response.length >= 3, 'the strategy ships a response checklist');
    assert.equal(await steps.count(), shown.strategy!.response.length);
    assert.equal((await steps.nth(0).innerText()).trim(), shown.strategy!.response[0]);

    await page.getByTestId('status-note').fill('demo triage');
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
    await page.screenshot({ path: join(ARTIFACTS, 'demo-alert.png') });
    assert.deepEqual(errors, [], 'no script errors on the page');

    const after = openStore(dir);
    const acked = after.queryAlerts({ status: ['acknowledged'] }).alerts;
    after.close();
    assert.equal(acked.length, 1);
    assert.equal(acked[0]!.summary, shownSummary);
    assert.equal(acked[0]!.note, 'demo triage');
  } finally {
    await browser?.close();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
