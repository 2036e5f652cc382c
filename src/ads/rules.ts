// The rule metadata ADS work needs (id, tags, level ...), read straight from the YAML files so
// lint can judge rules the Sigma compiler would refuse, and report them by file and line.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { readText } from '../model/files.js';

export interface RuleDoc {
  id?: string;
  name?: string;
  title?: string;
  description?: string;
  status?: string;
  level?: string;
  author?: string;
  tags: string[];
  falsepositives?: unknown;
  kind: 'sigma' | 'correlation' | 'filter' | 'analytic';
  /** Rules a correlation or filter references (ids or names). */
  references: string[];
  file: string;
  line: number;
}

async function walk(path: string, out: string[]): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return;
  if (!st.isDirectory()) {
    out.push(path);
    return;
  }
  for (const n of (await readdir(path)).sort()) {
    if (n.startsWith('.')) continue;
    const p = join(path, n);
    const s = await stat(p).catch(() => undefined);
    if (s?.isDirectory()) await walk(p, out);
    else if (n.endsWith('.yml') || n.endsWith('.yaml')) out.push(p);
  }
}

function refsOf(block: Record<string, unknown> | undefined): string[] {
  const rules = block && typeof block === 'object' ? block.rules : undefined;
  if (typeof rules === 'string') return [rules];
  return Array.isArray(rules) ? rules.filter((x): x is string => typeof x === 'string') : [];
}

/** Every rule document under the given files/directories (multi-document files included). */
export async function readRuleDocs(paths: readonly string[], kind: 'rules' | 'analytics' = 'rules'): Promise<{ rules: RuleDoc[]; diagnostics: Diagnostic[] }> {
  const files: string[] = [];
  for (const p of paths) await walk(p, files);
  const rules: RuleDoc[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const text = await readText(file, diagnostics);
    if (text === undefined) continue;
    const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
    for (const d of parseAllDocuments(text)) {
      if (!('errors' in d)) continue;
      if (d.errors.length > 0) {
        diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: d.errors[0]!.message, file, line: lineOf(d.errors[0]!.pos[0]) });
        continue;
      }
      const v = d.toJS() as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
      const o = v as Record<string, unknown>;
      if (kind === 'rules' && !('detection' in o) && !('correlation' in o) && !('filter' in o)) continue;
      const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
      const corr = o.correlation as Record<string, unknown> | undefined;
      rules.push({
        ...(str(o.id) ? { id: str(o.id) } : {}),
        ...(str(o.name) ? { name: str(o.name) } : {}),
        ...(str(o.title) ? { title: str(o.title) } : {}),
        ...(str(o.description) ? { description: str(o.description) } : {}),
        ...(str(o.status) ? { status: str(o.status) } : {}),
        ...(str(o.level) ? { level: str(o.level) } : {}),
        ...(str(o.author) ? { author: str(o.author) } : {}),
        tags: Array.isArray(o.tags) ? o.tags.filter((t): t is string => typeof t === 'string') : [],
        ...(o.falsepositives !== undefined ? { falsepositives: o.falsepositives } : {}),
        kind: kind === 'analytics' ? 'analytic' : corr ? 'correlation' : 'filter' in o ? 'filter' : 'sigma',
        references: refsOf(corr ?? (o.filter as Record<string, unknown> | undefined)),
        file,
        line: lineOf(d.range[0]),
      });
    }
  }
  return { rules, diagnostics };
}
