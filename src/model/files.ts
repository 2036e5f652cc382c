// Reading files at the edges: a file that cannot be read becomes a diagnostic, never a throw.
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from './diagnostic.js';

export async function readText(file: string, diagnostics: Diagnostic[]): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'file-unreadable', message: e instanceof Error ? e.message : String(e), file });
    return undefined;
  }
}
