// Correlation semantics per type, driven through the engine runtime with a tiny
// rule set whose matches are named on the event (`hits`), so each test reads as a
// timeline. The real Sigma loader is exercised in correlation.loader.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { parseCorrelation } from '../../sigma/correlation/parse.js';
import type { BaseMatch, CorrelationRule } from '../../sigma/correlation/types.js';
import type { Finding, RuleMeta } from '../../model/alert.js';
import type { StowawayEvent } from '../../model/event.js';
import { createEngine, type EngineOptions } from '../engine.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function corr(yaml: string): CorrelationRule {
  const { rule, diagnostics } = parseCorrelation(parseYaml(yaml) as Record<string, unknown>, { file: 'test.yml' });
  assert.ok(rule, JSON.stringify(diagnostics));
  return rule;
}

function meta(name: string): RuleMeta {
  return { id: `${name}-id`, name, title: name, kind: 'sigma', level: 'low', tags: [] };
}

/** Matches are whatever the event says it hit; generate is switched by the engine. */
function fakeRuleSet() {
  const generate = new Map<string, boolean>();
  return {
    generate,
    match(ev: StowawayEvent): BaseMatch[] {
      return ((ev.hits as string[] | undefined) ?? []).map((n) => ({
        rule: meta(n),
        selections: ['selection'],
        generate: generate.get(n) ?? generate.get(`${n}-id`) ?? true,
      }));
    },
    setGenerate(ref: string, g: boolean) {
      generate.set(ref, g);
    },
  };
}

function ev(sec: number, hits: string[], extra: Record<string, unknown> = {}): StowawayEvent {
  return { '@timestamp': new Date(T0 + sec * 1000).toISOString(), event: {}, stowaway: { source: 'test', logsource: {} }, hits, ...extra };
}

function run(rules: CorrelationRule[], events: StowawayEvent[], opts: Partial<EngineOptions> = {}) {
  const ruleset = fakeRuleSet();
  const engine = createEngine({ ruleset, correlations: rules, ...opts });
  const findings: Finding[] = [];
  for (const e of events) findings.push(...engine.process(e));
  findings.push(...engine.flush());
  return { findings, corr: findings.filter((f) => f.rule.kind === 'correlation'), stats: engine.stats(), engine, ruleset };
}

const host = (name: string) => ({ host: { name } });

const eventCount = corr(`
title: Many failed logins
id: ec
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [host.name]
  timespan: 60s
  condition: { gte: 3 }
level: high
`);

test('event_count: fires once per burst, per group, with count and window', () => {
  const { corr: found } = run(
    [eventCount],
    [
      ev(0, ['failed_login'], host('a')),
      ev(10, ['failed_login'], host('b')),
      ev(20, ['failed_login'], host('a')),
      ev(30, ['failed_login'], host('a')),
      ev(31, ['failed_login'], host('a')),
    ],
  );
  assert.equal(found.length, 1);
  const f = found[0]!;
  assert.equal(f.rule.id, 'ec');
  assert.equal(f.rule.level, 'high');
  assert.deepEqual(f.group, { 'host.name': 'a' });
  assert.equal(f.details?.count, 3);
  assert.equal(f.details?.window_start, '2026-01-01T00:00:00.000Z');
  assert.equal(f.details?.window_end, '2026-01-01T00:00:30.000Z');
  assert.equal(f.time, '2026-01-01T00:00:30.000Z');
  assert.equal(f.events.length, 3);
});

test('event_count window edges: exactly the timespan apart is inside, a millisecond more is outside', () => {
  const at = (ms: number) => ({ ...ev(0, ['failed_login'], host('a')), '@timestamp': new Date(T0 + ms).toISOString() }) as StowawayEvent;
  assert.equal(run([eventCount], [at(0), at(30_000), at(60_000)]).corr.length, 1);
  assert.equal(run([eventCount], [at(0), at(30_000), at(60_001)]).corr.length, 0);
});

test('generate false (default): the referenced rule raises no findings of its own; generate true keeps them', () => {
  const quiet = run([eventCount], [ev(0, ['failed_login'], host('a')), ev(1, ['other'], host('a'))]);
  assert.deepEqual(
    quiet.findings.map((f) => f.rule.name),
    ['other'],
  );
  assert.equal(quiet.ruleset.generate.get('failed_login'), false);
  const loud = run(
    [
      corr(
        `title: t\nid: g\ngenerate: true\ncorrelation: { type: event_count, rules: [failed_login], group-by: [host.name], timespan: 1m, condition: { gte: 2 } }`,
      ),
    ],
    [ev(0, ['failed_login'], host('a')), ev(1, ['failed_login'], host('a'))],
  );
  assert.deepEqual(
    loud.findings.map((f) => f.rule.id),
    ['failed_login-id', 'failed_login-id', 'g'],
  );
  const sigma = loud.findings[0]!;
  assert.deepEqual(sigma.selections, ['selection']);
});

test('out-of-order arrival within the lateness gives the same findings as sorted arrival', () => {
  const sorted = [0, 5, 10, 12, 14, 20, 40, 41, 42, 100].map((s, i) => ev(s, ['failed_login'], host(i % 3 === 0 ? 'a' : 'b')));
  const shuffled = [sorted[1], sorted[0], sorted[3], sorted[2], sorted[5], sorted[4], sorted[7], sorted[8], sorted[6], sorted[9]] as StowawayEvent[];
  // The worst disorder above is 6 s (20 arrives before 14).
  const a = run([eventCount], sorted, { lateness: '6s' });
  const b = run([eventCount], shuffled, { lateness: '6s' });
  assert.ok(a.corr.length > 0);
  assert.deepEqual(b.corr, a.corr);
  assert.equal(b.stats.late, 0);
  // Without lateness the same shuffle loses events and says so.
  const c = run([eventCount], shuffled, { lateness: 0 });
  assert.ok(c.stats.late > 0);
  assert.equal(c.stats.correlations.rules.ec!.late, c.stats.late);
});

test('an event further behind than the lateness is dropped and counted', () => {
  const { corr: found, stats } = run(
    [eventCount],
    [ev(100, ['failed_login'], host('a')), ev(101, ['failed_login'], host('a')), ev(90, ['failed_login'], host('a'))],
    { lateness: '5s' },
  );
  assert.equal(found.length, 0);
  assert.equal(stats.late, 1);
});

test('event_count with an upper bound is judged when the window closes', () => {
  const few = corr(`title: few\nid: few\ncorrelation: { type: event_count, rules: [heartbeat], group-by: [host.name], timespan: 60s, condition: { lt: 3 } }`);
  const { corr: found } = run(
    [few],
    [
      ev(0, ['heartbeat'], host('a')),
      ev(10, ['heartbeat'], host('a')),
      ev(20, ['heartbeat'], host('a')),
      ev(21, ['heartbeat'], host('b')),
      ev(30, ['heartbeat'], host('b')),
      // a's next window starts here and holds a single event
      ev(200, ['heartbeat'], host('a')),
    ],
  );
  assert.deepEqual(
    found.map((f) => [f.group?.['host.name'], f.details?.count]),
    [
      ['b', 2],
      ['a', 1],
    ],
  );
});

test('value_count: distinct values of a field per group', () => {
  const vc = corr(`
title: spray
id: vc
correlation:
  type: value_count
  rules: [failed_login]
  group-by: [source.ip]
  timespan: 5m
  condition: { field: user.name, gte: 3 }
`);
  const u = (sec: number, ip: string, user: string) => ev(sec, ['failed_login'], { source: { ip }, user: { name: user } });
  const { corr: found } = run(
    [vc],
    [u(0, '10.0.0.1', 'root'), u(1, '10.0.0.1', 'root'), u(2, '10.0.0.1', 'admin'), u(3, '10.0.0.2', 'x'), u(4, '10.0.0.1', 'svc')],
  );
  assert.equal(found.length, 1);
  assert.deepEqual(found[0]!.group, { 'source.ip': '10.0.0.1' });
  assert.equal(found[0]!.details?.count, 3);
  assert.deepEqual(found[0]!.details?.values, ['root', 'admin', 'svc']);
});

test('temporal: every rule within the timespan, any order, same group', () => {
  const tmp = corr(`
title: recon
id: tmp
correlation: { type: temporal, rules: [whoami, id_cmd, uname], group-by: [container.id], timespan: 5m }
`);
  const c = (sec: number, rule: string, id: string) => ev(sec, [rule], { container: { id } });
  const hit = run([tmp], [c(0, 'uname', 'x'), c(10, 'whoami', 'y'), c(20, 'id_cmd', 'x'), c(30, 'whoami', 'x')]);
  assert.equal(hit.corr.length, 1);
  assert.deepEqual(hit.corr[0]!.details?.rules_seen, ['whoami', 'id_cmd', 'uname']);
  assert.equal(hit.corr[0]!.events.length, 3);
  const miss = run([tmp], [c(0, 'uname', 'x'), c(200, 'whoami', 'x'), c(301, 'id_cmd', 'x')]);
  assert.equal(miss.corr.length, 0);
});

test('temporal_ordered: only in the given order', () => {
  const ord = corr(`
title: ordered
id: ord
correlation: { type: temporal_ordered, rules: [download, chmod, execute], group-by: [container.id], timespan: 1m }
`);
  const c = (sec: number, rule: string) => ev(sec, [rule], { container: { id: 'x' } });
  assert.equal(run([ord], [c(0, 'download'), c(1, 'chmod'), c(2, 'execute')]).corr.length, 1);
  assert.equal(run([ord], [c(0, 'chmod'), c(1, 'download'), c(2, 'execute')]).corr.length, 0);
  // A later download restarts the chain; the earlier one is too old to finish in time.
  assert.equal(run([ord], [c(0, 'download'), c(50, 'chmod'), c(70, 'execute')]).corr.length, 0);
  const ok = run([ord], [c(0, 'download'), c(30, 'download'), c(50, 'chmod'), c(90, 'execute')]);
  assert.equal(ok.corr.length, 1);
  assert.equal(ok.corr[0]!.details?.window_start, '2026-01-01T00:00:30.000Z');
});

test('value_sum, value_avg and value_percentile', () => {
  const bytes = (sec: number, n: unknown, user = 'u') => ev(sec, ['web'], { user: { name: user }, destination: { bytes: n } });
  const sum = corr(
    `title: exfil\nid: sum\ncorrelation: { type: value_sum, rules: [web], group-by: [user.name], timespan: 1h, condition: { field: destination.bytes, gt: 1000 } }`,
  );
  const s = run([sum], [bytes(0, 400), bytes(1, 'not a number'), bytes(2, 400), bytes(3, '300')]);
  assert.equal(s.corr.length, 1);
  assert.equal(s.corr[0]!.details?.sum, 1100);
  assert.equal(s.corr[0]!.details?.count, 3);

  const avg = corr(
    `title: avg\nid: avg\ncorrelation: { type: value_avg, rules: [web], group-by: [user.name], timespan: 1h, condition: { field: destination.bytes, gte: 500 } }`,
  );
  const a = run([avg], [bytes(0, 100), bytes(1, 200), bytes(2, 1500)]);
  assert.equal(a.corr.length, 1);
  assert.equal(a.corr[0]!.details?.avg, 600);

  const pct = corr(
    `title: rare\nid: pct\ncorrelation: { type: value_percentile, rules: [proc], group-by: [host.name], timespan: 1d, condition: { field: process.executable, lte: 10 } }`,
  );
  const p = (sec: number, exe: string) => ev(sec, ['proc'], { host: { name: 'h' }, process: { executable: exe } });
  const events = Array.from({ length: 20 }, (_, i) => p(i, '/bin/sh'));
  events.push(p(30, '/tmp/.x/miner'));
  const r = run([pct], events);
  assert.equal(r.corr.length, 1);
  assert.equal(r.corr[0]!.details?.value, '/tmp/.x/miner');
  assert.equal(r.corr[0]!.details?.percentile, 100 / 21);
});

test('group-by aliases join different fields of different rules', () => {
  const al = corr(`
title: error then connection back
id: al
correlation:
  type: temporal
  rules: [internal_error, new_network_connection]
  group-by: [internal_ip]
  timespan: 10s
  aliases:
    internal_ip:
      internal_error: destination.ip
      new_network_connection: source.ip
`);
  const err = (sec: number, ip: string) => ev(sec, ['internal_error'], { destination: { ip } });
  const conn = (sec: number, ip: string) => ev(sec, ['new_network_connection'], { source: { ip } });
  const hit = run([al], [err(0, '10.1.1.1'), conn(1, '10.9.9.9'), conn(2, '10.1.1.1')]);
  assert.equal(hit.corr.length, 1);
  assert.deepEqual(hit.corr[0]!.group, { internal_ip: '10.1.1.1' });
  assert.equal(run([al], [err(0, '10.1.1.1'), conn(11, '10.1.1.1')]).corr.length, 0);
});

test('a missing group-by value forms its own group, recorded as null', () => {
  const { corr: found } = run([eventCount], [ev(0, ['failed_login']), ev(1, ['failed_login']), ev(2, ['failed_login'])]);
  assert.equal(found.length, 1);
  assert.deepEqual(found[0]!.group, { 'host.name': null });
});

test('chaining: a correlation feeds the correlation that names it; only the outer one speaks', () => {
  const outer = corr(`
title: brute force then success
id: outer
level: critical
correlation: { type: temporal_ordered, rules: [many_failed, successful_login], group-by: [user.name], timespan: 10m }
`);
  const inner = corr(`
title: many failed
id: inner
name: many_failed
correlation: { type: event_count, rules: [failed_login], group-by: [user.name], timespan: 10m, condition: { gte: 3 } }
`);
  const u = (sec: number, rule: string, user: string) => ev(sec, [rule], { user: { name: user } });
  const { findings, stats } = run(
    [outer, inner],
    [
      u(0, 'successful_login', 'bob'),
      u(10, 'failed_login', 'bob'),
      u(20, 'failed_login', 'bob'),
      u(30, 'failed_login', 'bob'),
      u(40, 'failed_login', 'eve'),
      u(60, 'successful_login', 'bob'),
    ],
  );
  assert.deepEqual(
    findings.map((f) => f.rule.id),
    ['outer'],
  );
  const f = findings[0]!;
  assert.deepEqual(f.group, { 'user.name': 'bob' });
  assert.equal(f.rule.level, 'critical');
  assert.deepEqual(f.details?.rules, ['inner', 'successful_login-id']);
  assert.equal(f.events.length, 4);
  assert.equal(stats.correlations.rules.inner!.findings, 1);
});

test('references to rules that do not exist refuse that correlation only', () => {
  const good = corr(
    `title: good\nid: good\ncorrelation: { type: event_count, rules: [failed_login], group-by: [host.name], timespan: 1m, condition: { gte: 1 } }`,
  );
  const bad = corr(`title: bad\nid: bad\ncorrelation: { type: event_count, rules: [nope], group-by: [host.name], timespan: 1m, condition: { gte: 1 } }`);
  const chained = corr(
    `title: on bad\nid: onbad\ncorrelation: { type: event_count, rules: [bad], group-by: [host.name], timespan: 1m, condition: { gte: 1 } }`,
  );
  const loop1 = corr(`title: l1\nid: l1\ncorrelation: { type: event_count, rules: [l2], group-by: [h], timespan: 1m, condition: { gte: 1 } }`);
  const loop2 = corr(`title: l2\nid: l2\ncorrelation: { type: event_count, rules: [l1], group-by: [h], timespan: 1m, condition: { gte: 1 } }`);
  const { corr: found, engine } = run([good, bad, chained, loop1, loop2], [ev(0, ['failed_login'], host('a'))], {
    knownRules: [{ id: 'failed_login-id', name: 'failed_login' }],
  });
  assert.deepEqual(
    found.map((f) => f.rule.id),
    ['good'],
  );
  assert.deepEqual(
    engine.diagnostics.map((d) => [d.rule, d.code]),
    [
      ['bad', 'unknown-rule-reference'],
      ['l1', 'correlation-cycle'],
      ['l2', 'correlation-cycle'],
      ['onbad', 'broken-chain'],
    ],
  );
});

test('bounded state: a flood of distinct groups evicts the least recently active, and counts it', () => {
  const events = Array.from({ length: 50 }, (_, i) => ev(i, ['failed_login'], host(`h${i}`)));
  events.push(ev(60, ['failed_login'], host('h49')), ev(61, ['failed_login'], host('h49')));
  const { corr: found, stats } = run([eventCount], events, { limits: { maxGroups: 10 } });
  assert.equal(found.length, 1);
  assert.equal(stats.evicted, 40);
  assert.equal(stats.correlations.rules.ec!.peak_groups, 10);
  assert.equal(stats.correlations.rules.ec!.evicted, 40);
});

test('findings keep the first and last N contributing events', () => {
  const big = corr(
    `title: big\nid: big\ncorrelation: { type: event_count, rules: [failed_login], group-by: [host.name], timespan: 1h, condition: { gte: 100 } }`,
  );
  const events = Array.from({ length: 100 }, (_, i) => ev(i, ['failed_login'], { host: { name: 'a' }, n: i }));
  const { corr: found } = run([big], events, { limits: { keepEvents: 3 } });
  assert.equal(found.length, 1);
  assert.deepEqual(
    found[0]!.events.map((e) => e.n),
    [0, 1, 2, 97, 98, 99],
  );
  assert.equal(found[0]!.details?.events_total, 100);
});

test('replaying the same events gives the same findings', () => {
  const events = Array.from({ length: 200 }, (_, i) => ev((i * 7) % 300, ['failed_login'], host(`h${i % 4}`)));
  const a = run([eventCount], events, { lateness: '5m' });
  const b = run([eventCount], events, { lateness: '5m' });
  assert.ok(a.corr.length > 0);
  assert.deepEqual(a.findings, b.findings);
});

test('an event without a readable timestamp is still matched but not correlated', () => {
  const bad = { ...ev(0, ['failed_login', 'other'], host('a')), '@timestamp': 'yesterday' } as StowawayEvent;
  const { findings, stats } = run([eventCount], [bad]);
  assert.deepEqual(
    findings.map((f) => f.rule.name),
    ['other'],
  );
  assert.equal(stats.bad_time, 1);
  assert.equal(stats.correlations.bad_time, 1);
});

test('property: any arrival order within the lateness gives the findings of sorted arrival', async () => {
  const fc = await import('fast-check');
  const rules = [
    eventCount,
    corr(
      `title: vc\nid: vc\ncorrelation: { type: value_count, rules: [failed_login, other], group-by: [host.name], timespan: 30s, condition: { field: user.name, gte: 2 } }`,
    ),
    corr(`title: few\nid: few\ncorrelation: { type: event_count, rules: [other], group-by: [host.name], timespan: 20s, condition: { lte: 1 } }`),
    corr(`title: tmp\nid: tmp\ncorrelation: { type: temporal, rules: [failed_login, other], group-by: [host.name], timespan: 15s }`),
    corr(`title: ord\nid: ord\ncorrelation: { type: temporal_ordered, rules: [other, failed_login], group-by: [host.name], timespan: 15s }`),
    corr(`title: sum\nid: sum\ncorrelation: { type: value_sum, rules: [other], group-by: [host.name], timespan: 40s, condition: { field: n, gte: 10 } }`),
  ];
  const arb = fc.array(
    fc.record({
      t: fc.integer({ min: 0, max: 120_000 }),
      host: fc.constantFrom('a', 'b', 'c'),
      user: fc.constantFrom('u1', 'u2', 'u3'),
      hit: fc.constantFrom(['failed_login'], ['other'], ['failed_login', 'other']),
      n: fc.integer({ min: 0, max: 5 }),
      jitter: fc.integer({ min: 0, max: 10_000 }),
    }),
    { maxLength: 60 },
  );
  let correlated = 0;
  fc.assert(
    fc.property(arb, (raw) => {
      const mk = (r: (typeof raw)[number], i: number) =>
        ({
          '@timestamp': new Date(T0 + r.t).toISOString(),
          event: {},
          stowaway: { source: 'test', logsource: {} },
          hits: r.hit,
          host: { name: r.host },
          user: { name: r.user },
          n: r.n,
          i,
        }) as StowawayEvent;
      const events = raw.map(mk);
      // Sorted arrival, ties in input order; shuffled arrival: each event delayed by at most 10 s.
      const sortedIdx = raw.map((_, i) => i).sort((x, y) => raw[x]!.t - raw[y]!.t || x - y);
      const shuffledIdx = raw.map((_, i) => i).sort((x, y) => raw[x]!.t + raw[x]!.jitter - (raw[y]!.t + raw[y]!.jitter) || x - y);
      // Equal timestamps are ordered by arrival, so only inputs without ties are order-free.
      if (new Set(raw.map((r) => r.t)).size !== raw.length) return;
      const a = run(
        rules,
        sortedIdx.map((i) => events[i]!),
        { lateness: '10s' },
      );
      const b = run(
        rules,
        shuffledIdx.map((i) => events[i]!),
        { lateness: '10s' },
      );
      assert.equal(b.stats.late, 0);
      const norm = (fs: Finding[]) => fs.map((f) => JSON.stringify(f)).sort();
      assert.deepEqual(norm(b.findings), norm(a.findings));
      correlated += a.corr.length;
    }),
    { numRuns: 300 },
  );
  assert.ok(correlated > 100, `only ${correlated} correlation findings across all runs: the property would prove little`);
});

test('advanceTo: a quiet stream still releases buffered input and closes ended windows', () => {
  const few = corr(`title: few\nid: few\ncorrelation: { type: event_count, rules: [heartbeat], group-by: [host.name], timespan: 60s, condition: { lt: 3 } }`);
  const tmp = corr(`title: pair\nid: pair\ncorrelation: { type: temporal, rules: [whoami, uname], group-by: [host.name], timespan: 1m }`);
  const engine = createEngine({ ruleset: fakeRuleSet(), correlations: [few, tmp], lateness: '10s' });
  assert.deepEqual(engine.process(ev(0, ['heartbeat'], host('a'))), []);
  assert.deepEqual(engine.process(ev(1, ['whoami'], host('a'))), []);
  assert.deepEqual(engine.process(ev(2, ['uname'], host('a'))), []);
  // The pair is buffered behind the 10 s lateness until time moves on.
  assert.deepEqual(
    engine.advanceTo(new Date(T0 + 12_000).toISOString()).map((f) => f.rule.id),
    ['pair'],
  );
  // The heartbeat window [0 s, 60 s] is judged as soon as the watermark passes its end.
  assert.deepEqual(engine.advanceTo(T0 + 60_000), []);
  assert.deepEqual(
    engine.advanceTo(T0 + 60_001).map((f) => [f.rule.id, f.details?.count]),
    [['few', 1]],
  );
  assert.deepEqual(engine.flush(), []);
  // Behind the moved watermark, an event is late for correlations.
  engine.process(ev(30, ['heartbeat'], host('a')));
  assert.equal(engine.stats().late, 1);
});

test('a window past its entry cap forgets its oldest inputs and counts it', () => {
  const big = corr(
    `title: big\nid: big\ncorrelation: { type: event_count, rules: [failed_login], group-by: [host.name], timespan: 1h, condition: { gte: 15 } }`,
  );
  const events = Array.from({ length: 20 }, (_, i) => ev(i, ['failed_login'], host('a')));
  const capped = run([big], events, { limits: { maxWindowEntries: 10 } });
  assert.equal(capped.corr.length, 0);
  assert.equal(capped.stats.correlations.rules.big!.truncated, 10);
  assert.equal(run([big], events).corr.length, 1);
});

test('value_percentile on numbers ranks the value among the window (share at or below it)', () => {
  const low = corr(
    `title: low\nid: low\ncorrelation: { type: value_percentile, rules: [web], group-by: [user.name], timespan: 1h, condition: { field: destination.bytes, lte: 5 } }`,
  );
  const b = (sec: number, n: number) => ev(sec, ['web'], { user: { name: 'u' }, destination: { bytes: n } });
  const events = Array.from({ length: 20 }, (_, i) => b(i, 100 + i));
  events.push(b(30, 3));
  const { corr: found } = run([low], events);
  // The first event ranks 100 % of a window of one; only the final small value is rare.
  assert.deepEqual(
    found.map((f) => [f.details?.value, f.details?.count]),
    [[3, 21]],
  );
  assert.equal(found[0]!.details?.percentile, 100 / 21);
});

test('property: temporal_ordered agrees with a brute-force search for the ordered chain', async () => {
  const fc = await import('fast-check');
  const steps = ['a', 'b', 'c'];
  const span = 20_000;
  const rule = corr(`title: abc\nid: abc\ncorrelation: { type: temporal_ordered, rules: [a, b, c], group-by: [host.name], timespan: 20s }`);
  /** After each event: is there a chain a<b<c (by position) since the last finding, within the span, ending here? */
  function oracle(seq: Array<{ t: number; hits: string[] }>): number[] {
    const fired: number[] = [];
    let from = 0;
    seq.forEach((e, i) => {
      if (!e.hits.includes('c')) return;
      // Latest possible earlier step each time: that keeps the chain's start as late as it can be.
      let pos = i;
      for (let k = steps.length - 2; k >= 0; k--) {
        let j = pos - 1;
        while (j >= from && !seq[j]!.hits.includes(steps[k]!)) j--;
        if (j < from) return;
        pos = j;
      }
      if (e.t - seq[pos]!.t > span) return;
      fired.push(i);
      from = i + 1;
    });
    return fired;
  }
  fc.assert(
    fc.property(fc.array(fc.record({ dt: fc.integer({ min: 1, max: 8000 }), hits: fc.subarray(steps, { minLength: 1 }) }), { maxLength: 40 }), (raw) => {
      let t = 0;
      const seq = raw.map((r) => ({ t: (t += r.dt), hits: r.hits }));
      const events = seq.map((e, i) => ({ ...ev(0, e.hits, host('h')), '@timestamp': new Date(T0 + e.t).toISOString(), i }));
      const { corr: found } = run([rule], events);
      assert.deepEqual(
        found.map((f) => f.events[f.events.length - 1]!.i),
        oracle(seq),
      );
    }),
    { numRuns: 500 },
  );
});

test('property: temporal agrees with a brute-force search for all rules in one span', async () => {
  const fc = await import('fast-check');
  const steps = ['a', 'b', 'c'];
  const span = 20_000;
  const rule = corr(`title: abc\nid: abc\ncorrelation: { type: temporal, rules: [a, b, c], group-by: [host.name], timespan: 20s }`);
  function oracle(seq: Array<{ t: number; hits: string[] }>): number[] {
    const fired: number[] = [];
    let from = 0;
    seq.forEach((e, i) => {
      const latest = steps.map((r) => {
        let j = i;
        while (j >= from && !seq[j]!.hits.includes(r)) j--;
        return j >= from ? seq[j]!.t : undefined;
      });
      if (latest.some((x) => x === undefined || e.t - x > span)) return;
      fired.push(i);
      from = i + 1;
    });
    return fired;
  }
  fc.assert(
    fc.property(fc.array(fc.record({ dt: fc.integer({ min: 0, max: 8000 }), hits: fc.subarray(steps, { minLength: 1 }) }), { maxLength: 40 }), (raw) => {
      let t = 0;
      const seq = raw.map((r) => ({ t: (t += r.dt), hits: r.hits }));
      const events = seq.map((e, i) => ({ ...ev(0, e.hits, host('h')), '@timestamp': new Date(T0 + e.t).toISOString(), i }));
      const { corr: found } = run([rule], events);
      assert.deepEqual(
        found.map((f) => f.events[f.events.length - 1]!.i),
        oracle(seq),
      );
    }),
    { numRuns: 500 },
  );
});

test('an event matching several referenced rules counts once', () => {
  const two = corr(
    `title: two\nid: two\ncorrelation: { type: event_count, rules: [failed_login, other], group-by: [host.name], timespan: 1m, condition: { gte: 2 } }`,
  );
  assert.equal(run([two], [ev(0, ['failed_login', 'other'], host('a'))]).corr.length, 0);
  assert.equal(run([two], [ev(0, ['failed_login', 'other'], host('a')), ev(1, ['other'], host('a'))]).corr.length, 1);
  // In a sequence it is one step, not two.
  const seq = corr(`title: seq\nid: seq\ncorrelation: { type: temporal_ordered, rules: [failed_login, other], group-by: [host.name], timespan: 1m }`);
  assert.equal(run([seq], [ev(0, ['failed_login', 'other'], host('a'))]).corr.length, 0);
  assert.equal(run([seq], [ev(0, ['failed_login', 'other'], host('a')), ev(1, ['failed_login', 'other'], host('a'))]).corr.length, 1);
});

test('tick: wall clock minus the lateness releases what a quiet live stream completed', () => {
  const seq = corr(`title: seq\nid: seq\ncorrelation: { type: temporal_ordered, rules: [failed_login, other], group-by: [host.name], timespan: 1m }`);
  const engine = createEngine({ ruleset: fakeRuleSet(), correlations: [seq], lateness: '5s' });
  assert.deepEqual(engine.process(ev(0, ['failed_login'], host('a'))), []);
  assert.deepEqual(engine.process(ev(1, ['other'], host('a'))), []);
  assert.deepEqual(engine.tick(T0 + 5_500), []);
  assert.deepEqual(
    engine.tick(T0 + 6_000).map((f) => f.rule.id),
    ['seq'],
  );
});

test("tick with the sources' watermark: released as soon as the sources are complete, lateness only bounds the wait", () => {
  const seq = corr(`title: seq\nid: seq\ncorrelation: { type: temporal_ordered, rules: [failed_login, other], group-by: [host.name], timespan: 1m }`);
  const engine = createEngine({ ruleset: fakeRuleSet(), correlations: [seq], lateness: '5s' });
  assert.deepEqual(engine.process(ev(0, ['failed_login'], host('a'))), []);
  assert.deepEqual(engine.process(ev(1, ['other'], host('a'))), []);
  // the sources are complete up to just before the second match: it still waits
  assert.deepEqual(engine.tick(T0 + 1_200, T0 + 999), []);
  // complete past it: out now, not `lateness` later
  assert.deepEqual(
    engine.tick(T0 + 1_300, T0 + 1_000).map((f) => f.rule.id),
    ['seq'],
  );
  assert.equal(engine.stats().watermark, new Date(T0 + 1_000).toISOString());
  // behind the watermark now: late and counted, as with any watermark
  assert.deepEqual(engine.process(ev(0.5, ['failed_login'], host('b'))), []);
  assert.equal(engine.stats().late, 1);
});

test('tick with a lagging source watermark waits at most the lateness; without one, wall clock − lateness', () => {
  const seq = corr(`title: seq\nid: seq\ncorrelation: { type: temporal_ordered, rules: [failed_login, other], group-by: [host.name], timespan: 1m }`);
  const engine = createEngine({ ruleset: fakeRuleSet(), correlations: [seq], lateness: '5s' });
  engine.process(ev(0, ['failed_login'], host('a')));
  engine.process(ev(1, ['other'], host('a')));
  // a source stuck at T0: nothing before the lateness has run out
  assert.deepEqual(engine.tick(T0 + 5_500, T0), []);
  assert.deepEqual(
    engine.tick(T0 + 6_000, T0).map((f) => f.rule.id),
    ['seq'],
  );
  // a source watermark ahead of the clock does not move event time past now
  engine.process(ev(10, ['failed_login'], host('c')));
  engine.process(ev(11, ['other'], host('c')));
  assert.deepEqual(engine.tick(T0 + 10_500, T0 + 99_000), []);
  assert.equal(engine.stats().watermark, new Date(T0 + 10_500).toISOString());
  assert.deepEqual(
    engine
      .tick(T0 + 11_000, undefined)
      .concat(engine.tick(T0 + 11_000, T0 + 11_000))
      .map((f) => f.rule.id),
    ['seq'],
  );
});

test('the reorder guarantee holds under source watermarks: not-late input in any arrival order gives sorted-arrival findings', () => {
  const seq = corr(`title: seq\nid: seq\ncorrelation: { type: temporal_ordered, rules: [failed_login, other], group-by: [host.name], timespan: 10s }`);
  const count = corr(
    `title: ec2\nid: ec2\ncorrelation: { type: event_count, rules: [failed_login], group-by: [host.name], timespan: 1s, condition: { gte: 3 } }`,
  );
  // two sources, each in its own time order, interleaved as they arrive; each source's
  // watermark is just before its next event (what a source that is complete would say)
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let found = 0;
  let early = 0;
  for (let round = 0; round < 20; round++) {
    // each source in its own time order, spanning less than the lateness (so arrival alone makes nothing late)
    const mk = (n: number, h: string) => Array.from({ length: n }, (_, i) => ev(i * 0.3 + rnd() * 0.25, [rnd() < 0.5 ? 'failed_login' : 'other'], host(h)));
    const a = mk(12, 'x');
    const b = mk(12, rnd() < 0.5 ? 'x' : 'y');
    const sorted = [...a, ...b].map((e, i) => ({ e, i })).sort((p, q) => Date.parse(p.e['@timestamp']) - Date.parse(q.e['@timestamp']) || p.i - q.i);
    const want = run(
      [seq, count],
      sorted.map((p) => p.e),
    )
      .corr.map((f) => `${f.rule.id}@${f.time}`)
      .sort();
    const engine = createEngine({ ruleset: fakeRuleSet(), correlations: [seq, count], lateness: '5s' });
    const got: Finding[] = [];
    let ia = 0;
    let ib = 0;
    const next = (q: StowawayEvent[], i: number) => (i < q.length ? Date.parse(q[i]!['@timestamp']) - 1 : Infinity);
    while (ia < a.length || ib < b.length) {
      if (ib >= b.length || (ia < a.length && rnd() < 0.5)) got.push(...engine.process(a[ia++]!));
      else got.push(...engine.process(b[ib++]!));
      const wm = Math.min(next(a, ia), next(b, ib));
      // the clock a little ahead of the sources, well within the lateness
      if (rnd() < 0.4 && wm < Infinity) got.push(...engine.tick(wm + 100, wm));
    }
    early += got.filter((f) => f.rule.kind === 'correlation').length;
    got.push(...engine.flush());
    assert.equal(engine.stats().late, 0);
    assert.deepEqual(
      got
        .filter((f) => f.rule.kind === 'correlation')
        .map((f) => `${f.rule.id}@${f.time}`)
        .sort(),
      want,
      `round ${round}`,
    );
    found += want.length;
  }
  assert.ok(found > 0 && early > 0, `the streams raise findings (${found}), some before the end of input (${early})`);
});
