// Detection strategies (ADS): parse, lint, ATT&CK, the catalog alerts are enriched from.
export {
  loadStrategies,
  contentRulePaths,
  contentPlaceholdersPath,
  defaultContentDir,
  defaultStrategiesDir,
  strategyDirs,
  attackForRule,
  strategyRef,
  type StrategyCatalog,
} from './catalog.js';
export { parseStrategy, categorizationOf, type Strategy, type AttackMapping } from './strategy.js';
export { parseMarkdown, canonicalSection, numberedItems, SECTION_NAMES, type Section, type MarkdownDoc } from './markdown.js';
export { loadAttack, parseAttackBundle, defaultAttackPath, normalizeTactic, splitAttackTags, type AttackCatalog, type Technique } from './attack.js';
export { lintPaths, lintDocument, lintWiring, lintScenarios, lintRules, findStrategyFiles, type LintOptions, type LintReport } from './lint.js';
export { readRuleDocs, type RuleDoc } from './rules.js';
export { buildNavigatorLayer, type NavigatorLayer, type NavigatorTechnique } from './navigator.js';
export { computeCoverage, coverageSentence, type CoverageMatrix, type CoverageCell, type CoverageRule, type CoverageCatalog } from './coverage.js';
