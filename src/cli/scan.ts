// `stowaway scan`: rules over event files, one NDJSON finding per line on stdout;
// diagnostics, progress and the summary on stderr so stdout stays machine-readable.
import type { Command } from 'commander';
import { formatDiagnostic, countByCode, type Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import type { FileFormat } from '../sources/types.js';
import { parseDuration } from '../sigma/correlation/timespan.js';
import { FILE_FORMATS } from '../sources/detect.js';
import { existsSync } from 'node:fs';
import { engineOver, loadRules, resolveRulePaths, runFiles, type PacedSink } from '../runtime/index.js';
import { defaultCacheDir } from '../sigma/cache.js';
import { PrecomputedRuleSet, ScanPool } from '../runtime/scan-workers.js';

export interface ScanOptions {
  rules: string[];
  input: string[];
  format?: FileFormat;
  /** The same as `format`, by its clear name (`-f` is the output format in sigma-cli). */
  inputFormat?: FileFormat;
  failOnMatch?: boolean;
  pipeline?: string[];
  placeholders?: string[];
  lateness: string;
  progress?: boolean;
  stats?: boolean;
  maxErrors: string;
  /** Worker threads for Sigma matching (default 1: the main thread alone). */
  workers?: string;
  /** Use the rule cache (the command line default; --no-cache turns it off). Omitted: no cache. */
  cache?: boolean;
}

/**
 * Where findings go. Today a JSON line on stdout; the alerts pipeline replaces this one step.
 * A promise means "wait before sending more" (a slow reader on the other end of a pipe).
 */
export type FindingSink = (f: Finding) => void | Promise<void>;

/** One finding as one self-contained JSON line: rule, what matched, and the events. */
export function findingLine(f: Finding): string {
  const rule: Record<string, unknown> = { id: f.rule.id, title: f.rule.title, level: f.rule.level, kind: f.rule.kind, tags: f.rule.tags };
  if (f.rule.name) rule.name = f.rule.name;
  if (f.rule.file) rule.file = f.rule.file;
  const out: Record<string, unknown> = { '@timestamp': f.time, rule, kind: f.rule.kind };
  if (f.selections) out.selections = f.selections;
  if (f.group) out.group = f.group;
  if (f.details) out.details = f.details;
  // `events` is last: the rest is written, then each event's own text, which is made once per
  // event however many rules it matched (the same bytes JSON.stringify would write)
  const head = JSON.stringify(out);
  let events = '';
  for (let i = 0; i < f.events.length; i++) events += (i ? ',' : '') + eventJson(f.events[i]);
  return `${head.slice(0, -1)},"events":[${events}]}`;
}

const eventText = new WeakMap<object, string>();

function eventJson(ev: unknown): string {
  if (typeof ev !== 'object' || ev === null) return JSON.stringify(ev) ?? 'null';
  let s = eventText.get(ev);
  if (s === undefined) {
    s = JSON.stringify(ev) ?? 'null';
    eventText.set(ev, s);
  }
  return s;
}

export function stdoutSink(out: NodeJS.WritableStream = process.stdout): FindingSink {
  return (f) => {
    if (!out.write(findingLine(f) + '\n')) return new Promise((resolve) => out.once('drain', () => resolve()));
  };
}

export function register(program: Command): void {
  program
    .command('scan')
    .description('Evaluate Sigma rules, correlations and filters over event files; print one JSON line per finding')
    .requiredOption(
      '-r, --rules <path...>',
      "rule files or directories (.yml/.yaml, searched recursively); a content or strategies folder is read as its strategies' rules/ and placeholders.yml",
    )
    .requiredOption('-i, --input <file...>', 'event files to read, `-` for stdin')
    .option(
      '--input-format <format>',
      `input format (${FILE_FORMATS.join(', ')}); sysmon and winlog both read Windows event JSON in any spelling (flat as Zircolite/Chainsaw export it, Event.System, Winlogbeat); default: detect, named on stderr`,
    )
    .option('-f, --format <format>', 'the same as --input-format (kept for existing scripts)')
    .option('--fail-on-match', `exit ${EXIT_FINDINGS} when there is at least one finding (for CI)`)
    .option('-p, --pipeline <file...>', 'extra processing pipeline YAML files (field mappings ...), applied with the built-in ones in priority order')
    .option('--placeholders <file...>', 'YAML file of values for %placeholder% expansion in rules; several are layered in order (docs/tuning.md)')
    .option('--lateness <duration>', 'how far behind the newest event time an event may arrive and still be correlated (e.g. 5s, 2m)', '0s')
    .option('--progress', 'print progress to stderr every 5 s (default when stderr is a terminal)')
    .option('--stats', 'print the engine counters (per correlation: groups, evicted, late ...) as JSON on stderr at the end')
    .option('--max-errors <n>', 'print at most this many input diagnostics (all are still counted)', '100')
    .option(
      '--workers <n>',
      'match on this many worker threads; line-per-record inputs (ecs, k8s-audit, falco, sysmon) are split by lines, others are read by one thread; output is identical',
      '1',
    )
    .option('--no-cache', 'parse every rule file afresh instead of using the rule cache ($STOWAWAY_CACHE_DIR, else ~/.cache/stowaway)')
    .addHelpText(
      'after',
      '\nOutput: stdout carries one JSON object per finding (rule, selections, group, details, events).\n' +
        'stderr carries rule diagnostics, input diagnostics, progress and a final summary.\n' +
        'Exit status (the highest that applies):\n' +
        '  0  the scan ran; findings, if any, are on stdout (bad input lines are counted, not fatal)\n' +
        `  ${EXIT_FINDINGS}  --fail-on-match and at least one finding\n` +
        '  2  usage: an invalid option value (an unknown --input-format names the formats), or no rule could be loaded\n' +
        `  ${EXIT_INPUT_LOST}  input lost: a file could not be read to its end, a line was refused for its length or depth or broke its parser,\n` +
        '     every record of a file was refused (e.g. a wrong --input-format), or no event was read from any input\n' +
        `  ${EXIT_NOT_FOUND}  an input file does not exist (named on stderr; the other inputs are still scanned)\n`,
    )
    .action(async (opts: ScanOptions) => {
      // A reader that stops early (`| head`) is not an error of the scan.
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(0);
        throw e;
      });
      process.exitCode = await scan(opts, stdoutSink(), (s) => process.stderr.write(s));
    });
}

/** Exit statuses (see the help text and docs/cli.md). */
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
export const EXIT_INPUT_LOST = 3;
export const EXIT_NOT_FOUND = 4;

/** The command without commander: returns the exit status. */
export async function scan(opts: ScanOptions, sink: FindingSink, err: (s: string) => void): Promise<number> {
  const started = Date.now();
  if (parseDuration(opts.lateness) === undefined) {
    err(`scan: --lateness ${JSON.stringify(opts.lateness)} is not a duration (e.g. 0s, 500ms, 5s, 2m)\n`);
    return EXIT_USAGE;
  }
  if (opts.format && opts.inputFormat && opts.format !== opts.inputFormat) {
    err(`scan: -f ${opts.format} and --input-format ${opts.inputFormat} disagree; give one\n`);
    return EXIT_USAGE;
  }
  const format = opts.inputFormat ?? opts.format;
  if (format !== undefined && !FILE_FORMATS.includes(format)) {
    err(`scan: --input-format '${format}' is not a format; valid: ${FILE_FORMATS.join(', ')} (or leave it out to detect)\n`);
    return EXIT_USAGE;
  }
  const missing = opts.input.filter((f) => f !== '-' && !existsSync(f));
  for (const f of missing) err(`scan: input file not found: ${f}\n`);
  const inputs = opts.input.filter((f) => !missing.includes(f));
  // A strategies folder is read as its rules/ and placeholders.yml, not every YAML file in it.
  const paths = resolveRulePaths(opts.rules);
  for (const l of paths.layouts) err(`scan: ${l}\n`);
  const workers = Number(opts.workers ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    err(`scan: --workers ${JSON.stringify(opts.workers)} is not a whole number from 1 to 64\n`);
    return EXIT_USAGE;
  }
  const sources = {
    rules: paths.rules,
    pipelines: opts.pipeline ?? [],
    placeholders: [...paths.placeholders, ...(opts.placeholders ?? [])],
    ...(opts.cache === true ? { cache: defaultCacheDir() } : {}),
  };
  const loaded = await loadRules(sources);
  for (const d of loaded.diagnostics) err(formatDiagnostic(d) + '\n');
  const c = loaded.cache;
  if (c) {
    if (c.ignored) err(`scan: rule cache: ${c.ignored}\n`);
    if (c.saveError) err(`scan: rule cache: ${c.saveError}\n`);
    err(`scan: rule cache: ${c.hits} of ${c.hits + c.misses} rule files from ${c.dir}; rules ready in ${c.loadMs} ms\n`);
  }
  // With workers, the engine takes each event's matches from them (see scan-workers.ts).
  const precomputed = workers > 1 ? new PrecomputedRuleSet(loaded.ruleset) : undefined;
  const engine = engineOver(loaded, { lateness: opts.lateness, ...(precomputed ? { ruleset: precomputed } : {}) });
  for (const d of engine.diagnostics) err(formatDiagnostic(d) + '\n');
  const all = [...loaded.diagnostics, ...engine.diagnostics];
  const errors = all.filter((d) => d.severity === 'error').length;
  const correlations = engine.stats().correlations.rules;
  const running = Object.keys(correlations).length;
  err(
    `scan: ${loaded.files} rule files: ${loaded.compiled} of ${loaded.parsed} rules compiled, ${running} of ${loaded.correlations.length} correlations running; ` +
      `${errors} errors, ${all.length - errors} warnings\n`,
  );
  if (loaded.compiled === 0) {
    err('scan: no rule could be loaded; nothing to do\n');
    return EXIT_USAGE;
  }
  let pool: ScanPool | undefined;
  if (precomputed) {
    try {
      pool = await ScanPool.start(
        workers,
        sources,
        loaded.ruleset.rules().map((r) => r.id),
      );
    } catch (e) {
      err(`scan: --workers: cannot start worker threads (${(e as Error).message}); matching on the main thread\n`);
    }
  }
  const maxErrors = Math.max(0, Number(opts.maxErrors) || 0);
  const inputErrors: Diagnostic[] = [];
  let printedErrors = 0;
  const reportInput = (d: Diagnostic): void => {
    inputErrors.push(d);
    if (printedErrors < maxErrors) {
      printedErrors++;
      err(formatDiagnostic(d) + '\n');
      if (printedErrors === maxErrors) err(`scan: further input diagnostics are counted, not printed (--max-errors ${maxErrors})\n`);
    }
  };
  let findings = 0;
  // A promise only when the line writer asks to wait (a full pipe), not one per event.
  const rest = async (found: readonly Finding[], from: number, wait: Promise<void>): Promise<void> => {
    await wait;
    for (let i = from; i < found.length; i++) {
      findings++;
      const w = sink(found[i]!);
      if (w) await w;
    }
  };
  const out: PacedSink = {
    findings: (found) => {
      for (let i = 0; i < found.length; i++) {
        findings++;
        const wait = sink(found[i]!);
        if (wait) return rest(found, i + 1, wait);
      }
      return undefined;
    },
  };
  const showProgress = opts.progress ?? process.stderr.isTTY;
  let lastProgress = Date.now();
  const { lost } = await runFiles(engine, inputs, out, {
    ...(format ? { format } : {}),
    ...(pool && precomputed ? { pool: { pool, ruleset: precomputed } } : {}),
    onDetected: (input, d) => err(`input: ${input}: ${d.label} (auto-detected from line ${d.line}; as -f ${d.format})\n`),
    onDiagnostic: reportInput,
    onNotSplit: (input, reason) => err(`scan: --workers: ${input}: ${reason}\n`),
    ...(showProgress
      ? {
          onChunk: (input: string) => {
            if (Date.now() - lastProgress < 5000) return;
            lastProgress = Date.now();
            const s = engine.stats();
            err(
              `scan: ${input}: ${s.events} events, ${findings} findings, ${inputErrors.length} input errors, ${Math.round(s.events / ((Date.now() - started) / 1000))} events/s\n`,
            );
          },
        }
      : {}),
  });

  const s = engine.stats();
  const secs = (Date.now() - started) / 1000;
  const byCode = [...countByCode(inputErrors)].map(([c, n]) => `${c}=${n}`).join(' ');
  err(
    `scan: done: ${s.events} events, ${s.matched} matched, ${findings} findings, ${inputErrors.length} input errors${byCode ? ` (${byCode})` : ''}, ` +
      `${s.late} late, ${s.evicted} evicted, ${s.bad_time} without time, ${secs.toFixed(1)} s\n`,
  );
  if (opts.stats) err(JSON.stringify({ engine: s, rules: loaded.ruleset.stats() }) + '\n');
  if (s.events === 0 && inputs.length > 0) lost.push('no event was read from any input');
  if (missing.length > 0) {
    err(`scan: exit ${EXIT_NOT_FOUND}: ${missing.length} input file(s) not found: ${missing.join(', ')}\n`);
    return EXIT_NOT_FOUND;
  }
  if (lost.length > 0) {
    const shown = [...new Set(lost)];
    err(`scan: input lost (exit ${EXIT_INPUT_LOST}): ${shown.slice(0, 10).join('; ')}${shown.length > 10 ? `; and ${shown.length - 10} more` : ''}\n`);
    return EXIT_INPUT_LOST;
  }
  if (opts.failOnMatch && findings > 0) {
    err(`scan: exit ${EXIT_FINDINGS}: ${findings} findings (--fail-on-match)\n`);
    return EXIT_FINDINGS;
  }
  return 0;
}
