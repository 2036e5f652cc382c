// Replays the generated Kubernetes variants through the shipped rules (after `npm run build`) and
// prints positives detected / benign quiet per strategy and the per-rule table; lists any variant
// that misses or raises an alert (exit status 1). `--write` also writes them as replay scenarios
// (scenarios/k8s-variants*.yml) into each strategy folder, for `stowaway validate`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate, K8S_SCENARIOS } from '../dist/emulate/variants/kubernetes.js';
import { replayGenerated, ruleTable, summaryTable, variantScenarios } from '../dist/emulate/variants/generated.js';
import { loadEngineRules } from '../dist/engine/rules.js';
import { contentPlaceholdersPath, contentRulePaths, defaultStrategiesDir } from '../dist/ads/catalog.js';

const content = defaultStrategiesDir();
const variants = generate();
if (process.argv.includes('--write')) {
  for (const [ads, s] of Object.entries(K8S_SCENARIOS)) {
    for (const f of variantScenarios(ads, 'k8s-variants', variants, s)) {
      await writeFile(join(content, s.dir, f.path), f.text);
      console.log(`wrote ${join(s.dir, f.path)}`);
    }
  }
}
const rules = await loadEngineRules({ rules: await contentRulePaths(content), placeholders: contentPlaceholdersPath(content) });
const results = [];
for (const v of variants) results.push(await replayGenerated(v, rules));
const names = new Map(rules.ruleset.rules().map((r) => [r.id, r.title]));
console.log(summaryTable(results));
console.log();
console.log(ruleTable(results, names));
const bad = results.filter((r) => !r.pass);
for (const r of bad) console.log(`FAIL ${r.variant.strategy} ${r.variant.id} (${r.variant.kind}): fired ${[...r.fired.keys()].join(',') || 'nothing'}`);
process.exit(bad.length ? 1 : 0);
