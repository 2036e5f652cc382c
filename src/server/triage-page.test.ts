/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Triage at volume in a real Chromium over a real SQLite store: 10,000 alerts paged by cursor,
// charts, grouping, bulk acknowledge, a correlation alert in words, "add exception from this
// alert" suppressing a repeat through the real alert path, and the layout at 1440 and 900 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from './testing-browser.js';
import { startServer } from './http.js';
import { coverageOf } from './coverage.js';
import { openStore } from '../sinks/store/index.js';
import { buildAlert } from '../alerts/build.js';
import { finding } from '../alerts/fixtures.js';
import { loadExceptions } from '../alerts/exceptions.js';
import { createAlertPath } from '../runtime/alerts.js';
import { createEngine } from '../engine/engine.js';
import { loadEngineRules } from '../engine/rules.js';
import type { Alert, Finding, Level, RuleMeta } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';

const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');

/** Polls from Node (the page's CSP forbids evaluating strings in it) until check() holds. */
async function pageUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`page: gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const text = (page: Page, testid: string): Promise<string> =>
  page
    .getByTestId(testid)
    .first()
    .innerText()
    .catch(() => '');

// A base rule and a correlation over it, loaded and run by the real engine.
const RULES = `
title: Failed login in a container
id: 6d1c2a10-0000-4000-8000-00000000f001
name: failed_login
description: A login inside a container failed; a burst of these is someone guessing passwords from a shell they already have.
falsepositives:
  - A user mistyping a password once or twice
logsource: { product: stowaway-test, category: authentication }
detection:
  selection:
    event.action: user-login
    event.outcome: failure
  condition: selection
level: low
---
title: Password guessing inside a container
id: 6d1c2a10-0000-4000-8000-00000000f002
description: Three or more failed logins on one host within five minutes.
level: high
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [host.name]
  timespan: 5m
  generate: true
  condition:
    gte: 3
`;

function loginEvent(t: string, host: string, image: string): StowawayEvent {
  return {
    '@timestamp': t,
    event: { kind: 'event', category: ['authentication'], action: 'user-login', outcome: 'failure' },
    stowaway: { source: 'auditd', logsource: { product: 'stowaway-test', category: 'authentication' } },
    host: { name: host },
    container: { id: `${host}-c0ffee00c0ffee00`, name: `shell-${host}`, image: { name: image, tag: '2.1' } },
    process: { pid: 77, executable: '/usr/sbin/sshd', command_line: 'sshd: root [priv]' },
    user: { name: 'root' },
  };
}

const RULE_TITLES = [
  'Reverse shell from a container spawned through an interpreter',
  'Privileged container created',
  'Docker socket mounted into a container',
  'Kubernetes workload requests a hostPath',
  'Package manager run in a running container',
  'Outbound transfer to a rare destination',
];
const LEVELS: Level[] = ['low', 'medium', 'high', 'critical'];
/** Rules under the last tactics, so the matrix must reach Impact. */
const EXTRA_RULES: RuleMeta[] = [
  { id: 'x-exfil', title: 'Archive uploaded', kind: 'sigma', level: 'high', tags: ['attack.exfiltration', 'attack.t1048'] },
  { id: 'x-impact', title: 'Wiper', kind: 'sigma', level: 'high', tags: ['attack.impact', 'attack.t1485'] },
];

/** 10,000 alerts over two days, 6 rules, 8 hosts, 5 images; one with a long unbreakable path. */
function volume(): Alert[] {
  const out: Alert[] = [];
  const t0 = Date.UTC(2026, 10, 20, 0, 0);
  for (let i = 0; i < 10_000; i++) {
    const r = i % RULE_TITLES.length;
    const f = finding({
      time: new Date(t0 + i * 17_000 + (i % 13) * 1000).toISOString(),
      host: `node-${i % 8}`,
      id: `${(i + 4096).toString(16).padStart(8, '0')}aa55`,
      name: `app-${i % 50}`,
      image: `registry.example.net/team/service-${i % 5}`,
      rule: { id: `vol-rule-${r}`, title: RULE_TITLES[r]!, level: LEVELS[i % 4]!, tags: ['attack.execution', 'attack.t1059'] },
    });
    if (i === 9_999) {
      f.events[0]!.container!.name = 'app-longpath';
      f.events[0]!.container!.image = {
        name: `registry.example.net/${'platform-team-'.repeat(6)}/reverse-shell-payload-loader-image-without-any-spaces`,
        tag: '1.0',
      };
      f.events[0]!.process!.command_line = `/var/lib/docker/overlay2/${'9f'.repeat(32)}/merged/usr/local/lib/python3.12/site-packages/reverse_shell_payload_loader_without_any_spaces.py`;
    }
    out.push(buildAlert(f, { newId: () => `vol-${String(i).padStart(5, '0')}-${'0'.repeat(24)}` }));
  }
  return out;
}

/** No rendered prose word is split over two lines ("reverse shel ls"): each word's range sits on one line box. */
function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const els = document.querySelectorAll('.prose, .detail p, .detail li, .detail h2, td.summary .prose');
    for (const el of els) {
      if (getComputedStyle(el).wordBreak !== 'normal') broken.push(`word-break ${getComputedStyle(el).wordBreak} on ${el.className || el.tagName}`);
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const s = n.textContent ?? '';
        // Words of prose only: a long path or image reference has no word boundary and must wrap somewhere.
        for (const m of s.matchAll(/(?<=^|[\s(])[A-Za-z]{3,24}(?=[\s.,:;)]|$)/g)) {
          const range = document.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size > 1) broken.push(m[0]);
        }
      }
    }
    return broken;
  });
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('triage at volume: paging 10,000 alerts, charts, grouping, bulk acknowledge, correlation in words, exception from an alert, layout', async (t) => {
  if (!existsSync(CHROMIUM)) {
    console.error(`SKIP triage page test: ${CHROMIUM} not found (run scripts/test-env.sh)`);
    t.skip('chromium not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-triage-'));
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(join(rulesDir, 'login.yml'), RULES);
  const store = openStore(dir);
  store.writeAlerts({ insert: volume() });

  // The real engine and alert path (which reads <data-dir>/exceptions.yaml) over the same store.
  const rules = await loadEngineRules({ rules: [rulesDir] });
  assert.deepEqual(
    rules.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const engine = createEngine({ ruleset: rules.ruleset, correlations: rules.correlations, knownRules: rules.knownRules, fieldPaths: rules.fieldPaths });
  const lint: string[] = [];
  const { pipeline } = createAlertPath({ dataDir: dir }, store, { catalog: { forRule: () => undefined } }, (d) => lint.push(d.message));
  const run = (events: StowawayEvent[]): Finding[] => {
    const fs = events.flatMap((e) => engine.process(e));
    pipeline.process(fs);
    return fs;
  };
  const day = '2026-11-22T12:';
  const first = run([
    loginEvent(`${day}01:03.000Z`, 'node-7', 'ghcr.io/acme/api'),
    loginEvent(`${day}02:30.000Z`, 'node-7', 'ghcr.io/acme/api'),
    loginEvent(`${day}04:10.000Z`, 'node-7', 'ghcr.io/acme/api'),
  ]);
  assert.equal(first.filter((f) => f.rule.kind === 'correlation').length, 1, 'the correlation fired on the third failed login');
  const total = store.queryAlerts({ limit: 1 }).total;

  const srv = await startServer({
    store,
    port: 0,
    pollMs: 200,
    coverage: () =>
      coverageOf([
        ...RULE_TITLES.map((title, i): RuleMeta => ({
          id: `vol-rule-${i}`,
          title,
          kind: 'sigma' as const,
          level: 'high',
          tags: ['attack.execution', 'attack.t1059'],
        })),
        ...EXTRA_RULES,
      ]),
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // ---- paging: time to first rows, then time per page, printed (never asserted)
    const t0 = performance.now();
    await page.goto(srv.url);
    await page.getByTestId('alert-row').first().waitFor();
    const firstRows = performance.now() - t0;
    assert.equal(await page.getByTestId('alert-row').count(), 100);
    assert.match(await text(page, 'list-note'), new RegExp(`^1–100 of ${total} alerts`));
    const seen = new Set<string>();
    const pageTimes: number[] = [];
    for (let p = 0; p < 10; p++) {
      const ids = await page.locator('[data-testid=alert-row]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.id!));
      for (const id of ids) {
        assert.ok(!seen.has(id), `alert ${id} shown on two pages`);
        seen.add(id);
      }
      const s = performance.now();
      await page.getByTestId('page-next').click();
      await pageUntil(`page ${p + 2}`, async () => (await page.getByTestId('list-note').getAttribute('data-page')) === String(p + 1));
      await page.getByTestId('alert-row').first().waitFor();
      pageTimes.push(performance.now() - s);
    }
    assert.equal(seen.size, 1000);
    assert.match(await text(page, 'list-note'), new RegExp(`^1001–1100 of ${total} alerts`));
    const avg = pageTimes.reduce((a, b) => a + b, 0) / pageTimes.length;
    console.log(
      `triage page over ${total} stored alerts: first rows after ${firstRows.toFixed(0)} ms; per page ${avg.toFixed(0)} ms on average (${pageTimes.map((x) => x.toFixed(0)).join(', ')} ms)`,
    );
    await page.getByTestId('page-prev').click();
    await pageUntil('back a page', async () => (await page.getByTestId('list-note').getAttribute('data-page')) === '9');

    // ---- charts: the volume bars add up to every alert; per rule and per host rank them
    await page.goto(srv.url);
    await page.getByTestId('chart-volume').locator('[data-testid=volume-bar]').first().waitFor();
    const bars = await page.getByTestId('volume-bar').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-alerts'))));
    assert.equal(
      bars.reduce((a, b) => a + b, 0),
      total,
      'every alert is in one bar',
    );
    assert.ok(bars.length > 10 && bars.length <= 60, `${bars.length} bars`);
    assert.match(await text(page, 'chart-rules'), /Reverse shell from a container/);
    assert.equal(await page.getByTestId('chart-hosts').locator('li').count(), 8, 'eight hosts (node-7 also has the login alerts)');
    await page.screenshot({ path: join(ARTIFACTS, 'triage-1440-list.png') });

    // ---- grouping by rule: counts add up; a group filters the list to it
    await page.getByTestId('group-by').selectOption('rule');
    await pageUntil('groups', async () => (await page.getByTestId('group-row').count()) === 8);
    const groupText = await page.getByTestId('group-table').innerText();
    assert.match(groupText, /Reverse shell from a container spawned through an interpreter\s+1667/);
    await page.getByTestId('group-by').selectOption('host');
    await pageUntil('host groups', async () => (await page.getByTestId('group-row').count()) === 8);
    await page.screenshot({ path: join(ARTIFACTS, 'triage-group-host.png') });
    await page.getByTestId('group-row').filter({ hasText: 'node-3' }).click();
    await pageUntil('node-3 alerts', async () => /^1–100 of 1250 alerts/.test(await text(page, 'list-note')));

    // ---- bulk acknowledge: every row of the page, one request
    await page.getByTestId('check-all').check();
    assert.match(await text(page, 'bulk-count'), /100 alerts selected/);
    await page.getByTestId('bulk-note').fill('scanner noise on node-3');
    await page.getByTestId('bulk-ack').click();
    await pageUntil('bulk result', async () => /100 alerts set to acknowledged/.test(await text(page, 'bulk-result')));
    const acked = store.queryAlerts({ status: ['acknowledged'], limit: 1000 });
    assert.equal(acked.total, 100);
    assert.ok(acked.alerts.every((a) => a.entity.host === 'node-3' && a.note === 'scanner noise on node-3'));
    await page.screenshot({ path: join(ARTIFACTS, 'triage-bulk-ack.png') });

    // ---- a correlation alert: its members and window in words, not rule UUIDs
    await page.goto(`${srv.url}#alerts?q=Password guessing`);
    await pageUntil('the correlation alert', async () => (await page.getByTestId('alert-row').count()) === 1);
    await page.getByTestId('alert-row').first().click();
    await page.getByTestId('correlation-words').waitFor();
    const words = await text(page, 'correlation-words');
    assert.equal(words, '3 events of Failed login in a container from host node-7 within 5 minutes (condition gte 3), 12:01:03–12:04:10 on 2026-11-22.');
    assert.doesNotMatch(words, /6d1c2a10/, 'no rule UUID');
    assert.equal(await page.getByTestId('correlation-members').locator('li').count(), 3);
    assert.match(await text(page, 'correlation-members'), /12:01:03 · user-login · shell-node-7 · sshd: root \[priv\] · by root/);
    assert.match(await text(page, 'rule-description'), /Three or more failed logins/);
    await page.screenshot({ path: join(ARTIFACTS, 'triage-correlation.png') });

    // ---- why a Sigma alert fired: description, known false positives, matched field/value pairs
    await page.goto(`${srv.url}#alerts?rule=6d1c2a10-0000-4000-8000-00000000f001`);
    await pageUntil('the base alert', async () => (await page.getByTestId('alert-row').count()) === 1);
    await page.getByTestId('alert-row').first().click();
    await page.getByTestId('matched-pair').first().waitFor();
    const pairs = await page.getByTestId('matched-pair').allInnerTexts();
    assert.deepEqual(
      pairs.map((p) => p.split('\t').map((x) => x.trim())),
      [
        ['event.action', '= "user-login"', 'user-login'],
        ['event.outcome', '= "failure"', 'failure'],
      ],
    );
    assert.match(await text(page, 'rule-falsepositives'), /mistyping a password/);

    // ---- add exception from this alert: a linted entry in <data-dir>/exceptions.yaml, then a repeat is quiet
    await page.getByTestId('exception-reason').fill('acme api login tests run a wrong-password case');
    await page.getByTestId('btn-exception').click();
    await pageUntil('exception written', async () => /written to/.test(await text(page, 'exception-result')));
    const file = join(dir, 'exceptions.yaml');
    const set = loadExceptions(file);
    assert.deepEqual(
      set.diagnostics.filter((d) => d.severity === 'error'),
      [],
      'the written file lints clean',
    );
    assert.equal(set.exceptions.length, 1);
    assert.equal(set.exceptions[0]!.rule, '6d1c2a10-0000-4000-8000-00000000f001');
    assert.deepEqual(set.exceptions[0]!.scope, { image: ['ghcr.io/acme/api:2.1'] });
    assert.match(readFileSync(file, 'utf8'), /reason: acme api login tests run a wrong-password case/);
    await page.screenshot({ path: join(ARTIFACTS, 'triage-exception.png') });

    // The running alert path picks the file up (no restart): an hour later the same login fails again.
    await new Promise((r) => setTimeout(r, 1100));
    const before = store.queryAlerts({ rule: '6d1c2a10-0000-4000-8000-00000000f001', limit: 10 });
    const excepted = pipeline.stats().excepted;
    run([loginEvent('2026-11-22T13:30:00.000Z', 'node-7', 'ghcr.io/acme/api')]);
    assert.equal(pipeline.stats().excepted, excepted + 1, 'the repeat was excepted (counted)');
    const after = store.queryAlerts({ rule: '6d1c2a10-0000-4000-8000-00000000f001', limit: 10 });
    assert.equal(after.total, before.total, 'no new alert for the repeat');
    assert.equal(after.alerts[0]!.count, before.alerts[0]!.count, 'nor merged into the old one');
    // The same failure from another image is not covered by the exception: it alerts.
    run([loginEvent('2026-11-22T13:31:00.000Z', 'node-7', 'ghcr.io/acme/other')]);
    assert.equal(store.queryAlerts({ rule: '6d1c2a10-0000-4000-8000-00000000f001', limit: 10 }).total, before.total + 1, 'other workloads still alert');
    assert.equal(store.counters('exception.')[`exception.${set.exceptions[0]!.id}`], 1);

    // ---- coverage: every tactic, shaded by alerts, cells link to the filtered list
    await page.getByTestId('tab-coverage').click();
    await page.getByTestId('coverage-cell').first().waitFor();
    const tactics = await page.getByTestId('coverage-tactic').locator('h4').allInnerTexts();
    assert.equal(tactics.length, 14, tactics.join(', '));
    assert.equal(tactics[tactics.length - 1]!.toLowerCase(), 'impact');
    const matrixBox = (await page.getByTestId('coverage-matrix').boundingBox())!;
    assert.ok(matrixBox.x + matrixBox.width <= 1440, 'the matrix scrolls inside its box');
    const heat = await page
      .getByTestId('coverage-cell')
      .evaluateAll((els) =>
        els.map((e): [string, string, string] => [e.textContent ?? '', e.getAttribute('class') ?? '', e.getAttribute('data-alerts') ?? '']),
      );
    const t1059 = heat.find(([t]) => t.startsWith('T1059'))!;
    assert.match(t1059[1], /heat-4/);
    assert.equal(t1059[2], String(10_000));
    assert.match(heat.find(([t]) => t.startsWith('T1485'))![1], /heat-0/);
    await page.screenshot({ path: join(ARTIFACTS, 'triage-coverage.png') });
    await page.getByTestId('coverage-cell').filter({ hasText: 'T1059' }).click();
    await pageUntil('technique filter', async () => new RegExp(`^1–100 of 10000 alerts`).test(await text(page, 'list-note')));
    assert.equal(await page.getByTestId('f-technique').inputValue(), 'T1059');

    // ---- layout at 1440×900 and 900×900: no horizontal overflow, detail beside or below the list, no broken words
    for (const width of [1440, 900]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${srv.url}#alerts?q=app-longpath`);
      await pageUntil('the long-path alert', async () => (await page.getByTestId('alert-row').count()) === 1);
      await page.getByTestId('alert-row').first().click();
      await page.getByTestId('alert-summary').waitFor();
      await page.getByTestId('f-text').fill('');
      await pageUntil('the full list', async () => (await page.getByTestId('alert-row').count()) === 100);
      const [scrollW, innerW] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scrollW <= innerW, `${width}px: page ${scrollW} px wide in a ${innerW} px window`);
      const list = (await page.locator('.list').boundingBox())!;
      const detail = (await page.getByTestId('alert-detail').boundingBox())!;
      assert.ok(!overlap(list, detail), `${width}px: the detail panel does not cover the list (${JSON.stringify({ list, detail })})`);
      if (width === 1440) assert.ok(list.x + list.width <= detail.x, 'side by side');
      else assert.ok(detail.y + detail.height <= list.y || detail.y >= list.y + list.height, 'stacked');
      const status = (await page.locator('#alert-table thead th').last().boundingBox())!;
      assert.ok(status.x + status.width <= list.x + list.width + 1 && status.x + status.width <= width, `${width}px: the status column is visible`);
      assert.deepEqual(await brokenWords(page), [], `${width}px: no word broken across lines`);
      await page.screenshot({ path: join(ARTIFACTS, `triage-${width}-detail.png`) });

      // A second alert opens at its top, not at the first one's scroll position.
      await page.getByTestId('alert-detail').evaluate((d) => {
        d.scrollTop = d.scrollHeight;
      });
      await page.getByTestId('alert-row').nth(5).click();
      await pageUntil(
        'the second alert',
        async () => (await text(page, 'alert-summary')).length > 0 && (await page.getByTestId('alert-detail').evaluate((d) => d.scrollTop)) === 0,
      );
      const title = (await page.getByTestId('alert-summary').boundingBox())!;
      assert.ok(title.y >= 0 && title.y < 900, `${width}px: the second alert's title is in view (y ${title.y})`);
      if (width === 900) {
        await page.getByTestId('detail-close').click();
        await pageUntil('panel closed', async () => !(await page.getByTestId('alert-detail').isVisible()));
      }
    }
    assert.deepEqual(errors, [], 'no script errors on the page');
    assert.deepEqual(lint, [], 'the exceptions file never linted with problems');
  } finally {
    await browser?.close();
    await srv.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
