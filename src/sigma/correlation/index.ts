// Sigma correlation rules: parse documents, then run them over base rule matches in event time.
export * from './types.js';
export { parseCorrelation, satisfies, hasUpperBound, describeCondition } from './parse.js';
export { createCorrelationEngine, type CorrelationEngine, type CorrelationEngineOptions, type CorrelationStats } from './engine.js';
export { parseDuration, eventTimeMs, isoTime } from './timespan.js';
