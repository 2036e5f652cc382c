// Matching a block of input lines into a BlockResult (see scan-workers.ts), as every thread of
// `scan --workers` does it: the worker threads and the main thread alike.
import type { Diagnostic } from '../model/diagnostic.js';
import type { StowawayEvent } from '../model/event.js';
import type { RuleMeta } from '../model/alert.js';
import type { BaseMatch } from '../sigma/correlation/types.js';
import type { RuleSet } from '../sigma/index.js';
import { eventTimeMs } from '../sigma/correlation/timespan.js';
import { parserFor } from '../sources/files.js';
import { OVERLONG_LINE, type LineParser } from '../sources/lines.js';
import { diag } from '../sources/util.js';
import type { FileFormat } from '../sources/types.js';
import { findingLine, knownEventJson } from './finding-line.js';
import { REC, batchLines, type BatchJob, type BlockResult } from './scan-protocol.js';

/** A block's records, built in growing typed arrays (a record per line is the usual case). */
class Block {
  n = 0;
  kinds: Uint8Array;
  times: Float64Array;
  ends: Uint32Array;
  counts: Uint32Array;
  /** The finding lines, their UTF-8 length and count so far. */
  text = '';
  bytes = 0;
  lines = 0;
  rest: BlockResult['rest'] = [];

  constructor(
    lines: number,
    readonly byRule: Uint32Array,
  ) {
    const cap = Math.max(16, lines);
    this.kinds = new Uint8Array(cap);
    this.times = new Float64Array(cap);
    this.ends = new Uint32Array(cap);
    this.counts = new Uint32Array(cap);
  }

  add(kind: number, time: number): void {
    if (this.n === this.kinds.length) {
      const grow = <T extends Uint8Array | Float64Array | Uint32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.kinds = grow(this.kinds, (k) => new Uint8Array(k));
      this.times = grow(this.times, (k) => new Float64Array(k));
      this.ends = grow(this.ends, (k) => new Uint32Array(k));
      this.counts = grow(this.counts, (k) => new Uint32Array(k));
    }
    this.kinds[this.n] = kind;
    this.times[this.n] = time;
    this.ends[this.n] = this.bytes;
    this.counts[this.n] = this.lines;
    this.n++;
  }

  result(id: number): BlockResult {
    // Its own memory (not Buffer's shared pool), so it can be transferred.
    const out = Buffer.allocUnsafeSlow(this.bytes);
    out.write(this.text, 'utf8');
    return {
      id,
      kinds: this.kinds.slice(0, this.n),
      times: this.times.slice(0, this.n),
      ends: this.ends.slice(0, this.n),
      counts: this.counts.slice(0, this.n),
      out: new Uint8Array(out.buffer, out.byteOffset, out.length),
      byRule: this.byRule,
      rest: this.rest,
    };
  }
}

/**
 * What a thread that matches does with a block of input: the per-line loop of readEventFile,
 * then the rule set; the same records in the same order, the finding lines of events only
 * rules no correlation reads matched written here. A worker thread runs one, and so does the
 * main thread, which takes blocks itself while the workers have enough queued.
 */
export class BlockMatcher {
  private readonly index: Map<RuleMeta, number>;
  /** Per rule index: this thread writes its findings. */
  private readonly own: boolean[];
  private readonly parsers = new Map<string, LineParser>();

  /** `members`: per rule, a correlation reads it (correlationMembers); `write`: finding lines are written here. */
  constructor(
    private readonly ruleset: RuleSet,
    members: readonly boolean[],
    write: boolean,
    private readonly maxLine: number,
  ) {
    this.index = new Map(ruleset.rules().map((r, i) => [r, i]));
    this.own = members.map((m) => write && !m);
  }

  private async parser(file: string, format: FileFormat): Promise<LineParser | Diagnostic> {
    const key = `${format}\u0000${file}`;
    let p = this.parsers.get(key);
    if (!p) {
      const made = await parserFor(format, file);
      if ('diagnostic' in made) return made.diagnostic;
      this.parsers.set(key, (p = made));
    }
    return p;
  }

  async run(job: BatchJob): Promise<BlockResult> {
    const { ruleset, index, own, maxLine } = this;
    let lines = job.lines ?? [];
    if (job.bytes) lines = batchLines(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.length), maxLine);
    const block = new Block(lines.length, new Uint32Array(own.length));
    const p = await this.parser(job.file, job.format);
    if ('severity' in p) {
      block.add(REC.diagnostic, NaN);
      block.rest.push(p);
      return block.result(job.id);
    }
    let lineNo = job.firstLine - 1;
    for (const text of lines) {
      lineNo++;
      if (text === OVERLONG_LINE) {
        block.add(REC.diagnostic, NaN);
        block.rest.push(diag(job.format, 'line-too-long', `line longer than ${maxLine} characters skipped`, `${job.file}:${lineNo}`));
        continue;
      }
      if (!text.trim()) continue;
      let recs;
      try {
        recs = p.line(text, lineNo);
      } catch (e) {
        block.add(REC.diagnostic, NaN);
        block.rest.push(diag(job.format, 'parse-error', `the ${job.format} parser failed on this line: ${(e as Error).message}`, `${job.file}:${lineNo}`));
        continue;
      }
      for (const r of recs) {
        if ('diagnostic' in r) {
          block.add(REC.diagnostic, NaN);
          block.rest.push(r.diagnostic);
          continue;
        }
        const ev = r.event;
        const time = eventTimeMs(ev['@timestamp']);
        let found: BaseMatch[];
        try {
          found = ruleset.match(ev);
        } catch (e) {
          block.add(REC.matchError, time);
          block.rest.push({ t: ev['@timestamp'], x: (e as Error).message });
          continue;
        }
        if (found.length === 0) block.add(REC.plain, time);
        else if (found.every((m) => own[index.get(m.rule)!])) write(block, ev, time, found, index);
        else {
          block.add(REC.main, time);
          block.rest.push({ j: JSON.stringify(ev), t: ev['@timestamp'], m: found.map((m) => [index.get(m.rule)!, m.selections]) });
        }
      }
    }
    return block.result(job.id);
  }
}

/** The findings the main thread's engine would make of this event, as the lines scan prints. */
function write(block: Block, ev: StowawayEvent, time: number, found: BaseMatch[], index: Map<RuleMeta, number>): void {
  knownEventJson(ev, JSON.stringify(ev));
  for (const m of found) {
    // Rules no correlation reads generate their findings (only correlations turn that off).
    if (!m.generate) continue;
    const line = findingLine({ rule: m.rule, time: ev['@timestamp'], events: [ev], selections: m.selections }) + '\n';
    block.text += line;
    block.bytes += Buffer.byteLength(line);
    block.lines++;
    block.byRule[index.get(m.rule)!]!++;
  }
  block.add(REC.written, time);
}
