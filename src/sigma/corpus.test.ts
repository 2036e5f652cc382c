// Conformance against the SigmaHQ corpus and its regression data (read-only, from ../shared).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { compileRules, loadRules } from './index.js';
import { SigmaRuleSet, applies } from './ruleset.js';
import { EventView } from './fields.js';
import type { StowawayEvent } from '../model/event.js';
import { countByCode } from '../model/diagnostic.js';
import { normalizeWindowsEvent, isDiagnostic } from '../sources/winlog/normalize.js';
import { readJsonValues } from '../sources/winlog/json-stream.js';

const shared = process.env['STOWAWAY_SHARED'] ?? join(dirname(fileURLToPath(import.meta.url)), '../../../shared');
const sigma = join(shared, 'sigma');
const have = existsSync(join(sigma, 'rules'));
if (!have) console.error(`\n!!! SKIPPING Sigma corpus tests: ${sigma} not found (set STOWAWAY_SHARED) !!!\n`);

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n === 'info.yml') out.push(p);
  }
  return out;
}

test('SigmaHQ corpus loads and compiles (>= 99%), refusals counted by reason', { skip: !have && 'no ../shared/sigma' }, async (t) => {
  const load = await loadRules(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sigma, d)));
  const { ruleset, diagnostics } = compileRules(load);
  const docs = load.rules.length + load.filters.length + load.correlations.length + load.diagnostics.filter((d) => d.severity === 'error').length;
  const refused = [...load.diagnostics, ...diagnostics].filter((d) => d.severity === 'error');
  t.diagnostic(`files ${load.files}, documents ${docs}, rules compiled ${ruleset.size}, correlations ${load.correlations.length}, refused ${refused.length}`);
  t.diagnostic(`refused by reason: ${JSON.stringify(Object.fromEntries(countByCode(refused)))}`);
  t.diagnostic(`indexed rules: ${ruleset.stats()['indexed_rules']}`);
  assert.ok(load.files >= 3000, `expected the full corpus, read ${load.files} files`);
  for (const d of refused) assert.ok(d.file && d.message && d.code, 'every refusal names file, code and reason');
  assert.ok(ruleset.size + load.correlations.length >= 0.99 * load.files, `only ${ruleset.size}/${load.files} loaded`);
});

test('regression data: every JSON event matches its rule', { skip: !have && 'no ../shared/sigma' }, async (t) => {
  const load = await loadRules(['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(sigma, d)));
  const { ruleset } = compileRules(load);
  const failures: string[] = [];
  let cases = 0;
  let matched = 0;
  let skipped = 0;
  let indexChecked = 0;
  const missedByIndex: string[] = [];
  const all = (ruleset as SigmaRuleSet).compiledRules();
  for (const info of walk(join(sigma, 'regression_data'))) {
    const meta = parseYaml(readFileSync(info, 'utf8')) as { rule_metadata?: { id: string }[] };
    const id = meta.rule_metadata?.[0]?.id;
    const dir = dirname(info);
    const json = readdirSync(dir).filter((n) => n.endsWith('.json'));
    if (!id || json.length === 0) {
      skipped++;
      continue;
    }
    for (const j of json) {
      cases++;
      // A case file may hold several events (context around the detection); one must match.
      const { records, diagnostics } = readJsonValues(readFileSync(join(dir, j), 'utf8'), join(dir, j));
      const events = records.map((r) => normalizeWindowsEvent(r.value, `${j}:${r.line}`));
      const bad = [...diagnostics, ...events.filter(isDiagnostic)];
      if (bad.length) failures.push(`${j}: ${bad.map((d) => d.message).join('; ')}`);
      const good = events.filter((e) => !isDiagnostic(e)) as Exclude<(typeof events)[number], { code: string; severity: string; message: string }>[];
      // The candidate index must never hide a match: compare with evaluating every routed rule.
      for (const ev of good) {
        const view = new EventView(ev);
        const brute = all
          .filter((r) => applies(r.source.logsource, ev.stowaway.logsource) && r.test(view))
          .map((r) => r.meta.id)
          .sort();
        const fast = ruleset
          .match(ev)
          .map((m) => m.rule.id)
          .sort();
        indexChecked++;
        if (JSON.stringify(brute) !== JSON.stringify(fast)) missedByIndex.push(`${j}: brute ${JSON.stringify(brute)} vs indexed ${JSON.stringify(fast)}`);
      }
      if (good.some((ev) => ruleset.match(ev).some((m) => m.rule.id === id))) matched++;
      else failures.push(`${id} ${dir.replace(sigma + '/', '')}: ${good.map((ev) => ruleset.explain(id, ev as never).summary).join(' || ')}`);
    }
  }
  t.diagnostic(`regression cases matched ${matched}/${cases} (skipped ${skipped} without a JSON event)`);
  for (const f of failures.slice(0, 30)) t.diagnostic(`FAIL ${f}`);
  t.diagnostic(`index soundness: ${indexChecked} events, ${missedByIndex.length} differences from brute force`);
  assert.deepEqual(missedByIndex, []);
  assert.equal(matched, cases, failures.join('\n'));
});

/** Keyword values written in a rule (wildcards filled in), so generated events can match them. */
function keywordValues(n: import('./ast.js').DetectionNode, out: string[] = []): string[] {
  if (n.kind === 'item') {
    if (n.item.field === null) for (const v of n.item.values) if (v.kind === 'string') out.push(v.value.replace(/\*/g, 'x').replace(/\?/g, 'y'));
  } else for (const c of n.items) keywordValues(c, out);
  return out;
}

test('keyword rules: the candidate index selects exactly what evaluating every routed rule matches', { skip: !have && 'no ../shared/sigma' }, async (t) => {
  const load = await loadRules([join(sigma, 'rules', 'linux')]);
  const { ruleset } = compileRules(load);
  const all = (ruleset as SigmaRuleSet).compiledRules();
  const kwRules = all.filter((r) => r.source.detection.searches.some((s) => keywordValues(s.node).length > 0));
  const values = [...new Set(kwRules.flatMap((r) => r.source.detection.searches.flatMap((s) => keywordValues(s.node))))];
  assert.ok(kwRules.length >= 15 && values.length >= 100, `expected the linux keyword rules, found ${kwRules.length} rules, ${values.length} values`);
  // Deterministic variety: keyword values in any field and case, beside GUIDs, hashes and times.
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[rnd(16)]).join('');
  const cases = (s: string) => [s, s.toUpperCase(), s.replace(/./g, (c, i: number) => (i % 2 ? c.toUpperCase() : c))][rnd(3)]!;
  const categories = [
    { product: 'linux', category: 'process_creation', service: 'sysmon' },
    { product: 'linux' },
    { product: 'linux', service: 'syslog' },
    { product: 'linux', service: 'auditd' },
  ];
  const benign = [
    '/usr/bin/ls -la /var/log',
    'systemd[1]: Started Session 4 of user root.',
    'sshd[811]: Accepted publickey for app',
    '/usr/bin/python3 /opt/app/worker.py',
  ];
  const events: StowawayEvent[] = [];
  for (let i = 0; i < 4000; i++) {
    const kw = i % 3 === 0 ? values[rnd(values.length)]! : undefined;
    const guid = `{${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}}`;
    const text = kw ? `${benign[rnd(4)]} ${cases(kw)} ${i}` : benign[rnd(4)]!;
    const where = rnd(4);
    events.push({
      '@timestamp': new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      event: { kind: 'event', category: ['process'] },
      stowaway: { source: 'test', logsource: categories[rnd(categories.length)]! },
      message: where === 0 ? text : 'ok',
      process: { entity_id: guid, command_line: where === 1 ? text : '/bin/true', args: where === 2 ? text.split(' ') : ['true'], hash: { sha256: hex(64) } },
      winlog: { event_data: { LogonGuid: guid, Hashes: `SHA256=${hex(64).toUpperCase()}`, ParentCommandLine: where === 3 ? text : '-' } },
    });
  }
  const brute = new Map<string, number>();
  const fast = new Map<string, number>();
  const differences: string[] = [];
  for (const ev of events) {
    const view = new EventView(ev);
    const b = all.filter((r) => applies(r.source.logsource, ev.stowaway.logsource) && r.test(view)).map((r) => r.meta.id);
    const f = ruleset.match(ev).map((m) => m.rule.id);
    for (const id of b) brute.set(id, (brute.get(id) ?? 0) + 1);
    for (const id of f) fast.set(id, (fast.get(id) ?? 0) + 1);
    if (JSON.stringify(b.sort()) !== JSON.stringify(f.sort())) differences.push(`${JSON.stringify(ev)}: brute ${b.join(',')} vs indexed ${f.join(',')}`);
  }
  const kwMatched = kwRules.filter((r) => (brute.get(r.meta.id) ?? 0) > 0).length;
  const stats = ruleset.stats();
  t.diagnostic(
    `${events.length} events, ${kwRules.length} keyword rules (${kwMatched} matched), ${[...brute.values()].reduce((a, b) => a + b, 0)} matches; texts skipped by class: ${stats['class_skipped']}`,
  );
  assert.deepEqual(differences.slice(0, 5), []);
  assert.deepEqual(Object.fromEntries([...fast].sort()), Object.fromEntries([...brute].sort()));
  assert.ok(kwMatched >= 10, `only ${kwMatched} of ${kwRules.length} keyword rules matched: the events do not exercise them`);
  assert.ok(stats['class_skipped']! > events.length, 'GUIDs and hashes are skipped by their character classes');
});
