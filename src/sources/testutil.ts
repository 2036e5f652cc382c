// Test helpers: read a file through readEventFile into events and diagnostics.
import type { StowawayEvent } from '../model/event.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { readEventFile, type FileReadOptions } from './files.js';

export async function readAll(path: string, opts: FileReadOptions = {}): Promise<{ events: StowawayEvent[]; diagnostics: Diagnostic[] }> {
  const events: StowawayEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  for await (const r of readEventFile(path, opts)) {
    if ('event' in r) events.push(r.event);
    else diagnostics.push(r.diagnostic);
  }
  return { events, diagnostics };
}
