// The running pipeline and what it runs: content, the live runtime, replay, the alert path.
export {
  loadContent,
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
export { createAlertPath, exceptionFiles, type AlertPathOptions } from './alerts.js';
