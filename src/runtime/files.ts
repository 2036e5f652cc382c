// Event files through an engine, in file order, to the end: what `scan` is. Records come a chunk
// at a time (one promise per chunk, not per event); the sink is called only when an event or the
// end of input produced findings, and may ask the reader to wait (a slow pipe on stdout).
import type { Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import type { FileFormat } from '../sources/types.js';
import type { DetectedFormat } from '../sources/detect.js';
import { readEventBatches } from '../sources/files.js';
import { REC, ScanPool, type BlockResult, type MainEvent, type PrecomputedRuleSet } from './scan-workers.js';
import type { FindingCause } from './runtime.js';
import type { ReplayEngine } from './replay.js';
import type { Engine } from '../engine/engine.js';
import type { StowawayEvent } from '../model/event.js';

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
  /**
   * Finding lines a worker thread wrote, UTF-8, and how many: the sink writes them as they are.
   * A pool whose sink cannot take them leaves every finding to the main thread.
   */
  written?(lines: Uint8Array, count: number): void | Promise<void>;
}

/**
 * Matching on worker threads: the pool reads the files it can split, the engine takes their
 * matches (through `ruleset`) and the times of the events whose findings the workers wrote.
 */
export interface FilePool {
  pool: ScanPool;
  ruleset: PrecomputedRuleSet;
  /** The engine runFiles is given, which takes the events the workers wrote the findings of. */
  engine: Engine;
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
      if (pool && split?.format) {
        for await (const block of pool.pool.read(input, split.format)) {
          const r = await takeBlock(block, pool, sink, opts);
          events += r.events;
          refused += r.refused;
          for (const code of r.lost) lost.push(`${input}: ${code}`);
          const held = sink.flush?.();
          if (held) await held;
          opts.onChunk?.(input);
        }
      } else {
        const batches = readEventBatches(input, opts.format ? { format: opts.format } : { onDetected: detected });
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
            // A file read by one thread while workers run: the real rule set matches it.
            precomputed?.next(undefined);
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

/**
 * A worker block in input order: each event's time moves event time (and may release
 * correlation findings), the events a correlation reads go through the engine whole, and the
 * finding lines the worker wrote are written up to each record before any finding the engine
 * makes at it, so lines come out in the order one thread writes them.
 */
async function takeBlock(b: BlockResult, pool: FilePool, sink: PacedSink, opts: FileRunOptions): Promise<{ events: number; refused: number; lost: string[] }> {
  const { engine, ruleset } = pool;
  let events = 0;
  let refused = 0;
  const lost: string[] = [];
  let rest = 0;
  let from = 0;
  let counted = 0;
  const writeTo = async (end: number, count: number): Promise<void> => {
    if (end === from && count === counted) return;
    const wait = sink.written!(b.out.subarray(from, end), count - counted);
    from = end;
    counted = count;
    if (wait) await wait;
  };
  for (let i = 0; i < b.kinds.length; i++) {
    const kind = b.kinds[i];
    let found: Finding[];
    if (kind === REC.diagnostic) {
      const d = b.rest[rest++] as Diagnostic;
      opts.onDiagnostic(d);
      if (d.severity === 'error') refused++;
      if (LOST_CODES.has(d.code)) lost.push(d.code);
      continue;
    }
    events++;
    if (kind === REC.plain || kind === REC.written) found = engine.passed(b.times[i]!, kind === REC.written);
    else if (kind === REC.main) {
      const m = b.rest[rest++] as MainEvent;
      const ev = JSON.parse(m.j) as StowawayEvent;
      ruleset.next(ruleset.resolve(m.m));
      sink.eventJson?.(ev, m.j);
      found = engine.process(ev);
    } else {
      const e = b.rest[rest++] as { t: string; x: string };
      ruleset.next(new Error(e.x));
      found = engine.process({ '@timestamp': e.t } as StowawayEvent);
    }
    if (found.length > 0) {
      await writeTo(b.ends[i]!, b.counts[i]!);
      const wait = sink.findings(found, 'event');
      if (wait) await wait;
    }
  }
  if (b.kinds.length > 0) await writeTo(b.out.length, b.counts[b.kinds.length - 1]!);
  for (let r = 0; r < b.byRule.length; r++) if (b.byRule[r]! > 0) engine.countFindings(ruleset.metas[r]!.id, b.byRule[r]!);
  return { events, refused, lost };
}
