// The shape every file/stream parser has: fed line by line, flushed at the end.
import type { SourceRecord } from './types.js';
import { diag } from './util.js';
import { StringDecoder } from 'node:string_decoder';

export interface LineParser {
  line(text: string, lineNo: number): SourceRecord[];
  /** For JSON formats: one already-parsed document (an EventList, an array item ...). */
  object?(obj: unknown, origin: string): SourceRecord[];
  end(): SourceRecord[];
}

/** A line parser for NDJSON formats built from a per-object normalizer. */
export function jsonLineParser(source: string, file: string, normalize: (obj: unknown, origin: string) => SourceRecord[]): LineParser {
  return {
    line(text, lineNo) {
      const origin = `${file}:${lineNo}`;
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

  push(chunk: string | Buffer): string[] {
    const piece = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (piece.indexOf('\n') < 0 && piece.indexOf('\r') < 0) {
      this.carry += piece;
      return [];
    }
    let text = this.carry + piece;
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
    const text = this.carry + this.decoder.end();
    this.carry = '';
    if (!text) return [];
    const lines = text.split(LINE_BREAK);
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
}

/** The lines of a stream, in batches (one per chunk read); a read error is thrown after the lines before it. */
export async function* lineBatches(input: AsyncIterable<string | Buffer>): AsyncGenerator<string[]> {
  const split = new LineSplitter();
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
