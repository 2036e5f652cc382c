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
