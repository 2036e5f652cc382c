// Containment from the page, in a real Chromium against the real Docker engine: the header
// says which response mode is on; Isolate asks for confirmation (declined: nothing happens;
// accepted: the container loses its network) and the outcome appears on the alert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from './testing-browser.js';
import { startServer } from './http.js';
import { openStore } from '../sinks/store/index.js';
import { createAlertPipeline } from '../alerts/pipeline.js';
import { finding } from '../alerts/fixtures.js';
import { applyUserPolicy, emptyPolicy } from '../respond/policy.js';
import { createResponder } from '../respond/index.js';

const IMAGE = 'stowaway/busybox:test';
const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');

test('the page isolates a container after confirmation and shows the outcome on the alert', async (t) => {
  if (!existsSync(CHROMIUM)) {
    console.error(`SKIP respond page test: ${CHROMIUM} not found (run scripts/test-env.sh)`);
    t.skip('chromium not installed');
    return;
  }
  const docker = new Docker();
  try {
    await docker.ping();
    await docker.getImage(IMAGE).inspect();
  } catch (e) {
    console.error(`SKIP respond page test: Docker engine or ${IMAGE} unavailable (${(e as Error).message})`);
    t.skip('docker unavailable');
    return;
  }
  const run = randomBytes(3).toString('hex');
  const net = await docker.createNetwork({ Name: `stowaway-respond-page-${run}`, Driver: 'bridge', Labels: { 'stowaway.respond-test': run } });
  const c = await docker.createContainer({
    Image: IMAGE,
    name: `page-victim-${run}`,
    Cmd: ['sleep', '300'],
    Labels: { 'stowaway.respond-test': run },
    HostConfig: { NetworkMode: `stowaway-respond-page-${run}` },
  });
  await c.start();
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-respond-page-'));
  const store = openStore(dir);
  const created = createAlertPipeline({ store }).process([
    finding({
      id: c.id,
      name: `page-victim-${run}`,
      image: 'stowaway/busybox',
      tag: 'test',
      rule: { id: 'rule-page', title: 'Reverse shell from a container', level: 'critical' },
    }),
  ]).created;
  const alertId = created[0]!.id;
  const { policy, diagnostics } = applyUserPolicy(
    emptyPolicy(),
    "mode: suggest\nstrategies:\n  '*':\n    - rules: [rule-page]\n      allow: [preserve, isolate, pause]\n",
    'page-policy.yaml',
  );
  assert.deepEqual(diagnostics, []);
  const srv = await startServer({ store, port: 0, pollMs: 200, responder: createResponder({ store, policy, dataDir: dir, selfIds: [] }) });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${srv.url}#alerts/${alertId}`);
    await page.getByTestId('respond-mode').filter({ hasText: 'response: suggest' }).waitFor();
    const isolate = page.getByTestId('btn-respond-isolate');
    await isolate.waitFor();
    assert.deepEqual(
      await page.locator('[data-testid^=btn-respond-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))),
      ['btn-respond-preserve', 'btn-respond-isolate', 'btn-respond-restore', 'btn-respond-pause', 'btn-respond-unpause'],
      'the buttons are what the policy allows',
    );

    // Declined: nothing is done, nothing recorded.
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await isolate.click();
    assert.match(dialogs[0] ?? '', /Isolate container page-victim-.*Disconnect it from every network/s);
    assert.deepEqual(Object.keys((await c.inspect()).NetworkSettings.Networks ?? {}), [`stowaway-respond-page-${run}`]);
    assert.equal(store.responses(alertId).length, 0);

    // Accepted: the container is cut off and the alert shows the outcome and the trail row.
    page.once('dialog', (d) => void d.accept());
    await isolate.click();
    const result = page.getByTestId('respond-result');
    await result.filter({ hasText: 'Isolate: done' }).waitFor({ timeout: 15_000 });
    assert.match(await result.innerText(), new RegExp(`disconnected from stowaway-respond-page-${run}`));
    assert.match(await page.getByTestId('response-trail').innerText(), /isolate container:[0-9a-f]{12} by web:page: done/);
    assert.deepEqual(Object.keys((await c.inspect()).NetworkSettings.Networks ?? {}), [], 'the engine reports no network');
    const rows = store.responses(alertId);
    assert.deepEqual(
      rows.map((r) => `${r.action} ${r.result} ${r.actor}`),
      ['isolate done web:page'],
      'one row: the declined click did nothing',
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'respond-isolate.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
    await srv.close();
    store.close();
    await c.remove({ force: true }).catch(() => {});
    await net.remove().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with response off the API says so and refuses to act, even where the policy would allow it; only JSON is taken', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-respond-off-'));
  const store = openStore(dir);
  const alertId = createAlertPipeline({ store }).process([finding({})]).created[0]!.id;
  const { policy } = applyUserPolicy(emptyPolicy(), "strategies:\n  '*':\n    - rules: ['*']\n      allow: [isolate]\n", 'off-policy.yaml');
  assert.equal(policy.mode, 'off');
  const srv = await startServer({ store, port: 0, responder: createResponder({ store, policy, dataDir: dir, selfIds: [] }) });
  try {
    const base = srv.url.replace(/\/$/, '');
    const mode = (await (await fetch(`${base}/api/respond`)).json()) as { mode: string };
    assert.equal(mode.mode, 'off');
    const post = await fetch(`${base}/api/alerts/${alertId}/respond`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'isolate' }),
    });
    const body = (await post.json()) as { record: { result: string; detail: string } };
    assert.equal(body.record.result, 'refused');
    assert.match(body.record.detail, /response mode is off/);
    assert.equal(store.getAlert(alertId)!.response.length, 1, 'the refusal is on the trail');
    const bad = await fetch(`${base}/api/alerts/${alertId}/respond`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'rm -rf' }),
    });
    assert.equal(bad.status, 400);
    const form = await fetch(`${base}/api/alerts/${alertId}/respond`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=isolate',
    });
    assert.equal(form.status, 415, 'a cross-site form cannot trigger containment');
  } finally {
    await srv.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
