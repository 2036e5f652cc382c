import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { builtinPipelines, compileRules, loadPipelines, loadPlaceholders, loadRules, type Explanation } from '../sigma/index.js';
import { formatDiagnostic } from '../model/diagnostic.js';
import type { StowawayEvent } from '../model/event.js';
import { readJsonValues } from '../sources/winlog/json-stream.js';
import { isDiagnostic, normalizeWindowsEvent } from '../sources/winlog/normalize.js';

interface ExplainOptions {
  rule: string;
  event: string;
  rules: string[];
  pipeline?: string[];
  placeholders?: string[];
  json?: boolean;
}

function render(e: Explanation, origin: string): string {
  const out = [`event ${origin}`, `  ${e.summary}`];
  if (!e.found) return out.join('\n');
  for (const s of e.searches) {
    out.push(`  ${s.value ? '✔' : '✘'} ${s.name} (${s.combine === 'or' ? 'any of' : s.combine === 'and' ? 'all of' : 'one item'})`);
    for (const it of s.items) {
      const actual = it.field === null ? '' : ` — event has ${it.actual.length ? it.actual.map((a) => JSON.stringify(a)).join(', ') : 'no such field'}`;
      out.push(`      ${it.value ? '✔' : '✘'} ${it.text}${actual}`);
    }
  }
  if (e.candidate === false) out.push('  (the candidate index would not select this rule for this event: none of its required literals occur)');
  return out.join('\n');
}

export function register(program: Command): void {
  program
    .command('explain')
    .description(
      'Say why a Sigma rule did or did not match an event: logsource routing, each search identifier and each field, with the values the event holds.',
    )
    .requiredOption('--rule <id|title>', 'rule id, name or title')
    .requiredOption('--event <file>', 'event file: JSON or NDJSON of stowaway events, or Windows event JSON (Event.System/EventData or Winlogbeat)')
    .requiredOption('--rules <paths...>', 'rule files or directories to load')
    .option('--pipeline <file...>', 'extra processing pipeline YAML (runs before the built-in pipelines)')
    .option('--placeholders <file...>', 'YAML mapping of placeholder name to values, for |expand; several are layered in order (docs/tuning.md)')
    .option('--json', 'print explanations as JSON')
    .action(async (opts: ExplainOptions) => {
      const pl = await loadPipelines(opts.pipeline ?? []);
      const ph = opts.placeholders ? await loadPlaceholders(opts.placeholders) : { placeholders: {}, diagnostics: [] };
      const load = await loadRules(opts.rules);
      const { ruleset, diagnostics } = compileRules(load, { pipelines: [...pl.pipelines, ...builtinPipelines()], placeholders: ph.placeholders });
      // If the asked-for rule was refused, say why instead of "not found".
      const refusal = [...load.diagnostics, ...diagnostics].find((d) => d.severity === 'error' && d.rule === opts.rule);
      if (refusal) process.stderr.write(`the rule was refused: ${formatDiagnostic(refusal)}\n`);
      const text = await readFile(opts.event, 'utf8');
      const { records, diagnostics: bad } = readJsonValues(text, opts.event);
      for (const d of bad) process.stderr.write(formatDiagnostic(d) + '\n');
      const results: { origin: string; explanation: Explanation }[] = [];
      for (const r of records) {
        const origin = `${opts.event}:${r.line}`;
        const v = r.value as Record<string, unknown>;
        let ev: StowawayEvent;
        if (v && typeof v === 'object' && !('stowaway' in v) && ('Event' in v || 'winlog' in v)) {
          const n = normalizeWindowsEvent(v, origin);
          if (isDiagnostic(n)) {
            process.stderr.write(formatDiagnostic(n) + '\n');
            continue;
          }
          ev = n;
        } else ev = v as unknown as StowawayEvent;
        results.push({ origin, explanation: ruleset.explain(opts.rule, ev) });
      }
      if (opts.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
      else process.stdout.write(results.map((r) => render(r.explanation, r.origin)).join('\n\n') + '\n');
      if (!results.some((r) => r.explanation.matched)) process.exitCode = 1;
    });
}
