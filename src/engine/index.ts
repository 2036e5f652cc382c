// The streaming runtime: one per-event path for every command.
export { createEngine, tickWatermark, type Engine, type EngineOptions, type EngineStats, type MatchingRuleSet } from './engine.js';
export type { Detector } from './types.js';
export { loadEngineRules, type EngineRules, type RuleSources } from './rules.js';
export { fieldPathsFrom, builtinFieldPaths } from './fields.js';
