// Replays the generated Kubernetes variants through the shipped rules (after `npm run build`) and
// prints positives detected / benign quiet per strategy and the per-rule table; lists any variant
// that misses or raises an alert. Exit status 1 when one does.
import { generate } from '../dist/emulate/variants/kubernetes.js';
import { replayGenerated, ruleTable, summaryTable } from '../dist/emulate/variants/generated.js';
import { loadEngineRules } from '../dist/engine/rules.js';
import { contentPlaceholdersPath, contentRulePaths, defaultStrategiesDir } from '../dist/ads/catalog.js';

const content = defaultStrategiesDir();
const rules = await loadEngineRules({ rules: await contentRulePaths(content), placeholders: contentPlaceholdersPath(content) });
const results = [];
for (const v of generate()) results.push(await replayGenerated(v, rules));
const names = new Map(rules.ruleset.rules().map((r) => [r.id, r.title]));
console.log(summaryTable(results));
console.log();
console.log(ruleTable(results, names));
const bad = results.filter((r) => !r.pass);
for (const r of bad) console.log(`FAIL ${r.variant.strategy} ${r.variant.id} (${r.variant.kind}): fired ${[...r.fired.keys()].join(',') || 'nothing'}`);
process.exit(bad.length ? 1 : 0);
