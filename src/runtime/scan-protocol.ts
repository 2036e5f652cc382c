// What travels between the scan's threads: the jobs the main thread hands out, the blocks of
// results that come back, and the line cutting both sides must agree on.
import type { Diagnostic } from '../model/diagnostic.js';
import type { RuleSources } from '../engine/rules.js';
import type { FileFormat } from '../sources/types.js';
import { LineSplitter, OVERLONG_LINE } from '../sources/lines.js';

export interface BatchJob {
  id: number;
  file: string;
  format: FileFormat;
  firstLine: number;
  /** The batch as text lines, or as the file's bytes from a line start (transferred, not copied). */
  lines?: string[];
  bytes?: Uint8Array;
}

/** What a record of a worker block is (BlockResult.kinds). */
export const REC = {
  /** An event no rule matched. */
  plain: 0,
  /** An event the worker wrote the findings of (in `out`): only rules no correlation reads matched it. */
  written: 1,
  /** A matched event the main thread's engine must see whole (its `rest` entry). */
  main: 2,
  /** An event the rule set threw on (its `rest` entry). */
  matchError: 3,
  /** An input diagnostic (its `rest` entry). */
  diagnostic: 4,
} as const;

/** A matched event for the main thread: its JSON text, time and matches (rule index, selections). */
export interface MainEvent {
  j: string;
  t: string;
  m: [number, string[]][];
}

/**
 * A block's records in input order, as a few typed arrays, one UTF-8 buffer and a short list:
 * they cross threads as copies of memory (or are transferred), where an object per record is
 * cloned key by key and collected again on the main thread.
 */
export interface BlockResult {
  id: number;
  error?: string;
  /** Per record: its kind (REC). */
  kinds: Uint8Array;
  /** Per record: the event time in epoch ms (NaN: it has none, or it is no event). */
  times: Float64Array;
  /** Per record: how many bytes of `out`, and how many finding lines, come up to and with its own. */
  ends: Uint32Array;
  counts: Uint32Array;
  /** The finding lines the worker wrote, UTF-8, in input order. */
  out: Uint8Array;
  /** Per rule index: how many of those lines are its findings. */
  byRule: Uint32Array;
  /** The block's input bytes, handed back for the next read (a block read as text has none). */
  input?: ArrayBuffer;
  /** In order, one per record of kind main, matchError or diagnostic. */
  rest: Array<MainEvent | { t: string; x: string } | Diagnostic>;
}

/** What a worker says once its rules are loaded (see scan-worker.ts). */
export interface WorkerReady {
  ready: true;
  ruleIds: string[];
  members: boolean[];
}

/** What a worker is told to load: the main thread's rule sources; `write`: it writes finding lines. */
export interface WorkerLoad {
  load: { sources: RuleSources; write: boolean };
}

/**
 * The lines of a batch of bytes (from a line start; it ends after a line feed or at the end of
 * the file), as LineSplitter splits them. Without carriage returns each line is decoded on its
 * own, into a string of its own rather than a slice of one big string.
 */
export function batchLines(b: Buffer, maxLine: number): string[] {
  if (b.indexOf(13) >= 0) {
    const split = new LineSplitter(maxLine);
    const lines = split.push(b);
    for (const l of split.end()) lines.push(l);
    return lines;
  }
  const lines: string[] = [];
  let from = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, from)) {
    const l = b.toString('utf8', from, i);
    lines.push(l.length > maxLine ? OVERLONG_LINE : l);
    from = i + 1;
  }
  if (from < b.length) {
    const l = b.toString('utf8', from);
    lines.push(l.length > maxLine ? OVERLONG_LINE : l);
  }
  return lines;
}
