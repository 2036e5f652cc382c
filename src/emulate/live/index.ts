// Live adversary emulation: `stowaway validate --live`.
//
//   const report = await runLiveValidation({ content: 'content', strategies: ['ads-0003'] });
//   process.stdout.write(renderLiveReport(report, 'table') + '\n');
//   process.exit(report.ok ? 0 : 1);
import { runLive, type LiveOptions } from './runner.js';
import { defaultPipeline, defaultAuditRules } from './pipeline.js';
import { formatLiveReport, type LiveReport } from './report.js';

export type { LiveReport, LiveRow, RuleCheck, ReceivedSummary, Verdict } from './report.js';
export type { LiveOptions, LivePipeline, PipelineFactory, AuditRulesInstaller } from './runner.js';
export type { EmulationFile, EmulationScenario, EmulationStep, ExpectedAlert } from './format.js';
export { formatLiveReport } from './report.js';
export { parseEmulation } from './format.js';
export { loadEmulations } from './load.js';

export type LiveReportFormat = 'table' | 'json';

export interface LiveValidationOptions extends Omit<LiveOptions, 'pipeline' | 'auditRules'> {
  /** Override the pipeline or audit rules installer (tests); default: stowaway's own live wiring. */
  pipeline?: LiveOptions['pipeline'];
  auditRules?: LiveOptions['auditRules'];
}

/**
 * Runs the emulations of the shipped strategies against the real Docker engine
 * and Linux audit with stowaway's live pipeline listening. Never throws for a
 * host that cannot run it: the report's `fatal` says why and `ok` is false.
 * Needs root (audit rules), a running dockerd and the image stowaway/busybox:test.
 */
export async function runLiveValidation(opts: LiveValidationOptions = {}): Promise<LiveReport> {
  return runLive({ ...opts, pipeline: opts.pipeline ?? defaultPipeline, auditRules: opts.auditRules ?? defaultAuditRules });
}

/** The report as a table for people or as JSON for machines. */
export function renderLiveReport(report: LiveReport, format: LiveReportFormat = 'table'): string {
  return format === 'json' ? JSON.stringify(report, null, 2) : formatLiveReport(report);
}
