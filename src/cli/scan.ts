// `stowaway scan`: rules over event files, one NDJSON finding per line on stdout;
// diagnostics, progress and the summary on stderr so stdout stays machine-readable.
import type { Command } from 'commander';
import { formatDiagnostic, countByCode, type Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import type { FileFormat } from '../sources/types.js';
import { readEventBatches } from '../sources/files.js';
import type { DetectedFormat } from '../sources/detect.js';
import { createEngine, type Engine } from '../engine/index.js';
import { loadEngineRules } from '../engine/rules.js';
import { parseDuration } from '../sigma/correlation/timespan.js';

export interface ScanOptions {
  rules: string[];
  input: string[];
  format?: FileFormat;
  pipeline?: string[];
  placeholders?: string[];
  lateness: string;
  progress?: boolean;
  stats?: boolean;
  maxErrors: string;
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
    .requiredOption('-r, --rules <path...>', 'rule files or directories (.yml/.yaml, searched recursively)')
    .requiredOption('-i, --input <file...>', 'event files to read, `-` for stdin')
    .option(
      '-f, --format <format>',
      'input format (ecs, docker-events, auditd, k8s-audit, falco, zeek-conn, sysmon, winlog); sysmon and winlog both read Windows event JSON in any spelling (flat as Zircolite/Chainsaw export it, Event.System, Winlogbeat); default: detect, named on stderr',
    )
    .option('-p, --pipeline <file...>', 'extra processing pipeline YAML files (field mappings ...), applied with the built-in ones in priority order')
    .option('--placeholders <file...>', 'YAML file of values for %placeholder% expansion in rules; several are layered in order (docs/tuning.md)')
    .option('--lateness <duration>', 'how far behind the newest event time an event may arrive and still be correlated (e.g. 5s, 2m)', '0s')
    .option('--progress', 'print progress to stderr every 5 s (default when stderr is a terminal)')
    .option('--stats', 'print the engine counters (per correlation: groups, evicted, late ...) as JSON on stderr at the end')
    .option('--max-errors <n>', 'print at most this many input diagnostics (all are still counted)', '100')
    .addHelpText(
      'after',
      '\nOutput: stdout carries one JSON object per finding (rule, selections, group, details, events).\n' +
        'stderr carries rule diagnostics, input diagnostics, progress and a final summary.\n' +
        'Exit status: 0 when the scan ran (bad input lines are counted, not fatal); 2 when no rule could be loaded or an option is invalid;\n' +
        `${EXIT_INPUT_LOST} when input was lost: a file could not be read to its end, a line was refused for its length or depth or broke its parser,\n` +
        'a file with content yielded no event at all, or no event was read from any input (findings, if any, are still printed).',
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

/** Exit status when input was lost or nothing was read (see the help text). */
export const EXIT_INPUT_LOST = 3;

/** Diagnostics that mean more than one refused record: part of the input never reached the engine. */
const LOST_CODES = new Set(['unreadable-file', 'input-unreadable', 'unknown-format', 'format-unsupported', 'line-too-long', 'too-deep', 'parse-error']);

/** The command without commander: returns the exit status. */
export async function scan(opts: ScanOptions, sink: FindingSink, err: (s: string) => void): Promise<number> {
  const started = Date.now();
  if (parseDuration(opts.lateness) === undefined) {
    err(`scan: --lateness ${JSON.stringify(opts.lateness)} is not a duration (e.g. 0s, 500ms, 5s, 2m)\n`);
    return 2;
  }
  const loaded = await loadEngineRules({ rules: opts.rules, pipelines: opts.pipeline ?? [], placeholders: opts.placeholders });
  for (const d of loaded.diagnostics) err(formatDiagnostic(d) + '\n');
  const engine: Engine = createEngine({
    ruleset: loaded.ruleset,
    correlations: loaded.correlations,
    knownRules: loaded.knownRules,
    fieldPaths: loaded.fieldPaths,
    lateness: opts.lateness,
  });
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
    return 2;
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
  const emit = async (fs: Finding[]): Promise<void> => {
    for (const f of fs) {
      findings++;
      const wait = sink(f);
      if (wait) await wait;
    }
  };

  const showProgress = opts.progress ?? process.stderr.isTTY;
  let lastProgress = Date.now();
  const lost: string[] = [];
  for (const input of opts.input) {
    let events = 0;
    let refused = 0;
    try {
      const read = opts.format
        ? { format: opts.format }
        : { onDetected: (d: DetectedFormat) => err(`input: ${input}: ${d.label} (auto-detected from line ${d.line}; as -f ${d.format})\n`) };
      // a chunk's records at a time: one promise per chunk, not per event
      for await (const batch of readEventBatches(input, read))
        for (const rec of batch) {
          if ('diagnostic' in rec) {
            reportInput(rec.diagnostic);
            if (rec.diagnostic.severity === 'error') refused++;
            if (LOST_CODES.has(rec.diagnostic.code)) lost.push(`${input}: ${rec.diagnostic.code}`);
            continue;
          }
          events++;
          const found = engine.process(rec.event);
          if (found.length > 0) await emit(found);
          if (showProgress && Date.now() - lastProgress >= 5000) {
            lastProgress = Date.now();
            const s = engine.stats();
            err(
              `scan: ${input}: ${s.events} events, ${findings} findings, ${inputErrors.length} input errors, ${Math.round(s.events / ((Date.now() - started) / 1000))} events/s\n`,
            );
          }
        }
    } catch (e) {
      reportInput({ severity: 'error', code: 'input-unreadable', message: `cannot read input: ${(e as Error).message}`, file: input });
      lost.push(`${input}: input-unreadable`);
    }
    if (events === 0 && refused > 0) lost.push(`${input}: every record refused`);
  }
  await emit(engine.flush());

  const s = engine.stats();
  const secs = (Date.now() - started) / 1000;
  const byCode = [...countByCode(inputErrors)].map(([c, n]) => `${c}=${n}`).join(' ');
  err(
    `scan: done: ${s.events} events, ${s.matched} matched, ${findings} findings, ${inputErrors.length} input errors${byCode ? ` (${byCode})` : ''}, ` +
      `${s.late} late, ${s.evicted} evicted, ${s.bad_time} without time, ${secs.toFixed(1)} s\n`,
  );
  if (opts.stats) err(JSON.stringify({ engine: s, rules: loaded.ruleset.stats() }) + '\n');
  if (s.events === 0) lost.push('no event was read from any input');
  if (lost.length > 0) {
    const shown = [...new Set(lost)];
    err(`scan: input lost (exit ${EXIT_INPUT_LOST}): ${shown.slice(0, 10).join('; ')}${shown.length > 10 ? `; and ${shown.length - 10} more` : ''}\n`);
    return EXIT_INPUT_LOST;
  }
  return 0;
}
