// `stowaway config check [PATH]`: validate a stowaway.yaml against `start`'s options without starting.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { CONFIG_FILE, findConfig, formatProblem, keyOf, readConfig } from './config-file.js';

export function register(program: Command): void {
  const config = program
    .command('config')
    .description(`The configuration file (${CONFIG_FILE}): every \`start\` flag, by its own name (docs/configuration.md).`);
  config
    .command('check')
    .description(
      `Validate a configuration file against the options of \`start\`; print each problem with its YAML path and line. Exit 0 valid, 1 invalid, 2 no file.`,
    )
    .argument('[path]', `file to check (default: ./${CONFIG_FILE})`)
    .action((path: string | undefined) => {
      const file = path && !existsSync(path) ? undefined : findConfig(path, undefined);
      const start = program.commands.find((c) => c.name() === 'start');
      if (!file || !start) {
        process.stderr.write(`config check: no configuration file${path ? ` at ${path}` : ` (./${CONFIG_FILE})`}\n`);
        process.exitCode = 2;
        return;
      }
      const { values, problems } = readConfig(file, start);
      for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
      if (problems.length) {
        process.stderr.write(`config check: ${file}: ${problems.length} problem(s)\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`config check: ${file}: valid; ${Object.keys(values).length} settings: ${Object.keys(values).map(keyOf).join(', ')}\n`);
    });
}
