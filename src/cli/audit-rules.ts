// `stowaway audit-rules`: prints the Linux audit rules stowaway needs, or loads them.
import type { Command } from 'commander';
import { defaultRulesFile, installRules, parseRulesFile, readRulesFile } from '../sources/auditd/rules.js';

export function register(program: Command): void {
  program
    .command('audit-rules')
    .description(
      'Print the Linux audit rules stowaway needs (execve, connect, mount, module load, ptrace, setns/unshare, writes to runtime/kubelet/audit config), or load them with auditctl',
    )
    .option('--install', 'load the rules now with auditctl (root; until reboot; rules for paths missing here are skipped and listed)')
    .option('--file <path>', 'a rules file other than the shipped content/audit/stowaway.rules')
    .addHelpText(
      'after',
      '\nPersistent install: stowaway audit-rules > /etc/audit/rules.d/stowaway.rules && augenrules --load\nRemove: auditctl -D -k stowaway-exec (and the other stowaway-* keys)',
    )
    .action((opts: { install?: boolean; file?: string }) => {
      const file = opts.file ?? defaultRulesFile();
      let text: string;
      try {
        text = readRulesFile(file);
      } catch (e) {
        process.stderr.write(`audit-rules: cannot read ${file}: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      if (!opts.install) {
        process.stdout.write(text);
        return;
      }
      const rules = parseRulesFile(text);
      const r = installRules(rules);
      for (const s of r.skipped) process.stderr.write(`audit-rules: skipped ${s.rule}: ${s.reason}\n`);
      process.stderr.write(`audit-rules: ${r.loaded} of ${rules.length} rules loaded, ${r.skipped.length} skipped\n`);
      if (r.loaded === 0) process.exitCode = 1;
    });
}
