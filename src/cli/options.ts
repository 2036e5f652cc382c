// Flags several commands share, and their parsing. Commands import these, never each other.
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULTS } from '../alerts/pipeline.js';
import { parseFormat, type OutputOptions } from '../sinks/index.js';
import { DEFAULT_DATA_DIR } from '../sinks/store/index.js';
import { DEFAULT_PORT } from '../server/http.js';
import { liveFlags, liveOptionsFromFlags, type FlagValues, type LiveOptions } from '../sources/descriptors.js';
import type { AlertPathOptions, ContentOptions } from '../runtime/index.js';

/** A flag's value as a non-negative number, or an error naming the flag. */
export function nonNegative(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`${flag}: '${v}' is not a non-negative number`);
  return n;
}

export interface ContentCliOptions {
  content?: string;
  rules?: string[];
  placeholders?: string[];
}

/** Built-in content plus the user's: `--rules` and `--placeholders` add to it, `--content` replaces it. */
export function contentOptions(cmd: Command): Command {
  return cmd
    .option('--content <dir>', 'content directory instead of the built-in content')
    .option('--rules <path...>', 'rule files or folders added to the content (Sigma rules, filters, correlations)')
    .option(
      '--placeholders <file...>',
      "placeholder files layered over the content's placeholders.yml: lists add, { replace: [...] } replaces (docs/tuning.md)",
    );
}

export function contentFrom(o: ContentCliOptions): ContentOptions {
  return {
    ...(o.content ? { contentDir: o.content } : {}),
    ...(o.rules ? { rules: o.rules } : {}),
    ...(o.placeholders ? { placeholders: o.placeholders } : {}),
  };
}

/** Registers every live source's flags (from the source descriptors) on a command. */
export function liveOptions(cmd: Command): Command {
  for (const f of liveFlags()) {
    if (f.default !== undefined) cmd.option(f.flags, f.description, f.default);
    else cmd.option(f.flags, f.description);
  }
  return cmd;
}

/** Source options from the command line; the TLS pair must come together. */
export function liveOptionsFrom(o: FlagValues): LiveOptions {
  if (!o.tlsCert !== !o.tlsKey) throw new Error('--tls-cert and --tls-key go together');
  return liveOptionsFromFlags(o);
}

export interface AlertCliOptions extends OutputOptions {
  dataDir: string;
  exceptions?: string[];
  dedupWindow: string;
  rateLimit: string;
  retentionDays: string;
  retentionMb: string;
}

/** Alert-path options shared by every command that raises alerts into the store. */
export function alertOptions(cmd: Command): Command {
  return cmd
    .option('--stdout <format>', 'also print each new alert as NDJSON: alert, falco or ecs', parseFormat)
    .option('--webhook <url>', 'POST each new alert to this URL (retried, signed when a secret is set)')
    .option('--webhook-secret <secret>', 'HMAC-SHA256 key for X-Stowaway-Signature, which signs the time and the body (default: $STOWAWAY_WEBHOOK_SECRET)')
    .option('--webhook-format <format>', 'alert, falco or ecs', parseFormat)
    .option('--nats <servers>', 'publish each new alert to NATS (comma-separated servers)')
    .option('--nats-subject <prefix>', 'subject prefix; the level is appended', 'stowaway.alerts')
    .option('--nats-format <format>', 'alert, falco or ecs', parseFormat)
    .option('--exceptions <file...>', 'exception files besides <data-dir>/exceptions.yaml')
    .option('--dedup-window <seconds>', 'repeats of a rule on one entity within this span merge into one alert', String(DEFAULTS.dedupWindowS))
    .option(
      '--rate-limit <n/seconds>',
      'new alerts per rule per span of event time; the rest are held back and counted',
      `${DEFAULTS.rateLimit.perRule}/${DEFAULTS.rateLimit.windowS}`,
    )
    .option('--retention-days <n>', 'delete alerts last seen longer ago than this', '30')
    .option('--retention-mb <n>', 'keep the store under this size, deleting oldest alerts first', '1024');
}

export function alertPathFrom(o: AlertCliOptions): AlertPathOptions {
  const m = /^(\d+)\/(\d+)$/.exec(o.rateLimit);
  if (!m) throw new Error(`--rate-limit: '${o.rateLimit}' is not <count>/<seconds>`);
  return { ...o, dedupWindowS: nonNegative(o.dedupWindow, '--dedup-window'), rateLimit: { perRule: Number(m[1]), windowS: Number(m[2]) } };
}

export function retentionFrom(o: AlertCliOptions): { maxAgeDays: number; maxBytes: number } {
  return { maxAgeDays: nonNegative(o.retentionDays, '--retention-days'), maxBytes: nonNegative(o.retentionMb, '--retention-mb') * 1024 * 1024 };
}

export interface PageOptions {
  dataDir: string;
  host: string;
  port: string;
  token?: string;
  responsePolicy?: string;
}

/** The options every command that shows the page shares. */
export function pageOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'directory of the SQLite alert store', DEFAULT_DATA_DIR)
    .option('--host <addr>', 'address to bind the page to; anything but loopback requires a token', '127.0.0.1')
    .option('--port <n>', 'port of the page', String(DEFAULT_PORT))
    .option('--token <token>', 'access token (default: $STOWAWAY_TOKEN; generated when bound beyond loopback)');
}

/** The containment policy option of the commands that can act (`start`, `serve`). */
export function responseOption(cmd: Command): Command {
  return cmd.option(
    '--response-policy <file>',
    'containment policy: mode off | suggest | auto (default: <data-dir>/response.yaml; without one, off). See docs/response.md',
  );
}

export type OutputFormat = 'table' | 'json';

/** `--format table|json` of the read commands; anything else names the value and the choices. */
export function outputFormat(v: string): OutputFormat {
  if (v === 'table' || v === 'json') return v;
  throw new InvalidArgumentError(`'${v}' is not an output format: table or json`);
}
