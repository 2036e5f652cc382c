// Follows a growing log file by polling, surviving rotation (rename + new file, or
// truncation): the old file is read to its end before the new one is opened, so a
// record split across the rotation reaches the parser whole, in order.
import { openSync, readSync, fstatSync, statSync, closeSync } from 'node:fs';

export interface TailOptions {
  /** Start at the end (default) or replay the file from its start. */
  fromStart?: boolean;
  pollMs?: number;
  onLine(line: string, file: string, lineNo: number): void;
  /** Called after each poll that read something (flush hooks). */
  onIdle?(): void;
  onError?(message: string): void;
}

export class FileTail {
  private fd?: number;
  private ino?: number;
  private pos = 0;
  private lineNo = 0;
  private partial = '';
  private readFailed = false;
  private timer?: NodeJS.Timeout;
  private readonly buf = Buffer.alloc(1 << 16);
  rotations = 0;
  /**
   * Wall time (ms) before which everything written to the file has been read: the start of
   * the last poll that drained the file to its end (or the opening, when tailing from the end).
   */
  eofAt?: number;

  constructor(
    private readonly path: string,
    private readonly opts: TailOptions,
  ) {}

  /** Opens the file; throws if it cannot be read (the caller reports why). */
  start(): void {
    this.open(!this.opts.fromStart);
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? 200);
  }

  stop(): void {
    clearInterval(this.timer);
    this.poll();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(atEnd: boolean): void {
    const t0 = Date.now();
    const fd = openSync(this.path, 'r');
    const st = fstatSync(fd);
    this.fd = fd;
    this.ino = st.ino;
    this.pos = atEnd ? st.size : 0;
    this.lineNo = 0;
    // what was written before we opened at the end is skipped, never emitted
    if (atEnd) this.eofAt = t0;
  }

  poll(): void {
    const t0 = Date.now();
    this.readFailed = false;
    if (this.fd === undefined) {
      try {
        this.open(false);
      } catch {
        return; // not recreated yet after rotation
      }
    }
    this.drain();
    let cur: { ino: number; size: number } | undefined;
    try {
      cur = statSync(this.path);
    } catch {
      cur = undefined;
    }
    const rotated = !cur || cur.ino !== this.ino;
    const truncated = !!cur && cur.ino === this.ino && cur.size < this.pos;
    if (rotated || truncated) {
      // the old file is fully drained above; a last line without newline ends with it
      this.drain();
      if (rotated && this.partial) this.flushPartial();
      this.rotations++;
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      if (cur) {
        try {
          this.open(false);
          this.drain();
        } catch (e) {
          this.opts.onError?.(`cannot reopen ${this.path}: ${(e as Error).message}`);
        }
      }
    }
    // Drained to the end of the file the path names now: all it held at t0 is read.
    if (this.fd !== undefined && !this.readFailed) this.eofAt = t0;
    this.opts.onIdle?.();
  }

  private drain(): void {
    if (this.fd === undefined) return;
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      } catch (e) {
        this.readFailed = true;
        this.opts.onError?.(`read ${this.path}: ${(e as Error).message}`);
        return;
      }
      if (n <= 0) return;
      this.pos += n;
      const text = this.partial + this.buf.toString('utf8', 0, n);
      const lines = text.split('\n');
      this.partial = lines.pop()!;
      for (const l of lines) {
        this.lineNo++;
        if (l) this.opts.onLine(l, this.path, this.lineNo);
      }
    }
  }

  private flushPartial(): void {
    this.lineNo++;
    const l = this.partial;
    this.partial = '';
    this.opts.onLine(l, this.path, this.lineNo);
  }
}
