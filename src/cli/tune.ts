// `stowaway tune`: the noisiest rules and images in the store, and where each is tuned.
import type { Command } from 'commander';
import { outputFormat, type OutputFormat } from './options.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, DEFAULT_DATA_DIR, STORE_FILE } from '../sinks/store/index.js';
import { noisiest, type ImageNoise, type RuleNoise } from '../sinks/store/noise.js';

interface TuneOptions {
  dataDir: string;
  since?: string;
  limit: string;
  json?: boolean;
  format?: OutputFormat;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatNoise(r: { total: { alerts: number; findings: number }; rules: RuleNoise[]; images: ImageNoise[] }): string {
  const share = (n: number): string => (r.total.findings ? `${Math.round((100 * n) / r.total.findings)}%` : '-');
  const rules = table(
    ['rule', 'title', 'alerts', 'findings', 'share', 'false+', 'images'],
    r.rules.map((x) => [
      x.rule_id.slice(0, 8),
      x.rule_title.slice(0, 60),
      String(x.alerts),
      String(x.findings),
      share(x.findings),
      String(x.false_positive),
      String(x.images),
    ]),
  );
  const images = table(
    ['image', 'alerts', 'findings', 'share', 'false+', 'rules'],
    r.images.map((x) => [x.image, String(x.alerts), String(x.findings), share(x.findings), String(x.false_positive), x.rules.join('; ').slice(0, 80)]),
  );
  return [
    `${r.total.alerts} alerts standing for ${r.total.findings} findings`,
    '',
    'noisiest rules',
    rules,
    '',
    'noisiest images',
    images,
    '',
    'To quiet an image everywhere a rule allows images, add it to a placeholders file (--placeholders, docs/tuning.md);',
    'for one rule on one image, write an exception (<data-dir>/exceptions.yaml, docs/alerts.md).',
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('tune')
    .description('Print the noisiest rules and images from the alert store (findings, alerts, false positives), and where each is tuned')
    .option('--data-dir <dir>', 'directory of the SQLite alert store', DEFAULT_DATA_DIR)
    .option('--since <time>', 'only alerts last seen at or after this ISO time')
    .option('--limit <n>', 'rows per table', '10')
    .option('--json', 'print the figures as JSON')
    .option('--format <format>', 'table or json (the same as --json)', outputFormat)
    .action((o: TuneOptions) => {
      if (o.format === 'json') o.json = true;
      const file = join(o.dataDir, STORE_FILE);
      if (!existsSync(file)) throw new Error(`no alert store at ${file}; run \`stowaway start\` or \`stowaway demo\` first, or pass --data-dir`);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit: '${o.limit}' is not a positive whole number`);
      const store = openStore(o.dataDir);
      try {
        const r = noisiest(store.db, { ...(o.since ? { since: o.since } : {}), limit });
        process.stdout.write((o.json ? JSON.stringify(r, null, 2) : formatNoise(r)) + '\n');
      } finally {
        store.close();
      }
    });
}
