// `stowaway explain`: why a rule did or did not match events, raw or normalized.
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { builtinPipelines, compileRules, loadPipelines, loadPlaceholders, loadRules, type Explanation } from '../sigma/index.js';
import { formatDiagnostic } from '../model/diagnostic.js';
import type { StowawayEvent } from '../model/event.js';
import { readJsonValues } from '../sources/winlog/json-stream.js';
import { isDiagnostic, normalizeWindowsEvent } from '../sources/winlog/normalize.js';
import { readEventFile } from '../sources/files.js';
import { FILE_FORMATS } from '../sources/detect.js';
import type { FileFormat } from '../sources/types.js';
import { existsSync } from 'node:fs';
import { defaultContentDir, resolveRulePaths } from '../runtime/index.js';

export interface ExplainOptions {
  rule: string;
  event: string;
  rules?: string[];
  inputFormat?: FileFormat;
  format?: FileFormat;
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

/** Exit statuses: the rule matched at least one event, matched none, or could not be found. */
export const EXPLAIN_MATCH = 0;
export const EXPLAIN_NO_MATCH = 1;
export const EXPLAIN_NOT_FOUND = 2;

export function register(program: Command): void {
  program
    .command('explain')
    .description(
      'Say why a Sigma rule did or did not match an event: logsource routing, each search identifier and each field, with the values the event holds. ' +
        'The event may be raw (a Kubernetes audit line, an audit record, Falco JSON ...: normalized first, as scan does) or already normalized.',
    )
    .requiredOption('--rule <id|title>', 'rule id, name or title')
    .requiredOption('--event <file>', 'event file: raw source records (any format scan reads), stowaway events as JSON/NDJSON, or Windows event JSON')
    .option(
      '--rules <paths...>',
      "rule files or directories to load; a content or strategies folder is read as its strategies' rules/ and placeholders.yml (default: the built-in content)",
    )
    .option('--input-format <format>', `format of --event (${FILE_FORMATS.join(', ')}); default: detect`)
    .option('-f, --format <format>', 'the same as --input-format')
    .option('--pipeline <file...>', 'extra processing pipeline YAML (runs before the built-in pipelines)')
    .option('--placeholders <file...>', 'YAML mapping of placeholder name to values, for |expand; several are layered in order (docs/tuning.md)')
    .option('--json', 'print explanations as JSON')
    .addHelpText(
      'after',
      `\nExit status: ${EXPLAIN_MATCH} the rule matched an event; ${EXPLAIN_NO_MATCH} it matched none; ${EXPLAIN_NOT_FOUND} the rule was not found or refused, the event file is missing, or a usage error.`,
    )
    .action(async (opts: ExplainOptions) => {
      process.exitCode = await explain(
        opts,
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
    });
}

/** Events of the file: raw source records normalized as scan does, or events already normalized. */
async function eventsOf(file: string, format: FileFormat | undefined, err: (s: string) => void): Promise<{ origin: string; event: StowawayEvent }[]> {
  const text = await readFile(file, 'utf8');
  const { records, diagnostics: bad } = readJsonValues(text, file);
  const normalized = (v: unknown): boolean => typeof v === 'object' && v !== null && ('stowaway' in v || 'Event' in v || 'winlog' in v);
  if (!format && records.length > 0 && records.every((r) => normalized(r.value))) {
    for (const d of bad) err(formatDiagnostic(d) + '\n');
    const out: { origin: string; event: StowawayEvent }[] = [];
    for (const r of records) {
      const origin = `${file}:${r.line}`;
      const v = r.value as Record<string, unknown>;
      if (!('stowaway' in v)) {
        const n = normalizeWindowsEvent(v, origin);
        if (isDiagnostic(n)) err(formatDiagnostic(n) + '\n');
        else out.push({ origin, event: n });
      } else out.push({ origin, event: v as unknown as StowawayEvent });
    }
    return out;
  }
  const out: { origin: string; event: StowawayEvent }[] = [];
  for await (const rec of readEventFile(file, format ? { format } : {})) {
    if ('diagnostic' in rec) err(formatDiagnostic(rec.diagnostic) + '\n');
    else out.push({ origin: rec.event.stowaway.origin ?? file, event: rec.event });
  }
  return out;
}

export async function explain(opts: ExplainOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const format = opts.inputFormat ?? opts.format;
  if (format !== undefined && !FILE_FORMATS.includes(format)) {
    err(`explain: --input-format '${format}' is not a format; valid: ${FILE_FORMATS.join(', ')}\n`);
    return EXPLAIN_NOT_FOUND;
  }
  for (const p of [opts.event, ...(opts.rules ?? [])])
    if (!existsSync(p)) {
      err(`explain: no such file or directory: ${p}\n`);
      return EXPLAIN_NOT_FOUND;
    }
  const paths = resolveRulePaths(opts.rules ?? [defaultContentDir()]);
  const pl = await loadPipelines(opts.pipeline ?? []);
  const phFiles = [...paths.placeholders, ...(opts.placeholders ?? [])];
  const ph = phFiles.length ? await loadPlaceholders(phFiles) : { placeholders: {}, diagnostics: [] };
  const load = await loadRules(paths.rules);
  const { ruleset, diagnostics } = compileRules(load, { pipelines: [...pl.pipelines, ...builtinPipelines()], placeholders: ph.placeholders });
  // If the asked-for rule was refused, say why instead of "not found".
  const refusal = [...load.diagnostics, ...diagnostics].find((d) => d.severity === 'error' && d.rule === opts.rule);
  if (refusal) {
    err(`explain: the rule was refused: ${formatDiagnostic(refusal)}\n`);
    return EXPLAIN_NOT_FOUND;
  }
  const known = ruleset.rules().some((r) => r.id === opts.rule || r.name === opts.rule || r.title === opts.rule);
  if (!known) {
    err(`explain: no rule with id, name or title '${opts.rule}' in ${(opts.rules ?? ['the built-in content']).join(', ')} (stowaway rules list shows them)\n`);
    return EXPLAIN_NOT_FOUND;
  }
  const events = await eventsOf(opts.event, format, err);
  const results = events.map((e) => ({ origin: e.origin, explanation: ruleset.explain(opts.rule, e.event) }));
  if (opts.json) out(JSON.stringify(results, null, 2) + '\n');
  else out(results.map((r) => render(r.explanation, r.origin)).join('\n\n') + '\n');
  if (results.length === 0) err(`explain: no event could be read from ${opts.event}\n`);
  return results.some((r) => r.explanation.matched) ? EXPLAIN_MATCH : EXPLAIN_NO_MATCH;
}
