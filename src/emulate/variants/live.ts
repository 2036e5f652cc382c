// Variants as live emulation scenarios, and the recorder that writes what a live run saw as the
// variant's replay scenario: Docker events + the inspect documents they were enriched with, and the
// raw audit lines of the audit events that belong to it.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { StowawayEvent } from '../../model/event.js';
import type { EmulationScenario } from '../live/format.js';
import type { LoadedEmulation } from '../live/load.js';
import { AUDIT_LOG, type ScenarioTelemetry } from '../live/runner.js';
import type { Variant } from './types.js';
import { variantsDir } from './replay.js';

/** The live scenario of a variant. Benign ones must keep every shipped rule quiet (`quiet`: all rule ids). */
export function toScenario(v: Variant, allRuleIds: string[]): EmulationScenario | undefined {
  if (!v.live) return undefined;
  return {
    id: v.id,
    kind: v.kind,
    description: v.description,
    needs: v.live.needs ?? [],
    setup: v.live.setup ?? [],
    steps: v.live.steps,
    cleanup: v.live.cleanup ?? [],
    expect: v.kind === 'positive' ? v.expect.map((rule) => ({ rule })) : [],
    expect_any: true,
    quiet: v.kind === 'benign' ? allRuleIds : [],
    wait_s: v.kind === 'positive' ? 15 : 6,
  };
}

/** One LoadedEmulation per strategy holding the live variants; variants of unknown strategies are returned apart. */
export function toEmulations(
  variants: Variant[],
  strategyDirs: Map<string, string>,
  ruleIds: Map<string, string[]>,
): { emulations: LoadedEmulation[]; unplaced: Variant[] } {
  const all = [...new Set([...ruleIds.values()].flat())];
  const by = new Map<string, LoadedEmulation>();
  const unplaced: Variant[] = [];
  for (const v of variants) {
    const sc = toScenario(v, all);
    if (!sc) continue;
    const dir = strategyDirs.get(v.strategy);
    if (!dir) {
      unplaced.push(v);
      continue;
    }
    let e = by.get(v.strategy);
    if (!e) by.set(v.strategy, (e = { strategy: v.strategy, dir, rules: ruleIds.get(v.strategy) ?? [], scenarios: [] }));
    e.scenarios.push(sc);
  }
  return { emulations: [...by.values()].sort((a, b) => a.strategy.localeCompare(b.strategy)), unplaced };
}

/** `msg=audit(1733312345.123:4567)` → `1733312345.123:4567`. */
function auditKey(line: string): string | undefined {
  return /msg=audit\(([0-9.]+:[0-9]+)\)/.exec(line)?.[1];
}

/** The audit-event keys (time:serial) of audit events, as the raw lines spell them. */
export function auditKeys(events: StowawayEvent[]): Set<string> {
  const keys = new Set<string>();
  for (const ev of events) {
    if (ev.stowaway?.source !== 'auditd') continue;
    const serial = ev.event?.sequence ?? (ev.auditd as { serial?: number } | undefined)?.serial;
    const t = Date.parse(ev['@timestamp']);
    if (typeof serial !== 'number' || !Number.isFinite(t)) continue;
    keys.add(`${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')}:${serial}`);
  }
  return keys;
}

/** Raw lines of the audit log from `offset` on (the rotated file first when it rotated meanwhile) whose event key is wanted. */
export async function auditLines(keys: Set<string>, offset: number, file = AUDIT_LOG): Promise<string[]> {
  if (keys.size === 0) return [];
  const out: string[] = [];
  const read = async (f: string, start: number): Promise<void> => {
    if (!existsSync(f)) return;
    const rl = createInterface({ input: createReadStream(f, { start, encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of rl) {
      const k = auditKey(line);
      if (k && keys.has(k)) out.push(line);
    }
  };
  const size = statSync(file).size;
  if (size < offset) {
    await read(`${file}.1`, offset);
    await read(file, 0);
  } else await read(file, offset);
  return out;
}

/** Writes a variant's telemetry and scenario YAML under `<strategy>/variants/`; returns the YAML path. */
export function variantRecorder(variants: Map<string, Variant>): (t: ScenarioTelemetry) => Promise<string | undefined> {
  return async (t) => {
    const v = variants.get(`${t.strategy.strategy}/${t.scenario.id}`);
    if (!v) return undefined;
    const dir = variantsDir(t.strategy.dir);
    await mkdir(dir, { recursive: true });
    // A fresh recording replaces every file of the old one.
    for (const f of await readdir(dir)) if (f.startsWith(`${v.id}.`)) await rm(join(dir, f), { force: true });
    const docker = t.events.filter((e) => e.stowaway?.source === 'docker' && (e.docker as { event?: unknown } | undefined)?.event);
    const inspect = new Map<string, Record<string, unknown>>();
    for (const e of docker) {
      const doc = (e.docker as { inspect?: Record<string, unknown> }).inspect;
      if (!doc || typeof doc.Id !== 'string') continue;
      // The document of a running container names its init pid: audit attribution needs it.
      const prev = inspect.get(doc.Id);
      const pid = (d: Record<string, unknown> | undefined): number => (d?.State as { Pid?: number } | undefined)?.Pid ?? 0;
      if (!prev || pid(doc) > 0 || pid(prev) === 0) inspect.set(doc.Id, doc);
    }
    const volumes = new Map<string, Record<string, unknown>>();
    for (const e of docker) for (const v of (e.docker as { volumes?: Array<Record<string, unknown>> }).volumes ?? []) volumes.set(String(v.Name), v);
    const audit = t.auditOffset !== undefined ? await auditLines(auditKeys(t.events), t.auditOffset) : [];
    const inputs: Array<Record<string, string>> = [];
    // Volume documents ride in the same dump: the replay's Docker context tells them apart.
    if (inspect.size) await writeFile(join(dir, `${v.id}.inspect.json`), JSON.stringify([...inspect.values(), ...volumes.values()], null, 1) + '\n');
    if (docker.length) {
      await writeFile(join(dir, `${v.id}.docker-events.jsonl`), docker.map((e) => JSON.stringify((e.docker as { event: unknown }).event)).join('\n') + '\n');
      inputs.push({ file: `${v.id}.docker-events.jsonl`, format: 'docker-events', ...(inspect.size ? { inspect: `${v.id}.inspect.json` } : {}) });
    }
    if (audit.length) {
      await writeFile(join(dir, `${v.id}.audit.log`), audit.join('\n') + '\n');
      inputs.push({ file: `${v.id}.audit.log`, format: 'auditd', ...(inspect.size ? { inspect: `${v.id}.inspect.json` } : {}) });
    }
    if (inputs.length === 0) return undefined;
    const doc = {
      name: v.id,
      strategy: v.strategy,
      kind: v.kind,
      description: v.description,
      telemetry: `Recorded by stowaway validate --live --variants --record on ${new Date().toISOString().slice(0, 10)} (live verdict ${t.row.verdict}).`,
      variant: { family: v.family, ...(v.technique ? { technique: v.technique } : {}) },
      inputs,
      expect: v.kind === 'positive' ? { fire: v.expect, match: 'any' } : { quiet: 'all' },
    };
    const file = join(dir, `${v.id}.yml`);
    await writeFile(file, `# Generated variant (src/emulate/variants); re-record rather than edit.\n${stringify(doc)}`);
    return file;
  };
}
