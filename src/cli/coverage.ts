// `stowaway coverage`: which ATT&CK techniques the shipped strategies, rules and analytics cover,
// as a table and as an ATT&CK Navigator layer.
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatDiagnostic } from '../model/diagnostic.js';
import { buildNavigatorLayer, defaultAttackPath, defaultStrategiesDir, loadAttack, loadStrategies, readRuleDocs } from '../ads/index.js';

interface CoverageCliOptions {
  navigator?: string;
  content?: string;
  analytics?: string;
  attack?: string;
  name?: string;
}

export function register(program: Command): void {
  program
    .command('coverage')
    .description(
      'Report the ATT&CK techniques covered by the loaded detection strategies, their rules and the analytics they reference; optionally write an ATT&CK Navigator layer (JSON; score = number of rules per technique and tactic, comments and metadata name the strategies and rules).',
    )
    .option('--navigator <file>', 'write the Navigator layer to this file ("-" for stdout, then no table is printed)')
    .option('--content <dir>', 'strategies folder (default: the shipped content/strategies)')
    .option('--analytics <dir>', 'analytics definitions (default: content/analytics beside the strategies folder)')
    .option('--attack <file>', `ATT&CK Enterprise STIX bundle for tactics and names (default ${defaultAttackPath()}); optional`)
    .option('--name <name>', 'layer name', 'stowaway coverage')
    .action(async (opts: CoverageCliOptions) => {
      process.exitCode = await coverage(
        opts,
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
    });
}

export async function coverage(opts: CoverageCliOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const content = resolve(opts.content ?? defaultStrategiesDir());
  const { catalog, diagnostics } = await loadStrategies(content);
  for (const d of diagnostics) err(formatDiagnostic(d) + '\n');
  const strategies = catalog.strategies();
  if (strategies.length === 0) {
    err(`coverage: no strategies found under ${content}\n`);
    return 1;
  }
  const analytics = await readRuleDocs([opts.analytics ?? join(content, '..', 'analytics')], 'analytics');
  const referenced = new Set(strategies.flatMap((s) => s.analytics));
  const rules = [...catalog.rules(), ...analytics.rules.filter((a) => a.id && referenced.has(a.id))];
  const attack = await loadAttack(opts.attack ? resolve(opts.attack) : defaultAttackPath());
  if (!attack.catalog) err(`coverage: ${attack.error}; tactics come from the strategies and rule tags only\n`);
  const layer = buildNavigatorLayer(strategies, rules, attack.catalog, opts.name);
  if (opts.navigator) {
    const text = JSON.stringify(layer, null, 2) + '\n';
    if (opts.navigator === '-') out(text);
    else {
      await writeFile(opts.navigator, text);
      err(`coverage: wrote ${layer.techniques.length} technique/tactic entries to ${opts.navigator}\n`);
    }
  }
  if (opts.navigator !== '-') {
    const names = attack.catalog?.techniques;
    const rows = layer.techniques.map((t) => [
      t.techniqueID,
      names?.get(t.techniqueID)?.name ?? '',
      t.tactic,
      String(t.score),
      t.metadata
        .filter((m) => m.name === 'strategy')
        .map((m) => m.value)
        .join(','),
    ]);
    const head = ['technique', 'name', 'tactic', 'rules', 'strategies'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (c: string[]): string =>
      c
        .map((x, i) => x.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    out([line(head), ...rows.map(line)].join('\n') + '\n');
    const techniques = new Set(layer.techniques.filter((t) => t.score > 0).map((t) => t.techniqueID));
    out(`${strategies.length} strategies, ${rules.length} rules and analytics, ${techniques.size} techniques detected\n`);
  }
  return 0;
}
