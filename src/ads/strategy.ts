// One detection strategy (ADS) as data: front matter for the machine, Palantir sections for people.
// Documents without front matter (drafts, the original seeds) are read from their Categorization
// section so lint can still check what they claim.
import { textOf } from '../model/values.js';
import type { Level } from '../model/alert.js';
import { LEVELS } from '../model/alert.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { normalizeTactic } from './attack.js';
import { numberedItems, parseMarkdown, stripInline, type Section } from './markdown.js';

export interface AttackMapping {
  technique: string;
  /** Name as the document states it (checked against ATT&CK). */
  name?: string;
  tactics: string[];
}

export interface Strategy {
  id?: string;
  title: string;
  attack: AttackMapping[];
  platforms: string[];
  /** Explanations a draft gives after a platform name: { PRE: 'Privileged Remote Execution' }. */
  platformGlosses?: Record<string, string>;
  priority?: Level;
  status?: string;
  /** ATT&CK version the mapping was made against ("18.1"). */
  attack_version?: string;
  data_sources: string[];
  rules: string[];
  /** Sigma meta filters (tuning) shipped with the strategy. */
  filters: string[];
  analytics: string[];
  scenarios: string[];
  /** Response steps (numbered items of the Response section). */
  response: string[];
  sections: Section[];
  /** False when the document has no front matter (a draft or seed). */
  hasFrontMatter: boolean;
  file: string;
  /** Line of the Categorization heading, for diagnostics about the mapping. */
  categorizationLine?: number;
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function asLevel(v: unknown): Level | undefined {
  if (typeof v !== 'string') return undefined;
  const l = v.trim().toLowerCase();
  return (LEVELS as readonly string[]).includes(l) ? (l as Level) : undefined;
}

export function parseStrategy(text: string, file: string): { strategy: Strategy; diagnostics: Diagnostic[] } {
  const { doc, diagnostics } = parseMarkdown(text, file);
  const fm = doc.frontMatter;
  const cat = doc.sections.find((s) => s.name === 'Categorization');
  const resp = doc.sections.find((s) => s.name === 'Response');
  const strategy: Strategy = {
    title: doc.title ?? '',
    attack: [],
    platforms: [],
    data_sources: [],
    rules: [],
    filters: [],
    analytics: [],
    scenarios: [],
    response: resp ? numberedItems(resp.body) : [],
    sections: doc.sections,
    hasFrontMatter: fm !== undefined,
    file,
    ...(cat ? { categorizationLine: cat.line } : {}),
  };
  if (fm) {
    if (typeof fm.id === 'string') strategy.id = fm.id;
    if (typeof fm.title === 'string') strategy.title = fm.title;
    strategy.platforms = strings(fm.platforms);
    const pr = asLevel(fm.priority);
    if (pr) strategy.priority = pr;
    else if (fm.priority !== undefined)
      diagnostics.push({ severity: 'error', code: 'ads-priority', message: `priority "${textOf(fm.priority)}" is not one of ${LEVELS.join(', ')}`, file });
    if (typeof fm.status === 'string') strategy.status = fm.status;
    if (typeof fm.attack_version === 'string' || typeof fm.attack_version === 'number') strategy.attack_version = String(fm.attack_version);
    strategy.data_sources = strings(fm.data_sources);
    strategy.rules = strings(fm.rules);
    strategy.filters = strings(fm.filters);
    strategy.analytics = strings(fm.analytics);
    strategy.scenarios = strings(fm.scenarios);
    if (Array.isArray(fm.attack)) {
      for (const [i, a] of fm.attack.entries()) {
        const r = (a ?? {}) as Record<string, unknown>;
        if (typeof r.technique !== 'string') {
          diagnostics.push({ severity: 'error', code: 'ads-attack', message: `attack[${i}] has no technique id`, file });
          continue;
        }
        strategy.attack.push({
          technique: r.technique.trim().toUpperCase(),
          ...(typeof r.name === 'string' ? { name: r.name } : {}),
          tactics: strings(r.tactics).map(normalizeTactic),
        });
      }
    }
  } else if (cat) {
    Object.assign(strategy, categorizationOf(cat.body));
    const pri = doc.sections.find((s) => s.name === 'Priority');
    const m = pri && /\b(low|medium|high|critical)\b/i.exec(pri.body);
    if (m) strategy.priority = m[1]!.toLowerCase() as Level;
  }
  return { strategy, diagnostics };
}

/**
 * Reads a free-form Categorization section: "MITRE ATT&CK Mapping: T1039 - Data from ...",
 * "Tactic / Kill Chain Phases: Collection", "Platforms: Linux, macOS, Windows".
 */
export function categorizationOf(body: string): { attack: AttackMapping[]; platforms: string[]; platformGlosses?: Record<string, string> } {
  let tactics: string[] = [];
  let platforms: string[] = [];
  const glosses: Record<string, string> = {};
  const mapped: { technique: string; name?: string }[] = [];
  for (const raw of body.split('\n')) {
    const line = stripInline(raw.replace(/^\s*[-*]\s*/, ''));
    const kv = /^([^:]+):\s*(.*)$/.exec(line);
    if (!kv) continue;
    const key = kv[1]!.toLowerCase();
    const value = kv[2]!;
    if (key.includes('att&ck') || key.includes('attack') || key.includes('technique')) {
      for (const m of value.matchAll(/\b(T\d{4}(?:\.\d{3})?)\b(?:\s*[-–:]\s*([^,;]+))?/g)) {
        mapped.push({ technique: m[1]!, ...(m[2] ? { name: m[2].trim() } : {}) });
      }
    } else if (key.includes('tactic') || key.includes('kill chain')) {
      tactics = value
        .split(/[,/;]/)
        .map((s) => normalizeTactic(s))
        .filter(Boolean);
    } else if (key.includes('platform')) {
      // "PRE (Privileged Remote Execution)" is still the platform "PRE"; the gloss goes.
      platforms = value
        .split(/[,;]/)
        .map((s) => s.replace(/\(.*?\)/g, '').trim())
        .filter(Boolean);
      for (const m of value.matchAll(/([^,;(]+)\(([^)]*)\)/g)) glosses[m[1]!.trim()] = m[2]!.trim();
    }
  }
  return { attack: mapped.map((m) => ({ ...m, tactics })), platforms, ...(Object.keys(glosses).length > 0 ? { platformGlosses: glosses } : {}) };
}
