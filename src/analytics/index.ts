// Stateful analytics — baselines, first-seen terms, container lifecycle — as engine detectors.
import type Database from 'better-sqlite3';
import type { Diagnostic } from '../model/diagnostic.js';
import type { AnalyticDetector } from './base.js';
import { BaselineAnalytic } from './baseline.js';
import { FirstSeenAnalytic } from './first-seen.js';
import { LifecycleAnalytic } from './lifecycle.js';
import { loadAnalyticDefs } from './load.js';
import { analyticsStore, type AnalyticsStore } from './store.js';
import type { AnalyticDef } from './types.js';

export { checkpointAll, type AnalyticDetector, type AnalyticView } from './base.js';
export type { AnalyticDef } from './types.js';
export { loadAnalyticDefs, parseAnalytics } from './load.js';
export { analyticsStore, type AnalyticsStore, type AnalyticState, type StoredRow } from './store.js';

export interface AnalyticsOptions {
  /** Where learned state is persisted: the alert store's database handle, or an analytics store. */
  store?: Database.Database | AnalyticsStore;
  /** Wall-clock milliseconds between automatic checkpoints (default 30 s); 0 saves on every advance. */
  checkpointEveryMs?: number;
}

function asStore(s: AnalyticsOptions['store']): AnalyticsStore | undefined {
  if (!s) return undefined;
  return 'load' in s && typeof s.load === 'function' ? s : analyticsStore(s as Database.Database);
}

export function createAnalytic(def: AnalyticDef, store?: AnalyticsStore): AnalyticDetector {
  switch (def.type) {
    case 'baseline':
      return new BaselineAnalytic(def, store);
    case 'first_seen':
      return new FirstSeenAnalytic(def, store);
    case 'lifecycle':
      return new LifecycleAnalytic(def, store);
  }
}

/** Detectors for the definitions, with their learned state restored from the store if given. */
export function createAnalytics(defs: readonly AnalyticDef[], opts: AnalyticsOptions = {}): { detectors: AnalyticDetector[]; diagnostics: Diagnostic[] } {
  const store = asStore(opts.store);
  const diagnostics: Diagnostic[] = [];
  const detectors = defs.map((d) => {
    const det = createAnalytic(d, store);
    if (opts.checkpointEveryMs !== undefined) det.checkpointEveryMs = opts.checkpointEveryMs;
    diagnostics.push(...det.restore());
    return det;
  });
  return { detectors, diagnostics };
}

/** Loads definitions from files/directories and builds their detectors. */
export function loadAnalytics(paths: readonly string[], opts: AnalyticsOptions = {}): { detectors: AnalyticDetector[]; diagnostics: Diagnostic[] } {
  const loaded = loadAnalyticDefs(paths);
  const built = createAnalytics(loaded.defs, opts);
  return { detectors: built.detectors, diagnostics: [...loaded.diagnostics, ...built.diagnostics] };
}
