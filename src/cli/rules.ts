// `stowaway rules check` (load a corpus, refusals by reason) and `stowaway rules list` (every rule
// loaded, like Falco's -L). A strategies folder is read as its rules and placeholders.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { builtinPipelines, compileRules, loadPipelines, loadPlaceholders, loadRules } from '../sigma/index.js';
import { countByCode, formatDiagnostic, type Diagnostic } from '../model/diagnostic.js';
import { defaultContentDir, resolveRulePaths, type RulePaths } from '../runtime/index.js';
import { outputFormat, type OutputFormat } from './options.js';
import { table } from './table.js';

interface CheckOptions {
  pipeline?: string[];
  placeholders?: string[];
  json?: boolean;
  verbose?: boolean;
}

export function register(program: Command): void {
  const rules = program.command('rules').description('Work with Sigma rule files.');
  rules
    .command('check')
    .description(
      'Load and compile Sigma rules, filters and correlations; print what loaded and what was refused, by reason. Exits 1 when any rule was refused, 2 when a path does not exist.',
    )
    .argument(
      '<paths...>',
      "rule files or directories (read recursively: .yml, .yaml); a content or strategies folder is read as its strategies' rules/ and placeholders.yml",
    )
    .option('--pipeline <file...>', 'extra processing pipeline YAML (runs before the built-in pipelines)')
    .option('--placeholders <file...>', 'YAML mapping of placeholder name to values, for |expand; several are layered in order (docs/tuning.md)')
    .option('--json', 'print one JSON document instead of text')
    .option('--verbose', 'list every refusal and warning with file, line and reason')
    .action(async (given: string[], opts: CheckOptions) => {
      const paths = existingRulePaths(given, 'rules check');
      if (!paths) return;
      if (!opts.json) for (const l of paths.layouts) process.stderr.write(`rules check: ${l}\n`);
      const pl = await loadPipelines(opts.pipeline ?? []);
      const phFiles = [...paths.placeholders, ...(opts.placeholders ?? [])];
      const ph = phFiles.length ? await loadPlaceholders(phFiles) : { placeholders: {}, diagnostics: [] };
      const t0 = performance.now();
      const load = await loadRules(paths.rules);
      const { ruleset, diagnostics } = compileRules(load, { pipelines: [...pl.pipelines, ...builtinPipelines()], placeholders: ph.placeholders });
      const ms = Math.round(performance.now() - t0);
      const all: Diagnostic[] = [...pl.diagnostics, ...ph.diagnostics, ...load.diagnostics, ...diagnostics];
      const errors = all.filter((d) => d.severity === 'error');
      const warnings = all.filter((d) => d.severity !== 'error');
      // One refused file or rule can carry several errors: count each once, by its first reason.
      const refusals = firstErrorPerUnit(errors);
      const refusedBy = Object.fromEntries([...countByCode(refusals)].sort((a, b) => b[1] - a[1]));
      const warnBy = Object.fromEntries([...countByCode(warnings)].sort((a, b) => b[1] - a[1]));
      const stats = ruleset.stats();
      const summary = {
        files: load.files,
        rules_loaded: ruleset.size,
        rules_indexed: stats['indexed_rules'] ?? 0,
        filters: load.filters.map((f) => ({ title: f.title, id: f.id, rules: f.rules, logsource: f.logsource, file: f.file })),
        correlations: load.correlations.length,
        refused: refusals.length,
        errors: errors.length,
        refused_by_reason: refusedBy,
        warnings: warnings.length,
        warnings_by_reason: warnBy,
        load_ms: ms,
        diagnostics: opts.verbose || opts.json ? all : undefined,
      };
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else {
        const out: string[] = [];
        out.push(`files read:        ${load.files}`);
        out.push(`rules loaded:      ${ruleset.size} (${summary.rules_indexed} use the candidate index) in ${ms} ms`);
        out.push(`correlations:      ${load.correlations.length}`);
        out.push(`filters:           ${load.filters.length}`);
        for (const f of load.filters)
          out.push(
            `  - ${f.title} → ${f.rules.join(', ')} (${Object.entries(f.logsource)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')})`,
          );
        out.push(`refused:           ${refusals.length} (${errors.length} errors)`);
        for (const [code, n] of Object.entries(refusedBy)) out.push(`  ${String(n).padStart(5)}  ${code}`);
        out.push(`warnings:          ${warnings.length}`);
        for (const [code, n] of Object.entries(warnBy)) out.push(`  ${String(n).padStart(5)}  ${code}`);
        if (opts.verbose) for (const d of all) out.push(formatDiagnostic(d));
        else if (errors.length) out.push('(--verbose lists each refusal with file, line and reason)');
        process.stdout.write(out.join('\n') + '\n');
      }
      if (errors.length) process.exitCode = 1;
    });
  rules
    .command('list')
    .description('List every rule, correlation and filter loaded (like Falco -L): id, title, level, tags, source file. Refused rules are counted on stderr.')
    .argument('[paths...]', 'rule files or folders (default: the built-in content)')
    .option('--placeholders <file...>', 'placeholder files layered over the strategies’ placeholders.yml')
    .option('--format <format>', 'table or json', outputFormat, 'table')
    .action(async (given: string[], opts: { placeholders?: string[]; format: OutputFormat }) => {
      const paths = existingRulePaths(given.length ? given : [defaultContentDir()], 'rules list');
      if (!paths) return;
      const ph = await loadPlaceholders([...paths.placeholders, ...(opts.placeholders ?? [])]);
      const load = await loadRules(paths.rules);
      const { ruleset, diagnostics } = compileRules(load, { pipelines: builtinPipelines(), placeholders: ph.placeholders });
      const rows: ListedRule[] = [
        ...ruleset.rules().map((r) => ({ id: r.id, title: r.title, kind: r.kind, level: r.level, tags: r.tags, file: r.file ?? '' })),
        ...load.correlations.map((c) => ({
          id: c.id ?? c.name ?? '',
          title: c.title,
          kind: 'correlation',
          level: c.meta.level,
          tags: c.meta.tags,
          file: c.file ?? '',
        })),
        ...load.filters.map((f) => ({ id: f.id ?? '', title: f.title, kind: 'filter', level: '', tags: [], file: f.file ?? '' })),
      ].sort((a, b) => a.file.localeCompare(b.file) || a.title.localeCompare(b.title));
      const errors = firstErrorPerUnit([...ph.diagnostics, ...load.diagnostics, ...diagnostics].filter((d) => d.severity === 'error'));
      if (opts.format === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else
        process.stdout.write(
          table(
            ['id', 'title', 'level', 'kind', 'tags', 'file'],
            rows.map((r) => [r.id, r.title, r.level, r.kind, r.tags.join(','), r.file ? relative(process.cwd(), r.file) : '']),
          ),
        );
      process.stderr.write(
        `rules list: ${rows.length} rules, correlations and filters${errors.length ? `; ${errors.length} refused (see \`stowaway rules check\`)` : ''}\n`,
      );
      if (errors.length) process.exitCode = 1;
    });
}

interface ListedRule {
  id: string;
  title: string;
  kind: string;
  level: string;
  tags: string[];
  file: string;
}

/** The rule paths resolved, or undefined (exit 2, each missing path named) when one does not exist. */
export function existingRulePaths(given: readonly string[], command: string): RulePaths | undefined {
  const missing = given.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    for (const p of missing) process.stderr.write(`${command}: no such file or directory: ${p}\n`);
    process.exitCode = 2;
    return undefined;
  }
  return resolveRulePaths(given);
}

/** The first error of each refused unit: a rule when the error names one, else the file. */
export function firstErrorPerUnit(errors: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return errors.filter((d) => {
    const key = `${d.file ?? ''}\u0000${d.rule ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
