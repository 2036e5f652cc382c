#!/usr/bin/env node
// The `stowaway` command. Each subcommand lives in its own file and registers itself.
import { Command, CommanderError } from 'commander';
import { register as scan } from './scan.js';
import { register as rules } from './rules.js';
import { register as explain } from './explain.js';
import { register as watch } from './watch.js';
import { register as auditRules } from './audit-rules.js';
import { register as ads } from './ads.js';
import { register as validate } from './validate.js';
import { register as coverage } from './coverage.js';
import { register as serve } from './serve.js';
import { register as demo } from './demo.js';
import { register as start } from './start.js';
import { register as baselines } from './baselines.js';
import { register as alerts } from './alerts.js';
import { register as respond } from './respond.js';
import { register as tune } from './tune.js';
import { register as config } from './config.js';
import { register as sensor } from './sensor.js';
import { register as worker } from './worker.js';
import { register as store } from './store.js';

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

for (const reg of [
  start,
  watch,
  scan,
  rules,
  explain,
  validate,
  ads,
  coverage,
  serve,
  demo,
  alerts,
  tune,
  respond,
  baselines,
  auditRules,
  sensor,
  worker,
  store,
  config,
])
  reg(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`stowaway: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
