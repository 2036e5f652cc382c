// Loading: documents, collections, filters, correlations and every kind of bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileRules, loadRules, parseSigmaText } from './index.js';
import type { StowawayEvent } from '../model/event.js';

const RULE = `title: Shell in container
id: 0b7a6f2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b
status: test
level: high
tags: [attack.execution, attack.t1059]
logsource:
  product: docker
detection:
  sel:
    process.name: sh
  condition: sel
x_team: blue
`;

const ev = (fields: Record<string, unknown>, logsource = { product: 'docker' }): StowawayEvent => ({
  '@timestamp': '2026-01-01T00:00:00Z',
  event: {},
  stowaway: { source: 't', logsource },
  ...fields,
});

test('a detection rule parses into meta, logsource, searches and condition; custom keys are kept', () => {
  const r = parseSigmaText(RULE, 'r.yml');
  assert.deepEqual(r.diagnostics, []);
  const [rule] = r.rules;
  assert.equal(rule?.title, 'Shell in container');
  assert.equal(rule?.level, 'high');
  assert.deepEqual(rule?.tags, ['attack.execution', 'attack.t1059']);
  assert.deepEqual(rule?.logsource, { product: 'docker' });
  assert.deepEqual(rule?.custom, { x_team: 'blue' });
  assert.equal(rule?.line, 1);
});

test('missing required fields, bad level and bad id are reported with file and line', () => {
  const codes = (t: string) => parseSigmaText(t, 'x.yml').diagnostics.map((d) => `${d.severity}:${d.code}`);
  assert.deepEqual(codes('logsource: {product: x}\ndetection: {s: {a: 1}, condition: s}\n'), ['error:missing-title']);
  assert.deepEqual(codes('title: t\ndetection: {s: {a: 1}, condition: s}\n'), ['error:missing-logsource']);
  assert.deepEqual(codes('title: t\nlogsource: {product: x}\n'), ['error:missing-detection']);
  assert.deepEqual(codes('title: t\nlogsource: {product: x}\ndetection: {s: {a: 1}}\n'), ['error:missing-condition']);
  assert.deepEqual(codes('title: t\nlevel: urgent\nlogsource: {product: x}\ndetection: {s: {a: 1}, condition: s}\n'), ['error:bad-level']);
  assert.deepEqual(codes('title: t\nid: not-a-uuid\nlogsource: {product: x}\ndetection: {s: {a: 1}, condition: s}\n'), ['warning:id-format']);
  assert.deepEqual(codes('title: t\nstatus: shiny\nlogsource: {product: x}\ndetection: {s: {a: 1}, condition: s}\n'), ['warning:bad-status']);
  const d = parseSigmaText('title: t\nlogsource: {product: x}\ndetection:\n  s:\n    a: [1, [2]]\n  condition: s\n', 'y.yml').diagnostics[0];
  assert.equal(d?.code, 'bad-detection');
  assert.equal(d?.line, 4);
  assert.equal(d?.file, 'y.yml');
});

test('malformed YAML gives yaml-syntax with a line, and other files still load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-sigma-'));
  writeFileSync(join(dir, 'good.yml'), RULE);
  writeFileSync(join(dir, 'broken.yml'), 'title: broken\nlogsource:\n  product: [unclosed\ndetection: {}\n');
  writeFileSync(join(dir, 'badmod.yml'), RULE.replace('process.name: sh', 'process.name|nope: sh').replace('0b7a6f2e', '1b7a6f2e'));
  writeFileSync(join(dir, 'badre.yml'), RULE.replace('process.name: sh', "process.name|re: '(a)\\1'").replace('0b7a6f2e', '2b7a6f2e'));
  writeFileSync(join(dir, 'notes.txt'), 'not a rule');
  const load = await loadRules([dir]);
  assert.equal(load.files, 4);
  const syntax = load.diagnostics.find((d) => d.code === 'yaml-syntax');
  assert.ok(syntax?.file?.endsWith('broken.yml'));
  assert.equal(typeof syntax?.line, 'number');
  const { ruleset, diagnostics } = compileRules(load, { pipelines: [] });
  assert.equal(ruleset.size, 1);
  assert.deepEqual(diagnostics.map((d) => d.code).sort(), ['unknown-modifier', 'unsafe-regex']);
  assert.ok(diagnostics.every((d) => d.file && d.rule && d.line));
  assert.equal(ruleset.match(ev({ process: { name: 'sh' } })).length, 1);
});

test('missing paths are diagnostics, not crashes', async () => {
  const load = await loadRules(['/nonexistent/stowaway/rules']);
  assert.equal(load.diagnostics[0]?.code, 'file-unreadable');
});

test('rule collections: action global merges into each document, reset clears it, repeat reuses the previous one', () => {
  const text = `action: global
title: Collection
logsource:
  product: test
detection:
  base:
    kind: x
  condition: base and sel
---
id: 00000000-0000-4000-8000-000000000001
detection:
  sel:
    f: 1
---
id: 00000000-0000-4000-8000-000000000002
detection:
  sel:
    f: 2
---
action: repeat
id: 00000000-0000-4000-8000-000000000003
detection:
  sel:
    f: 3
---
action: reset
---
title: Alone
id: 00000000-0000-4000-8000-000000000004
logsource:
  product: test
detection:
  only:
    g: 1
  condition: only
`;
  const r = parseSigmaText(text, 'c.yml');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    r.rules.map((x) => x.title),
    ['Collection', 'Collection', 'Collection', 'Alone'],
  );
  const { ruleset } = compileRules(r, { pipelines: [] });
  const ids = (f: Record<string, unknown>) => ruleset.match(ev(f, { product: 'test' })).map((m) => m.rule.id.slice(-1));
  assert.deepEqual(ids({ kind: 'x', f: 2 }), ['2']);
  assert.deepEqual(ids({ kind: 'x', f: 3 }), ['3']);
  assert.deepEqual(ids({ f: 1 }), []);
  assert.deepEqual(ids({ g: 1 }), ['4']);
});

test('filters (meta filters) are AND-ed into the rules they name, for their logsource only', () => {
  const filter = `title: Skip the CI runner
logsource:
  product: docker
filter:
  rules:
    - 0b7a6f2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b
    - some-unloaded-rule
  selection:
    container.name|startswith: ci-
  condition: not selection
`;
  const a = parseSigmaText(RULE, 'r.yml');
  const f = parseSigmaText(filter, 'f.yml');
  assert.equal(f.filters.length, 1);
  const { ruleset, diagnostics } = compileRules({ rules: a.rules, filters: f.filters }, { pipelines: [] });
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ['filter-unknown-rule'],
  );
  assert.equal(ruleset.match(ev({ process: { name: 'sh' }, container: { name: 'ci-42' } })).length, 0);
  const m = ruleset.match(ev({ process: { name: 'sh' }, container: { name: 'web' } }));
  assert.equal(m.length, 1);
  assert.deepEqual(m[0]?.selections, ['sel'], 'filter helpers are not reported as selections');
  // A filter for another logsource leaves the rule alone.
  const other = parseSigmaText(filter.replace('product: docker', 'product: windows'), 'f2.yml');
  const r2 = compileRules({ rules: a.rules, filters: other.filters }, { pipelines: [] });
  assert.equal(r2.ruleset.match(ev({ process: { name: 'sh' }, container: { name: 'ci-42' } })).length, 1);
});

test('correlation documents are handed to the correlation parser and passed through', () => {
  const text = `title: Many shells
correlation:
  type: event_count
  rules: [0b7a6f2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b]
  group-by: [host.name]
  timespan: 5m
  condition:
    gte: 10
`;
  const r = parseSigmaText(text, 'corr.yml');
  assert.equal(r.rules.length, 0);
  // Either the correlation parser accepted it or it said why; never silently dropped.
  assert.equal(r.correlations.length + r.diagnostics.length > 0, true);
});

test("routing: a rule applies only when each logsource field it names equals the event's", () => {
  const r = parseSigmaText(RULE.replace('product: docker', 'product: linux\n  category: process_creation'), 'r.yml');
  const { ruleset } = compileRules(r, { pipelines: [] });
  const e = (ls: { product: string; category?: string; service?: string }) => ruleset.match(ev({ process: { name: 'sh' } }, ls)).length;
  assert.equal(e({ product: 'linux', category: 'process_creation', service: 'auditd' }), 1);
  assert.equal(e({ product: 'linux', category: 'network_connection' }), 0);
  assert.equal(e({ product: 'windows', category: 'process_creation' }), 0);
  assert.equal(e({ product: 'linux' }), 0);
});

test('explain says why a rule did or did not match', () => {
  const { ruleset } = compileRules(parseSigmaText(RULE, 'r.yml'), { pipelines: [] });
  const yes = ruleset.explain('Shell in container', ev({ process: { name: 'sh' } }));
  assert.equal(yes.matched, true);
  assert.equal(yes.searches[0]?.items[0]?.value, true);
  const no = ruleset.explain('0b7a6f2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b', ev({ process: { name: 'bash' } }));
  assert.equal(no.matched, false);
  assert.deepEqual(no.searches[0]?.items[0]?.actual, ['bash']);
  assert.match(no.summary, /no match/);
  const routed = ruleset.explain('Shell in container', ev({ process: { name: 'sh' } }, { product: 'linux' }));
  assert.match(routed.summary, /does not apply/);
  assert.equal(ruleset.explain('nope', ev({})).found, false);
});

test('stats count events, candidates, evaluations and matches', () => {
  const { ruleset } = compileRules(parseSigmaText(RULE, 'r.yml'), { pipelines: [] });
  ruleset.match(ev({ process: { name: 'sh' } }));
  ruleset.match(ev({ process: { name: 'python3' } }));
  const s = ruleset.stats();
  assert.equal(s['events'], 2);
  assert.equal(s['matched'], 1);
  assert.equal(s['evaluated'], 1, 'the candidate index skipped the event whose name lacks "sh"');
});

test('the per-event stamp wrapping around keeps matches exact', () => {
  const { ruleset } = compileRules(parseSigmaText(RULE, 'r.yml'), { pipelines: [] });
  const internal = ruleset as unknown as { stamp: number };
  internal.stamp = 0xfffffffc;
  const results: number[] = [];
  for (let i = 0; i < 6; i++) results.push(ruleset.match(ev({ process: { name: i % 2 ? 'sh' : 'python3' } })).length);
  assert.deepEqual(results, [0, 1, 0, 1, 0, 1]);
});

test('finding 9: a YAML alias bomb costs its own document; a symbolic link loop loads each rule once', async () => {
  const bomb = [
    'title: bomb',
    'a: &a [x, x, x, x, x, x, x, x, x, x]',
    ...Array.from(
      { length: 8 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill('*' + String.fromCharCode(97 + i))
          .join(', ')}]`,
    ),
  ].join('\n');
  const text = `${RULE}\n---\n${bomb}\n---\n${RULE.replace('0b7a6f2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b', '0b7a6f2e-3c1d-4e5f-8a9b-0c1d2e3f4a5c')}`;
  const r = parseSigmaText(text, 'bomb.yml');
  assert.equal(r.rules.length, 2, 'both good neighbours kept');
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['yaml-aliases'],
  );

  const dir = mkdtempSync(join(tmpdir(), 'stowaway-loop-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'rule.yml'), RULE);
  symlinkSync(dir, join(dir, 'sub', 'again'));
  symlinkSync(join(dir, 'sub', 'rule.yml'), join(dir, 'alias.yml'));
  const load = await loadRules([dir]);
  assert.equal(load.rules.length, 1);
  assert.deepEqual(
    load.diagnostics.map((d) => d.code),
    ['symlink-loop'],
  );
});

test('a rule file of unclosed flow collections is refused before the YAML parser spends seconds on it', () => {
  const text = `${RULE}\n${Array.from({ length: 300 }, (_, i) => `k${i}: &x${i} ${'['.repeat(20)}`).join('\n')}`;
  const r = parseSigmaText(text, 'open.yml');
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['yaml-too-complex'],
  );
  // ordinary flow collections are untouched
  assert.equal(parseSigmaText(RULE.replace('status: test', 'status: test\ncustom: {a: [b, {c: [d]}]}'), 'ok.yml').rules.length, 1);
});
