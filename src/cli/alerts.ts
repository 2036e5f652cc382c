// `stowaway alerts`: the store from the terminal — list, show, set status, exceptions.
import type { Command } from 'commander';
import { outputFormat, type OutputFormat } from './options.js';
import { existsSync } from 'node:fs';
import { exceptionFiles } from '../runtime/index.js';
import { join } from 'node:path';
import { openStore, DEFAULT_DATA_DIR, STATUSES, STORE_FILE, type AlertQuery, type Store } from '../sinks/store/index.js';
import { LEVELS, type AlertStatus, type Level } from '../model/alert.js';
import { loadExceptions } from '../alerts/exceptions.js';
import { formatDiagnostic } from '../model/diagnostic.js';

interface ListOpts {
  dataDir: string;
  level?: string;
  minLevel?: string;
  status?: string;
  rule?: string;
  ads?: string;
  technique?: string;
  container?: string;
  host?: string;
  since?: string;
  text?: string;
  limit: string;
  json?: boolean;
  format?: OutputFormat;
}

function pickList<T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T[] | undefined {
  if (!v) return undefined;
  const parts = v.split(',').map((x) => x.trim());
  for (const p of parts) if (!(allowed as readonly string[]).includes(p)) throw new Error(`${flag}: '${p}' is not one of ${allowed.join(', ')}`);
  return parts as T[];
}

/** Reading commands never create a store: a missing file is a mistyped --data-dir or a fresh install. */
function existingStore(dataDir: string) {
  const file = join(dataDir, STORE_FILE);
  if (!existsSync(file)) throw new Error(`no alert store at ${file}; run \`stowaway start\` or \`stowaway demo\` first, or pass --data-dir`);
  return openStore(dataDir);
}

/** How many candidates an ambiguous prefix lists. */
const SHOWN_CANDIDATES = 10;

/** The full id of an alert named by its id or an unambiguous prefix; an ambiguous one lists its candidates. */
export function resolveId(store: Pick<Store, 'statusOf' | 'idsByPrefix'>, id: string): string {
  if (store.statusOf(id) !== undefined) return id;
  const ids = store.idsByPrefix(id, SHOWN_CANDIDATES + 1);
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new Error(`no alert ${id}`);
  const more = ids.length > SHOWN_CANDIDATES ? `\n  … and more; give more of the id` : '';
  throw new Error(
    `'${id}' is ambiguous: it starts ${ids.length > SHOWN_CANDIDATES ? `more than ${SHOWN_CANDIDATES}` : ids.length} alert ids:\n  ${ids.slice(0, SHOWN_CANDIDATES).join('\n  ')}${more}`,
  );
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function register(program: Command): void {
  const alerts = program.command('alerts').description('Work with stored alerts from the terminal: list, show, set status, list exceptions.');

  alerts
    .command('list')
    .description('List alerts, newest first.')
    .option('--data-dir <dir>', 'directory of the SQLite alert store', DEFAULT_DATA_DIR)
    .option('--level <levels>', `exact levels, comma-separated (${LEVELS.join(', ')})`)
    .option('--min-level <level>', 'this level or worse')
    .option('--status <statuses>', `comma-separated (${STATUSES.join(', ')})`)
    .option('--rule <id>', 'rule id or title')
    .option('--ads <id>', 'detection strategy id')
    .option('--technique <id>', 'ATT&CK technique; T1562 also finds T1562.001')
    .option('--container <x>', 'container id prefix, name, or image substring')
    .option('--host <name>', 'host name')
    .option('--since <time>', 'last seen at or after this ISO time')
    .option('--text <s>', 'text in summary, rule title or note')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'NDJSON, one alert per line')
    .option('--format <format>', 'table or json (the same as --json)', outputFormat)
    .action((o: ListOpts) => {
      if (o.format === 'json') o.json = true;
      const store = existingStore(o.dataDir);
      const q: AlertQuery = { limit: Number(o.limit) || 50 };
      const level = pickList<Level>(o.level, LEVELS, '--level');
      if (level) q.level = level;
      if (o.minLevel) q.minLevel = pickList<Level>(o.minLevel, LEVELS, '--min-level')![0];
      const status = pickList<AlertStatus>(o.status, STATUSES, '--status');
      if (status) q.status = status;
      Object.assign(q, { rule: o.rule, strategy: o.ads, technique: o.technique, container: o.container, host: o.host, since: o.since, text: o.text });
      const { total, alerts: list } = store.queryAlerts(q);
      if (o.json) for (const a of list) process.stdout.write(`${JSON.stringify(a)}\n`);
      else {
        for (const a of list) {
          const held = a.held_back ? ` +${a.held_back} held` : '';
          process.stdout.write(
            `${a.last_seen.slice(0, 19)}Z  ${pad(a.level, 8)} ${pad(a.status, 14)} x${pad(String(a.count) + held, 10)} ${a.summary}  [${a.id}]\n`,
          );
        }
        process.stderr.write(`${list.length} of ${total} alerts\n`);
      }
      store.close();
    });

  alerts
    .command('show <id>')
    .description('Show one alert with its events, response steps and history.')
    .option('--data-dir <dir>', 'directory of the SQLite alert store', DEFAULT_DATA_DIR)
    .option('--json', 'the stored alert as JSON')
    .action((id: string, o: { dataDir: string; json?: boolean }) => {
      const store = existingStore(o.dataDir);
      const a = store.getAlert(id);
      store.close();
      if (!a) throw new Error(`no alert ${id}`);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
        return;
      }
      const lines = [
        a.summary,
        `  level ${a.level}, status ${a.status}${a.note ? ` (${a.note})` : ''}, count ${a.count}${a.held_back ? `, ${a.held_back} held back` : ''}`,
        `  rule ${a.rule.title} [${a.rule.kind} ${a.rule.id}]`,
        a.strategy ? `  ADS ${a.strategy.id} ${a.strategy.title} (priority ${a.strategy.priority})` : '  ADS none',
        `  ATT&CK ${a.attack.map((t) => `${t.technique}${t.name ? ` ${t.name}` : ''} (${t.tactics.join(', ')})`).join('; ') || 'none'}`,
        `  seen ${a.first_seen} … ${a.last_seen}`,
        `  matched ${a.selections.join(', ') || 'condition'}`,
      ];
      if (a.strategy?.response.length) lines.push('  response:', ...a.strategy.response.map((s, i) => `    ${i + 1}. ${s}`));
      for (const h of a.history) lines.push(`  ${h.time} → ${h.status}${h.actor ? ` by ${h.actor}` : ''}${h.note ? `: ${h.note}` : ''}`);
      for (const r of a.response)
        lines.push(
          `  ${r.started} ${r.action}${r.dry_run ? ' (dry run)' : ''} ${r.target} by ${r.actor}: ${r.result} — ${r.detail}${r.undo ? ` [undo: ${r.undo}]` : ''}`,
        );
      lines.push(`  events (${a.events.length}):`, ...a.events.map((e) => `    ${JSON.stringify(e)}`));
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  alerts
    .command('ack <id>')
    .description("Set an alert's status (acknowledged by default) with an optional note. The id may be any unambiguous prefix.")
    .option('--data-dir <dir>', 'directory of the SQLite alert store', DEFAULT_DATA_DIR)
    .option('--status <status>', `one of ${STATUSES.join(', ')}`, 'acknowledged')
    .option('--note <text>', 'why')
    .option('--actor <name>', 'who', process.env.USER ?? 'cli')
    .action((id: string, o: { dataDir: string; status: string; note?: string; actor: string }) => {
      const status = pickList<AlertStatus>(o.status, STATUSES, '--status')![0]!;
      const store = existingStore(o.dataDir);
      let full: string;
      try {
        full = resolveId(store, id);
      } catch (e) {
        store.close();
        throw e;
      }
      const a = store.setStatus(full, status, o.note, o.actor);
      store.close();
      if (!a) throw new Error(`no alert ${id}`);
      process.stdout.write(`${a.id} ${a.status}${a.note ? ` (${a.note})` : ''}\n`);
    });

  alerts
    .command('exceptions')
    .description('List alert exceptions with their lint findings and how many findings each has excepted.')
    .option('--data-dir <dir>', 'directory of the SQLite alert store (and of exceptions.yaml)', DEFAULT_DATA_DIR)
    .option('--exceptions <file...>', 'exception files besides <data-dir>/exceptions.yaml')
    .action((o: { dataDir: string; exceptions?: string[] }) => {
      const files = exceptionFiles(o.dataDir, o.exceptions);
      if (files.length === 0) {
        process.stdout.write(`no exception files (looked for ${join(o.dataDir, 'exceptions.yaml')}); see docs/alerts.md\n`);
        return;
      }
      const hits = existsSync(join(o.dataDir, STORE_FILE))
        ? (() => {
            const s = openStore(o.dataDir);
            const c = s.counters('exception.');
            s.close();
            return c;
          })()
        : {};
      let errors = 0;
      for (const f of files) {
        const set = loadExceptions(f);
        process.stdout.write(`${f}: ${set.exceptions.length} exceptions\n`);
        for (const e of set.exceptions) {
          const scope = [
            e.scope?.image && `image=${e.scope.image.join('|')}`,
            e.scope?.namespace && `namespace=${e.scope.namespace.join('|')}`,
            e.scope?.label && `label=${JSON.stringify(e.scope.label)}`,
            e.when && `when=${JSON.stringify(e.when)}`,
          ]
            .filter(Boolean)
            .join(' ');
          process.stdout.write(
            `  ${pad(e.id, 24)} rule ${e.rule}  ${scope || '(everywhere)'}${e.expires ? ` until ${e.expires.slice(0, 10)}` : ''}  excepted ${hits[`exception.${e.id}`] ?? 0}\n    ${e.reason}\n`,
          );
        }
        for (const d of set.diagnostics) {
          if (d.severity === 'error') errors++;
          process.stdout.write(`  ${formatDiagnostic(d)}\n`);
        }
      }
      if (errors) process.exitCode = 1;
    });
}
