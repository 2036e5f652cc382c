import type { Command } from 'commander';
import { builtinPipelines, compileRules, loadPipelines, loadPlaceholders, loadRules } from '../sigma/index.js';
import { countByCode, formatDiagnostic, type Diagnostic } from '../model/diagnostic.js';

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
      'Load and compile Sigma rules, filters and correlations; print what loaded and what was refused, by reason. Exits 1 when any rule was refused.',
    )
    .argument('<paths...>', 'rule files or directories (read recursively: .yml, .yaml)')
    .option('--pipeline <file...>', 'extra processing pipeline YAML (runs before the built-in pipelines)')
    .option('--placeholders <file...>', 'YAML mapping of placeholder name to values, for |expand; several are layered in order (docs/tuning.md)')
    .option('--json', 'print one JSON document instead of text')
    .option('--verbose', 'list every refusal and warning with file, line and reason')
    .action(async (paths: string[], opts: CheckOptions) => {
      const pl = await loadPipelines(opts.pipeline ?? []);
      const ph = opts.placeholders ? await loadPlaceholders(opts.placeholders) : { placeholders: {}, diagnostics: [] };
      const t0 = performance.now();
      const load = await loadRules(paths);
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
