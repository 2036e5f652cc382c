import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../sinks/store/index.js';
import { createAlertPipeline } from '../alerts/pipeline.js';
import { loadContent, defaultContentDir } from './content.js';
import { findScenarios, readScenarioEvents, replayScenarios } from './replay.js';

test('demo replay: shipped scenarios go through the real engine and pipeline into the store', async (t) => {
  const dir = defaultContentDir();
  if (!existsSync(join(dir, 'strategies'))) {
    console.error(`SKIP demo replay test: no shipped content under ${dir}`);
    t.skip('no content');
    return;
  }
  const store = openStore(':memory:');
  try {
    const content = await loadContent({ db: store.db });
    assert.ok(content.counts.rules > 0, 'built-in rules load');
    const { scenarios, diagnostics } = await findScenarios(dir);
    assert.deepEqual(diagnostics, []);
    assert.ok(scenarios.length > 0, 'scenarios found');
    for (const s of scenarios)
      assert.ok(
        s.inputs.every((i) => !i.file.endsWith('.inspect.json')),
        'inspect dumps are context, not telemetry',
      );
    const pipeline = createAlertPipeline({ store, catalog: content.catalog });
    const report = await replayScenarios(content, pipeline);
    assert.equal(report.scenarios, scenarios.length);
    assert.ok(report.events > 0);
    assert.ok(report.alerts > 0, 'attack scenarios raise alerts');
    const st = pipeline.stats();
    assert.equal(st.findings, report.findings);
    assert.equal(store.queryAlerts().total, st.created);
    const counted = store.queryAlerts({ limit: 1000 }).alerts.reduce((n, a) => n + a.count + (a.held_back ?? 0), 0);
    assert.equal(counted + st.excepted, report.findings, 'every finding is on an alert, held back, or excepted');
    console.error(`demo replay: ${report.scenarios} scenarios, ${report.events} events, ${report.findings} findings, ${st.created} alerts`);
  } finally {
    store.close();
  }
});

test('replayed events without a host name carry their recording as host; a host the telemetry names is kept', async (t) => {
  if (!existsSync(join(defaultContentDir(), 'strategies'))) {
    t.skip('no content');
    return;
  }
  const { scenarios } = await findScenarios(defaultContentDir());
  const k8s = scenarios.find((s) => s.inputs.some((i) => i.format === 'k8s-audit'))!;
  const { events } = await readScenarioEvents(k8s);
  assert.ok(events.length > 0);
  assert.ok(
    events.every((e) => e.host?.name === `replay-${k8s.name}`),
    'Kubernetes audit lines name no host: the recording is the host',
  );
  const win = scenarios.find((s) => s.inputs.some((i) => i.format === 'sysmon' || i.format === 'winlog'));
  if (win) {
    const w = await readScenarioEvents(win);
    assert.ok(
      w.events.some((e) => e.host?.name && !e.host.name.startsWith('replay-')),
      'a host the telemetry names is kept',
    );
  }
});
