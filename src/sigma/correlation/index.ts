// Sigma correlation rules as the language defines them: documents parsed and checked. Running them
// over base rule matches in event time is the engine's (engine/correlation/).
export * from './types.js';
export { parseCorrelation, satisfies, hasUpperBound, describeCondition } from './parse.js';
export { parseDuration, eventTimeMs, isoTime } from './timespan.js';
