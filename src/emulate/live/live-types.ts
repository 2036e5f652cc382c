// The runner's contracts: the live pipeline it drives, its options, and what a scenario hands a recorder.
import type Docker from 'dockerode';
import type { Finding } from '../../model/alert.js';
import type { ResponseRecord } from '../../model/response.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { StowawayEvent } from '../../model/event.js';
import type { EventTimings } from '../../sources/types.js';
import type { EmulationScenario } from './format.js';
import type { WitnessedContainer } from './match.js';
import type { LoadedEmulation } from './load.js';
import type { LiveReport, LiveRow } from './report.js';
import type { FindingVia } from './trace.js';

/** What the runner needs from stowaway's live pipeline (sources → engine). */
export interface LivePipeline {
  /** One line per source: started, or not and why. */
  sources: string[];
  /** True when the Docker and audit sources both started. */
  ready: boolean;
  rulesLoaded: number;
  diagnostics: Diagnostic[];
  /** The stamps of an event on its way through the sources (latency breakdown), when kept. */
  timings?(ev: StowawayEvent): (EventTimings & { engine_ms?: number }) | undefined;
  /** When each source's watermark first reached `timeMs` (epoch ms, by tick), for the ticks still remembered. */
  watermarkPassed?(timeMs: number): Record<string, number>;
  /** Per source: how long after their own time events were read (ms). */
  sourceLag?(): LiveReport['source_lag'];
  /** How late this process's event loop ran (ms), over the run. */
  eventLoopDelay?(): LiveReport['event_loop_delay'];
  stop(): Promise<void>;
}

export interface PipelineOptions {
  content: string;
  /** Every event the sources deliver, before the engine (recording). */
  onEvent?: (ev: StowawayEvent) => void;
  /** `via`: the finding came out of processing an event, a watermark tick, or the final flush. */
  onFinding: (f: Finding, via?: FindingVia) => void;
}

export type PipelineFactory = (opts: PipelineOptions) => Promise<LivePipeline>;

/** Installs stowaway's audit rules for the run; returns how to take them out again. */
export type AuditRulesInstaller = (runId: string) => Promise<{ installed: number; detail?: string; remove(): Promise<{ removed: boolean; detail?: string }> }>;

export interface LiveOptions {
  /** Content root (`content`) or strategies folder (`content/strategies`). */
  content?: string;
  /** Only strategies whose folder name contains one of these (or whose id equals one). */
  strategies?: string[];
  /** Only scenarios with these ids. */
  scenarios?: string[];
  /** Upper bound in seconds for every wait (positive) and quiet period (benign); scenario values below it are kept. */
  maxWaitS?: number;
  /** Multiplies every step timeout (slow CI machines). */
  stepTimeoutScale?: number;
  /** Progress lines (one per scenario) go here; default: nowhere. */
  log?: (line: string) => void;
  /** Seconds to let sources settle after they start, before the first scenario. */
  settleS?: number;
  pipeline?: PipelineFactory;
  auditRules?: AuditRulesInstaller;
  /** Seconds to wait for another live validation on this host to finish (default 900). */
  lockWaitS?: number;
  /** Docker client; default the local socket. */
  docker?: Docker;
  /** Scenarios to run instead of the strategies' emulation.yml files (generated variants). */
  emulations?: LoadedEmulation[];
  /** Called after each scenario's cleanup with the telemetry that belongs to it. */
  record?: ScenarioRecorder;
  /** Containment in auto mode: called for each finding as it arrives; its records are reported per scenario. */
  respond?: (f: Finding) => Promise<ResponseRecord[]>;
}

/** What a scenario produced, for writing it down as a replay scenario. */
export interface ScenarioTelemetry {
  strategy: LoadedEmulation;
  scenario: EmulationScenario;
  row: LiveRow;
  mark: string;
  containers: WitnessedContainer[];
  /** Events of the sources that name one of the scenario's containers or carry its marker, in arrival order. */
  events: StowawayEvent[];
  /** Size of the audit log when the scenario started (to cut its raw lines out). */
  auditOffset?: number;
}

export type ScenarioRecorder = (t: ScenarioTelemetry) => Promise<string | undefined>;
