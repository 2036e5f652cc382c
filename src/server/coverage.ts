// The page's ATT&CK coverage: the one computation in src/ads/coverage.ts, so the page, the
// `coverage` command and the Navigator layer count the same rules and techniques.
export { computeCoverage as coverageOf, coverageSentence, type CoverageMatrix, type CoverageCell } from '../ads/coverage.js';
