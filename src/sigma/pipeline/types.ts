// Processing pipelines: a pySigma-compatible subset that rewrites rules before compiling
// (field names, logsource, extra conditions, values). Built-in ones adapt SigmaHQ's taxonomy
// to the stowaway event model.

export type FieldMap = Record<string, string | string[]>;

export type Transformation =
  | { type: 'field_name_mapping'; mapping: FieldMap }
  | { type: 'field_name_prefix_mapping'; mapping: Record<string, string> }
  | { type: 'field_name_prefix'; prefix: string }
  | { type: 'field_name_suffix'; suffix: string }
  | { type: 'add_condition'; conditions: Record<string, unknown>; negated?: boolean }
  | { type: 'change_logsource'; product?: string; category?: string; service?: string }
  | { type: 'replace_string'; regex: string; replacement: string }
  | { type: 'value_placeholders'; include?: string[]; exclude?: string[] }
  | { type: 'drop_detection_item' }
  | { type: 'rule_failure'; message: string }
  | { type: 'detection_item_failure'; message: string }
  /** Stowaway extension: a field whose values are spelled differently in the event model. */
  | { type: 'field_value_mapping'; field: string; target: string; values: Record<string, string> };

export type RuleCondition = { type: 'logsource'; product?: string; category?: string; service?: string };

export type FieldCondition = { type: 'include_fields' | 'exclude_fields'; fields: string[]; matching: 'plain' | 're' };

export type ItemCondition = { type: 'match_string'; pattern: string; negate: boolean } | { type: 'is_null'; negate: boolean };

export interface ProcessingItem {
  id?: string;
  transformation: Transformation;
  ruleConditions: RuleCondition[];
  ruleCondOp: 'and' | 'or';
  ruleCondNegation: boolean;
  fieldConditions: FieldCondition[];
  fieldCondOp: 'and' | 'or';
  fieldCondNegation: boolean;
  itemConditions: ItemCondition[];
  itemCondOp: 'and' | 'or';
  itemCondNegation: boolean;
}

export interface Pipeline {
  name: string;
  /** Lower runs first, as in pySigma. Built-ins use 100 so user pipelines run before them. */
  priority: number;
  vars: Record<string, string[]>;
  items: ProcessingItem[];
  file?: string;
}

export function item(t: Transformation, rest: Partial<ProcessingItem> = {}): ProcessingItem {
  return {
    transformation: t,
    ruleConditions: [],
    ruleCondOp: 'and',
    ruleCondNegation: false,
    fieldConditions: [],
    fieldCondOp: 'and',
    fieldCondNegation: false,
    itemConditions: [],
    itemCondOp: 'and',
    itemCondNegation: false,
    ...rest,
  };
}
