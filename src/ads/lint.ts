// ADS lint: a strategy is complete (every Palantir section with substance, a response checklist),
// its ATT&CK mapping is true (ids exist, are current, tactics and platforms agree), and it is wired
// (its rules exist and carry its tags, its analytics exist, it has positive and benign scenarios).
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { LEVELS } from '../model/alert.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { splitAttackTags, TECHNIQUE_ID, V19_MOVES, v18Predecessors, type AttackCatalog, type Technique } from './attack.js';
import { isPlaceholderText, SECTION_NAMES } from './markdown.js';
import { readRuleDocs, type RuleDoc } from './rules.js';
import { parseStrategy, type Strategy } from './strategy.js';
import { loadScenarios, type Scenario } from './scenario.js';
import { readText } from '../model/files.js';
import { parseStrategyResponse, RESPONSE_FILE } from '../respond/policy.js';

export interface LintOptions {
  /** ATT&CK catalog; without it ids are not checked (one warning says so). */
  attack?: AttackCatalog;
  /** Why ATT&CK is missing, for that warning. */
  attackError?: string;
  /** Analytics definitions folder (content/analytics) for ids strategies reference. */
  analyticsDir?: string;
  /** Also lint every rule file found (duplicate ids, missing level/tags ...). */
  rules?: boolean;
}

export interface LintReport {
  strategies: Strategy[];
  diagnostics: Diagnostic[];
  /** Documents and rule files looked at. */
  files: number;
  rulesChecked: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTAINERS = 'Containers';

/** ADS documents under the arguments: strategy folders, their parent, or Markdown/text files. */
export async function findStrategyFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st) {
      out.push(p); // reported as unreadable by the caller
      continue;
    }
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await readdir(p)).sort();
    const found = await strategyMdUnder(p, 3);
    if (found.length > 0) {
      out.push(...found);
      continue;
    }
    for (const n of names) if (['.md', '.txt'].includes(extname(n)) && !/^readme/i.test(n)) out.push(join(p, n));
  }
  return [...new Set(out)];
}

/** strategy.md files in `dir` or its subfolders (content/, content/strategies/, one strategy folder). */
async function strategyMdUnder(dir: string, depth: number): Promise<string[]> {
  const here = join(dir, 'strategy.md');
  if ((await stat(here).catch(() => undefined))?.isFile()) return [here];
  if (depth === 0) return [];
  const out: string[] = [];
  for (const n of (await readdir(dir).catch(() => [] as string[])).sort()) {
    if (n.startsWith('.') || n === 'node_modules') continue;
    const p = join(dir, n);
    if ((await stat(p).catch(() => undefined))?.isDirectory()) out.push(...(await strategyMdUnder(p, depth - 1)));
  }
  return out;
}

export async function lintPaths(paths: readonly string[], opts: LintOptions = {}): Promise<LintReport> {
  const diagnostics: Diagnostic[] = [];
  if (!opts.attack)
    diagnostics.push({
      severity: 'warning',
      code: 'attack-unavailable',
      message: `ATT&CK data not found, ids not checked${opts.attackError ? ` (${opts.attackError})` : ''}`,
    });
  const files = await findStrategyFiles(paths);
  const strategies: Strategy[] = [];
  const ruleDirs = new Set<string>();
  for (const file of files) {
    const text = await readText(file, diagnostics);
    if (text === undefined) continue;
    const r = parseStrategy(text, file);
    diagnostics.push(...r.diagnostics);
    strategies.push(r.strategy);
    if (r.strategy.hasFrontMatter) ruleDirs.add(join(dirname(file), 'rules'));
  }
  const { rules, diagnostics: rd } = await readRuleDocs([...ruleDirs]);
  diagnostics.push(...rd);
  const analytics = opts.analyticsDir ? await readRuleDocs([opts.analyticsDir], 'analytics') : { rules: [], diagnostics: [] };
  const seenIds = new Map<string, string>();
  for (const s of strategies) {
    diagnostics.push(...lintDocument(s, opts.attack));
    if (s.id) {
      if (seenIds.has(s.id))
        diagnostics.push({ severity: 'error', code: 'ads-duplicate-id', message: `${s.id} is also used by ${seenIds.get(s.id)}`, file: s.file });
      else seenIds.set(s.id, s.file);
    }
    if (s.hasFrontMatter) {
      const own = rules.filter((r) => dirname(r.file) === join(dirname(s.file), 'rules'));
      diagnostics.push(...lintWiring(s, own, rules, opts.analyticsDir ? analytics.rules : undefined, opts.attack));
      const { scenarios, diagnostics: sd } = await loadScenariosOf(dirname(s.file));
      diagnostics.push(...sd);
      diagnostics.push(...lintScenarios(s, scenarios, rules, own));
      diagnostics.push(...(await lintResponse(s)));
    }
  }
  if (opts.rules) diagnostics.push(...lintRules(rules, analytics.rules, opts.attack));
  return { strategies, diagnostics, files: files.length, rulesChecked: rules.length };
}

/** The strategy's response.yml (containment policy), when it has one: well-formed, its own, naming its own rules. */
async function lintResponse(s: Strategy): Promise<Diagnostic[]> {
  const file = join(dirname(s.file), RESPONSE_FILE);
  const text = await readText(file, []).catch(() => undefined);
  if (text === undefined) return [];
  const r = parseStrategyResponse(text, file);
  const out = [...r.diagnostics];
  if (r.strategy && s.id && r.strategy !== s.id)
    out.push({ severity: 'error', code: 'ads-response-wiring', message: `response.yml is for ${r.strategy}, the strategy beside it is ${s.id}`, file });
  for (const e of r.entries)
    for (const rule of e.rules)
      if (rule !== '*' && !s.rules.includes(rule))
        out.push({
          severity: 'error',
          code: 'ads-response-wiring',
          message: `rule ${rule} is not one of ${s.id ?? 'the strategy'}'s rules`,
          file: e.source.replace(/:\d+$/, ''),
          line: Number(/:(\d+)$/.exec(e.source)?.[1]) || undefined,
        });
  return out;
}

async function loadScenariosOf(strategyDir: string): Promise<{ scenarios: Scenario[]; diagnostics: Diagnostic[] }> {
  // loadScenarios walks <content>/<strategy>/scenarios; point it at this one strategy's parent
  // and keep only this strategy's folder.
  const all = await loadScenarios(dirname(strategyDir));
  const mine = join(strategyDir, 'scenarios');
  return { scenarios: all.scenarios.filter((s) => dirname(s.file) === mine), diagnostics: all.diagnostics.filter((d) => d.file?.startsWith(mine)) };
}

/** Sections, response checklist, priority and the ATT&CK mapping of one document. */
export function lintDocument(s: Strategy, attack?: AttackCatalog): Diagnostic[] {
  const out: Diagnostic[] = [];
  const file = s.file;
  const err = (code: string, message: string, line?: number): void => void out.push({ severity: 'error', code, message, file, ...(line ? { line } : {}) });
  const warn = (code: string, message: string, line?: number): void => void out.push({ severity: 'warning', code, message, file, ...(line ? { line } : {}) });

  if (!s.hasFrontMatter)
    err('ads-no-front-matter', 'no YAML front matter: id, priority, rules and scenarios are not declared, so nothing links this strategy to detections', 1);
  else {
    if (!s.id) err('ads-id', 'front matter has no id (e.g. ADS-0001)');
    else if (!/^ADS-\d{4}$/.test(s.id)) err('ads-id', `id "${s.id}" is not of the form ADS-0001`);
    if (!s.title) err('ads-title', 'front matter has no title');
    if (!s.priority) err('ads-priority', `priority missing (one of ${LEVELS.join(', ')})`);
    if (s.data_sources.length === 0) warn('ads-data-sources', 'no data_sources listed');
  }
  for (const name of SECTION_NAMES) {
    const sec = s.sections.find((x) => x.name === name);
    if (!sec) err('ads-section-missing', `section "${name}" is missing`);
    else if (isPlaceholderText(sec.body))
      err('ads-section-empty', `section "${name}" has no substance ("${sec.body.slice(0, 60).replace(/\s+/g, ' ')}")`, sec.line);
  }
  const resp = s.sections.find((x) => x.name === 'Response');
  if (resp && !isPlaceholderText(resp.body) && s.response.length === 0)
    err('ads-response-checklist', 'Response has no numbered steps; analysts see it as a checklist', resp.line);
  for (const step of s.response) {
    // Analysts tick these off: "Containment:" with sub-bullets is a topic, not a thing to do.
    if (/:$/.test(step) || step.split(/\s+/).length < 3)
      warn('ads-response-step', `Response step "${step}" is a heading, not an action an analyst can tick off`, resp?.line);
  }

  const line = s.categorizationLine;
  if (s.attack.length === 0) err('attack-none', 'no ATT&CK technique is mapped', line);
  if (!attack) return out;
  const known = attack.platforms;
  const preGloss = s.platformGlosses?.PRE;
  if (preGloss && !/pre-?compromise/i.test(preGloss)) err('attack-platform-gloss', `platform PRE is ATT&CK's pre-compromise platform, not "${preGloss}"`, line);
  for (const p of s.platforms)
    if (!known.has(p)) err('attack-platform-unknown', `platform "${p}" is not an ATT&CK Enterprise platform (${[...known].sort().join(', ')})`, line);
  const techniques = s.attack.map((a) => ({ a, t: techniqueFor(a.technique, attack) }));
  for (const { a, t } of techniques) {
    if (!TECHNIQUE_ID.test(a.technique)) {
      err('attack-id', `"${a.technique}" is not a technique id`, line);
      continue;
    }
    if (!t) {
      err('attack-unknown', `${a.technique} does not exist in ATT&CK${attack.version ? ` v${attack.version}` : ''}`, line);
      continue;
    }
    const moved = V19_MOVES.get(a.technique);
    if (moved && !attack.techniques.has(moved.id)) {
      out.push({
        severity: 'info',
        code: 'attack-v19',
        message: `${a.technique} is ${moved.id} (${moved.name}) in ATT&CK v19; keep attack_version in the front matter`,
        file,
        ...(line ? { line } : {}),
      });
    }
    if (t.revoked) err('attack-revoked', `${a.technique} (${t.name}) is revoked in ATT&CK`, line);
    if (t.deprecated) err('attack-deprecated', `${a.technique} (${t.name}) is deprecated in ATT&CK`, line);
    if (a.name && a.name.toLowerCase() !== t.name.toLowerCase()) warn('attack-name', `${a.technique} is "${t.name}" in ATT&CK, not "${a.name}"`, line);
    if (a.tactics.length === 0) err('attack-tactic', `${a.technique}: no tactic given (ATT&CK: ${t.tactics.join(', ')})`, line);
    for (const tac of a.tactics) {
      if (!t.tactics.includes(tac))
        err('attack-tactic', `${a.technique} (${t.name}) is not under tactic "${tac}"; ATT&CK lists it under ${t.tactics.join(', ')}`, line);
    }
    if (t.platforms.length > 0 && t.platforms.every((p) => p === 'PRE')) {
      err(
        'attack-pre-platform',
        `${a.technique} (${t.name}) is a PRE (pre-compromise) technique: it happens outside the environment, so no container, host or orchestrator telemetry can observe it`,
        line,
      );
    }
    if (s.platforms.length > 0 && !s.platforms.some((p) => t.platforms.includes(p))) {
      err(
        'attack-platform',
        `${a.technique} (${t.name}) applies to ${t.platforms.join(', ')}, none of the strategy's platforms (${s.platforms.join(', ')})`,
        line,
      );
    }
    if (t.subtechniques.length > 0)
      warn(
        'attack-parent',
        `${a.technique} (${t.name}) has sub-techniques (${t.subtechniques.slice(0, 6).join(', ')}${t.subtechniques.length > 6 ? ' ...' : ''}); map to the one the detections observe`,
        line,
      );
  }
  for (const p of s.platforms) {
    if (known.has(p) && !techniques.some(({ t }) => t?.platforms.includes(p)))
      warn('attack-platform', `platform ${p} is covered by none of the mapped techniques`, line);
  }
  const aboutContainers = /container/i.test(`${s.title}\n${s.sections.find((x) => x.name === 'Goal')?.body ?? ''}`);
  const anyContainers = techniques.some(({ t }) => t?.platforms.includes(CONTAINERS));
  if (aboutContainers && !anyContainers) {
    warn(
      'attack-containers',
      `the strategy is about containers but no mapped technique has the ATT&CK ${CONTAINERS} platform (e.g. T1610 Deploy Container, T1611 Escape to Host, T1562.001 Disable or Modify Tools)`,
      line,
    );
  }
  if (anyContainers && s.platforms.length > 0 && !s.platforms.includes(CONTAINERS))
    warn('attack-containers', `a mapped technique covers the ${CONTAINERS} platform; list it in platforms`, line);
  return out;
}

/**
 * The technique an id names in the loaded data; a v19 id the (v18) data lacks is checked as
 * the union of the v18 techniques it replaced.
 */
function techniqueFor(id: string, attack: AttackCatalog): Technique | undefined {
  const t = attack.techniques.get(id);
  if (t) return t;
  const preds = v18Predecessors(id)
    .map((p) => attack.techniques.get(p))
    .filter((x): x is Technique => x !== undefined);
  if (preds.length === 0) return undefined;
  const name = [...V19_MOVES.values()].find((m) => m.id === id)!.name;
  return {
    id,
    name,
    tactics: [...new Set(preds.flatMap((p) => p.tactics))],
    platforms: [...new Set(preds.flatMap((p) => p.platforms))],
    revoked: false,
    deprecated: false,
    subtechniques: [],
  };
}

/** Rules, analytics and tags agree with the strategy. */
/** `analytics` undefined: no analytics folder was given, so analytic ids are not checked. */
export function lintWiring(
  s: Strategy,
  own: readonly RuleDoc[],
  all: readonly RuleDoc[],
  analytics: readonly RuleDoc[] | undefined,
  attack?: AttackCatalog,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const file = s.file;
  const techniques = new Set(s.attack.map((a) => a.technique));
  const tactics = new Set(s.attack.flatMap((a) => a.tactics));
  if (s.rules.length === 0 && s.analytics.length === 0)
    out.push({ severity: 'error', code: 'ads-rules', message: 'the strategy names no rules or analytics', file });
  for (const id of s.rules) {
    const r = all.find((x) => x.id === id);
    if (!r) {
      out.push({ severity: 'error', code: 'ads-rule-missing', message: `rule ${id} is named in the front matter but no rule file has that id`, file });
      continue;
    }
    const where = { file: r.file, line: r.line, rule: id };
    const tags = splitAttackTags(r.tags);
    if (tags.techniques.length === 0)
      out.push({
        severity: 'error',
        code: 'rule-attack-tags',
        message: `rule carries no attack.t#### tag; ${s.id} maps ${[...techniques].join(', ')}`,
        ...where,
      });
    for (const t of tags.techniques) {
      if (!techniques.has(t))
        out.push({
          severity: 'error',
          code: 'rule-attack-mismatch',
          message: `rule is tagged ${t}, which ${s.id} does not map (${[...techniques].join(', ')})`,
          ...where,
        });
    }
    for (const t of tags.tactics) {
      if (!tactics.has(t))
        out.push({
          severity: 'error',
          code: 'rule-attack-mismatch',
          message: `rule is tagged with tactic ${t}, which ${s.id} does not map (${[...tactics].join(', ')})`,
          ...where,
        });
    }
    if (attack) {
      for (const t of tags.techniques) {
        const tech = techniqueFor(t, attack);
        const bad = tags.tactics.length > 0 && tech && !tags.tactics.some((x) => tech.tactics.includes(x));
        if (bad)
          out.push({
            severity: 'warning',
            code: 'rule-attack-tactic',
            message: `${t} is under ${tech.tactics.join(', ')} in ATT&CK; the rule's tactic tags name none of them`,
            ...where,
          });
      }
    }
  }
  for (const r of own) {
    if (r.kind === 'filter') {
      if (r.id && !s.filters.includes(r.id))
        out.push({
          severity: 'error',
          code: 'ads-rule-unlisted',
          message: `filter sits in ${s.id}'s rules folder but the front matter's filters do not list ${r.id}`,
          file: r.file,
          line: r.line,
          rule: r.id,
        });
      for (const ref of r.references) {
        if (!own.some((x) => x.kind !== 'filter' && (x.id === ref || x.name === ref)))
          out.push({
            severity: 'error',
            code: 'filter-target',
            message: `filter names rule ${ref}, which is not a rule of ${s.id}`,
            file: r.file,
            line: r.line,
            rule: r.id,
          });
      }
      continue;
    }
    if (r.id && !s.rules.includes(r.id))
      out.push({
        severity: 'error',
        code: 'ads-rule-unlisted',
        message: `rule file sits in ${s.id}'s rules folder but the front matter does not list ${r.id}`,
        file: r.file,
        line: r.line,
        rule: r.id,
      });
  }
  for (const id of s.filters) {
    if (!own.some((r) => r.kind === 'filter' && r.id === id))
      out.push({
        severity: 'error',
        code: 'ads-rule-missing',
        message: `filter ${id} is named in the front matter but no filter in the rules folder has that id`,
        file,
      });
  }
  for (const id of analytics ? s.analytics : []) {
    if (!analytics!.some((a) => a.id === id))
      out.push({
        severity: 'error',
        code: 'ads-analytic-missing',
        message: `analytic ${id} is named in the front matter but no analytic definition has that id`,
        file,
      });
  }
  return out;
}

export function lintScenarios(s: Strategy, scenarios: readonly Scenario[], rules: readonly RuleDoc[], own: readonly RuleDoc[] = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  const file = s.file;
  // A rule is exercised when a positive scenario expects it, or expects a correlation built on it.
  const expected = new Set(scenarios.filter((x) => x.kind === 'positive').flatMap((x) => x.fire));
  const exercised = new Set(expected);
  for (const r of own) {
    if (r.kind === 'correlation' && r.id && expected.has(r.id)) {
      for (const ref of r.references) {
        const base = own.find((b) => b.id === ref || b.name === ref);
        if (base?.id) exercised.add(base.id);
      }
    }
  }
  for (const id of s.rules) {
    if (!exercised.has(id))
      out.push({ severity: 'info', code: 'rule-untested', message: `rule ${id} is not exercised by any positive scenario`, file, rule: id });
  }
  for (const name of s.scenarios)
    if (!scenarios.some((x) => x.name === name))
      out.push({
        severity: 'error',
        code: 'ads-scenario-missing',
        message: `scenario "${name}" is named in the front matter but not found in scenarios/`,
        file,
      });
  for (const sc of scenarios) {
    if (!s.scenarios.includes(sc.name))
      out.push({ severity: 'warning', code: 'ads-scenario-unlisted', message: `scenario "${sc.name}" is not listed in the front matter`, file: sc.file });
    if (s.id && sc.strategy !== s.id)
      out.push({
        severity: 'error',
        code: 'scenario-strategy',
        message: `scenario says it belongs to ${sc.strategy}, but it sits in ${s.id}'s folder`,
        file: sc.file,
      });
    const ids = sc.kind === 'positive' ? sc.fire : sc.quiet === 'all' ? [] : sc.quiet;
    for (const id of ids) {
      if (!s.rules.includes(id) && !s.analytics.includes(id)) {
        const elsewhere = rules.some((r) => r.id === id);
        out.push({
          severity: elsewhere ? 'warning' : 'error',
          code: 'scenario-rule',
          message: `scenario expects rule ${id}, which ${elsewhere ? 'belongs to another strategy' : 'does not exist'}`,
          file: sc.file,
        });
      }
    }
  }
  if (!scenarios.some((x) => x.kind === 'positive'))
    out.push({ severity: 'error', code: 'ads-scenarios', message: 'no positive scenario: nothing shows the detections fire', file });
  if (!scenarios.some((x) => x.kind === 'benign'))
    out.push({ severity: 'error', code: 'ads-scenarios', message: 'no benign scenario: nothing shows the false positives stay quiet', file });
  return out;
}

/** Rule hygiene across every rule and analytic: ids unique and well-formed, level and tags present. */
export function lintRules(rules: readonly RuleDoc[], analytics: readonly RuleDoc[] = [], attack?: AttackCatalog): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, RuleDoc>();
  for (const r of [...rules, ...analytics]) {
    const where = { file: r.file, line: r.line, ...(r.id ? { rule: r.id } : r.title ? { rule: r.title } : {}) };
    const e = (code: string, message: string): void => void out.push({ severity: 'error', code, message, ...where });
    const w = (code: string, message: string): void => void out.push({ severity: 'warning', code, message, ...where });
    if (!r.id) e('rule-id', 'no id');
    else {
      if (!UUID.test(r.id)) e('rule-id', `id "${r.id}" is not a UUID`);
      const prev = seen.get(r.id);
      if (prev) e('rule-duplicate-id', `id ${r.id} is also used by ${basename(prev.file)}:${prev.line}`);
      else seen.set(r.id, r);
    }
    if (r.kind === 'filter') continue;
    if (!r.title) e('rule-title', 'no title');
    if (!r.level) e('rule-level', 'no level');
    else if (!(LEVELS as readonly string[]).includes(r.level)) e('rule-level', `level "${r.level}" is not one of ${LEVELS.join(', ')}`);
    const tags = splitAttackTags(r.tags);
    if (tags.techniques.length === 0) e('rule-tags', 'no attack.t#### technique tag');
    if (tags.tactics.length === 0) w('rule-tags', 'no ATT&CK tactic tag');
    if (r.kind === 'analytic') continue;
    if (!r.description) w('rule-description', 'no description');
    if (!r.status) w('rule-status', 'no status');
    if (r.author !== 'stowaway') w('rule-author', `author is "${r.author ?? ''}", shipped rules say "stowaway"`);
    if (r.falsepositives === undefined) w('rule-falsepositives', 'no falsepositives');
    if (attack) {
      for (const t of tags.techniques) {
        const tech = techniqueFor(t, attack);
        if (!tech) e('rule-attack-unknown', `tag ${t} is not an ATT&CK technique`);
        else if (tech.revoked || tech.deprecated) e('rule-attack-revoked', `tag ${t} (${tech.name}) is ${tech.revoked ? 'revoked' : 'deprecated'}`);
      }
      for (const t of tags.tactics) if (attack.tactics.size > 0 && !attack.tactics.has(t)) e('rule-attack-tactic', `tag attack.${t} is not an ATT&CK tactic`);
    }
  }
  return out;
}
