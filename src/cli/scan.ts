// `stowaway scan`: rules over event files, one NDJSON finding per line on stdout;
// diagnostics, progress and the summary on stderr so stdout stays machine-readable.
import type { Command } from 'commander';
import { formatDiagnostic, countByCode, type Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import type { FileFormat } from '../sources/types.js';
import { parseDuration } from '../sigma/correlation/timespan.js';
import { FILE_FORMATS } from '../sources/detect.js';
import { existsSync } from 'node:fs';
import type { Engine, EngineRules, FilePool, PacedSink, RuleSources } from '../runtime/index.js';
import { PrecomputedRuleSet, SPLITTABLE, ScanPool, correlationMembers } from '../runtime/scan-workers.js';
import { findingLine, knownEventJson } from '../runtime/finding-line.js';

export { findingLine, knownEventJson };

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
 * `flush` sends what the sink holds: scan calls it after each chunk of input and at the end.
 */
export type FindingSink = ((f: Finding) => void | Promise<void>) & {
  flush?: () => void | Promise<void>;
  /** Finding lines already written as UTF-8 (by scan worker threads), in their place in the output. */
  written?: (lines: Uint8Array) => void | Promise<void>;
};

/** Lines written to the stream in one write per chunk of input (or per 64 KiB), not one per finding. */
export function stdoutSink(out: NodeJS.WritableStream = process.stdout): FindingSink {
  let held = '';
  const flush = (): void | Promise<void> => {
    if (!held) return;
    const text = held;
    held = '';
    if (!out.write(text)) return new Promise((resolve) => out.once('drain', () => resolve()));
  };
  const sink = (f: Finding): void | Promise<void> => {
    held += findingLine(f) + '\n';
    if (held.length >= SINK_FLUSH_CHARS) return flush();
  };
  // A worker's lines go out as its bytes, after what is held: no decoding, no copy.
  const written = (lines: Uint8Array): void | Promise<void> => {
    const text = held;
    held = '';
    let ok = true;
    if (text) ok = out.write(text);
    if (lines.length > 0) ok = out.write(lines) && ok;
    if (!ok) return new Promise((resolve) => out.once('drain', () => resolve()));
  };
  return Object.assign(sink, { flush, written });
}

const SINK_FLUSH_CHARS = 64 * 1024;

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
      'match on this many threads (the main thread and n-1 worker threads); line-per-record inputs (ecs, k8s-audit, falco, sysmon) are split by lines, others are read by one thread; output is identical',
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

/** The flag values scan refuses before reading anything: the message, or the input format (if any). */
export function usageError(opts: Pick<ScanOptions, 'lateness' | 'format' | 'inputFormat'>): string | { format: FileFormat | undefined } {
  if (parseDuration(opts.lateness) === undefined) return `scan: --lateness ${JSON.stringify(opts.lateness)} is not a duration (e.g. 0s, 500ms, 5s, 2m)\n`;
  if (opts.format && opts.inputFormat && opts.format !== opts.inputFormat)
    return `scan: -f ${opts.format} and --input-format ${opts.inputFormat} disagree; give one\n`;
  const format = opts.inputFormat ?? opts.format;
  if (format !== undefined && !FILE_FORMATS.includes(format))
    return `scan: --input-format '${format}' is not a format; valid: ${FILE_FORMATS.join(', ')} (or leave it out to detect)\n`;
  return { format };
}

/** What decides the exit status once the run is over (the highest that applies wins, see --help). */
export interface ScanOutcome {
  missing: readonly string[];
  lost: readonly string[];
  findings: number;
  failOnMatch: boolean;
}

/** The exit status and the line that explains it, if one does. */
export function exitStatus(o: ScanOutcome): { code: number; line?: string } {
  if (o.missing.length > 0)
    return { code: EXIT_NOT_FOUND, line: `scan: exit ${EXIT_NOT_FOUND}: ${o.missing.length} input file(s) not found: ${o.missing.join(', ')}\n` };
  if (o.lost.length > 0) {
    const shown = [...new Set(o.lost)];
    const more = shown.length > 10 ? `; and ${shown.length - 10} more` : '';
    return { code: EXIT_INPUT_LOST, line: `scan: input lost (exit ${EXIT_INPUT_LOST}): ${shown.slice(0, 10).join('; ')}${more}\n` };
  }
  if (o.failOnMatch && o.findings > 0) return { code: EXIT_FINDINGS, line: `scan: exit ${EXIT_FINDINGS}: ${o.findings} findings (--fail-on-match)\n` };
  return { code: 0 };
}

/** Input diagnostics: every one counted, the first `max` printed, and a line saying the rest are not. */
function inputReporter(max: number, err: (s: string) => void): { report: (d: Diagnostic) => void; all: Diagnostic[] } {
  const all: Diagnostic[] = [];
  return {
    all,
    report: (d) => {
      all.push(d);
      if (all.length > max) return;
      err(formatDiagnostic(d) + '\n');
      if (all.length === max) err(`scan: further input diagnostics are counted, not printed (--max-errors ${max})\n`);
    },
  };
}

/** Rule diagnostics, how the cache served the load, and what compiled. */
function reportRules(loaded: EngineRules, engine: Engine, err: (s: string) => void): void {
  for (const d of loaded.diagnostics) err(formatDiagnostic(d) + '\n');
  const c = loaded.cache;
  if (c) {
    if (c.ignored) err(`scan: rule cache: ${c.ignored}\n`);
    if (c.saveError) err(`scan: rule cache: ${c.saveError}\n`);
    err(`scan: rule cache: ${c.hits} of ${c.hits + c.misses} rule files from ${c.dir}; rules ready in ${c.loadMs} ms\n`);
  }
  for (const d of engine.diagnostics) err(formatDiagnostic(d) + '\n');
  const all = [...loaded.diagnostics, ...engine.diagnostics];
  const errors = all.filter((d) => d.severity === 'error').length;
  const running = Object.keys(engine.stats().correlations.rules).length;
  err(
    `scan: ${loaded.files} rule files: ${loaded.compiled} of ${loaded.parsed} rules compiled, ${running} of ${loaded.correlations.length} correlations running; ` +
      `${errors} errors, ${all.length - errors} warnings\n`,
  );
}

/** Workers started at once, so their start overlaps the main thread's loading the rules (or none: said why). */
/** Why no input of this run can be cut into blocks for other threads, or undefined if one can. */
function notSplittable(inputs: readonly string[], format: FileFormat | undefined): string | undefined {
  if (format !== undefined && !SPLITTABLE.includes(format)) return `-f ${format} records depend on the lines before them`;
  if (inputs.length > 0 && inputs.every((f) => f === '-')) return 'standard input is read by one thread';
  return undefined;
}

function spawnPool(workers: number, err: (s: string) => void): ScanPool | undefined {
  if (workers < 2) return undefined;
  try {
    // The main thread is one of the threads that match.
    return ScanPool.spawn(workers - 1);
  } catch (e) {
    err(`scan: --workers: cannot start worker threads (${(e as Error).message}); matching on the main thread\n`);
    return undefined;
  }
}

/** The started workers given the rules, beside the main thread's own matcher. */
async function loadPool(
  spawned: ScanPool | undefined,
  ruleset: PrecomputedRuleSet | undefined,
  engine: Engine,
  sources: RuleSources,
  loaded: EngineRules,
  write: boolean,
  err: (s: string) => void,
): Promise<FilePool | undefined> {
  if (!spawned || !ruleset) return undefined;
  const expect = { ruleIds: loaded.ruleset.rules().map((r) => r.id), members: correlationMembers(loaded.ruleset, loaded.correlations) };
  // Loaded here, not with the command: the workers start before the main thread loads the rest.
  const { BlockMatcher } = await import('../runtime/scan-block.js');
  const local = new BlockMatcher(loaded.ruleset, expect.members, write, spawned.maxLine);
  spawned.load(sources, expect, write, local, (why) => err(`scan: --workers: ${why}\n`));
  return { pool: spawned, ruleset, engine };
}

/**
 * Findings one at a time to the line writer, counted; a promise only when the writer asks to
 * wait (a full pipe), not one per event.
 */
function lineSink(sink: FindingSink): PacedSink & { count(): number } {
  let n = 0;
  const rest = async (found: readonly Finding[], from: number, wait: Promise<void>): Promise<void> => {
    await wait;
    for (let i = from; i < found.length; i++) {
      n++;
      const w = sink(found[i]!);
      if (w) await w;
    }
  };
  const written = sink.written;
  return {
    count: () => n,
    ...(sink.flush ? { flush: sink.flush } : {}),
    ...(written
      ? {
          written: (lines: Uint8Array, count: number) => {
            n += count;
            return written(lines);
          },
        }
      : {}),
    eventJson: knownEventJson,
    findings: (found) => {
      for (let i = 0; i < found.length; i++) {
        n++;
        const wait = sink(found[i]!);
        if (wait) return rest(found, i + 1, wait);
      }
      return undefined;
    },
  };
}

/** The command without commander: returns the exit status. */
export async function scan(opts: ScanOptions, sink: FindingSink, err: (s: string) => void): Promise<number> {
  const started = Date.now();
  const usage = usageError(opts);
  if (typeof usage === 'string') {
    err(usage);
    return EXIT_USAGE;
  }
  const { format } = usage;
  const missing = opts.input.filter((f) => f !== '-' && !existsSync(f));
  for (const f of missing) err(`scan: input file not found: ${f}\n`);
  const inputs = opts.input.filter((f) => !missing.includes(f));
  const workers = Number(opts.workers ?? 1);
  const workersOk = Number.isInteger(workers) && workers >= 1 && workers <= 64;
  // Workers start first: loading their modules (a few hundred ms) overlaps the main thread
  // loading the rest of its own and the rules, which it does only now for that reason.
  // Threads for inputs none of which can be split would load the rules and never match.
  const unsplit = workersOk && workers > 1 ? notSplittable(inputs, format) : undefined;
  if (unsplit) err(`scan: --workers: ${unsplit}; matching on the main thread alone\n`);
  const spawned = workersOk && !unsplit ? spawnPool(workers, err) : undefined;
  let loaded: EngineRules;
  let sources: RuleSources;
  let rt: typeof import('../runtime/index.js');
  try {
    let cache: typeof import('../sigma/cache.js');
    [rt, cache] = await Promise.all([import('../runtime/index.js'), import('../sigma/cache.js')]);
    // A strategies folder is read as its rules/ and placeholders.yml, not every YAML file in it.
    const paths = rt.resolveRulePaths(opts.rules);
    for (const l of paths.layouts) err(`scan: ${l}\n`);
    if (!workersOk) {
      err(`scan: --workers ${JSON.stringify(opts.workers)} is not a whole number from 1 to 64\n`);
      return EXIT_USAGE;
    }
    sources = {
      rules: paths.rules,
      pipelines: opts.pipeline ?? [],
      placeholders: [...paths.placeholders, ...(opts.placeholders ?? [])],
      ...(opts.cache === true ? { cache: cache.defaultCacheDir() } : {}),
    };
    loaded = await rt.loadRules(sources);
  } catch (e) {
    await spawned?.close();
    throw e;
  }
  const { engineOver, runFiles } = rt;
  // With workers, the engine takes each event's matches from them (see scan-workers.ts).
  const precomputed = spawned ? new PrecomputedRuleSet(loaded.ruleset) : undefined;
  const engine = engineOver(loaded, { lateness: opts.lateness, ...(precomputed ? { ruleset: precomputed } : {}) });
  reportRules(loaded, engine, err);
  if (loaded.compiled === 0) {
    await spawned?.close();
    err('scan: no rule could be loaded; nothing to do\n');
    return EXIT_USAGE;
  }
  const out = lineSink(sink);
  const pool = await loadPool(spawned, precomputed, engine, sources, loaded, out.written !== undefined, err);
  const input = inputReporter(Math.max(0, Number(opts.maxErrors) || 0), err);
  const showProgress = opts.progress ?? process.stderr.isTTY;
  let lastProgress = Date.now();
  const progress = (file: string): void => {
    if (Date.now() - lastProgress < 5000) return;
    lastProgress = Date.now();
    const s = engine.stats();
    const rate = Math.round(s.events / ((Date.now() - started) / 1000));
    err(`scan: ${file}: ${s.events} events, ${out.count()} findings, ${input.all.length} input errors, ${rate} events/s\n`);
  };
  const { lost } = await runFiles(engine, inputs, out, {
    ...(format ? { format } : {}),
    ...(pool ? { pool } : {}),
    onDetected: (file, d) => err(`input: ${file}: ${d.label} (auto-detected from line ${d.line}; as -f ${d.format})\n`),
    onDiagnostic: input.report,
    onNotSplit: (file, reason) => err(`scan: --workers: ${file}: ${reason}\n`),
    ...(showProgress ? { onChunk: progress } : {}),
  });

  const s = engine.stats();
  const secs = (Date.now() - started) / 1000;
  const byCode = [...countByCode(input.all)].map(([c, n]) => `${c}=${n}`).join(' ');
  err(
    `scan: done: ${s.events} events, ${s.matched} matched, ${out.count()} findings, ${input.all.length} input errors${byCode ? ` (${byCode})` : ''}, ` +
      `${s.late} late, ${s.evicted} evicted, ${s.bad_time} without time, ${secs.toFixed(1)} s\n`,
  );
  if (opts.stats) err(JSON.stringify({ engine: s, rules: loaded.ruleset.stats(), ...(pool ? { blocks: pool.pool.blocks() } : {}) }) + '\n');
  if (s.events === 0 && inputs.length > 0) lost.push('no event was read from any input');
  const status = exitStatus({ missing, lost, findings: out.count(), failOnMatch: opts.failOnMatch === true });
  if (status.line) err(status.line);
  return status.code;
}
