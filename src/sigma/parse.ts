// Sigma YAML text → typed rules, filters and correlations, with a Diagnostic for every problem.
// Works on text only (no file system) so the playground can use it too.
import { textOf } from '../model/values.js';
import { yamlTooComplex } from './yaml-guard.js';
import { parseAllDocuments, LineCounter, isMap, isSeq, isScalar, isPair, type Node, type Document } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { LEVELS, type Level } from '../model/alert.js';
import type { LogSource } from '../model/event.js';
import type { Detection, DetectionNode, SearchIdentifier, SigmaFilter, SigmaRule, SigmaValue } from './ast.js';
import { parseCondition } from './condition.js';
import { parseCorrelation } from './correlation/parse.js';
import type { CorrelationRule } from './correlation/types.js';

export interface ParseResult {
  rules: SigmaRule[];
  filters: SigmaFilter[];
  correlations: CorrelationRule[];
  diagnostics: Diagnostic[];
}

const KNOWN_KEYS = new Set([
  'title',
  'id',
  'name',
  'related',
  'taxonomy',
  'status',
  'description',
  'license',
  'author',
  'references',
  'date',
  'modified',
  'logsource',
  'detection',
  'fields',
  'falsepositives',
  'level',
  'tags',
  'scope',
  'action',
  'filter',
  'correlation',
  'generate',
]);
const STATUSES = new Set(['stable', 'test', 'experimental', 'deprecated', 'unsupported']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Raw = Record<string, unknown>;

/** A document with its YAML node kept, so detection values keep their source text and lines. */
interface Doc {
  data: Raw;
  /** Detection/filter sections as YAML nodes per key, merged across a collection like `data`. */
  nodes: Sections;
  line: number;
}
type Entry = { value: Node | null; line?: number };
type Sections = Map<string, Map<string, Entry>>;

function mergeSections(a: Sections, b: Sections): Sections {
  const out: Sections = new Map();
  for (const [k, v] of a) out.set(k, new Map(v));
  for (const [k, v] of b) out.set(k, new Map([...(out.get(k) ?? []), ...v]));
  return out;
}

function isObj(x: unknown): x is Raw {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function deepMerge(a: Raw, b: Raw): Raw {
  const out: Raw = { ...a };
  for (const [k, v] of Object.entries(b)) {
    // a rule key must not merge into Object.prototype
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[k] = isObj(v) && isObj(out[k]) && Object.prototype.hasOwnProperty.call(out, k) ? deepMerge(out[k], v) : v;
  }
  return out;
}

function lineOf(lc: LineCounter, node: Node | null | undefined): number | undefined {
  const r = node?.range;
  return r ? lc.linePos(r[0]).line : undefined;
}

/** YAML node map of the sections whose values must keep source text (detection, filter). */
function sectionNodes(doc: Document, lc: LineCounter): Sections {
  const m: Sections = new Map();
  if (!isMap(doc.contents)) return m;
  for (const p of doc.contents.items) {
    if (!isPair(p) || !isScalar(p.key) || (p.key.value !== 'detection' && p.key.value !== 'filter')) continue;
    const entries = new Map<string, Entry>();
    if (isMap(p.value)) {
      for (const q of p.value.items)
        if (isPair(q) && isScalar(q.key)) entries.set(String(q.key.value), { value: (q.value as Node | null) ?? null, line: lineOf(lc, q.key) });
    }
    m.set(p.key.value, entries);
  }
  return m;
}

export function parseSigmaText(text: string, file: string): ParseResult {
  const res: ParseResult = { rules: [], filters: [], correlations: [], diagnostics: [] };
  const lc = new LineCounter();
  const complex = yamlTooComplex(text);
  if (complex) {
    res.diagnostics.push({ severity: 'error', code: 'yaml-too-complex', message: `file refused: ${complex}`, file });
    return res;
  }
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, keepSourceTokens: true, prettyErrors: false });
    if (!Array.isArray(docs)) docs = [];
  } catch (e) {
    res.diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: e instanceof Error ? e.message : String(e), file });
    return res;
  }
  let global: Doc | undefined;
  let previous: Doc | undefined;
  for (const doc of docs) {
    const line = lineOf(lc, doc.contents) ?? 1;
    if (doc.errors.length) {
      for (const err of doc.errors) {
        const l = err.linePos?.[0]?.line ?? lc.linePos(err.pos[0]).line;
        res.diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: err.message.split('\n')[0]!, file, line: l });
      }
      continue;
    }
    if (doc.contents === null) continue;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (e) {
      // An alias bomb (aliases of aliases, billions of nodes) costs this document only.
      res.diagnostics.push({ severity: 'error', code: 'yaml-aliases', message: `document refused: ${(e as Error).message}`, file, line });
      continue;
    }
    if (!isObj(data)) {
      res.diagnostics.push({ severity: 'error', code: 'not-a-mapping', message: 'a Sigma document must be a YAML mapping', file, line });
      continue;
    }
    let cur: Doc = { data, nodes: sectionNodes(doc, lc), line };
    const action = data['action'];
    if (action === 'global') {
      global = global ? { data: deepMerge(global.data, data), nodes: mergeSections(global.nodes, cur.nodes), line } : cur;
      continue;
    }
    if (action === 'reset') {
      global = undefined;
      continue;
    }
    if (action === 'repeat') {
      if (!previous) {
        res.diagnostics.push({ severity: 'error', code: 'bad-collection', message: '`action: repeat` has no previous document to repeat', file, line });
        continue;
      }
      const { action: _a, ...rest } = data;
      cur = { data: deepMerge(previous.data, rest), nodes: mergeSections(previous.nodes, cur.nodes), line };
    } else if (action !== undefined) {
      res.diagnostics.push({ severity: 'error', code: 'bad-collection', message: `unknown collection action '${textOf(action)}'`, file, line });
      continue;
    } else if (global) {
      const { action: _g, ...g } = global.data;
      cur = { data: deepMerge(g, data), nodes: mergeSections(global.nodes, cur.nodes), line };
    }
    previous = cur;
    parseDocument(cur, file, lc, res);
  }
  return res;
}

function parseDocument(doc: Doc, file: string, lc: LineCounter, res: ParseResult): void {
  const d = doc.data;
  const label = typeof d['id'] === 'string' ? d['id'] : typeof d['title'] === 'string' ? d['title'] : undefined;
  const diag = (code: string, message: string, severity: Diagnostic['severity'] = 'error', line = doc.line): Diagnostic => ({
    severity,
    code,
    message,
    file,
    line,
    rule: label,
  });
  if ('correlation' in d) {
    const r = parseCorrelation(d, { file, line: doc.line });
    if (r.rule) res.correlations.push(r.rule);
    res.diagnostics.push(...r.diagnostics);
    return;
  }
  const problems: Diagnostic[] = [];
  if (typeof d['title'] !== 'string' || !d['title'].trim()) problems.push(diag('missing-title', 'required field `title` is missing or not a string'));
  if (d['id'] !== undefined && (typeof d['id'] !== 'string' || !UUID.test(d['id'])))
    res.diagnostics.push(diag('id-format', `id '${textOf(d['id'])}' is not a UUID`, 'warning'));
  const logsource = readLogsource(d['logsource'], problems, diag);
  if ('filter' in d && !('detection' in d)) {
    const f = d['filter'];
    if (!isObj(f)) problems.push(diag('missing-detection', 'filter document needs a `filter:` mapping with rules, selections and condition'));
    const rulesRaw = isObj(f) ? f['rules'] : undefined;
    const rules = typeof rulesRaw === 'string' ? [rulesRaw] : Array.isArray(rulesRaw) ? rulesRaw.map(String) : [];
    if (isObj(f) && rules.length === 0) problems.push(diag('missing-filter-rules', 'filter must name the rules it applies to in `filter.rules`'));
    const det = isObj(f) ? readDetection(doc.nodes.get('filter'), lc, problems, diag, new Set(['rules'])) : undefined;
    if (problems.length || !det || !logsource) {
      res.diagnostics.push(...problems);
      return;
    }
    res.filters.push({
      kind: 'filter',
      id: typeof d['id'] === 'string' ? d['id'] : undefined,
      title: String(d['title']),
      logsource,
      rules,
      detection: det,
      file,
      line: doc.line,
    });
    return;
  }
  if (!isObj(d['detection'])) problems.push(diag('missing-detection', 'required field `detection` is missing or not a mapping'));
  let level: Level = 'medium';
  if (d['level'] !== undefined) {
    if (typeof d['level'] === 'string' && (LEVELS as readonly string[]).includes(d['level'])) level = d['level'] as Level;
    else problems.push(diag('bad-level', `level '${textOf(d['level'])}' is not one of ${LEVELS.join(', ')}`));
  }
  if (d['status'] !== undefined && !STATUSES.has(textOf(d['status'])))
    res.diagnostics.push(diag('bad-status', `status '${textOf(d['status'])}' is not one of ${[...STATUSES].join(', ')}`, 'warning'));
  const det = isObj(d['detection']) ? readDetection(doc.nodes.get('detection'), lc, problems, diag, new Set()) : undefined;
  if (problems.length || !det || !logsource) {
    res.diagnostics.push(...problems);
    return;
  }
  const custom: Raw = {};
  for (const [k, v] of Object.entries(d)) if (!KNOWN_KEYS.has(k)) custom[k] = v;
  const strList = (x: unknown) => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : undefined);
  res.rules.push({
    kind: 'rule',
    id: typeof d['id'] === 'string' ? d['id'] : undefined,
    name: typeof d['name'] === 'string' ? d['name'] : undefined,
    title: String(d['title']),
    level,
    status: typeof d['status'] === 'string' ? d['status'] : undefined,
    description: typeof d['description'] === 'string' ? d['description'] : undefined,
    author: typeof d['author'] === 'string' ? d['author'] : undefined,
    references: strList(d['references']),
    falsepositives: strList(d['falsepositives']),
    tags: strList(d['tags']) ?? [],
    logsource,
    detection: det,
    custom,
    file,
    line: doc.line,
  });
}

function readLogsource(x: unknown, problems: Diagnostic[], diag: (c: string, m: string) => Diagnostic): LogSource | undefined {
  if (!isObj(x)) {
    problems.push(diag('missing-logsource', 'required field `logsource` is missing or not a mapping'));
    return undefined;
  }
  const ls: LogSource = {};
  for (const k of ['product', 'category', 'service'] as const) {
    const v = x[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') {
      problems.push(diag('bad-logsource', `logsource.${k} must be a string`));
      return undefined;
    }
    ls[k] = v.toLowerCase();
  }
  return ls;
}

function scalarValue(node: Node): SigmaValue | string {
  if (!isScalar(node)) return 'nested lists or maps are not allowed as field values';
  const v = node.value;
  if (v === null || v === undefined) return { kind: 'null' };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number' || typeof v === 'bigint') {
    const src = (node.srcToken as { source?: string } | undefined)?.source ?? String(v);
    return { kind: 'number', value: Number(v), text: src };
  }
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (v instanceof Date) return { kind: 'string', value: (node.srcToken as { source?: string } | undefined)?.source ?? v.toISOString() };
  return { kind: 'string', value: textOf(v) };
}

function readDetection(
  section: Map<string, Entry> | undefined,
  lc: LineCounter,
  problems: Diagnostic[],
  diag: (c: string, m: string, s?: Diagnostic['severity'], line?: number) => Diagnostic,
  skip: Set<string>,
): Detection | undefined {
  if (!section) {
    problems.push(diag('missing-detection', 'detection must be a mapping'));
    return undefined;
  }
  const searches: SearchIdentifier[] = [];
  let conditionText: string[] | undefined;
  let condLine: number | undefined;
  const before = problems.length;
  for (const [name, { value, line }] of section) {
    if (skip.has(name)) continue;
    if (name === 'condition') {
      condLine = line;
      if (isScalar(value) && typeof value.value === 'string') conditionText = [value.value];
      else if (isSeq(value) && value.items.every((x) => isScalar(x) && typeof x.value === 'string'))
        conditionText = value.items.map((x) => String((x as { value: unknown }).value));
      else problems.push(diag('bad-condition', 'condition must be a string or a list of strings', 'error', line));
      continue;
    }
    if (name === 'timeframe') continue; // legacy aggregation window, only meaningful with `|` aggregations
    const node = readSearch(value, line, lc);
    if (typeof node === 'string') problems.push(diag('bad-detection', `search identifier '${name}': ${node}`, 'error', line));
    else searches.push({ name, node, line });
  }
  if (problems.length > before) return undefined;
  if (!conditionText) {
    problems.push(diag('missing-condition', 'detection has no `condition`'));
    return undefined;
  }
  const names = searches.map((s) => s.name);
  const parsed = conditionText.map((c) => parseCondition(c, names));
  const bad = parsed.find((p) => !p.ok);
  if (bad && !bad.ok) {
    problems.push(diag(/aggregation/.test(bad.reason) ? 'unsupported-aggregation' : 'bad-condition', bad.reason, 'error', condLine));
    return undefined;
  }
  const nodes = parsed.map((p) => (p as { node: Detection['condition'] }).node);
  return { searches, conditionText, condition: nodes.length === 1 ? nodes[0]! : { kind: 'or', items: nodes } };
}

function readSearch(value: Node | null, line: number | undefined, lc: LineCounter): DetectionNode | string {
  if (value === null) return 'empty search identifier';
  if (isMap(value)) return readMap(value, lc);
  if (isSeq(value)) {
    if (value.items.length === 0) return 'empty list';
    if (value.items.every((x) => isScalar(x))) {
      const values: SigmaValue[] = [];
      for (const x of value.items) {
        const v = scalarValue(x as Node);
        if (typeof v === 'string') return v;
        values.push(v);
      }
      return { kind: 'item', item: { field: null, modifiers: [], values, line } };
    }
    const items: DetectionNode[] = [];
    for (const x of value.items) {
      if (isMap(x)) {
        const m = readMap(x, lc);
        if (typeof m === 'string') return m;
        items.push(m);
      } else if (isScalar(x)) {
        const v = scalarValue(x);
        if (typeof v === 'string') return v;
        items.push({ kind: 'item', item: { field: null, modifiers: [], values: [v], line: lineOf(lc, x) } });
      } else return 'lists inside lists are not allowed';
    }
    return { kind: 'or', items };
  }
  if (isScalar(value)) {
    const v = scalarValue(value);
    if (typeof v === 'string') return v;
    return { kind: 'item', item: { field: null, modifiers: [], values: [v], line } };
  }
  return 'unsupported value';
}

function readMap(map: Node, lc: LineCounter): DetectionNode | string {
  if (!isMap(map)) return 'expected a mapping';
  const items: DetectionNode[] = [];
  for (const pair of map.items) {
    if (!isPair(pair) || !isScalar(pair.key)) return 'field names must be plain strings';
    const key = textOf(pair.key.value);
    const [field, ...modifiers] = key.split('|');
    const line = lineOf(lc, pair.key);
    const v = pair.value as Node | null;
    const values: SigmaValue[] = [];
    if (v === null) values.push({ kind: 'null' });
    else if (isSeq(v)) {
      if (v.items.length === 0) return `field '${key}' has an empty value list`;
      for (const x of v.items) {
        const sv = scalarValue(x as Node);
        if (typeof sv === 'string') return `field '${key}': ${sv}`;
        values.push(sv);
      }
    } else {
      const sv = scalarValue(v);
      if (typeof sv === 'string') return `field '${key}': ${sv}`;
      values.push(sv);
    }
    items.push({
      kind: 'item',
      item: { field: field === '' ? null : field!, written: field || undefined, modifiers: modifiers.map((m) => m.trim()), values, line },
    });
  }
  if (items.length === 0) return 'empty mapping';
  return items.length === 1 ? items[0]! : { kind: 'and', items };
}
