// File input: one entry point for every supported format.
// (Minimal first cut: NDJSON of already-normalized events. Format detection and
// the per-source parsers plug in here.)
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { StowawayEvent } from '../model/event.js';
import type { FileFormat, SourceRecord } from './types.js';

export interface FileReadOptions {
  format?: FileFormat;
}

export async function* readEventFile(path: string, _opts: FileReadOptions = {}): AsyncGenerator<SourceRecord> {
  const input = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      yield { event: asEvent(obj, `${path}:${line}`) };
    } catch (e) {
      yield { diagnostic: { severity: 'error', code: 'bad-json', message: `not JSON: ${(e as Error).message}`, file: path, line } };
    }
  }
}

function asEvent(obj: Record<string, unknown>, origin: string): StowawayEvent {
  const ev = obj as StowawayEvent;
  if (typeof ev['@timestamp'] !== 'string') ev['@timestamp'] = new Date().toISOString();
  ev.event ??= {};
  ev.stowaway ??= { source: 'ecs', logsource: {}, origin };
  return ev;
}
