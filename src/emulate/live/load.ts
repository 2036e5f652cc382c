// Finds the emulation files of the shipped strategies and the rule ids each
// strategy owns (the default "must stay quiet" set of its benign scenarios).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../../model/diagnostic.js';
import { parseEmulation, type EmulationFile } from './format.js';

export interface LoadedEmulation extends EmulationFile {
  /** Folder of the strategy under the content dir. */
  dir: string;
  /** Rule ids found in the strategy's rules folder. */
  rules: string[];
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Rule ids (top-level `id:` of every YAML document) under a strategy's rules folder. */
export async function strategyRuleIds(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const p = join(d, n);
      if (await isDir(p)) await walk(p);
      else if (/\.ya?ml$/.test(n)) {
        try {
          for (const doc of parseAllDocuments(await readFile(p, 'utf8'))) {
            if ('errors' in doc && doc.errors.length > 0) continue;
            const js = doc.toJS() as unknown;
            if (js && typeof js === 'object' && typeof (js as { id?: unknown }).id === 'string') out.push((js as { id: string }).id);
          }
        } catch {
          /* rule lint reports unreadable rule files; here they simply own no ids */
        }
      }
    }
  };
  await walk(join(dir, 'rules'));
  return out;
}

/**
 * Loads `<content>/<strategy>/emulation.yml` for every strategy folder (or
 * `<content>/strategies/...` when given the content root). `only` filters by
 * folder name or strategy id (substring, case-insensitive).
 */
export async function loadEmulations(content: string, only: string[] = []): Promise<{ emulations: LoadedEmulation[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const root = (await isDir(join(content, 'strategies'))) ? join(content, 'strategies') : content;
  let names: string[];
  try {
    names = (await readdir(root)).sort();
  } catch (e) {
    diagnostics.push({
      severity: 'error',
      code: 'emulation-missing',
      message: `cannot read strategies folder ${root}: ${e instanceof Error ? e.message : String(e)}`,
      file: root,
    });
    return { emulations: [], diagnostics };
  }
  const emulations: LoadedEmulation[] = [];
  for (const name of names) {
    const dir = join(root, name);
    if (!(await isDir(dir))) continue;
    const file = join(dir, 'emulation.yml');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      if (only.length === 0 || only.some((o) => name.toLowerCase().includes(o.toLowerCase())))
        diagnostics.push({ severity: 'warning', code: 'emulation-missing', message: `strategy ${name} has no emulation.yml; it is not validated live`, file });
      continue;
    }
    const { emulation, diagnostics: ds } = parseEmulation(text, file);
    diagnostics.push(...ds);
    if (!emulation) continue;
    const wanted = only.length === 0 || only.some((o) => name.toLowerCase().includes(o.toLowerCase()) || emulation.strategy.toLowerCase() === o.toLowerCase());
    if (!wanted) continue;
    emulations.push({ ...emulation, dir, rules: await strategyRuleIds(dir) });
  }
  return { emulations, diagnostics };
}
