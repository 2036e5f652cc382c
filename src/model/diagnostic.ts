// Errors are values at the edges: every parser and loader returns these instead
// of throwing, so one bad file, line or rule never stops the good ones.

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  /** Short stable code users can count and grep: 'yaml-syntax', 'unknown-modifier', 'bad-json' ... */
  code: string;
  /** Human sentence saying what is wrong and, where it helps, what to do. */
  message: string;
  file?: string;
  line?: number;
  /** Rule id or title when the problem belongs to one rule. */
  rule?: string;
  /** Source name (docker, auditd, zeek ...) when the problem comes from telemetry. */
  source?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file && (d.line !== undefined ? `${d.file}:${d.line}` : d.file), d.rule && `rule ${d.rule}`, d.source && `source ${d.source}`]
    .filter(Boolean)
    .join(' ');
  return `${d.severity}[${d.code}]${where ? ' ' + where : ''}: ${d.message}`;
}

/** Counts diagnostics by code; what `rules check` and the health view print. */
export function countByCode(ds: Iterable<Diagnostic>): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of ds) m.set(d.code, (m.get(d.code) ?? 0) + 1);
  return m;
}
