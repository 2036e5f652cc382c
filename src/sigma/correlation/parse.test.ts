import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCorrelation } from './parse.js';
import { parseDuration } from './timespan.js';

const ctx = { file: 'mem.yml', line: 1 };
const doc = (text: string) => parseYaml(text) as Record<string, unknown>;

test('parses an event_count correlation into a typed rule', () => {
  const { rule, diagnostics } = parseCorrelation(
    doc(`
title: Many failed logins
id: 0e95725d-7320-415d-80f7-004da920fc11
name: many_failed
level: high
tags: [attack.t1110]
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [host.name]
  timespan: 90m
  condition: { gte: 10 }
`),
    ctx,
  );
  assert.deepEqual(diagnostics, []);
  assert.ok(rule);
  assert.equal(rule.type, 'event_count');
  assert.equal(rule.timespanMs, 90 * 60_000);
  assert.deepEqual(rule.condition, { gte: 10 });
  assert.deepEqual(rule.groupBy, ['host.name']);
  assert.equal(rule.generate, false);
  assert.equal(rule.meta.kind, 'correlation');
  assert.equal(rule.meta.level, 'high');
  assert.equal(rule.meta.id, '0e95725d-7320-415d-80f7-004da920fc11');
  assert.deepEqual(rule.meta.tags, ['attack.t1110']);
});

test('value types need condition.field; ranges are kept as AND-ed comparisons', () => {
  const ok = parseCorrelation(
    doc(`
title: t
correlation: { type: value_count, rules: [a], group-by: [h], timespan: 1d, condition: { field: [user.name, host.name], gt: 100, lte: 200 } }
`),
    ctx,
  );
  assert.deepEqual(ok.diagnostics, []);
  assert.deepEqual(ok.rule?.field, ['user.name', 'host.name']);
  assert.deepEqual(ok.rule?.condition, { gt: 100, lte: 200 });

  const bad = parseCorrelation(doc(`title: t\ncorrelation: { type: value_sum, rules: [a], group-by: [h], timespan: 1h, condition: { gt: 5 } }`), ctx);
  assert.equal(bad.rule, undefined);
  assert.deepEqual(
    bad.diagnostics.map((d) => d.code),
    ['missing-condition-field'],
  );
});

test('every problem is a diagnostic with file, line and rule, never an exception', () => {
  const cases: Array<[string, string]> = [
    ['correlation: { type: event_sum, rules: [a], group-by: [h], timespan: 1h, condition: { gt: 1 } }', 'unknown-correlation-type'],
    ['correlation: { type: event_count, rules: [a], group-by: [h], condition: { gt: 1 } }', 'missing-timespan'],
    ['correlation: { type: event_count, rules: [a], group-by: [h], timespan: 1H, condition: { gt: 1 } }', 'bad-timespan'],
    ['correlation: { type: event_count, rules: [a], group-by: [h], timespan: 5 minutes, condition: { gt: 1 } }', 'bad-timespan'],
    ['correlation: { type: event_count, rules: [], group-by: [h], timespan: 1h, condition: { gt: 1 } }', 'missing-rules'],
    ['correlation: { type: event_count, rules: [a], group-by: [h], timespan: 1h }', 'missing-condition'],
    ['correlation: { type: event_count, rules: [a], group-by: [h], timespan: 1h, condition: { more: 1 } }', 'unknown-condition-operator'],
    ['correlation: { type: event_count, rules: [a], group-by: [h], timespan: 1h, condition: { gt: many } }', 'bad-condition'],
    ['correlation: { type: event_count, rules: [a], group-by: [h], timespan: 1h, condition: { gt: 1, field: x } }', 'unexpected-condition-field'],
    ['correlation: { type: temporal_ordered, rules: [a, b], group-by: [h], timespan: 1h, condition: { gte: 1 } }', 'unsupported-condition'],
    ['correlation: { type: temporal, rules: [a, b], group-by: [h], timespan: 1h, condition: { lt: 2 } }', 'unsupported-condition'],
    ['correlation: { type: temporal_ordered, rules: [a], group-by: [h], timespan: 1h }', 'bad-rules'],
    ['correlation: [1, 2]', 'bad-correlation'],
    ['correlation: { type: temporal, rules: [a, b], group-by: [h], timespan: 1h }\ngenerate: maybe', 'bad-generate'],
  ];
  for (const [body, code] of cases) {
    const r = parseCorrelation(doc(`title: broken\nid: r1\n${body}`), ctx);
    assert.equal(r.rule, undefined, body);
    const d = r.diagnostics.find((x) => x.code === code);
    assert.ok(d, `${body} → expected ${code}, got ${r.diagnostics.map((x) => x.code).join(',')}`);
    assert.equal(d.severity, 'error');
    assert.equal(d.file, 'mem.yml');
    assert.equal(d.line, 1);
    assert.equal(d.rule, 'r1');
  }
});

test('temporal types imply "all rules"; aliases and generate are read from either place', () => {
  const { rule, diagnostics } = parseCorrelation(
    doc(`
title: t
generate: true
correlation:
  type: temporal
  rules: [internal_error, new_network_connection]
  group-by: [internal_ip]
  timespan: 10s
  aliases:
    internal_ip: { internal_error: destination.ip, new_network_connection: source.ip }
`),
    ctx,
  );
  assert.deepEqual(diagnostics, []);
  assert.equal(rule?.condition, undefined);
  assert.equal(rule?.generate, true);
  assert.deepEqual(rule?.aliases, { internal_ip: { internal_error: 'destination.ip', new_network_connection: 'source.ip' } });
  const inner = parseCorrelation(doc('title: t\ncorrelation: { type: temporal, rules: [a, b], group-by: [h], timespan: 1m, generate: true }'), ctx);
  assert.equal(inner.rule?.generate, true);
});

test('durations', () => {
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('0s'), 0);
  assert.equal(parseDuration('5 parsecs'), undefined);
});

test('the specification examples of every correlation type parse cleanly', (t) => {
  const dir = '../shared/sigma-spec/tests/schema/correlation';
  if (!existsSync(dir)) {
    t.skip(`SKIPPED LOUDLY: ${dir} is absent; cannot check the specification examples`);
    return;
  }
  const seen = new Set<string>();
  for (const f of readdirSync(dir)) {
    const r = parseCorrelation(doc(readFileSync(join(dir, f), 'utf8')), { file: f });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
      f,
    );
    assert.ok(r.rule, f);
    seen.add(r.rule.type);
  }
  assert.equal(seen.size, 7);
});

test('property: any document shape gives a rule or diagnostics, never an exception', async () => {
  const fc = await import('fast-check');
  const anyValue = fc.anything({ maxDepth: 3 });
  const field = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: keys.length });
  const body = fc.oneof(anyValue, field(['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate', 'extra']));
  fc.assert(
    fc.property(field(['title', 'id', 'name', 'level', 'tags', 'generate', 'falsepositives']), body, (top, correlation) => {
      const r = parseCorrelation({ ...top, correlation }, ctx);
      assert.ok(r.rule !== undefined || r.diagnostics.some((d) => d.severity === 'error'));
      for (const d of r.diagnostics) assert.equal(d.file, 'mem.yml');
    }),
    { numRuns: 2000 },
  );
});
