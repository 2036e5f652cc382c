// Generated variants: the other spellings of each technique a strategy claims, and the ordinary
// workloads that look like it. Generators are code, so a new spelling is one entry in a list, and
// every variant is both a live emulation (run for real against Docker and Linux audit) and a replay
// scenario (its telemetry recorded once, or generated, and replayed in CI).
import type { EmulationStep, Fixture } from '../live/format.js';
import type { FileFormat } from '../../sources/types.js';

export type VariantKind = 'positive' | 'benign';

export interface Variant {
  /** ADS id, e.g. ADS-0003. */
  strategy: string;
  /** Unique within the strategy; [a-z0-9-], at most 41 characters (it becomes a scenario id). */
  id: string;
  kind: VariantKind;
  /**
   * The class of spelling this variant stands for: 'security-opt', 'mount-path', 'device-cgroup',
   * 'reverse-shell', 'cipher', 'multi-call', 'k8s-controller', 'k8s-exec' ... Reports group by it.
   */
  family: string;
  /** ATT&CK technique a positive exercises (e.g. T1611). */
  technique?: string;
  /** One sentence: what is done, or which real deployment a benign variant stands for. */
  description: string;
  /**
   * Positive: the rule ids of which at least one must fire on this variant (any-of). Benign: empty;
   * a benign variant must raise no alert from any shipped rule.
   */
  expect: string[];
  /** How it runs for real on this host; absent for variants that can only be replayed (Kubernetes). */
  live?: {
    needs?: Fixture[];
    setup?: EmulationStep[];
    steps: EmulationStep[];
    cleanup?: EmulationStep[];
  };
  /** Telemetry generated in code (no live system to record from, e.g. Kubernetes audit events). */
  events?: { format: FileFormat; lines: string[] };
}

/** A generator returns every variant of one family or strategy; it is pure and deterministic. */
export type VariantGenerator = () => Variant[];
