// Applying pipelines to a rule: returns a rewritten copy (the loaded rule is never changed),
// or the reason a pipeline refused it.
import type { DetectionItem, DetectionNode, SigmaRule, SigmaFilter, SigmaValue, Detection } from '../ast.js';
import type { LogSource } from '../../model/event.js';
import type { FieldCondition, ItemCondition, Pipeline, ProcessingItem, RuleCondition } from './types.js';

type Target = SigmaRule | SigmaFilter;
export type ApplyResult<T extends Target> = { ok: true; rule: T } | { ok: false; code: string; reason: string };

function logsourceMatches(c: RuleCondition, ls: LogSource): boolean {
  return (!c.product || c.product === ls.product) && (!c.category || c.category === ls.category) && (!c.service || c.service === ls.service);
}

function combine(results: boolean[], op: 'and' | 'or', negate: boolean): boolean {
  if (results.length === 0) return true;
  const r = op === 'and' ? results.every(Boolean) : results.some(Boolean);
  return negate ? !r : r;
}

const reCache = new Map<string, RegExp>();
function re(p: string): RegExp {
  let r = reCache.get(p);
  if (!r) reCache.set(p, (r = new RegExp(p)));
  return r;
}

function fieldMatches(c: FieldCondition, field: string): boolean {
  const hit = c.matching === 're' ? c.fields.some((f) => re('^(?:' + f + ')$').test(field)) : c.fields.includes(field);
  return c.type === 'include_fields' ? hit : !hit;
}

function valueString(v: SigmaValue): string | undefined {
  return v.kind === 'string' ? v.value : v.kind === 'number' ? v.text : undefined;
}

function itemMatches(c: ItemCondition, it: DetectionItem): boolean {
  let hit: boolean;
  if (c.type === 'is_null') hit = it.values.every((v) => v.kind === 'null');
  else
    hit = it.values.some((v) => {
      const s = valueString(v);
      return s !== undefined && re(c.pattern).test(s);
    });
  return c.negate ? !hit : hit;
}

function appliesToItem(p: ProcessingItem, it: DetectionItem): boolean {
  if (p.fieldConditions.length) {
    if (it.field === null) return false;
    if (
      !combine(
        p.fieldConditions.map((c) => fieldMatches(c, it.field!)),
        p.fieldCondOp,
        p.fieldCondNegation,
      )
    )
      return false;
  }
  return combine(
    p.itemConditions.map((c) => itemMatches(c, it)),
    p.itemCondOp,
    p.itemCondNegation,
  );
}

/** Copies what transformations replace; detection items themselves are never mutated, only swapped. */
function clone<T extends Target>(x: T): T {
  return { ...x, logsource: { ...x.logsource }, detection: { ...x.detection, searches: x.detection.searches.map((s) => ({ ...s })) } };
}

/** Rewrites every item of a detection tree; `f` returns a replacement node, or null to drop it. */
function mapItems(n: DetectionNode, f: (it: DetectionItem) => DetectionNode | null): DetectionNode | null {
  if (n.kind === 'item') return f(n.item);
  const items: DetectionNode[] = [];
  for (const c of n.items) {
    const r = mapItems(c, f);
    if (r) items.push(r);
  }
  return { kind: n.kind, items };
}

function mapDetection(d: Detection, f: (it: DetectionItem) => DetectionNode | null): void {
  for (const s of d.searches) s.node = mapItems(s.node, f) ?? { kind: 'and', items: [] };
}

function conditionItems(conds: Record<string, unknown>): DetectionNode {
  const items: DetectionNode[] = [];
  for (const [key, raw] of Object.entries(conds)) {
    const [field, ...modifiers] = key.split('|');
    const vals = Array.isArray(raw) ? raw : [raw];
    const values: SigmaValue[] = vals.map((v) =>
      v === null
        ? { kind: 'null' }
        : typeof v === 'boolean'
          ? { kind: 'bool', value: v }
          : typeof v === 'number'
            ? { kind: 'number', value: v, text: String(v) }
            : { kind: 'string', value: String(v) },
    );
    items.push({ kind: 'item', item: { field: field || null, modifiers, values } });
  }
  return { kind: 'and', items };
}

export function applyPipelines<T extends Target>(input: T, pipelines: Pipeline[]): ApplyResult<T> {
  const rule = clone(input);
  const ordered = [...pipelines].sort((a, b) => a.priority - b.priority);
  let added = 0;
  for (const pl of ordered) {
    // Items renamed earlier in this pipeline are not renamed again by its catch-all prefixes.
    const mapped = new WeakSet<DetectionItem>();
    for (const p of pl.items) {
      const rc = combine(
        p.ruleConditions.map((c) => logsourceMatches(c, rule.logsource)),
        p.ruleCondOp,
        p.ruleCondNegation,
      );
      if (!rc) continue;
      const t = p.transformation;
      const where = `pipeline '${pl.name}'${p.id ? ` item '${p.id}'` : ''}`;
      switch (t.type) {
        case 'rule_failure':
          return { ok: false, code: 'pipeline-refused', reason: `${where}: ${t.message}` };
        case 'change_logsource':
          rule.logsource = {
            ...rule.logsource,
            ...Object.fromEntries(Object.entries({ product: t.product, category: t.category, service: t.service }).filter(([, v]) => v !== undefined)),
          };
          break;
        case 'add_condition': {
          const name = `_pipeline_cond_${added++}`;
          rule.detection.searches.push({ name, node: conditionItems(t.conditions) });
          const id = { kind: 'id' as const, name };
          rule.detection.condition = { kind: 'and', items: [t.negated ? { kind: 'not', expr: id } : id, rule.detection.condition] };
          break;
        }
        default: {
          let failure: string | undefined;
          mapDetection(rule.detection, (it) => {
            if (!appliesToItem(p, it)) return { kind: 'item', item: it };
            switch (t.type) {
              case 'detection_item_failure':
                failure = `${where}: ${t.message}`;
                return { kind: 'item', item: it };
              case 'drop_detection_item':
                return null;
              case 'field_name_mapping': {
                if (it.field === null || !(it.field in t.mapping)) return { kind: 'item', item: it };
                const to = t.mapping[it.field]!;
                const targets = Array.isArray(to) ? to : [to];
                const nodes = targets.map((field) => {
                  const n = { ...it, field };
                  mapped.add(n);
                  return { kind: 'item' as const, item: n };
                });
                return nodes.length === 1 ? nodes[0]! : { kind: 'or', items: nodes };
              }
              case 'field_name_prefix_mapping': {
                if (it.field === null) return { kind: 'item', item: it };
                const f = it.field;
                const pre = Object.keys(t.mapping).find((k) => f.startsWith(k));
                if (pre === undefined) return { kind: 'item', item: it };
                const n = { ...it, field: `${t.mapping[pre]!}${f.slice(pre.length)}` };
                mapped.add(n);
                return { kind: 'item', item: n };
              }
              case 'field_name_prefix':
              case 'field_name_suffix': {
                if (it.field === null || mapped.has(it)) return { kind: 'item', item: it };
                const n = { ...it, field: t.type === 'field_name_prefix' ? t.prefix + it.field : it.field + t.suffix };
                mapped.add(n);
                return { kind: 'item', item: n };
              }
              case 'field_value_mapping': {
                if (it.field !== t.field) return { kind: 'item', item: it };
                const values = it.values.map((v): SigmaValue => {
                  const s = v.kind === 'bool' ? String(v.value) : valueString(v);
                  const m = s === undefined ? undefined : t.values[s.toLowerCase()];
                  return m === undefined ? v : { kind: 'string', value: m };
                });
                const n = { ...it, field: t.target, values };
                mapped.add(n);
                return { kind: 'item', item: n };
              }
              case 'replace_string': {
                const r = new RegExp(t.regex, 'g');
                const values = it.values.map((v): SigmaValue => (v.kind === 'string' ? { kind: 'string', value: v.value.replace(r, t.replacement) } : v));
                return { kind: 'item', item: { ...it, values } };
              }
              case 'value_placeholders': {
                if (!it.modifiers.includes('expand')) return { kind: 'item', item: it };
                const values: SigmaValue[] = [];
                let complete = true;
                for (const v of it.values) {
                  if (v.kind !== 'string') {
                    values.push(v);
                    continue;
                  }
                  const names = [...v.value.matchAll(/(?<!\\)%([^%]+)%/g)].map((m) => m[1]!);
                  const usable = names.filter((n) => (!t.include || t.include.includes(n)) && !t.exclude?.includes(n) && pl.vars[n]);
                  let outs = [v.value];
                  for (const n of usable) outs = outs.flatMap((o) => pl.vars[n]!.map((x) => o.split(`%${n}%`).join(x)));
                  if (usable.length < names.length) complete = false;
                  for (const o of outs) values.push({ kind: 'string', value: o });
                }
                const modifiers = complete ? it.modifiers.filter((m) => m !== 'expand') : it.modifiers;
                return { kind: 'item', item: { ...it, values, modifiers } };
              }
            }
            return { kind: 'item', item: it };
          });
          if (failure) return { ok: false, code: 'pipeline-refused', reason: failure };
        }
      }
    }
  }
  return { ok: true, rule };
}
