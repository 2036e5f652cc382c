#!/usr/bin/env node
// The `stowaway` command. Each subcommand lives in its own file and registers itself.
import { Command, CommanderError } from 'commander';

const program = new Command();
program
  .name('stowaway')
  .description(
    'Find adversaries who hide in containers and virtual instances: Sigma rules, analytics and detection strategies over container, host, orchestrator and network telemetry.',
  )
  .version('0.1.0')
  // A usage error is one line and a pointer, not the whole help; it exits 2 like every usage error.
  .showHelpAfterError("(see 'stowaway <command> --help')")
  .exitOverride((e: CommanderError) => {
    process.exit(e.exitCode === 0 ? 0 : e.code === 'commander.executeSubCommandAsync' ? e.exitCode : 2);
  });

// In help order. Each file registers one command of its name; a run loads only the command it
// names, because the others pull in the Docker, NATS and SSH clients (a third of a second of start).
const COMMANDS = [
  'start',
  'watch',
  'scan',
  'rules',
  'explain',
  'validate',
  'ads',
  'coverage',
  'serve',
  'demo',
  'alerts',
  'tune',
  'respond',
  'baselines',
  'audit-rules',
  'sensor',
  'worker',
  'store',
  'config',
] as const;

// A command that reads another's options: `config check` validates a file against `start`'s.
const NEEDS: Partial<Record<(typeof COMMANDS)[number], (typeof COMMANDS)[number][]>> = { config: ['start'] };

type Register = (program: Command) => void;
const named = COMMANDS.find((c) => c === process.argv[2]);
// Help, a version query or an unknown command: every command is registered, as help lists them all.
const wanted = named ? COMMANDS.filter((c) => c === named || NEEDS[named]?.includes(c)) : COMMANDS;
for (const m of await Promise.all(wanted.map((c) => import(`./${c}.js`) as Promise<{ register: Register }>))) m.register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`stowaway: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
