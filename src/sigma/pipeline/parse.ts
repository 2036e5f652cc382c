// Pipeline YAML (pySigma format, subset) → Pipeline, refusing unknown parts loudly.
import { textOf } from '../../model/values.js';
import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from '../../model/diagnostic.js';
import { item, type FieldCondition, type ItemCondition, type Pipeline, type ProcessingItem, type RuleCondition, type Transformation } from './types.js';

type Raw = Record<string, unknown>;
const isObj = (x: unknown): x is Raw => typeof x === 'object' && x !== null && !Array.isArray(x);
const strs = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);

function transformation(t: Raw): Transformation | string {
  switch (t['type']) {
    case 'field_name_mapping': {
      if (!isObj(t['mapping'])) return 'field_name_mapping needs `mapping`';
      const mapping: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(t['mapping'])) mapping[k] = Array.isArray(v) ? v.map(String) : String(v);
      return { type: 'field_name_mapping', mapping };
    }
    case 'field_name_prefix_mapping':
      if (!isObj(t['mapping'])) return 'field_name_prefix_mapping needs `mapping`';
      return { type: 'field_name_prefix_mapping', mapping: Object.fromEntries(Object.entries(t['mapping']).map(([k, v]) => [k, String(v)])) };
    case 'field_name_prefix':
      return { type: 'field_name_prefix', prefix: textOf(t['prefix']) };
    case 'field_name_suffix':
      return { type: 'field_name_suffix', suffix: textOf(t['suffix']) };
    case 'add_condition':
      if (!isObj(t['conditions'])) return 'add_condition needs `conditions`';
      return { type: 'add_condition', conditions: t['conditions'], negated: t['negated'] === true };
    case 'change_logsource':
      return {
        type: 'change_logsource',
        product: t['product'] === undefined ? undefined : textOf(t['product']),
        category: t['category'] === undefined ? undefined : textOf(t['category']),
        service: t['service'] === undefined ? undefined : textOf(t['service']),
      };
    case 'replace_string':
      if (typeof t['regex'] !== 'string') return 'replace_string needs `regex`';
      try {
        new RegExp(t['regex']);
      } catch (e) {
        return `replace_string regex: ${e instanceof Error ? e.message : String(e)}`;
      }
      return { type: 'replace_string', regex: t['regex'], replacement: textOf(t['replacement']) };
    case 'value_placeholders':
      return { type: 'value_placeholders', include: t['include'] ? strs(t['include']) : undefined, exclude: t['exclude'] ? strs(t['exclude']) : undefined };
    case 'drop_detection_item':
      return { type: 'drop_detection_item' };
    case 'rule_failure':
    case 'detection_item_failure':
      return { type: t['type'], message: textOf(t['message'] ?? 'refused by pipeline') };
    case 'field_value_mapping':
      if (typeof t['field'] !== 'string' || !isObj(t['values'])) return 'field_value_mapping needs `field` and `values`';
      return {
        type: 'field_value_mapping',
        field: t['field'],
        target: textOf(t['target'] ?? t['field']),
        values: Object.fromEntries(Object.entries(t['values']).map(([k, v]) => [k.toLowerCase(), String(v)])),
      };
    default:
      return `transformation type '${String(t['type'])}' is not supported`;
  }
}

function ruleCondition(c: Raw): RuleCondition | string {
  if (c['type'] !== 'logsource') return `rule condition type '${String(c['type'])}' is not supported`;
  const s = (k: string) => (c[k] === undefined ? undefined : textOf(c[k]).toLowerCase());
  return { type: 'logsource', product: s('product'), category: s('category'), service: s('service') };
}

function fieldCondition(c: Raw): FieldCondition | string {
  if (c['type'] !== 'include_fields' && c['type'] !== 'exclude_fields') return `field name condition type '${String(c['type'])}' is not supported`;
  return { type: c['type'], fields: strs(c['fields']), matching: c['matching_mode'] === 'regex' || c['type_'] === 're' ? 're' : 'plain' };
}

function itemCondition(c: Raw): ItemCondition | string {
  if (c['type'] === 'match_string' && typeof c['pattern'] === 'string') return { type: 'match_string', pattern: c['pattern'], negate: c['negate'] === true };
  if (c['type'] === 'is_null') return { type: 'is_null', negate: c['negate'] === true };
  return `detection item condition type '${String(c['type'])}' is not supported`;
}

export function parsePipeline(text: string, file: string): { pipeline?: Pipeline; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const err = (message: string, code = 'pipeline-invalid') => diagnostics.push({ severity: 'error', code, message, file });
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    err(e instanceof Error ? e.message.split('\n')[0]! : String(e), 'yaml-syntax');
    return { diagnostics };
  }
  if (!isObj(doc) || !Array.isArray(doc['transformations'])) {
    err('a pipeline is a mapping with a `transformations` list');
    return { diagnostics };
  }
  const vars: Record<string, string[]> = {};
  if (isObj(doc['vars'])) for (const [k, v] of Object.entries(doc['vars'])) vars[k] = strs(v);
  const items: ProcessingItem[] = [];
  doc['transformations'].forEach((t: unknown, i: number) => {
    const where = `transformation ${i + 1}`;
    if (!isObj(t)) return err(`${where} is not a mapping`);
    const tr = transformation(t);
    if (typeof tr === 'string') return err(`${where}: ${tr}`, 'pipeline-unsupported');
    const list = <T>(key: string, f: (c: Raw) => T | string): T[] | undefined => {
      const out: T[] = [];
      for (const c of Array.isArray(t[key]) ? t[key] : t[key] ? [t[key]] : []) {
        const r = isObj(c) ? f(c) : `${key} entries must be mappings`;
        if (typeof r === 'string') {
          err(`${where}: ${r}`, 'pipeline-unsupported');
          return undefined;
        }
        out.push(r);
      }
      return out;
    };
    const rc = list('rule_conditions', ruleCondition);
    const fc = list('field_name_conditions', fieldCondition);
    const ic = list('detection_item_conditions', itemCondition);
    if (!rc || !fc || !ic) return;
    const op = (k: string): 'and' | 'or' => (t[k] === 'or' ? 'or' : 'and');
    items.push(
      item(tr, {
        id: typeof t['id'] === 'string' ? t['id'] : undefined,
        ruleConditions: rc,
        ruleCondOp: op('rule_cond_op'),
        ruleCondNegation: t['rule_cond_not'] === true,
        fieldConditions: fc,
        fieldCondOp: op('field_name_cond_op'),
        fieldCondNegation: t['field_name_cond_not'] === true,
        itemConditions: ic,
        itemCondOp: op('detection_item_cond_op'),
        itemCondNegation: t['detection_item_cond_not'] === true,
      }),
    );
  });
  if (diagnostics.length) return { diagnostics };
  return {
    pipeline: {
      name: typeof doc['name'] === 'string' ? doc['name'] : file,
      priority: typeof doc['priority'] === 'number' ? doc['priority'] : 50,
      vars,
      items,
      file,
    },
    diagnostics,
  };
}
