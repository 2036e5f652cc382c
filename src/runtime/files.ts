// Event files through an engine, in file order, to the end: what `scan` is. Records come a chunk
// at a time (one promise per chunk, not per event); the sink is called only when an event or the
// end of input produced findings, and may ask the reader to wait (a slow pipe on stdout).
import type { Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import type { FileFormat, SourceRecord } from '../sources/types.js';
import type { DetectedFormat } from '../sources/detect.js';
import { readEventBatches } from '../sources/files.js';
import { ScanPool, type ParallelRecord, type PrecomputedRuleSet } from './scan-workers.js';
import type { FindingCause } from './runtime.js';
import type { ReplayEngine } from './replay.js';

/** Diagnostics that mean more than one refused record: part of the input never reached the engine. */
export const LOST_CODES: ReadonlySet<string> = new Set([
  'unreadable-file',
  'input-unreadable',
  'unknown-format',
  'format-unsupported',
  'line-too-long',
  'too-deep',
  'parse-error',
]);

/**
 * Where a file run's findings go. A runtime FindingSink is one; a promise means "wait before
 * sending more", which the live runtime cannot offer its sources but a file reader can.
 */
export interface PacedSink {
  findings(found: readonly Finding[], cause: FindingCause): void | Promise<void>;
  /** Sends what the sink holds: called after each chunk of input and at the end. */
  flush?(): void | Promise<void>;
  /** The JSON text of an event a worker thread already wrote, so the sink need not write it again. */
  eventJson?(event: object, json: string): void;
}

/** Matching on worker threads: the pool reads the files it can split, the engine takes their matches. */
export interface FilePool {
  pool: ScanPool;
  ruleset: PrecomputedRuleSet;
}

export interface FileRunOptions {
  /** Read every input as this format; omitted: detected per file and reported through `onDetected`. */
  format?: FileFormat;
  pool?: FilePool;
  onDetected?(input: string, d: DetectedFormat): void;
  /** Every input diagnostic, in input order (refused lines, unreadable files). */
  onDiagnostic(d: Diagnostic): void;
  /** Why an input is read by one thread although a pool runs. */
  onNotSplit?(input: string, reason: string): void;
  /** After each chunk of records: where a progress line may be printed. */
  onChunk?(input: string): void;
}

export interface FileRunReport {
  /** Per input, why part of it never reached the engine (LOST_CODES, or every record refused). */
  lost: string[];
}

/**
 * Every input through `engine`, then `engine.flush()`: all findings reach `sink`. An input that
 * cannot be read is a diagnostic and a loss, never the end of the run.
 */
export async function runFiles(engine: ReplayEngine, inputs: readonly string[], sink: PacedSink, opts: FileRunOptions): Promise<FileRunReport> {
  const lost: string[] = [];
  const pool = opts.pool;
  for (const input of inputs) {
    let events = 0;
    let refused = 0;
    const split = pool ? ScanPool.whyNotSplit(input, opts.format) : undefined;
    if (split?.reason) opts.onNotSplit?.(input, split.reason);
    try {
      const detected = (d: DetectedFormat): void => opts.onDetected?.(input, d);
      if (pool && split?.format && split.detected) detected(split.detected);
      const batches: AsyncIterable<readonly (SourceRecord | ParallelRecord)[]> =
        pool && split?.format
          ? pool.pool.read(input, split.format, pool.ruleset)
          : readEventBatches(input, opts.format ? { format: opts.format } : { onDetected: detected });
      const precomputed = pool?.ruleset;
      for await (const batch of batches) {
        for (const rec of batch) {
          if ('diagnostic' in rec) {
            opts.onDiagnostic(rec.diagnostic);
            if (rec.diagnostic.severity === 'error') refused++;
            if (LOST_CODES.has(rec.diagnostic.code)) lost.push(`${input}: ${rec.diagnostic.code}`);
            continue;
          }
          events++;
          precomputed?.next('matches' in rec ? rec.matches : undefined);
          if ('json' in rec && rec.json !== undefined) sink.eventJson?.(rec.event, rec.json);
          const found = engine.process(rec.event);
          if (found.length > 0) {
            const wait = sink.findings(found, 'event');
            if (wait) await wait;
          }
        }
        // a chunk's findings go out together, before the next chunk is read
        const held = sink.flush?.();
        if (held) await held;
        opts.onChunk?.(input);
      }
    } catch (e) {
      opts.onDiagnostic({ severity: 'error', code: 'input-unreadable', message: `cannot read input: ${(e as Error).message}`, file: input });
      lost.push(`${input}: input-unreadable`);
    }
    if (events === 0 && refused > 0) lost.push(`${input}: every record refused`);
  }
  await pool?.pool.close();
  const rest = engine.flush();
  if (rest.length > 0) await sink.findings(rest, 'flush');
  await sink.flush?.();
  return { lost };
}
