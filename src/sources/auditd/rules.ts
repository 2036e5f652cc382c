// The audit rules file stowaway ships, and loading it with auditctl.
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** content/audit/stowaway.rules, three levels above both src/sources/auditd and dist/sources/auditd. */
export function defaultRulesFile(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'content', 'audit', 'stowaway.rules');
}

/** The auditctl argument lists of a rules file (comments and blank lines dropped). */
export function parseRulesFile(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/));
}

export interface InstallResult {
  loaded: number;
  skipped: Array<{ rule: string; reason: string }>;
}

/**
 * Loads each rule with auditctl. A rule the kernel refuses (a watched path that does not
 * exist here, a syscall unknown to this arch) is reported and the others still load;
 * a rule already present is counted as loaded.
 */
export function installRules(rules: string[][], auditctl = 'auditctl'): InstallResult {
  const out: InstallResult = { loaded: 0, skipped: [] };
  for (const args of rules) {
    const w = args.indexOf('-w');
    if (w >= 0 && args[w + 1] && !existsSync(args[w + 1]!)) {
      out.skipped.push({ rule: args.join(' '), reason: `${args[w + 1]} does not exist on this host` });
      continue;
    }
    const r = spawnSync(auditctl, args, { encoding: 'utf8' });
    const err = `${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim();
    if (r.status === 0 || /exists/i.test(err)) out.loaded++;
    else out.skipped.push({ rule: args.join(' '), reason: err || `auditctl exited ${r.status}` });
  }
  return out;
}

export function readRulesFile(file = defaultRulesFile()): string {
  return readFileSync(file, 'utf8');
}

/**
 * Audit rules the kernel holds now (`auditctl -l`): all of them, and those stowaway's file adds
 * (keys `stowaway-*`). Undefined when auditctl cannot be run (not root, not installed).
 */
export function loadedRules(auditctl = 'auditctl'): { total: number; stowaway: number } | undefined {
  const r = spawnSync(auditctl, ['-l'], { encoding: 'utf8' });
  if (r.status !== 0 || r.error) return undefined;
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '' && !/^No rules/.test(l));
  return { total: lines.length, stowaway: lines.filter((l) => /key=stowaway-|-k stowaway-|-F key=stowaway-/.test(l)).length };
}
