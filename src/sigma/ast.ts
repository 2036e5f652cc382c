// Typed shape of a parsed Sigma document. Parsing produces these once; pipelines rewrite
// copies of them; the compiler turns them into matchers. Nothing here depends on Node.
import type { LogSource } from '../model/event.js';
import type { Level } from '../model/alert.js';

/** A value written in a detection. Numbers keep their source text ('0x17', '007'), since Sigma compares as strings. */
export type SigmaValue =
  { kind: 'string'; value: string } | { kind: 'number'; value: number; text: string } | { kind: 'bool'; value: boolean } | { kind: 'null' };

/** One `field|mod|mod: values` entry; `field` is null for keywords. */
export interface DetectionItem {
  field: string | null;
  /** The field as the rule wrote it, before pipelines renamed it; for messages. */
  written?: string;
  modifiers: string[];
  values: SigmaValue[];
  line?: number;
}

/** Maps are AND, lists are OR. */
export type DetectionNode = { kind: 'and'; items: DetectionNode[] } | { kind: 'or'; items: DetectionNode[] } | { kind: 'item'; item: DetectionItem };

export interface SearchIdentifier {
  name: string;
  node: DetectionNode;
  line?: number;
}

/** Condition expression after parsing `condition:`. */
export type ConditionNode =
  | { kind: 'id'; name: string }
  | { kind: 'not'; expr: ConditionNode }
  | { kind: 'and'; items: ConditionNode[] }
  | { kind: 'or'; items: ConditionNode[] }
  | { kind: 'of'; quantifier: 'one' | 'all'; pattern: string; names: string[] };

export interface Detection {
  searches: SearchIdentifier[];
  /** The condition text(s) as written; several are OR-ed. */
  conditionText: string[];
  condition: ConditionNode;
}

export interface SigmaRule {
  kind: 'rule';
  id?: string;
  name?: string;
  title: string;
  level: Level;
  status?: string;
  description?: string;
  author?: string;
  references?: string[];
  falsepositives?: string[];
  tags: string[];
  logsource: LogSource;
  detection: Detection;
  /** Top-level keys Sigma does not define, kept as written (custom attributes). */
  custom: Record<string, unknown>;
  file?: string;
  line?: number;
}

/** Meta filter (Sigma filters v2.1): an extra condition AND-ed into the rules it names. */
export interface SigmaFilter {
  kind: 'filter';
  id?: string;
  title: string;
  logsource: LogSource;
  rules: string[];
  detection: Detection;
  file?: string;
  line?: number;
}
