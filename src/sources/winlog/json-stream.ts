// Reads a file holding one JSON document, NDJSON, a JSON array, or pretty-printed objects
// written one after another (as evtx dump tools do). Bad parts become diagnostics, not throws.
import type { Diagnostic } from '../../model/diagnostic.js';

export interface JsonRecord {
  value: unknown;
  line: number;
}

/** Splits text into top-level JSON values by bracket depth, honouring strings and escapes. */
export function readJsonValues(text: string, file?: string): { records: JsonRecord[]; diagnostics: Diagnostic[] } {
  const records: JsonRecord[] = [];
  const diagnostics: Diagnostic[] = [];
  let depth = 0;
  let inStr = false;
  let start = -1;
  let line = 1;
  let startLine = 1;
  const push = (end: number) => {
    const chunk = text.slice(start, end);
    try {
      const v = JSON.parse(chunk) as unknown;
      if (Array.isArray(v) && depth === 0 && chunk.trimStart().startsWith('[')) v.forEach((x) => records.push({ value: x, line: startLine }));
      else records.push({ value: v, line: startLine });
    } catch (e) {
      diagnostics.push({ severity: 'error', code: 'bad-json', message: e instanceof Error ? e.message : String(e), file, line: startLine });
    }
    start = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') {
      inStr = true;
      if (start < 0) {
        start = i;
        startLine = line;
      }
    } else if (c === '{' || c === '[') {
      if (depth === 0) {
        start = i;
        startLine = line;
      }
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) push(i + 1);
      else if (depth < 0) {
        diagnostics.push({ severity: 'error', code: 'bad-json', message: `unbalanced '${c}'`, file, line });
        depth = 0;
      }
    } else if (depth === 0 && !/\s/.test(c!) && start < 0) {
      // A bare scalar at top level: read to the end of the line.
      const eol = text.indexOf('\n', i);
      const end = eol < 0 ? text.length : eol;
      start = i;
      startLine = line;
      push(end);
      i = end - 1;
    }
  }
  if (depth > 0 && start >= 0)
    diagnostics.push({ severity: 'error', code: 'bad-json', message: 'unexpected end of input inside a JSON value', file, line: startLine });
  return { records, diagnostics };
}
