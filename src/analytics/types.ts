// Analytic definitions as validated from YAML: every default is filled in, every duration is in
// milliseconds and every size in bytes, so the detectors never re-interpret user text.
import type { Level } from '../model/alert.js';
import type { LogSource } from '../model/event.js';

export type AnalyticType = 'baseline' | 'first_seen' | 'lifecycle';
export type Aggregate = 'sum' | 'count' | 'max' | 'mean' | 'distinct';

/** Field equality filters: every key must hold; an array means any of its values. */
export type Where = Record<string, Array<string | number | boolean>>;

export interface CommonDef {
  id: string;
  title: string;
  description?: string;
  level: Level;
  status?: string;
  author?: string;
  references?: string[];
  falsepositives?: string[];
  tags: string[];
  logsource: LogSource;
  where: Where;
  entity: string[];
  learning: boolean;
  latenessMs: number;
  limits: { entities: number };
  file?: string;
}

export interface BaselineParams {
  window: number;
  warmup: number;
  threshold: { mad?: number; ratio?: number };
  floor: number;
  minSpread: number;
  fill: 'zero' | 'skip';
  realert: 'edge' | 'every';
}

export interface SignalDef {
  field?: string;
  aggregate: Aggregate;
  counter: boolean;
  counterKey: string[];
  distinct: string[];
}

export interface BaselineDef extends CommonDef {
  type: 'baseline';
  signal: SignalDef;
  intervalMs: number;
  baseline: BaselineParams;
}

export interface FirstSeenDef extends CommonDef {
  type: 'first_seen';
  terms: string[];
  learningPeriodMs: number;
  learningScope: 'entity' | 'global';
  horizonMs: number;
  limits: { entities: number; terms: number };
}

export interface InputDef {
  logsource: LogSource;
  where: Where;
  field?: string;
  counter: boolean;
}

export interface ToolSpec {
  name: string;
  arg?: string;
}

export interface LifecycleDef extends CommonDef {
  type: 'lifecycle';
  mode: 'short_lived' | 'churn';
  lifecycle: { logsource: LogSource };
  egress: InputDef[];
  tools?: { logsource: LogSource; names: ToolSpec[] };
  shortLived: { maxLifetimeMs: number; autoRemoveMaxLifetimeMs: number };
  trigger: { egressBytes?: number; tools: boolean };
  intervalMs: number;
  churn: { actions: string[]; minEvents: number };
  egressBaseline: BaselineParams;
  limits: { entities: number; idleMs: number };
}

export type AnalyticDef = BaselineDef | FirstSeenDef | LifecycleDef;
