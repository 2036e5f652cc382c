// `stowaway coverage`: which ATT&CK techniques the loaded content (strategies' rules,
// correlations, analytics, and the user's rules) detects, as a table, JSON, or an ATT&CK
// Navigator layer. The figures come from computeCoverage, as the page's do.
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatDiagnostic } from '../model/diagnostic.js';
import type { AttackSubset } from '../model/attack-data.js';
import { buildNavigatorLayer, computeCoverage, coverageSentence, loadAttack, type AttackCatalog, type CoverageMatrix } from '../ads/index.js';
import { contentRootOf, loadContent } from '../runtime/index.js';
import { outputFormat, type OutputFormat } from './options.js';
import { table } from './table.js';

export interface CoverageCliOptions {
  navigator?: string;
  content?: string;
  rules?: string[];
  placeholders?: string[];
  attack?: string;
  name?: string;
  format?: OutputFormat;
}

export function register(program: Command): void {
  program
    .command('coverage')
    .description(
      'Report the ATT&CK techniques the loaded content detects (the strategies’ rules, correlations and analytics, plus --rules); optionally write an ATT&CK Navigator layer (score = rules per technique and tactic). The page shows the same figures.',
    )
    .option('--navigator <file>', 'write the Navigator layer to this file ("-" for stdout, then no table is printed)')
    .option('--content <dir>', 'content directory (or its strategies folder) instead of the built-in content')
    .option('--rules <path...>', 'rule files or folders added to the content')
    .option('--placeholders <file...>', 'placeholder files layered over the content’s placeholders.yml')
    .option(
      '--attack <file>',
      'ATT&CK data for technique names and tactics: a STIX bundle (enterprise-attack.json) or a subset (default: the one shipped in the package)',
    )
    .option('--name <name>', 'layer name', 'stowaway coverage')
    .option('--format <format>', 'table or json', outputFormat, 'table')
    .action(async (opts: CoverageCliOptions) => {
      process.exitCode = await coverage(
        opts,
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
    });
}

/** A full catalog (from --attack) as the subset shape coverage reads. */
function subsetOf(c: AttackCatalog): AttackSubset {
  const techniques = new Map(
    [...c.techniques].filter(([, t]) => !t.revoked && !t.deprecated).map(([id, t]) => [id, { name: t.name, tactics: t.tactics, platforms: t.platforms }]),
  );
  return {
    ...(c.version ? { version: c.version } : {}),
    attribution: '',
    techniques,
    retired: new Map(),
    tactics: [...c.tactics],
    platforms: [...c.platforms],
    file: c.file,
  };
}

/** The matrix of the content the options name: the same content `start` and the page load. */
export async function coverageMatrix(
  opts: Pick<CoverageCliOptions, 'content' | 'rules' | 'placeholders' | 'attack'>,
  err: (s: string) => void,
): Promise<CoverageMatrix | undefined> {
  const content = await loadContent({
    ...(opts.content ? { contentDir: contentRootOf(resolve(opts.content)) } : {}),
    ...(opts.rules ? { rules: opts.rules } : {}),
    ...(opts.placeholders ? { placeholders: opts.placeholders } : {}),
  });
  for (const d of content.diagnostics) if (d.severity === 'error') err(formatDiagnostic(d) + '\n');
  if (content.catalogNote) err(`coverage: ${content.catalogNote}\n`);
  let attack: AttackSubset | undefined;
  if (opts.attack) {
    const a = await loadAttack(resolve(opts.attack));
    if (!a.catalog) {
      err(`coverage: ${a.error}\n`);
      return undefined;
    }
    attack = subsetOf(a.catalog);
  }
  return attack ? computeCoverage(content.rules, content.catalog, attack) : computeCoverage(content.rules, content.catalog);
}

export async function coverage(opts: CoverageCliOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const m = await coverageMatrix(opts, err);
  if (!m) return 2;
  if (m.strategies.length === 0 && m.rules === 0) {
    err(`coverage: no rule detects any ATT&CK technique in ${opts.content ?? 'the built-in content'}\n`);
    return 1;
  }
  const layer = buildNavigatorLayer(m, opts.name);
  if (opts.navigator) {
    const text = JSON.stringify(layer, null, 2) + '\n';
    if (opts.navigator === '-') out(text);
    else {
      await writeFile(opts.navigator, text);
      err(`coverage: wrote ${layer.techniques.length} technique/tactic entries to ${opts.navigator}\n`);
    }
  }
  if (opts.navigator === '-') return 0;
  if (opts.format === 'json') {
    out(JSON.stringify(m, null, 2) + '\n');
    return 0;
  }
  const rows = m.tactics.flatMap(({ tactic, techniques }) =>
    techniques.map((c) => [c.technique, c.name ?? '', tactic, String(c.rules.length), [...c.strategies].sort().join(',')]),
  );
  for (const g of m.gaps) rows.push([g.technique, g.name ?? '', g.tactic, '0', g.strategies.join(',')]);
  out(table(['technique', 'name', 'tactic', 'rules', 'strategies'], rows));
  out(`${coverageSentence(m)} (ATT&CK ${m.attack.version ?? '?'})\n`);
  return 0;
}
