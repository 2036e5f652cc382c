// The sensor's disk spool while NATS cannot be reached: append-only segment files of one
// JSON record a line, bounded in bytes. Records are read back oldest first and a segment is
// deleted once all of it was delivered, so a sensor that dies while draining sends the rest
// of that segment again (the stream drops the repeats by message id). When the spool is full
// new records are dropped and counted, never silently.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface SpoolRecord {
  subject: string;
  /** The message id the stream deduplicates on. */
  id: string;
  data: string;
}

export interface SpoolStats {
  spooled: number;
  delivered: number;
  dropped: number;
  bytes: number;
  segments: number;
  /** Lines of a segment that could not be read back (a torn last write). */
  corrupt: number;
}

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  segmentBytes?: number;
}

const SEGMENT = /^seg-(\d{12})\.ndjson$/;

export class Spool {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private fd: number | undefined;
  private writeSeg = 0;
  private writeBytes = 0;
  readonly st: SpoolStats = { spooled: 0, delivered: 0, dropped: 0, bytes: 0, segments: 0, corrupt: 0 };

  constructor(opts: SpoolOptions) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes;
    this.segmentBytes = Math.min(opts.segmentBytes ?? 4 * 1024 * 1024, Math.max(1024, Math.floor(opts.maxBytes / 4)));
    mkdirSync(this.dir, { recursive: true });
    // What an earlier run left is delivered first: it is older than anything this run sees.
    const segs = this.segments();
    for (const s of segs) this.st.bytes += statSync(join(this.dir, name(s))).size;
    this.st.segments = segs.length;
    this.writeSeg = segs.length ? segs[segs.length - 1]! + 1 : 1;
  }

  private segments(): number[] {
    return readdirSync(this.dir)
      .map((f) => SEGMENT.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** False when the spool is full: the record was dropped and counted. */
  append(r: SpoolRecord): boolean {
    const line = JSON.stringify(r) + '\n';
    const len = Buffer.byteLength(line);
    if (this.st.bytes + len > this.maxBytes) {
      this.st.dropped++;
      return false;
    }
    if (this.fd === undefined || this.writeBytes + len > this.segmentBytes) this.rotate();
    writeSync(this.fd!, line);
    this.writeBytes += len;
    this.st.bytes += len;
    this.st.spooled++;
    return true;
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(join(this.dir, name(this.writeSeg)), 'a', 0o600);
    this.writeSeg++;
    this.writeBytes = 0;
    this.st.segments++;
  }

  get empty(): boolean {
    return this.st.bytes === 0 && this.segments().length === 0;
  }

  /**
   * Hands every spooled record to `send`, oldest first, one segment at a time; a segment is
   * deleted after `send` resolved for all its records. Stops at the first failure (the
   * segment stays for the next attempt) and says how many were delivered.
   */
  async drain(send: (batch: SpoolRecord[]) => Promise<void>, batchSize = 1000): Promise<number> {
    let sent = 0;
    for (;;) {
      const segs = this.segments();
      if (segs.length === 0) return sent;
      const seg = segs[0]!;
      // The segment being written is closed first, so records appended while it drains start a new one.
      if (this.fd !== undefined && seg === this.writeSeg - 1) {
        closeSync(this.fd);
        this.fd = undefined;
      }
      const file = join(this.dir, name(seg));
      const text = readFileSync(file, 'utf8');
      const records: SpoolRecord[] = [];
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const r = JSON.parse(line) as SpoolRecord;
          if (typeof r.subject === 'string' && typeof r.id === 'string' && typeof r.data === 'string') records.push(r);
          else this.st.corrupt++;
        } catch {
          this.st.corrupt++;
        }
      }
      for (let i = 0; i < records.length; i += batchSize) await send(records.slice(i, i + batchSize));
      unlinkSync(file);
      this.st.bytes = Math.max(0, this.st.bytes - Buffer.byteLength(text));
      this.st.segments = Math.max(0, this.st.segments - 1);
      this.st.delivered += records.length;
      sent += records.length;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

const name = (seg: number): string => `seg-${String(seg).padStart(12, '0')}.ndjson`;
