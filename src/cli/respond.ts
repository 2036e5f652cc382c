// `stowaway respond <alert-id> [action]`: containment of an alert's container, process or pod,
// by a person, under the response policy; every attempt is written to the alert's audit trail.
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { formatDiagnostic } from '../model/diagnostic.js';
import { RESPONSE_ACTIONS, type ResponseAction } from '../model/response.js';
import { openStore, DEFAULT_DATA_DIR } from '../sinks/store/index.js';
import { createResponder, policyFor } from '../respond/index.js';
import { defaultStrategiesDir } from '../ads/index.js';

interface RespondOpts {
  dataDir: string;
  policy?: string;
  content?: string;
  dryRun?: boolean;
  actor?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('respond <alert-id> [action]')
    .description(
      `Contain the subject of an alert: ${RESPONSE_ACTIONS.join(', ')}. Without an action, list what the response policy allows for the alert and what was done so far. Nothing is changed while the policy's mode is off (the default); --dry-run says what would be done in any mode.`,
    )
    .option('--data-dir <dir>', 'directory of the SQLite alert store; evidence goes to <data-dir>/evidence/', DEFAULT_DATA_DIR)
    .option('--policy <file>', 'response policy file (default: <data-dir>/response.yaml)')
    .option('--content <dir>', 'strategies folder whose response.yml files apply (default: the shipped content/strategies)')
    .option('--dry-run', 'check everything and say what would be done; change nothing')
    .option('--actor <name>', 'who acts, for the audit trail (default: the login name)')
    .option('--json', 'print the audit row (or the policy view) as JSON')
    .addHelpText(
      'after',
      `
Actions:
  preserve    evidence into <data-dir>/evidence/: inspect, filesystem diff, logs, process list and
              the changed files of a container (or /proc of a host process tree), with sha256 digests
  isolate     disconnect the container from every network, recording them for restore
  restore     reconnect the networks the last isolate on this alert removed
  pause       freeze every process of the container; unpause thaws them
  stop        preserve, then stop the container (never removes it)
  terminate   preserve, then kill the host process tree the alert names (e.g. a hidden VM)
  quarantine  Kubernetes: a deny-all NetworkPolicy and a quarantine label for the pod; applied only
              with kubeconfig: in the policy file, otherwise written under <data-dir>/evidence/

Exit status: 0 done (or dry run); 1 refused by policy or safety checks, or failed; 2 bad usage.
See docs/response.md for the policy file (mode off | suggest | auto).`,
    )
    .action(async (alertId: string, action: string | undefined, o: RespondOpts) => {
      if (action !== undefined && !(RESPONSE_ACTIONS as readonly string[]).includes(action))
        throw new Error(`unknown action '${action}' (one of ${RESPONSE_ACTIONS.join(', ')})`);
      const { policy, diagnostics, file } = await policyFor({
        dataDir: o.dataDir,
        ...(o.policy ? { policyFile: o.policy } : {}),
        strategiesDir: o.content ?? defaultStrategiesDir(),
      });
      for (const d of diagnostics) process.stderr.write(`stowaway: ${formatDiagnostic(d)}\n`);
      const store = openStore(o.dataDir);
      try {
        const responder = createResponder({ store, policy, dataDir: o.dataDir });
        const alert = store.getAlert(alertId);
        if (!alert) throw new Error(`no alert ${alertId} in ${store.path}`);
        if (!action) {
          const p = responder.permitted(alert);
          if (o.json) {
            process.stdout.write(`${JSON.stringify({ mode: policy.mode, mode_source: policy.modeSource, ...p, trail: alert.response }, null, 2)}\n`);
            return;
          }
          const lines = [
            alert.summary,
            `  response mode: ${policy.mode} (${policy.modeSource === 'default' ? `default; ${file} not found` : policy.modeSource})`,
            `  allowed: ${p.allow.join(', ') || 'nothing'}${p.sources.length ? ` (${p.sources.join(', ')})` : ''}`,
            `  automatic in auto mode: ${p.auto.join(', ') || 'nothing'}`,
            ...alert.response.map(
              (r) =>
                `  ${r.started} ${r.action}${r.dry_run ? ' (dry run)' : ''} ${r.target} by ${r.actor}: ${r.result} — ${r.detail}${r.undo ? ` [undo: ${r.undo}]` : ''}`,
            ),
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
          return;
        }
        const actor = `cli:${o.actor ?? safeUser()}`;
        const rec = await responder.run(alertId, action as ResponseAction, { actor, dryRun: o.dryRun ?? false });
        if (o.json) process.stdout.write(`${JSON.stringify(rec, null, 2)}\n`);
        else
          process.stdout.write(
            `${rec.action}${rec.dry_run ? ' (dry run)' : ''} ${rec.target}: ${rec.result} in ${rec.duration_ms} ms — ${rec.detail}${rec.undo ? `\n  undo: ${rec.undo}` : ''}\n`,
          );
        if (rec.result === 'refused' || rec.result === 'failed') process.exitCode = 1;
      } finally {
        store.close();
      }
    });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

/** The responder `start` and `serve` run with; prints the mode and any policy problems. */
