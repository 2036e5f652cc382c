// `scan --workers N`: Sigma matching on N worker threads. The main thread reads and splits the
// input into blocks of lines (so line numbers and over-long lines are exactly as one thread sees
// them); each worker parses its block, evaluates the stateless rules and writes the finding lines
// of the events only rules no correlation reads matched. The main thread takes the blocks back in
// input order: it writes those lines as they are, moves event time with each event's time, and
// runs the events a correlation reads through its engine, so correlations, event time and the
// findings come out in the same order as with one thread: the output is identical.
import { Worker } from 'node:worker_threads';
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { StowawayEvent } from '../model/event.js';
import type { RuleMeta } from '../model/alert.js';
import type { BaseMatch } from '../sigma/correlation/types.js';
import type { MatchingRuleSet } from '../engine/engine.js';
import type { RuleSources } from '../engine/rules.js';
import type { RuleSet } from '../sigma/index.js';
import { SigmaRuleSet } from '../sigma/ruleset.js';
import type { FileFormat } from '../sources/types.js';
import { describeFormat, type DetectedFormat } from '../sources/detect.js';
import { LineSplitter, lineBatches } from '../sources/lines.js';
import { DEFAULT_MAX_LINE_BYTES } from '../sources/json-limits.js';
import type { BlockMatcher } from './scan-block.js';
import { REC, batchLines, type BatchJob, type BlockResult, type MainEvent, type WorkerLoad, type WorkerReady } from './scan-protocol.js';

export { REC, batchLines, type BatchJob, type BlockResult, type MainEvent, type WorkerLoad, type WorkerReady };

/** Formats whose lines are independent records: any line may be read by any thread. */
export const SPLITTABLE: readonly FileFormat[] = ['ecs', 'k8s-audit', 'falco', 'sysmon'];

/**
 * Per rule: a correlation may read its matches (its id or name is among the correlations'
 * rules; a superset is safe, it only costs the main thread a parse). The events those rules
 * match go to the main thread whole; the others' findings are written by the worker.
 */
export function correlationMembers(ruleset: RuleSet, correlations: readonly { rules: readonly string[] }[]): boolean[] {
  const refs = new Set(correlations.flatMap((c) => c.rules));
  const src = ruleset instanceof SigmaRuleSet ? ruleset.ruleRefs() : undefined;
  return ruleset.rules().map((m, i) => [m.id, m.name, src?.[i]?.id, src?.[i]?.name].some((k) => k !== undefined && refs.has(k)));
}

/**
 * The rule set the main thread's engine uses with workers: the matches of each event were made by
 * a matching thread (a worker, or the main thread's own BlockMatcher) and are handed over just
 * before the event; `setGenerate` (correlations that asked for
 * no findings of their base rules) applies here, as on the real rule set.
 */
export class PrecomputedRuleSet implements MatchingRuleSet {
  private readonly generate: boolean[];
  readonly metas: RuleMeta[];
  private pending: BaseMatch[] | Error | undefined;

  constructor(private readonly real: RuleSet) {
    this.metas = real.rules();
    this.generate = this.metas.map(() => true);
  }

  /** The matches of the next event; without them the real rule set matches it (a file read by one thread). */
  next(m: BaseMatch[] | Error | undefined): void {
    this.pending = m;
  }

  /** Worker matches (rule index, selections) as the real rule set reports them. */
  resolve(m: [number, string[]][]): BaseMatch[] {
    return m.map(([i, selections]) => {
      const rule = this.metas[i]!;
      return { rule, selections, generate: this.generate[i]!, ...(rule.name ? { name: rule.name } : {}) };
    });
  }

  match(event: StowawayEvent): BaseMatch[] {
    const p = this.pending;
    this.pending = undefined;
    if (p instanceof Error) throw p;
    // `generate` was set by resolve: workers know no correlations. The real rule set has its own flags.
    return p ?? this.real.match(event);
  }

  setGenerate(idOrName: string, generate: boolean): number {
    this.real.setGenerate(idOrName, generate);
    let n = 0;
    const refs = this.real instanceof SigmaRuleSet ? this.real.ruleRefs() : undefined;
    this.metas.forEach((m, i) => {
      const src = refs?.[i];
      if ((src ? src.id : m.id) === idOrName || (src ? src.name : m.name) === idOrName) {
        this.generate[i] = generate;
        n++;
      }
    });
    return n;
  }
}

interface Slot {
  worker: Worker;
  busy: number;
  /** Settled by the worker's first message: its rules are loaded. */
  ready: Promise<WorkerReady>;
  /** It loaded the main thread's rules: blocks may go to it. */
  ok: boolean;
  /** Blocks it matched. */
  blocks: number;
}

/**
 * Blocks queued on each worker before the main thread matches one itself: enough that a worker
 * never waits while the main thread is busy with its own block.
 */
const LOCAL_AFTER = 2;

/** Read nothing before every worker is ready (tests: small inputs then still reach the workers). */
const WAIT_FOR_WORKERS = process.env['STOWAWAY_SCAN_WAIT_WORKERS'] === '1';

/** 0: a batch is a block's whole lines. */
const BATCH_LINES = Math.max(0, Number(process.env['STOWAWAY_SCAN_BATCH_LINES']) || 0);

export class ScanPool {
  private slots: Slot[] = [];
  private waiting = new Map<number, { resolve: (r: BlockResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failed: Error | undefined;
  /**
   * Blocks the workers are done with, read into again: a fresh one costs the kernel a page
   * fault per 4 KiB on first touch, which was most of the main thread's time.
   */
  private free: ArrayBuffer[] = [];
  /** The main thread's own matcher: it takes a block when every worker has enough queued. */
  private local: BlockMatcher | undefined;
  /** Every worker is ready or left out. */
  private started: Promise<void> = Promise.resolve();
  private closed = false;
  private localBlocks = 0;
  private all: Slot[] = [];

  private constructor(readonly maxLine: number) {}

  /**
   * Starts `n` workers before the rules are known: a thread takes a few hundred milliseconds to
   * load its modules, which then overlaps the main thread's own start. `load` gives them the
   * rules. `scan --workers N` starts N - 1: the main thread matches too (see `run`).
   */
  static spawn(n: number, maxLine = DEFAULT_MAX_LINE_BYTES): ScanPool {
    const pool = new ScanPool(maxLine);
    const url = new URL('./scan-worker.js', import.meta.url);
    for (let i = 0; i < n; i++) {
      const worker = new Worker(url, { workerData: { maxLine } });
      let ready!: (m: WorkerReady) => void;
      let refused!: (e: Error) => void;
      const slot: Slot = { worker, busy: 0, ok: false, blocks: 0, ready: new Promise<WorkerReady>((res, rej) => ((ready = res), (refused = rej))) };
      // A failed start is reported by `load`, not as an unhandled rejection.
      slot.ready.catch(() => undefined);
      pool.slots.push(slot);
      pool.all.push(slot);
      worker.on('message', (r: BlockResult | WorkerReady) => {
        if ('ready' in r) {
          ready(r);
          return;
        }
        slot.busy--;
        if (r.input?.byteLength === BLOCK) pool.free.push(r.input);
        const w = pool.waiting.get(r.id);
        pool.waiting.delete(r.id);
        w?.resolve(r);
      });
      // Before it holds blocks, a worker that fails is only left out (see `load`).
      worker.on('error', (e) => {
        refused(e);
        if (slot.ok) pool.fail(e);
      });
      worker.on('exit', (code) => {
        const e = new Error(`a scan worker exited with status ${code}`);
        refused(e);
        if (slot.ok && code !== 0) pool.fail(e);
      });
    }
    return pool;
  }

  /**
   * Each worker loads the rules from `sources` (the rule cache serves them when the main thread
   * used it) and must hold the same rules in the same order as the main thread, as rule indexes
   * cross the thread boundary, and agree on which a correlation reads. `write`: workers write
   * the finding lines of events no correlation reads (the sink takes finished lines). Nothing
   * waits for them: `local`, the main thread's matcher, takes blocks until a worker is ready, and
   * a worker that cannot start or loaded other rules is left out, said through `warn`.
   */
  load(sources: RuleSources, expect: { ruleIds: string[]; members: boolean[] }, write: boolean, local: BlockMatcher, warn: (why: string) => void): void {
    this.local = local;
    const want = JSON.stringify(expect);
    for (const s of this.slots) {
      s.worker.postMessage({ load: { sources, write } } satisfies WorkerLoad);
      void s.ready.then(
        (m) => {
          if (JSON.stringify({ ruleIds: m.ruleIds, members: m.members }) === want) s.ok = true;
          else this.leaveOut(s, 'it loaded different rules than the main thread', warn);
        },
        (e: unknown) => this.leaveOut(s, e instanceof Error ? e.message : String(e), warn),
      );
    }
    this.started = Promise.allSettled(this.slots.map((s) => s.ready)).then(() => undefined);
  }

  private leaveOut(s: Slot, why: string, warn: (why: string) => void): void {
    // Workers still starting when the input ends are stopped: that is no failure.
    if (this.closed) return;
    this.slots = this.slots.filter((x) => x !== s);
    void s.worker.terminate();
    warn(`a worker thread could not start (${why}); the other threads match its share`);
  }

  /** A buffer to read a block into: one handed back by a worker when it is the usual size. */
  private block(size: number): Uint8Array {
    const b = size === BLOCK ? this.free.pop() : undefined;
    return b ? new Uint8Array(b) : new Uint8Array(size);
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  private run(job: Omit<BatchJob, 'id'>): Promise<BlockResult> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    let slot: Slot | undefined;
    for (const s of this.slots) if (s.ok && (!slot || s.busy < slot.busy)) slot = s;
    if (this.local && (!slot || slot.busy >= LOCAL_AFTER)) {
      this.localBlocks++;
      const bytes = job.bytes;
      return this.local.run({ ...job, id }).then((r) => {
        if (bytes?.buffer.byteLength === BLOCK) this.free.push(bytes.buffer as ArrayBuffer);
        return r;
      });
    }
    if (!slot) return Promise.reject(new Error('no scan worker to match on'));
    slot.busy++;
    slot.blocks++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      slot.worker.postMessage({ ...job, id } satisfies BatchJob, job.bytes ? [job.bytes.buffer as ArrayBuffer] : []);
    });
  }

  /** Blocks matched by the main thread and by each worker (--stats). */
  blocks(): { main: number; workers: number[] } {
    return { main: this.localBlocks, workers: this.all.map((s) => s.blocks) };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }

  /**
   * Why `path` must be read by one thread, or undefined when it can be split: stdin, a format
   * whose records span lines or depend on earlier lines, or a JSON document spanning lines.
   */
  static whyNotSplit(path: string, format: FileFormat | undefined): { reason?: string; format?: FileFormat; detected?: DetectedFormat } {
    if (path === '-') return { reason: 'standard input is read by one thread' };
    let head: string[];
    try {
      head = headLines(path);
    } catch {
      return { reason: 'unreadable here; read by one thread, which reports why' };
    }
    const detected = format ? undefined : describeFormat(head);
    const f = format ?? detected?.format;
    if (!f) return { reason: 'format not recognised; read by one thread, which reports it' };
    if (!SPLITTABLE.includes(f)) return { reason: `${f} records depend on the lines before them; read by one thread` };
    const first = head.find((l) => l.trim())?.trim() ?? '';
    if (f !== 'sysmon' && (first.startsWith('{') || first.startsWith('[')) && !parsesAlone(first))
      return { reason: 'a JSON document spanning lines; read by one thread' };
    return { format: f, ...(detected ? { detected } : {}) };
  }

  /**
   * The records of `path` in input order, matched by the workers: a worker block at a time, so
   * the reader waits (and the sink writes) once per block, not once per record.
   */
  async *read(path: string, format: FileFormat): AsyncGenerator<BlockResult> {
    // Tests wait for the workers, or a small input is matched by the main thread alone.
    if (WAIT_FOR_WORKERS) await this.started;
    const inFlight: Promise<BlockResult>[] = [];
    // Enough batches queued that a worker never waits for the main thread to be scheduled again.
    const limit = Math.max(1, this.slots.length) * 8;
    let lineNo = 0;
    let lines: string[] = [];
    let first = 1;
    const drain = function* (r: BlockResult): Generator<BlockResult> {
      if (r.error !== undefined) throw new Error(r.error);
      yield r;
    };
    // The main thread neither decodes nor splits lines: it reads blocks, cuts them after a line
    // feed and hands the bytes over; a worker splits them as LineSplitter does.
    let text: AsyncGenerator<string[]> | undefined;
    for await (const b of fileBatches(path, this.maxLine, BATCH_LINES, BLOCK, (n) => this.block(n))) {
      if ('rest' in b) {
        // A line longer than the limit lets through, or lines ending in lone carriage returns:
        // the rest is read as text, as one thread reads it.
        text = lineBatches(restOf(b.rest, createReadStream(path, { start: b.at })), this.maxLine);
        break;
      }
      inFlight.push(this.run({ file: path, format, firstLine: lineNo + 1, bytes: b.bytes }));
      lineNo += b.lines;
      while (inFlight.length >= limit) yield* drain(await inFlight.shift()!);
    }
    if (text) {
      for await (const batch of text) {
        for (const l of batch) {
          if (lines.length === 0) first = lineNo + 1;
          lines.push(l);
          lineNo++;
          if (lines.length >= (BATCH_LINES || 2000)) {
            inFlight.push(this.run({ file: path, format, firstLine: first, lines }));
            lines = [];
            while (inFlight.length >= limit) yield* drain(await inFlight.shift()!);
          }
        }
      }
      if (lines.length) inFlight.push(this.run({ file: path, format, firstLine: first, lines }));
    }
    while (inFlight.length) yield* drain(await inFlight.shift()!);
  }
}

/** `head`, then what is left of `stream`. */
async function* restOf(head: Uint8Array, tail: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string> {
  if (head.length) yield Buffer.from(head.buffer, head.byteOffset, head.length);
  yield* tail;
}

/** Line breaks as LineSplitter counts them (\r\n, \n, a lone \r) in bytes that end with a line feed. */
export function countLines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  for (let i = b.indexOf(13); i >= 0; i = b.indexOf(13, i + 1)) if (b[i + 1] !== 10) n++;
  return n;
}

/** Bytes read per block; a batch is a block's whole lines (or STOWAWAY_SCAN_BATCH_LINES lines). */
const BLOCK = 2 << 20;

export type FileBatch = { bytes: Uint8Array; lines: number } | { rest: Uint8Array; at: number };

/**
 * The file's bytes in batches of whole lines, read straight into buffers that are then
 * transferred to a worker: each batch starts at a line (and character) start and ends just after
 * a line feed (the last at the end of the file), so a worker's split yields exactly the lines one
 * LineSplitter over the whole file would; `lines` counts them as it does (\r\n, \n, lone \r).
 * Only the start of a line left over at a block's end is copied. With `batchLines`, batches are
 * cut every that many line feeds (copies; tests use it to spread records over threads). A run of
 * more bytes without a line feed than the longest line allowed ends it with `rest`: those bytes,
 * and the file offset after them, for the text path to go on from.
 */
export async function* fileBatches(
  path: string,
  maxLine: number,
  batchLines = 0,
  block = BLOCK,
  alloc: (size: number) => Uint8Array = (n) => new Uint8Array(n),
): AsyncGenerator<FileBatch> {
  const fh = await open(path, 'r');
  try {
    let buf = alloc(block);
    let held = 0;
    let at = 0;
    for (;;) {
      if (held === buf.length) {
        // A UTF-16 unit takes at least one byte: this much without a line feed may hold a line over the limit.
        if (held > 3 * maxLine + 4) {
          yield { rest: buf.subarray(0, held), at };
          return;
        }
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, held, buf.length - held, null);
      at += bytesRead;
      if (bytesRead === 0) {
        if (held > 0) yield { bytes: buf.subarray(0, held), lines: 0 };
        return;
      }
      const end = held + bytesRead;
      const view = Buffer.from(buf.buffer, 0, end);
      const last = view.lastIndexOf(10);
      if (last < 0) {
        held = end;
        continue;
      }
      let from = 0;
      if (batchLines > 0) {
        let n = 0;
        for (let i = view.indexOf(10); i >= 0 && i < last; i = view.indexOf(10, i + 1))
          if (++n === batchLines) {
            yield { bytes: buf.slice(from, i + 1), lines: countLines(view.subarray(from, i + 1)) };
            from = i + 1;
            n = 0;
          }
      }
      // The start of the next line moves to a new block before this one is handed over.
      const next = alloc(Math.max(block, 2 * (end - last - 1)));
      next.set(buf.subarray(last + 1, end));
      yield { bytes: buf.subarray(from, last + 1), lines: countLines(view.subarray(from, last + 1)) };
      buf = next;
      held = end - last - 1;
    }
  } finally {
    await fh.close();
  }
}

/** The first lines of a file, as the format detection of readEventFile sees them. */
function headLines(path: string): string[] {
  const fd = openSync(path, 'r');
  try {
    const split = new LineSplitter();
    const out: string[] = [];
    const buf = Buffer.alloc(65536);
    let nonEmpty = 0;
    while (nonEmpty < 20) {
      const n = readSync(fd, buf, 0, buf.length, null);
      const got = n === 0 ? split.end() : split.push(buf.subarray(0, n));
      for (const l of got) {
        out.push(l);
        if (l.trim()) nonEmpty++;
      }
      if (n === 0) break;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function parsesAlone(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
