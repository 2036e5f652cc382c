// `stowaway ads lint`: checks detection strategy documents (and their rules) before they ship.
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { formatDiagnostic, countByCode } from '../model/diagnostic.js';
import { defaultAttackPath, defaultContentDir, defaultStrategiesDir, lintPaths, loadAttack } from '../ads/index.js';

interface LintCliOptions {
  attack?: string;
  analytics?: string;
  rules?: boolean;
  json?: boolean;
  strict?: boolean;
}

export function register(program: Command): void {
  const ads = program.command('ads').description('Detection strategies (ADS): lint the documents and the rules they own.');
  ads
    .command('lint')
    .description(
      'Lint ADS documents: every Palantir section present with substance, a numbered Response checklist, ATT&CK ids that exist and are neither revoked nor deprecated, tactics and platforms that agree with ATT&CK, every named rule and analytic present and carrying matching attack.* tags, positive and benign scenarios. Accepts strategy folders, their parent (content/strategies) or Markdown/text files (drafts without front matter are read from their Categorization section).',
    )
    .argument('[paths...]', 'strategy folders, a folder of them, or ADS files', [])
    .option('--attack <file>', `ATT&CK Enterprise STIX bundle (default ${defaultAttackPath()})`)
    .option('--analytics <dir>', 'analytics definitions the strategies reference (default content/analytics)')
    .option('--rules', 'also lint every rule file of the strategies: ids unique UUIDs, title, level, attack tags, author, falsepositives')
    .option('--strict', 'warnings fail the run too')
    .option('--json', 'print the diagnostics as JSON lines')
    .addHelpText(
      'after',
      '\nExit status: 0 when no error was found (warnings allowed unless --strict), 1 otherwise.\nWithout ATT&CK data the ids are not checked and a warning says so.',
    )
    .action(async (paths: string[], opts: LintCliOptions) => {
      process.exitCode = await adsLint(
        paths,
        opts,
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
    });
}

export async function adsLint(paths: string[], opts: LintCliOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const targets = paths.length > 0 ? paths : [defaultStrategiesDir()];
  const attack = await loadAttack(opts.attack ? resolve(opts.attack) : defaultAttackPath());
  const analyticsDir = opts.analytics ?? join(defaultContentDir(), 'analytics');
  const report = await lintPaths(targets, {
    ...(attack.catalog ? { attack: attack.catalog } : {}),
    ...(attack.error ? { attackError: attack.error } : {}),
    analyticsDir,
    rules: opts.rules === true,
  });
  for (const d of report.diagnostics) out((opts.json ? JSON.stringify(d) : formatDiagnostic(d)) + '\n');
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = report.diagnostics.filter((d) => d.severity === 'warning').length;
  const byCode = [...countByCode(report.diagnostics)].map(([c, n]) => `${c}=${n}`).join(' ');
  err(
    `ads lint: ${report.files} document(s), ${report.rulesChecked} rule(s), ATT&CK ${attack.catalog ? `${attack.catalog.techniques.size} techniques` : 'not loaded'}: ` +
      `${errors} error(s), ${warnings} warning(s)${byCode ? ` (${byCode})` : ''}\n`,
  );
  return errors > 0 || (opts.strict && warnings > 0) ? 1 : 0;
}
