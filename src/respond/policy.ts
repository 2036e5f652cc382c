// Response policy as content: each strategy's `response.yml` says which containment
// actions its rules allow, at which level, and which of them `auto` mode runs; the
// user's policy file (`<data-dir>/response.yaml`) sets the mode, the protected
// workloads and the automatic rate, and may replace a strategy's entries.
import { readFileSync, existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Alert, Level } from '../model/alert.js';
import { LEVELS } from '../model/alert.js';
import { textOf } from '../model/values.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { RESPONSE_ACTIONS, RESPONSE_MODES, type ResponseAction, type ResponseMode } from '../model/response.js';

/** One entry: these rules (or `*`: every rule of the strategy), at this level or worse, may be answered so. */
export interface PolicyEntry {
  rules: string[];
  min_level: Level;
  allow: ResponseAction[];
  /** What `auto` mode runs at once, in this order; always a subset of `allow`. */
  auto: ResponseAction[];
  /** Where the entry came from (file:line), for the audit trail. */
  source: string;
}

/** Workloads never acted on, whatever the rules say: the host's own infrastructure. */
export interface Protected {
  /** Exact container names. */
  names: string[];
  /** Image reference prefixes (`registry.example/infra/`). */
  images: string[];
  /** `key=value` labels; a bare `key` matches any value. */
  labels: string[];
}

export interface ResponsePolicy {
  mode: ResponseMode;
  /** Strategy id (or `*` for alerts of any strategy and of none) → entries. */
  strategies: Map<string, PolicyEntry[]>;
  protect: Protected;
  /** Automatic actions allowed per window; the rest are refused and recorded. */
  autoRate: { count: number; windowS: number };
  /** A kubeconfig makes `quarantine` apply its manifests; without one it only writes them. */
  kubeconfig?: string;
  /** Where the mode was set (file, or `default`), for the page and the CLI. */
  modeSource: string;
}

export const RESPONSE_FILE = 'response.yml';
export const USER_POLICY_FILE = 'response.yaml';
const UNDO_ONLY: readonly ResponseAction[] = ['restore', 'unpause'];
const ENTRY_KEYS = new Set(['rules', 'min_level', 'allow', 'auto']);
const USER_KEYS = new Set(['mode', 'protect', 'auto_rate_limit', 'kubeconfig', 'strategies']);

export function emptyPolicy(): ResponsePolicy {
  return { mode: 'off', strategies: new Map(), protect: { names: [], images: [], labels: [] }, autoRate: { count: 5, windowS: 300 }, modeSource: 'default' };
}

function strList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return undefined;
}

/** Parses a list of entries (the body of a strategy's response.yml, or one strategy of a user policy). */
function parseEntries(
  v: unknown,
  file: string,
  line: (path: (string | number)[]) => number | undefined,
  at: (string | number)[],
  diags: Diagnostic[],
): PolicyEntry[] {
  const out: PolicyEntry[] = [];
  if (!Array.isArray(v)) {
    diags.push({ severity: 'error', code: 'response-policy', message: 'expected a list of entries (rules, min_level, allow, auto)', file, line: line(at) });
    return out;
  }
  v.forEach((raw, i) => {
    const where = { file, line: line([...at, i]) };
    const bad = (message: string): void =>
      void diags.push({ severity: 'error', code: 'response-policy', message: `entry ${i + 1}: ${message}; entry refused`, ...where });
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      bad('not a mapping');
      return;
    }
    const e = raw as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !ENTRY_KEYS.has(k));
    if (unknown.length) {
      bad(`unknown key(s) ${unknown.join(', ')} (known: ${[...ENTRY_KEYS].join(', ')})`);
      return;
    }
    const rules = strList(e.rules);
    if (!rules?.length) {
      bad('`rules` must name rule ids or `*`');
      return;
    }
    const level = e.min_level ?? 'informational';
    if (typeof level !== 'string' || !(LEVELS as readonly string[]).includes(level)) {
      bad(`min_level '${textOf(level)}' is not one of ${LEVELS.join(', ')}`);
      return;
    }
    const allow = strList(e.allow ?? []);
    const auto = strList(e.auto ?? []);
    if (!allow || !auto) {
      bad('`allow` and `auto` are lists of actions');
      return;
    }
    const unknownAction = [...allow, ...auto].filter((a) => !(RESPONSE_ACTIONS as readonly string[]).includes(a));
    if (unknownAction.length) {
      bad(`unknown action(s) ${unknownAction.join(', ')} (known: ${RESPONSE_ACTIONS.join(', ')})`);
      return;
    }
    const notAllowed = auto.filter((a) => !allow.includes(a));
    if (notAllowed.length) {
      bad(`auto action(s) ${notAllowed.join(', ')} are not in allow`);
      return;
    }
    const undo = auto.filter((a) => (UNDO_ONLY as readonly string[]).includes(a));
    if (undo.length) {
      bad(`${undo.join(', ')} undo an action and are never automatic`);
      return;
    }
    out.push({
      rules,
      min_level: level as Level,
      allow: allow as ResponseAction[],
      auto: auto as ResponseAction[],
      source: `${file}${where.line ? `:${where.line}` : ''}`,
    });
  });
  return out;
}

function parseYaml(text: string, file: string, diags: Diagnostic[]): { value: unknown; line: (path: (string | number)[]) => number | undefined } | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    for (const e of doc.errors)
      diags.push({ severity: 'error', code: 'yaml-syntax', message: e.message.split('\n')[0]!, file, line: lc.linePos(e.pos[0]).line });
    return undefined;
  }
  const line = (path: (string | number)[]): number | undefined => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lc.linePos(node.range[0]).line : undefined;
  };
  return { value: doc.toJS() as unknown, line };
}

/** A strategy's response.yml: `strategy: ADS-000N` and `entries: [...]`. */
export function parseStrategyResponse(text: string, file: string): { strategy?: string; entries: PolicyEntry[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const y = parseYaml(text, file, diagnostics);
  if (!y) return { entries: [], diagnostics };
  const v = y.value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object' || typeof v.strategy !== 'string') {
    diagnostics.push({
      severity: 'error',
      code: 'response-policy',
      message: 'a response.yml names its `strategy` (ADS id) and lists `entries`',
      file,
      line: 1,
    });
    return { entries: [], diagnostics };
  }
  const unknown = Object.keys(v).filter((k) => k !== 'strategy' && k !== 'entries');
  if (unknown.length)
    diagnostics.push({ severity: 'warning', code: 'response-policy', message: `unknown key(s) ${unknown.join(', ')} ignored`, file, line: 1 });
  return { strategy: v.strategy, entries: parseEntries(v.entries, file, y.line, ['entries'], diagnostics), diagnostics };
}

/** Loads every `response.yml` of a strategies folder into a policy whose mode is still `off`. */
export async function loadContentPolicy(strategiesDir: string): Promise<{ policy: ResponsePolicy; diagnostics: Diagnostic[] }> {
  const policy = emptyPolicy();
  const diagnostics: Diagnostic[] = [];
  for (const n of (await readdir(strategiesDir).catch(() => [] as string[])).sort()) {
    const f = join(strategiesDir, n, RESPONSE_FILE);
    if (!existsSync(f)) continue;
    const r = parseStrategyResponse(readFileSync(f, 'utf8'), f);
    diagnostics.push(...r.diagnostics);
    if (r.strategy) policy.strategies.set(r.strategy, [...(policy.strategies.get(r.strategy) ?? []), ...r.entries]);
  }
  return { policy, diagnostics };
}

/**
 * Applies a user policy file over a content policy: `mode`, `protect`, `auto_rate_limit`
 * and `kubeconfig` replace the defaults; each strategy listed under `strategies`
 * replaces that strategy's shipped entries (an empty list takes them all away).
 */
export function applyUserPolicy(base: ResponsePolicy, text: string, file: string): { policy: ResponsePolicy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const policy: ResponsePolicy = { ...base, strategies: new Map(base.strategies), protect: { ...base.protect } };
  const y = parseYaml(text, file, diagnostics);
  if (!y) return { policy: { ...policy, mode: 'off', modeSource: `${file} (unreadable: mode off)` }, diagnostics };
  const v = (y.value ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object' || Array.isArray(v)) {
    diagnostics.push({
      severity: 'error',
      code: 'response-policy',
      message: 'the policy file is a mapping (mode, protect, auto_rate_limit, kubeconfig, strategies); mode stays off',
      file,
      line: 1,
    });
    return { policy: { ...policy, mode: 'off' }, diagnostics };
  }
  for (const k of Object.keys(v))
    if (!USER_KEYS.has(k))
      diagnostics.push({
        severity: 'warning',
        code: 'response-policy',
        message: `unknown key '${k}' ignored (known: ${[...USER_KEYS].join(', ')})`,
        file,
        line: y.line([k]),
      });
  if (v.mode !== undefined) {
    // YAML 1.1 habits: `mode: off` may arrive as false.
    const mode = v.mode === false ? 'off' : v.mode;
    if (typeof mode === 'string' && (RESPONSE_MODES as readonly string[]).includes(mode)) {
      policy.mode = mode as ResponseMode;
      policy.modeSource = file;
    } else {
      diagnostics.push({
        severity: 'error',
        code: 'response-policy',
        message: `mode '${textOf(v.mode)}' is not one of ${RESPONSE_MODES.join(', ')}; mode stays off`,
        file,
        line: y.line(['mode']),
      });
      policy.mode = 'off';
    }
  }
  if (v.protect !== undefined) {
    const p = v.protect as Record<string, unknown>;
    for (const key of ['names', 'images', 'labels'] as const) {
      if (p?.[key] === undefined) continue;
      const l = strList(p[key]);
      if (l) policy.protect[key] = l;
      else
        diagnostics.push({
          severity: 'error',
          code: 'response-policy',
          message: `protect.${key} must be a list of strings`,
          file,
          line: y.line(['protect', key]),
        });
    }
  }
  if (v.auto_rate_limit !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(textOf(v.auto_rate_limit));
    if (m && Number(m[2]) > 0) policy.autoRate = { count: Number(m[1]), windowS: Number(m[2]) };
    else
      diagnostics.push({
        severity: 'error',
        code: 'response-policy',
        message: `auto_rate_limit '${textOf(v.auto_rate_limit)}' is not <count>/<seconds>; keeping ${policy.autoRate.count}/${policy.autoRate.windowS}`,
        file,
        line: y.line(['auto_rate_limit']),
      });
  }
  if (typeof v.kubeconfig === 'string') policy.kubeconfig = v.kubeconfig;
  if (v.strategies !== undefined) {
    if (!v.strategies || typeof v.strategies !== 'object' || Array.isArray(v.strategies))
      diagnostics.push({
        severity: 'error',
        code: 'response-policy',
        message: '`strategies` maps a strategy id (or `*`) to a list of entries',
        file,
        line: y.line(['strategies']),
      });
    else
      for (const [id, entries] of Object.entries(v.strategies)) policy.strategies.set(id, parseEntries(entries, file, y.line, ['strategies', id], diagnostics));
  }
  return { policy, diagnostics };
}

/** Content policy of a strategies folder, then the user file over it when there is one. */
export async function loadPolicy(strategiesDir: string, userFile?: string): Promise<{ policy: ResponsePolicy; diagnostics: Diagnostic[] }> {
  const c = await loadContentPolicy(strategiesDir);
  if (!userFile || !existsSync(userFile)) return c;
  const u = applyUserPolicy(c.policy, readFileSync(userFile, 'utf8'), userFile);
  return { policy: u.policy, diagnostics: [...c.diagnostics, ...u.diagnostics] };
}

export interface Permission {
  allow: ResponseAction[];
  auto: ResponseAction[];
  /** The entries that granted them. */
  sources: string[];
}

const levelN = (l: Level): number => LEVELS.indexOf(l);

/** What the policy allows (and runs automatically) for an alert, whatever the mode. */
export function permitted(policy: ResponsePolicy, alert: Pick<Alert, 'rule' | 'level' | 'strategy'>): Permission {
  const entries = [...(alert.strategy ? (policy.strategies.get(alert.strategy.id) ?? []) : []), ...(policy.strategies.get('*') ?? [])];
  const allow = new Set<ResponseAction>();
  const auto: ResponseAction[] = [];
  const sources: string[] = [];
  for (const e of entries) {
    if (!e.rules.includes('*') && !e.rules.includes(alert.rule.id)) continue;
    if (levelN(alert.level) < levelN(e.min_level)) continue;
    sources.push(e.source);
    for (const a of e.allow) allow.add(a);
    for (const a of e.auto) if (!auto.includes(a)) auto.push(a);
  }
  // Whoever may isolate or pause may undo it.
  if (allow.has('isolate')) allow.add('restore');
  if (allow.has('pause')) allow.add('unpause');
  return { allow: RESPONSE_ACTIONS.filter((a) => allow.has(a)), auto, sources };
}
