// The shape every file/stream parser has: fed line by line, flushed at the end.
import type { SourceRecord } from './types.js';
import { diag } from './util.js';
import { StringDecoder } from 'node:string_decoder';
import { isAscii } from 'node:buffer';
import { DEFAULT_MAX_LINE_BYTES, jsonLimitError } from './json-limits.js';

/**
 * Stands in for a line longer than the splitter's limit: the line itself is never held
 * whole (a 600 MB line would not fit in a string), readers turn this into a diagnostic.
 */
export const OVERLONG_LINE = '\u0000stowaway:overlong-line\u0000';

export interface LineParser {
  line(text: string, lineNo: number): SourceRecord[];
  /** For JSON formats: one already-parsed document (an EventList, an array item ...). */
  object?: (obj: unknown, origin: string) => SourceRecord[];
  end(): SourceRecord[];
}

/** A line parser for NDJSON formats built from a per-object normalizer. */
export function jsonLineParser(source: string, file: string, normalize: (obj: unknown, origin: string) => SourceRecord[]): LineParser {
  return {
    line(text, lineNo) {
      const origin = `${file}:${lineNo}`;
      const over = jsonLimitError(text);
      if (over) return [{ diagnostic: diag(source, 'too-deep', `JSON refused: ${over}`, origin) }];
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        return [{ diagnostic: diag(source, 'bad-json', `not JSON: ${(e as Error).message}`, origin) }];
      }
      return normalize(obj, origin);
    },
    object: (obj, origin) => normalize(obj, origin),
    end: () => [],
  };
}

// Line breaks as readline counts them: \r\n, \n, or a lone \r.
const LINE_BREAK = /\r?\n|\r(?!\n)/;

/**
 * Splits a chunked text stream into lines, the way readline does (same breaks, same line
 * numbers, empty lines kept, a last line without a break still counted), but a chunk at a
 * time: readers handle a chunk's lines in one synchronous pass instead of one promise each.
 */
export class LineSplitter {
  private carry = '';
  // a chunk may end in the middle of a UTF-8 character
  private readonly decoder = new StringDecoder('utf8');
  /** Inside a line already over the limit: its text is dropped until its end. */
  private skipping = false;
  /** The decoder may hold the first bytes of a character split between chunks. */
  private midChar = false;

  /** Lines longer than maxLine characters come out as OVERLONG_LINE. */
  constructor(private readonly maxLine: number = DEFAULT_MAX_LINE_BYTES) {}

  push(chunk: string | Buffer): string[] {
    let piece = typeof chunk === 'string' ? chunk : this.decode(chunk);
    let overlongFirst = false;
    if (this.skipping) {
      const n = piece.indexOf('\n');
      const r = piece.indexOf('\r');
      const at = n < 0 ? r : r < 0 ? n : Math.min(n, r);
      if (at < 0) return [];
      // the long line ends here: it stays one line, as the empty text before this break
      piece = piece.slice(at);
      this.skipping = false;
      overlongFirst = true;
    }
    if (piece.indexOf('\n') < 0 && piece.indexOf('\r') < 0) {
      this.carry += piece;
      if (this.carry.length > this.maxLine) {
        this.carry = '';
        this.skipping = true;
      }
      return [];
    }
    const lines = this.split(this.carry + piece);
    if (overlongFirst) lines[0] = OVERLONG_LINE;
    if (this.carry.length > this.maxLine) {
      this.carry = '';
      this.skipping = true;
    }
    for (let i = 0; i < lines.length; i++) if (lines[i]!.length > this.maxLine) lines[i] = OVERLONG_LINE;
    return lines;
  }

  // Logs are mostly ASCII, and Latin-1 decoding of ASCII bytes gives the same text as UTF-8
  // decoding at a fraction of the cost (UTF-8 decoding was most of the read time).
  private decode(chunk: Buffer): string {
    if (chunk.length === 0) return '';
    if (!this.midChar && isAscii(chunk)) return chunk.toString('latin1');
    const text = this.decoder.write(chunk);
    // an ASCII byte is never part of a longer character: after one the decoder holds nothing
    this.midChar = chunk[chunk.length - 1]! >= 0x80;
    return text;
  }

  private split(input: string): string[] {
    let text = input;
    // a \r closing the chunk may be the first half of \r\n: decide when the next chunk comes
    let held = '';
    if (text.endsWith('\r')) {
      text = text.slice(0, -1);
      held = '\r';
    }
    const lines = text.indexOf('\r') < 0 ? text.split('\n') : text.split(LINE_BREAK);
    this.carry = lines.pop()! + held;
    return lines;
  }

  /** The lines still held at the end of the stream. */
  end(): string[] {
    if (this.skipping) {
      this.skipping = false;
      this.carry = '';
      return [OVERLONG_LINE];
    }
    const text = this.carry + this.decoder.end();
    this.carry = '';
    if (!text) return [];
    const lines = text.split(LINE_BREAK);
    if (lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length; i++) if (lines[i]!.length > this.maxLine) lines[i] = OVERLONG_LINE;
    return lines;
  }
}

/** The lines of a stream, in batches (one per chunk read); a read error is thrown after the lines before it. */
export async function* lineBatches(input: AsyncIterable<string | Buffer>, maxLine?: number): AsyncGenerator<string[]> {
  const split = new LineSplitter(maxLine);
  for await (const chunk of input) {
    const lines = split.push(chunk);
    if (lines.length) yield lines;
  }
  const rest = split.end();
  if (rest.length) yield rest;
}

/** Calls `onLine` for each non-empty, trimmed line of a byte stream (chunks may split lines anywhere). */
export function onStreamLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  // A decoder, not chunk.toString(): a chunk may end in the middle of a UTF-8 character.
  const decoder = new StringDecoder('utf8');
  let buf = '';
  stream.on('data', (chunk: Buffer | string) => {
    buf += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) onLine(line);
    }
  });
}
