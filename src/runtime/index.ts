// The running pipeline and what it runs: content, the live runtime, replay, the alert path.
export {
  loadContent,
  loadRules,
  engineOver,
  type EngineBuild,
  defaultContentDir,
  contentRootOf,
  builtinRuleDirs,
  resolveRulePaths,
  LATENESS,
  type RulePaths,
  type Content,
  type ContentOptions,
} from './content.js';
export { createRuntime, alertSink, type Runtime, type RuntimeOptions, type FindingSink, type FindingCause, type Clock } from './runtime.js';
export { replayScenario, replayScenarios, replayEvents, readScenarioEvents, findScenarios, type ReplayReport } from './replay.js';
export { runFiles, LOST_CODES, type PacedSink, type FilePool, type FileRunOptions, type FileRunReport } from './files.js';
export { createAlertPath, exceptionFiles, type AlertPathOptions } from './alerts.js';
// What commands that build their own pipeline from these pieces name (scan).
export type { Engine } from '../engine/index.js';
export type { EngineRules, RuleSources } from '../engine/rules.js';
