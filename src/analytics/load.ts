// Analytic definitions from YAML: parse, validate field by field, fill defaults. A bad definition
// is refused with diagnostics naming file, line and reason; the good ones load.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { LEVELS, type Level } from '../model/alert.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { LogSource } from '../model/event.js';
import type { AnalyticDef, Aggregate, BaselineParams, InputDef, ToolSpec, Where } from './types.js';
import { parseBytes, parseDuration } from './units.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COMMON = [
  'id',
  'title',
  'description',
  'level',
  'status',
  'author',
  'references',
  'falsepositives',
  'tags',
  'type',
  'logsource',
  'where',
  'entity',
  'learning',
  'lateness',
  'limits',
  'date',
  'modified',
];
const BY_TYPE: Record<string, string[]> = {
  baseline: ['signal', 'interval', 'baseline'],
  first_seen: ['terms', 'learning_period', 'learning_scope', 'horizon'],
  lifecycle: ['mode', 'lifecycle', 'egress', 'tools', 'short_lived', 'trigger', 'interval', 'churn', 'egress_baseline'],
};
const AGGREGATES: readonly Aggregate[] = ['sum', 'count', 'max', 'mean', 'distinct'];

type Path = Array<string | number>;

/** Reads one definition document, recording every problem instead of stopping at the first. */
class Reader {
  readonly diags: Diagnostic[] = [];
  constructor(
    private readonly doc: Document,
    private readonly obj: Record<string, unknown>,
    private readonly lines: LineCounter,
    private readonly file: string | undefined,
    private readonly rule: string | undefined,
  ) {}

  line(path: Path): number | undefined {
    for (let p = path; p.length > 0; p = p.slice(0, -1)) {
      const node = this.doc.getIn(p, true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return this.lines.linePos(node.range[0]).line;
    }
    return undefined;
  }

  err(path: Path, message: string, code = 'analytic-invalid'): void {
    const line = this.line(path);
    this.diags.push({
      severity: 'error',
      code,
      message: path.length ? `${path.join('.')}: ${message}` : message,
      ...(this.file !== undefined && { file: this.file }),
      ...(line !== undefined && { line }),
      ...(this.rule !== undefined && { rule: this.rule }),
    });
  }

  get(path: Path): unknown {
    let cur: unknown = this.obj;
    for (const p of path) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string | number, unknown>)[p];
    }
    return cur;
  }

  keys(path: Path, allowed: readonly string[]): void {
    const v = path.length ? this.get(path) : this.obj;
    if (v === undefined) return;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      this.err(path, 'must be a mapping');
      return;
    }
    for (const k of Object.keys(v)) if (!allowed.includes(k)) this.err([...path, k], `unknown key (known: ${allowed.join(', ')})`, 'analytic-unknown-key');
  }

  str(path: Path, required = false): string | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) {
      if (required) this.err(path, 'is required');
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      this.err(path, 'must be a non-empty string');
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(path: Path, values: readonly T[], dflt?: T): T | undefined {
    const v = this.get(path);
    if (v === undefined) {
      if (dflt === undefined) this.err(path, `is required (one of ${values.join(', ')})`);
      return dflt;
    }
    if (typeof v !== 'string' || !values.includes(v as T)) {
      this.err(path, `must be one of ${values.join(', ')}`);
      return dflt;
    }
    return v as T;
  }

  strList(path: Path, required = false): string[] {
    const v = this.get(path);
    if (v === undefined) {
      if (required) this.err(path, 'is required');
      return [];
    }
    const arr = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(arr) || arr.some((x) => typeof x !== 'string' || x === '')) {
      this.err(path, 'must be a string or a list of strings');
      return [];
    }
    if (required && arr.length === 0) this.err(path, 'must not be empty');
    return arr as string[];
  }

  bool(path: Path, dflt: boolean): boolean {
    const v = this.get(path);
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') {
      this.err(path, 'must be true or false');
      return dflt;
    }
    return v;
  }

  num(path: Path, opts: { min?: number; int?: boolean; dflt?: number; required?: boolean } = {}): number | undefined {
    const v = this.get(path);
    if (v === undefined) {
      if (opts.required) this.err(path, 'is required');
      return opts.dflt;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || (opts.int && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min)) {
      this.err(path, `must be ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}`);
      return opts.dflt;
    }
    return v;
  }

  duration(path: Path, dflt?: number, positive = true): number | undefined {
    const v = this.get(path);
    if (v === undefined) {
      if (dflt === undefined) this.err(path, 'is required (a duration such as 5m, 1h, 30d)');
      return dflt;
    }
    const ms = parseDuration(v);
    if (ms === undefined || (positive && ms <= 0)) {
      this.err(path, 'must be a duration such as 90s, 5m, 1h, 30d (or a number of seconds)');
      return dflt;
    }
    return ms;
  }

  bytes(path: Path, dflt?: number): number | undefined {
    const v = this.get(path);
    if (v === undefined) return dflt;
    const b = parseBytes(v);
    if (b === undefined) {
      this.err(path, 'must be a byte size such as 50MB, 1GiB (or a number)');
      return dflt;
    }
    return b;
  }

  logsource(path: Path, dflt?: LogSource): LogSource {
    const v = this.get(path);
    if (v === undefined) {
      if (dflt) return dflt;
      this.err(path, 'is required');
      return {};
    }
    this.keys(path, ['product', 'category', 'service', 'definition']);
    const ls: LogSource = {};
    for (const k of ['product', 'category', 'service'] as const) {
      const s = this.str([...path, k]);
      if (s !== undefined) ls[k] = s;
    }
    if (!ls.product && !ls.category && !ls.service) this.err(path, 'must name at least one of product, category, service');
    return ls;
  }

  where(path: Path): Where {
    const v = this.get(path);
    if (v === undefined) return {};
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      this.err(path, 'must be a mapping of field → value or list of values');
      return {};
    }
    const out: Where = {};
    for (const [k, val] of Object.entries(v)) {
      const arr = Array.isArray(val) ? val : [val];
      if (arr.length === 0 || arr.some((x) => !['string', 'number', 'boolean'].includes(typeof x))) {
        this.err([...path, k], 'must be a scalar or a non-empty list of scalars');
        continue;
      }
      out[k] = arr as Array<string | number | boolean>;
    }
    return out;
  }

  baselineParams(path: Path, defaults: { fill: 'zero' | 'skip' }): BaselineParams {
    this.keys(path, ['window', 'warmup', 'threshold', 'floor', 'min_spread', 'fill', 'realert', 'method']);
    if (this.get([...path, 'method']) !== undefined && this.get([...path, 'method']) !== 'median_mad')
      this.err([...path, 'method'], 'only median_mad is supported');
    this.keys([...path, 'threshold'], ['mad', 'ratio']);
    const window = this.num([...path, 'window'], { min: 3, int: true, dflt: 48 })!;
    const warmup = this.num([...path, 'warmup'], { min: 1, int: true, dflt: Math.min(12, window) })!;
    if (warmup > window) this.err([...path, 'warmup'], `must not exceed window (${window})`);
    const mad = this.num([...path, 'threshold', 'mad'], { min: 0 });
    const ratio = this.num([...path, 'threshold', 'ratio'], { min: 1 });
    if (mad === undefined && ratio === undefined) this.err([...path, 'threshold'], 'needs mad, ratio or both');
    return {
      window,
      warmup,
      threshold: { ...(mad !== undefined && { mad }), ...(ratio !== undefined && { ratio }) },
      floor: this.bytes([...path, 'floor'], 0)!,
      minSpread: this.bytes([...path, 'min_spread'], 0)!,
      fill: this.oneOf([...path, 'fill'], ['zero', 'skip'] as const, defaults.fill)!,
      realert: this.oneOf([...path, 'realert'], ['edge', 'every'] as const, 'edge')!,
    };
  }
}

/** Validates one parsed document into a definition, or returns only diagnostics. */
export function readDefinition(doc: Document, lines: LineCounter, file?: string): { def?: AnalyticDef; diagnostics: Diagnostic[] } {
  const obj = doc.toJS() as unknown;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return {
      diagnostics: [
        { severity: 'error', code: 'analytic-invalid', message: 'an analytic definition must be a YAML mapping', ...(file !== undefined && { file }) },
      ],
    };
  }
  const o = obj as Record<string, unknown>;
  const r = new Reader(doc, o, lines, file, typeof o.id === 'string' ? o.id : typeof o.title === 'string' ? o.title : undefined);
  const id = r.str(['id'], true);
  if (id !== undefined && !UUID.test(id)) r.err(['id'], 'must be a UUID');
  const title = r.str(['title'], true);
  const type = r.oneOf(['type'], ['baseline', 'first_seen', 'lifecycle'] as const);
  r.keys([], [...COMMON, ...(type ? BY_TYPE[type]! : [])]);
  const level = r.oneOf(['level'], LEVELS, 'medium') as Level;
  const tags = r.strList(['tags']);
  for (const [i, t] of tags.entries()) if (!/^[a-z0-9_.-]+$/i.test(t)) r.err(['tags', i], 'tags are lowercase words joined by dots, such as attack.t1048.001');
  const mode = type === 'lifecycle' ? r.oneOf(['mode'], ['short_lived', 'churn'] as const, 'short_lived')! : undefined;
  const logsource = type === 'lifecycle' ? r.logsource(['logsource'], { product: 'docker' }) : r.logsource(['logsource']);
  r.keys(['limits'], ['entities', 'terms', 'idle']);
  const entityDefault = type === 'lifecycle' ? (mode === 'churn' ? ['host.name'] : ['container.id']) : undefined;
  const entity = r.get(['entity']) === undefined && entityDefault ? entityDefault : r.strList(['entity'], true);
  const common = {
    id: id ?? '',
    title: title ?? '',
    level,
    tags,
    logsource,
    where: r.where(['where']),
    entity,
    learning: r.bool(['learning'], false),
    latenessMs: r.duration(['lateness'], 60_000, false)!,
    ...(r.str(['description']) !== undefined && { description: r.str(['description'])! }),
    ...(r.str(['status']) !== undefined && { status: r.str(['status'])! }),
    ...(r.str(['author']) !== undefined && { author: r.str(['author'])! }),
    ...(r.get(['references']) !== undefined && { references: r.strList(['references']) }),
    ...(r.get(['falsepositives']) !== undefined && { falsepositives: r.strList(['falsepositives']) }),
    ...(file !== undefined && { file }),
  };
  let def: AnalyticDef | undefined;
  if (type === 'baseline') {
    r.keys(['signal'], ['field', 'aggregate', 'counter', 'counter_key', 'distinct']);
    const aggregate = r.oneOf(['signal', 'aggregate'], AGGREGATES, 'sum')!;
    const field = r.str(['signal', 'field'], aggregate === 'sum' || aggregate === 'max' || aggregate === 'mean');
    const counter = r.bool(['signal', 'counter'], false);
    const counterKey = r.strList(['signal', 'counter_key'], counter);
    if (counter && aggregate !== 'sum') r.err(['signal', 'counter'], 'a counter can only be summed (aggregate: sum)');
    const distinct = r.strList(['signal', 'distinct'], aggregate === 'distinct');
    def = {
      ...common,
      type,
      signal: { ...(field !== undefined && { field }), aggregate, counter, counterKey, distinct },
      intervalMs: r.duration(['interval'], 300_000)!,
      baseline: r.baselineParams(['baseline'], { fill: aggregate === 'max' || aggregate === 'mean' ? 'skip' : 'zero' }),
      limits: { entities: r.num(['limits', 'entities'], { min: 1, int: true, dflt: 10_000 })! },
    };
  } else if (type === 'first_seen') {
    def = {
      ...common,
      type,
      terms: r.strList(['terms'], true),
      learningPeriodMs: r.duration(['learning_period'], 86_400_000, false)!,
      learningScope: r.oneOf(['learning_scope'], ['entity', 'global'] as const, 'entity')!,
      horizonMs: r.duration(['horizon'], 30 * 86_400_000)!,
      limits: {
        entities: r.num(['limits', 'entities'], { min: 1, int: true, dflt: 5_000 })!,
        terms: r.num(['limits', 'terms'], { min: 1, int: true, dflt: 1_000 })!,
      },
    };
  } else if (type === 'lifecycle') {
    r.keys(['lifecycle'], ['logsource']);
    r.keys(['short_lived'], ['max_lifetime', 'auto_remove_max_lifetime']);
    r.keys(['trigger'], ['egress_bytes', 'tools']);
    r.keys(['tools'], ['logsource', 'names']);
    r.keys(['churn'], ['actions', 'min_events']);
    const egressRaw = r.get(['egress']);
    const egress: InputDef[] = [];
    if (egressRaw !== undefined && !Array.isArray(egressRaw)) r.err(['egress'], 'must be a list of inputs');
    else if (Array.isArray(egressRaw)) {
      for (let i = 0; i < egressRaw.length; i++) {
        r.keys(['egress', i], ['logsource', 'where', 'field', 'counter']);
        const field = r.str(['egress', i, 'field'], true);
        egress.push({
          logsource: r.logsource(['egress', i, 'logsource']),
          where: r.where(['egress', i, 'where']),
          ...(field !== undefined && { field }),
          counter: r.bool(['egress', i, 'counter'], false),
        });
      }
    }
    let tools: { logsource: LogSource; names: ToolSpec[] } | undefined;
    if (r.get(['tools']) !== undefined) {
      const names = r.strList(['tools', 'names'], true).map((n) => {
        const [name, arg] = n.trim().split(/\s+/, 2);
        return { name: name!, ...(arg !== undefined && { arg }) };
      });
      tools = { logsource: r.logsource(['tools', 'logsource'], { product: 'linux', category: 'process_creation' }), names };
    }
    const egressBytes = r.bytes(['trigger', 'egress_bytes']);
    const triggerTools = r.bool(['trigger', 'tools'], tools !== undefined);
    if (mode === 'short_lived') {
      if (egressBytes === undefined && !triggerTools) r.err(['trigger'], 'needs egress_bytes, tools: true, or both');
      if (egressBytes !== undefined && egress.length === 0) r.err(['egress'], 'trigger.egress_bytes needs at least one egress input');
      if (triggerTools && !tools) r.err(['tools'], 'trigger.tools needs a tools section');
    } else if (egress.length === 0) r.err(['egress'], 'churn needs at least one egress input');
    def = {
      ...common,
      type,
      mode: mode!,
      lifecycle: { logsource: r.logsource(['lifecycle', 'logsource'], { product: 'docker', category: 'container' }) },
      egress,
      ...(tools && { tools }),
      shortLived: {
        maxLifetimeMs: r.duration(['short_lived', 'max_lifetime'], 600_000)!,
        autoRemoveMaxLifetimeMs: r.duration(['short_lived', 'auto_remove_max_lifetime'], 6 * 3_600_000)!,
      },
      trigger: { ...(egressBytes !== undefined && { egressBytes }), tools: triggerTools },
      intervalMs: r.duration(['interval'], 300_000)!,
      churn: {
        actions: r.get(['churn', 'actions']) === undefined ? ['create', 'destroy'] : r.strList(['churn', 'actions'], true),
        minEvents: r.num(['churn', 'min_events'], { min: 1, int: true, dflt: 20 })!,
      },
      egressBaseline:
        r.get(['egress_baseline']) === undefined && mode === 'churn'
          ? (r.err(['egress_baseline'], 'is required for mode: churn'), defaultParams())
          : mode === 'churn'
            ? r.baselineParams(['egress_baseline'], { fill: 'zero' })
            : defaultParams(),
      limits: {
        entities: r.num(['limits', 'entities'], { min: 1, int: true, dflt: 20_000 })!,
        idleMs: r.duration(['limits', 'idle'], 86_400_000)!,
      },
    };
  }
  if (r.diags.some((d) => d.severity === 'error')) return { diagnostics: r.diags };
  return { def, diagnostics: r.diags };
}

function defaultParams(): BaselineParams {
  return { window: 48, warmup: 12, threshold: { mad: 6 }, floor: 0, minSpread: 0, fill: 'zero', realert: 'edge' };
}

/** Every definition in one YAML text (documents separated by `---`). */
export function parseAnalytics(text: string, file?: string): { defs: AnalyticDef[]; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const defs: AnalyticDef[] = [];
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  } catch (e) {
    return { defs, diagnostics: [{ severity: 'error', code: 'yaml-syntax', message: String(e), ...(file !== undefined && { file }) }] };
  }
  if (!Array.isArray(docs)) return { defs, diagnostics };
  for (const doc of docs) {
    if (doc.errors.length) {
      for (const e of doc.errors) {
        const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line;
        diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: e.message.split('\n')[0]!, ...(file !== undefined && { file }), line });
      }
      continue;
    }
    if (doc.contents === null) continue;
    const r = readDefinition(doc, lines, file);
    diagnostics.push(...r.diagnostics);
    if (r.def) defs.push(r.def);
  }
  return { defs, diagnostics };
}

function listFiles(p: string, out: string[], diagnostics: Diagnostic[]): void {
  let st;
  try {
    st = statSync(p);
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'analytic-path', message: `cannot read: ${(e as Error).message}`, file: p });
    return;
  }
  if (st.isDirectory()) {
    for (const name of readdirSync(p).sort()) {
      const c = join(p, name);
      if (statSync(c).isDirectory() || /\.ya?ml$/i.test(name)) listFiles(c, out, diagnostics);
    }
  } else out.push(p);
}

/** Definitions from files and directories (recursively, `*.yml` / `*.yaml`); duplicate ids refused. */
export function loadAnalyticDefs(paths: readonly string[]): { defs: AnalyticDef[]; diagnostics: Diagnostic[]; files: number } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) listFiles(p, files, diagnostics);
  const defs: AnalyticDef[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      diagnostics.push({ severity: 'error', code: 'analytic-path', message: `cannot read: ${(e as Error).message}`, file: f });
      continue;
    }
    const r = parseAnalytics(text, f);
    diagnostics.push(...r.diagnostics);
    for (const d of r.defs) {
      const prev = seen.get(d.id);
      if (prev !== undefined) {
        diagnostics.push({
          severity: 'error',
          code: 'analytic-duplicate-id',
          message: `id already used by ${prev}; this definition is refused`,
          file: f,
          rule: d.id,
        });
        continue;
      }
      seen.set(d.id, f);
      defs.push(d);
    }
  }
  return { defs, diagnostics, files: files.length };
}
