// Build-time checks of correlation references: who a correlation answers to, and which
// correlations cannot run (duplicates, unknown rules, cycles, chains on refused ones).
import type { Diagnostic } from '../../model/diagnostic.js';
import type { CorrelationRule } from './types.js';

/** The ids and names a correlation answers to in other correlations' `rules:`. */
export function refKeys(r: CorrelationRule): string[] {
  const keys = [r.meta.id];
  if (r.id && !keys.includes(r.id)) keys.push(r.id);
  if (r.name && !keys.includes(r.name)) keys.push(r.name);
  return keys;
}

/**
 * Refuses, per correlation, duplicates, references to rules that do not exist,
 * reference cycles, and correlations built on refused ones. Never throws.
 */
export function resolveReferences(
  rules: readonly CorrelationRule[],
  known: ReadonlyArray<{ id: string; name?: string }> | undefined,
  diagnostics: Diagnostic[],
): CorrelationRule[] {
  const diag = (r: CorrelationRule, code: string, message: string): void => {
    diagnostics.push({ severity: 'error', code, message, file: r.file, line: r.line, rule: r.meta.id });
  };
  const byRef = new Map<string, CorrelationRule>();
  const unique: CorrelationRule[] = [];
  for (const r of rules) {
    const clash = refKeys(r).find((k) => byRef.has(k));
    if (clash !== undefined) {
      diag(r, 'duplicate-correlation', `another correlation already uses the id or name ${clash}; this one is ignored`);
      continue;
    }
    for (const k of refKeys(r)) byRef.set(k, r);
    unique.push(r);
  }
  const base = known ? new Set(known.flatMap((k) => (k.name ? [k.id, k.name] : [k.id]))) : undefined;
  const refused = new Set<CorrelationRule>();
  for (const r of unique) {
    const missing = r.rules.filter((ref) => !byRef.has(ref) && base !== undefined && !base.has(ref));
    if (missing.length > 0) {
      diag(r, 'unknown-rule-reference', `correlation references ${missing.join(', ')}, which no loaded rule or correlation has as id or name`);
      refused.add(r);
    }
  }
  // Cycles: depth-first walk over correlation → correlation references.
  const visiting = new Set<CorrelationRule>();
  const done = new Set<CorrelationRule>();
  const inCycle = new Set<CorrelationRule>();
  const walk = (r: CorrelationRule, path: CorrelationRule[]): void => {
    if (done.has(r)) return;
    if (visiting.has(r)) {
      for (const x of path.slice(path.indexOf(r))) inCycle.add(x);
      return;
    }
    visiting.add(r);
    for (const ref of r.rules) {
      const up = byRef.get(ref);
      if (up) walk(up, [...path, r]);
    }
    visiting.delete(r);
    done.add(r);
  };
  for (const r of unique) walk(r, []);
  for (const r of inCycle) {
    diag(r, 'correlation-cycle', 'correlation is part of a reference cycle and can never complete');
    refused.add(r);
  }
  // Anything built on a refused correlation cannot work either.
  for (let changed = true; changed;) {
    changed = false;
    for (const r of unique) {
      if (refused.has(r)) continue;
      const bad = r.rules.find((ref) => {
        const up = byRef.get(ref);
        return up !== undefined && refused.has(up);
      });
      if (bad !== undefined) {
        diag(r, 'broken-chain', `correlation builds on ${bad}, which was refused`);
        refused.add(r);
        changed = true;
      }
    }
  }
  return unique.filter((r) => !refused.has(r));
}
