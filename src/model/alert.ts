// What the engine emits and the sinks store, send and show.
import type { StowawayEvent } from './event.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: readonly Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

export type RuleKind = 'sigma' | 'correlation' | 'analytic';

/** The rule that produced a finding, as far as alerting needs it. */
export interface RuleMeta {
  id: string;
  title: string;
  kind: RuleKind;
  level: Level;
  tags: string[];
  name?: string;
  description?: string;
  status?: string;
  author?: string;
  references?: string[];
  falsepositives?: string[];
  /** Rule file it was loaded from. */
  file?: string;
}

/** A detection before alert-building: one rule met by one or more events. */
export interface Finding {
  rule: RuleMeta;
  /** Event time of the finding (the last contributing event), ISO UTC. */
  time: string;
  /** Triggering events; a correlation or analytic may carry several or a summary. */
  events: StowawayEvent[];
  /** Search identifiers of the Sigma condition that evaluated true. */
  selections?: string[];
  /** The items of those searches that held, with the values the event holds there. */
  matched?: MatchedField[];
  /** Correlation group-by values, analytic entity keys. */
  group?: Record<string, unknown>;
  /** Rule-kind specific explanation: baseline, threshold, observed value, window ... */
  details?: Record<string, unknown>;
}

/** One detection item that held: `process.executable|endswith: "/sh"` and what the event had. */
export interface MatchedField {
  selection: string;
  /** Null for a keyword item (any string of the event). */
  field: string | null;
  /** The item as compiled, e.g. `process.executable|endswith: "/sh"`. */
  test: string;
  values: unknown[];
}

export interface AttackRef {
  technique: string; // T1611, T1562.001
  name?: string;
  tactics: string[]; // privilege-escalation ...
}

/** The ADS (detection strategy) an alert belongs to, with what an analyst must do. */
export interface StrategyRef {
  id: string;
  title: string;
  priority: Level;
  response: string[];
  url?: string;
}

/** Who or what the alert is about; the keys dedup and exceptions use. */
export interface AlertEntity {
  host?: string;
  container?: { id?: string; name?: string; image?: string };
  /** `workload`: the Kubernetes object a request changed when it is not a pod (`deployments/web`, `namespaces/shop`). */
  pod?: { namespace?: string; name?: string; workload?: string; images?: string[] };
  process?: { pid?: number; executable?: string; command_line?: string };
  user?: string;
}

export type AlertStatus = 'new' | 'acknowledged' | 'false_positive' | 'resolved';

export interface Alert {
  id: string;
  '@timestamp': string; // event time of the newest contributing event
  created: string; // wall-clock time the engine built it
  rule: RuleMeta;
  level: Level;
  summary: string; // one line naming the container/pod/host
  attack: AttackRef[];
  strategy?: StrategyRef;
  entity: AlertEntity;
  selections: string[];
  /** The detection items that held, with the event's values: why a Sigma rule fired. */
  matched?: MatchedField[];
  events: StowawayEvent[];
  group?: Record<string, unknown>;
  details?: Record<string, unknown>;
  /** Dedup: how many findings this alert stands for, and their event-time span. */
  count: number;
  first_seen: string;
  last_seen: string;
  /** Findings the rate limiter held back for this rule while this alert was open. */
  held_back?: number;
  status: AlertStatus;
  note?: string;
}
