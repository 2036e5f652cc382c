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
