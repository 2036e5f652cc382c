// `stowaway baselines`: what the analytics have learned, from the store, for review and export.
import { textOf } from '../model/values.js';
import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyticsStore, createAnalytics, loadAnalyticDefs, type AnalyticView } from '../analytics/index.js';
import { formatDiagnostic } from '../model/diagnostic.js';
import { DEFAULT_DATA_DIR, openStore } from '../sinks/store/index.js';

const SHIPPED = fileURLToPath(new URL('../../content/analytics/', import.meta.url));

interface ShowOptions {
  dataDir: string;
  json?: boolean;
  analytic?: string;
  analytics: string[];
  limit: string;
}

export interface BaselinesReport {
  store: string;
  analytics: Array<Omit<AnalyticView, 'stats'> & { updated: string | null; stored_entities: number }>;
  /** State in the store whose definition is not loaded (removed or renamed analytics). */
  orphaned: Array<{ id: string; updated: string; stored_entities: number }>;
}

/** Reads the store read-only and shows each analytic's state through its own definition. */
export function baselinesReport(dataDir: string, analyticPaths: string[], only?: string): { report: BaselinesReport; warnings: string[] } {
  const store = openStore(dataDir, { readonly: true });
  try {
    const astore = analyticsStore(store.db);
    const stored = new Map(astore.list().map((s) => [s.analytic, s]));
    const loaded = loadAnalyticDefs(analyticPaths);
    const warnings = loaded.diagnostics.map(formatDiagnostic);
    const defs = loaded.defs.filter((d) => (only ? d.id === only : stored.has(d.id)));
    const built = createAnalytics(defs, { store: astore });
    warnings.push(...built.diagnostics.map(formatDiagnostic));
    const analytics = built.detectors.map((d) => {
      const s = stored.get(d.def.id);
      // Runtime counters are not persisted; a freshly restored detector's would read as zeros.
      const { stats: _stats, ...view } = d.view();
      return { ...view, updated: s?.updated || null, stored_entities: s?.entities ?? 0 };
    });
    const known = new Set(loaded.defs.map((d) => d.id));
    const orphaned = [...stored.values()]
      .filter((s) => !known.has(s.analytic) && (!only || s.analytic === only))
      .map((s) => ({ id: s.analytic, updated: s.updated, stored_entities: s.entities }));
    return { report: { store: store.path, analytics, orphaned }, warnings };
  } finally {
    store.close();
  }
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === 'object')
    return Object.values(v as Record<string, unknown>)
      .map(fmt)
      .join('/');
  return textOf(v);
}

function printText(r: BaselinesReport, limit: number): void {
  const out: string[] = [`store ${r.store}`];
  if (r.analytics.length === 0 && r.orphaned.length === 0) out.push('no analytic state stored yet');
  for (const a of r.analytics) {
    out.push('', `${a.title}  [${a.type}]  ${a.id}`, `  updated (event time) ${a.updated ?? '-'}; entities ${a.entities.length}`);
    const rows = a.entities.slice(-limit).reverse();
    if (rows.length === 0) continue;
    const cols = Object.keys(rows[0]!);
    out.push('  ' + cols.join('\t'));
    for (const e of rows) out.push('  ' + cols.map((c) => fmt(e[c])).join('\t'));
    if (a.entities.length > limit) out.push(`  … ${a.entities.length - limit} more (most recently seen first; --limit or --json for all)`);
  }
  for (const o of r.orphaned) out.push('', `${o.id}: ${o.stored_entities} stored entries whose definition is not loaded (updated ${o.updated})`);
  process.stdout.write(out.join('\n') + '\n');
}

export function register(program: Command): void {
  const cmd = program.command('baselines').description('Show and reset what the analytics (baselines, first-seen terms, container lifecycle) have learned');
  cmd
    .command('show')
    .description('Print the learned state of each analytic from the store: per entity the baseline median, spread, samples; known terms; tracked containers')
    .option('--data-dir <dir>', 'data directory holding stowaway.sqlite', DEFAULT_DATA_DIR)
    .addOption(new Option('--analytics <paths...>', 'analytic definition files or directories').default([SHIPPED], 'the shipped content/analytics'))
    .option('--analytic <id>', 'only this analytic')
    .option('--limit <n>', 'entities printed per analytic (text output)', '20')
    .option('--json', 'print the whole state as JSON')
    .action((o: ShowOptions) => {
      const file = o.dataDir.endsWith('.sqlite') ? o.dataDir : `${o.dataDir}/stowaway.sqlite`;
      if (!existsSync(file)) {
        process.stderr.write(`stowaway baselines: no store at ${file} (nothing learned yet, or pass --data-dir)\n`);
        process.exitCode = 1;
        return;
      }
      const { report, warnings } = baselinesReport(o.dataDir, o.analytics, o.analytic);
      for (const w of warnings) process.stderr.write(w + '\n');
      if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else printText(report, Math.max(1, Number(o.limit) || 20));
    });
  cmd
    .command('reset')
    .description('Forget what analytics learned (all, or one with --analytic); they start learning again')
    .option('--data-dir <dir>', 'data directory holding stowaway.sqlite', DEFAULT_DATA_DIR)
    .option('--analytic <id>', 'only this analytic')
    .action((o: { dataDir: string; analytic?: string }) => {
      const store = openStore(o.dataDir);
      try {
        const a = analyticsStore(store.db);
        const ids = o.analytic ? [o.analytic] : a.list().map((s) => s.analytic);
        for (const id of ids) a.clear(id);
        process.stdout.write(`reset ${ids.length} analytic(s)\n`);
      } finally {
        store.close();
      }
    });
}
