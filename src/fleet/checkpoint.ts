// Partition checkpoints: what a worker taking a partition over needs to carry on exactly where
// the last owner's published findings end. Analytics state is saved whole (it may reach back
// weeks); correlation state is rebuilt by replaying the stream from `replayFrom`, the first
// event young enough to still sit in a correlation window, up to `covers` with its findings
// held back, because the last owner published them already.
import type { KV } from 'nats';
import type { AnalyticState, AnalyticsStore, StoredRow } from '../analytics/index.js';

export interface Checkpoint {
  partition: number;
  /** Stream sequence of the last event whose findings are all acknowledged by the findings stream. */
  covers: number;
  /** First stream sequence correlation state may depend on; replay starts here. */
  replayFrom: number;
  /** Analytics state after `covers`. */
  analytics: Record<string, AnalyticState>;
  owner: string;
  written: string;
}

export const checkpointKey = (p: number): string => `p${p}`;

export async function readCheckpoint(kv: KV, p: number): Promise<{ cp?: Checkpoint; revision: number }> {
  const e = await kv.get(checkpointKey(p));
  if (!e || e.operation !== 'PUT' || e.value.length === 0) return { revision: e?.revision ?? 0 };
  return { cp: e.json<Checkpoint>(), revision: e.revision };
}

/**
 * Writes only over the revision this owner last saw: a worker that lost its lease while
 * stalled cannot overwrite what the new owner wrote. Returns the new revision.
 */
export async function writeCheckpoint(kv: KV, cp: Checkpoint, revision: number): Promise<number> {
  const data = JSON.stringify(cp);
  if (revision === 0) return kv.create(checkpointKey(cp.partition), data);
  return kv.update(checkpointKey(cp.partition), data, revision);
}

function replacer(_k: string, v: unknown): unknown {
  return v instanceof Set ? [...v] : v instanceof Map ? [...v.entries()] : v;
}

/** Analytics state held in memory, so it travels inside a checkpoint. */
export function memoryAnalyticsStore(initial: Record<string, AnalyticState> = {}): AnalyticsStore & { dump(): Record<string, AnalyticState> } {
  const state = new Map<string, { fingerprint?: string; meta?: unknown; rows: Map<string, StoredRow> }>();
  for (const [k, v] of Object.entries(initial)) state.set(k, { fingerprint: v.fingerprint, meta: v.meta, rows: new Map(v.rows.map((r) => [r.key, r])) });
  return {
    load(a) {
      const s = state.get(a);
      return s ? { ...(s.fingerprint !== undefined ? { fingerprint: s.fingerprint } : {}), meta: s.meta, rows: [...s.rows.values()] } : { rows: [] };
    },
    save(a, fingerprint, meta, upserts, deletes) {
      let s = state.get(a);
      if (!s) state.set(a, (s = { rows: new Map() }));
      s.fingerprint = fingerprint;
      s.meta = meta;
      // Copied as the SQLite store encodes them (sets and maps as arrays), so detectors restore either alike.
      for (const u of upserts) s.rows.set(u.key, { key: u.key, tick: u.tick, value: JSON.parse(JSON.stringify(u.value, replacer)) as unknown });
      for (const d of deletes) s.rows.delete(d);
    },
    clear(a) {
      state.delete(a);
    },
    list() {
      return [...state].map(([analytic, s]) => ({ analytic, fingerprint: s.fingerprint ?? '', meta: s.meta, updated: '', entities: s.rows.size }));
    },
    dump() {
      const out: Record<string, AnalyticState> = {};
      for (const [k, s] of state) out[k] = { ...(s.fingerprint !== undefined ? { fingerprint: s.fingerprint } : {}), meta: s.meta, rows: [...s.rows.values()] };
      return out;
    },
  };
}
