import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SensorWatch, checkSources, withSensorRules, SENSOR_RULES } from './sensor.js';
import { loadStrategies } from '../ads/catalog.js';
import { buildAlert } from './build.js';

const src = (name: string, events: number, dropped = 0, lag_s?: number) => ({
  name,
  started: true,
  stats: { events, errors: 0, dropped, unattributed: 0, lag_s },
});

test('sensor watch: loss, lag, silence and removed audit rules each raise one finding while they last', () => {
  const w = new SensorWatch({ silenceMs: 60_000, maxLagS: 30 });
  const t0 = Date.parse('2026-05-01T00:00:00Z');
  assert.deepEqual(w.check(t0, [src('docker', 10), src('auditd', 100)], 12), []);
  // audit rules deleted (auditctl -D), and the audit source starts dropping
  const f1 = w.check(t0 + 10_000, [src('docker', 12), src('auditd', 150, 7)], 0);
  assert.deepEqual(f1.map((f) => f.rule.id).sort(), ['stowaway-sensor-audit-rules-removed', 'stowaway-sensor-losing']);
  assert.match(f1.find((f) => f.rule.id.endsWith('removed'))!.events[0]!.message!, /12 of 12 stowaway audit rules/);
  // still removed, no new loss: no repeat while the gap stays open
  assert.deepEqual(w.check(t0 + 20_000, [src('docker', 12), src('auditd', 160, 7)], 0), []);
  assert.deepEqual(
    w.gaps().map((g) => g.condition),
    ['audit-rules-removed'],
  );
  // docker goes quiet after having delivered events, and auditd falls behind
  const f2 = w.check(t0 + 90_000, [src('docker', 12), src('auditd', 170, 7, 45)], 12);
  assert.deepEqual(f2.map((f) => [f.rule.id, f.group?.source]).sort(), [
    ['stowaway-sensor-lagging', 'auditd'],
    ['stowaway-sensor-silent', 'docker'],
  ]);
  assert.deepEqual(
    w
      .gaps()
      .map((g) => `${g.source}:${g.condition}`)
      .sort(),
    ['auditd:lagging', 'docker:silent'],
  );
  // a source that never delivered anything is not "silent": it may simply have nothing to say
  assert.deepEqual(w.check(t0 + 200_000, [src('k8s-audit', 0)]), []);
  assert.equal(w.counts['audit-rules-removed'], 1);
});

test('sensor findings become alerts of ADS-0002 with their T1562 technique', async () => {
  const { catalog } = await loadStrategies();
  const lookup = withSensorRules(catalog);
  const w = new SensorWatch();
  w.check(0, [src('auditd', 1)], 10);
  const [f] = w.check(1000, [src('auditd', 2)], 3);
  const a = buildAlert(f!, { catalog: lookup });
  assert.equal(a.strategy?.id, 'ADS-0002');
  assert.deepEqual(
    a.attack.map((x) => x.technique),
    ['T1562.012'],
  );
  assert.equal(a.rule.title, SENSOR_RULES['audit-rules-removed'].title);
});

test('sensor sources: the audit source is stopped when its daemon is gone, a source that says so is stopped', () => {
  const w = new SensorWatch();
  const t0 = Date.parse('2026-05-01T00:00:00Z');
  let daemon: boolean | undefined = true;
  const audit = { daemonRunning: () => daemon, rules: () => 12 };
  const running = [src('docker', 1), src('auditd', 5)];
  assert.deepEqual(checkSources(w, t0, running, audit), []);
  // auditd killed: the kernel keeps its rules, nothing writes the log
  daemon = false;
  const f = checkSources(w, t0 + 10_000, running, audit);
  assert.deepEqual(
    f.map((x) => [x.rule.id, x.group?.source]),
    [['stowaway-sensor-stopped', 'auditd']],
  );
  // unknown (auditctl missing) is not reported as stopped, and the gap closes
  daemon = undefined;
  assert.deepEqual(checkSources(w, t0 + 20_000, running, audit), []);
  assert.deepEqual(w.gaps(), []);
  const broken = [{ ...src('docker', 1), stats: { ...src('docker', 1).stats, stopped: true } }, src('auditd', 5)];
  assert.deepEqual(
    checkSources(w, t0 + 30_000, broken, audit).map((x) => [x.rule.id, x.group?.source]),
    [['stowaway-sensor-stopped', 'docker']],
  );
});
