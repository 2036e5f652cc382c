// Containment, opt-in and audited. The responder is the only part of stowaway that
// writes to the Docker engine, signals processes or changes a cluster, and it refuses
// to unless the policy's mode is `suggest` or `auto`. Every attempt — done, dry run,
// refused or failed — becomes a row of the audit trail on the alert.
//
//   const r = createResponder({ store, policy, dataDir });
//   await r.run(alertId, 'isolate', { actor: 'cli:alice' });   // a person
//   await r.onAlert(alert);                                    // the alert path, for `auto`
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Alert } from '../model/alert.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { ResponseAction, ResponseMode, ResponseRecord, ResponseResult } from '../model/response.js';
import type { Store } from '../sinks/store/index.js';
import { loadPolicy, permitted, type Permission, type ResponsePolicy } from './policy.js';
import { createRateLimit, selfContainerIds } from './safety.js';
import { act, Refusal, type ActionContext } from './actions.js';
import type { ActionOutcome } from './docker.js';

export { loadPolicy, permitted, emptyPolicy, USER_POLICY_FILE, RESPONSE_FILE, type ResponsePolicy } from './policy.js';

export interface ResponderOptions {
  store: Store;
  policy: ResponsePolicy;
  /** Evidence bundles and generated manifests go under `<dataDir>/evidence/`. */
  dataDir: string;
  docker?: Docker;
  /** Container ids of stowaway itself (default: read from /proc/self). */
  selfIds?: string[];
  now?: () => Date;
  log?: (line: string) => void;
}

export interface RunOptions {
  /** `cli:<user>`, `web:<name>`, `auto:<policy entry>`. */
  actor: string;
  dryRun?: boolean;
}

export interface Responder {
  readonly mode: ResponseMode;
  readonly policy: ResponsePolicy;
  /** What the policy allows for this alert (the page's buttons), and what `auto` would run. */
  permitted(alert: Alert): Permission;
  /** One action on the subject of a stored alert; always returns the audit row it wrote. */
  run(alertId: string, action: ResponseAction, opts: RunOptions): Promise<ResponseRecord>;
  /** For each new alert: in `auto` mode, runs the policy's automatic actions (rate-limited); otherwise nothing. */
  onAlert(alert: Alert): Promise<ResponseRecord[]>;
}

/** The subject an action works on, from the alert's entity. */
export function targetOf(alert: Pick<Alert, 'entity'>, action: ResponseAction): string {
  const e = alert.entity;
  if (action === 'quarantine') {
    if (!e.pod?.namespace || !e.pod.name) throw new Refusal('quarantine acts on a Kubernetes pod and the alert names none');
    return `pod:${e.pod.namespace}/${e.pod.name}`;
  }
  if (action === 'terminate') {
    if (e.container?.id) throw new Refusal('the process runs in a container: stop or isolate the container instead of signalling into it');
    if (!e.process?.executable) throw new Refusal('terminate acts on a host process and the alert names none');
    return `process:${e.process.pid ?? '?'}`;
  }
  if (action === 'preserve' && !e.container?.id && e.process?.executable) return `process:${e.process.pid ?? '?'}`;
  if (!e.container?.id) throw new Refusal(`${action} acts on a container and the alert names no container id`);
  return `container:${e.container.id}`;
}

export function createResponder(opts: ResponderOptions): Responder {
  const { store, policy } = opts;
  const docker = opts.docker ?? new Docker();
  const selfIds = opts.selfIds ?? selfContainerIds();
  const now = opts.now ?? (() => new Date());
  const limiter = createRateLimit(policy.autoRate.count, policy.autoRate.windowS, () => now().getTime());
  // Several rules often fire on one container within a second: one automatic isolate (or
  // preserve) answers them all; the later alerts record that it was already done.
  const recentAuto = new Map<string, { alertId: string; at: number; done: Promise<ResponseRecord> }>();
  const COALESCE_MS = 60_000;

  const ctx: ActionContext = { docker, store, policy, dataDir: opts.dataDir, selfIds, now };

  async function runOn(alert: Alert, action: ResponseAction, o: RunOptions): Promise<ResponseRecord> {
    const started = now();
    const dryRun = o.dryRun ?? false;
    let target = '?';
    let result: ResponseResult;
    let outcome: ActionOutcome;
    try {
      target = targetOf(alert, action);
      const perm = permitted(policy, alert);
      if (!perm.allow.includes(action))
        throw new Refusal(
          `the response policy allows ${perm.allow.join(', ') || 'nothing'} for rule ${alert.rule.id} at level ${alert.level}${alert.strategy ? ` (${alert.strategy.id})` : ''}, not ${action}`,
        );
      if (policy.mode === 'off' && !dryRun)
        throw new Refusal(`response mode is off (${policy.modeSource}): nothing is changed; set mode: suggest or auto in the policy file, or use --dry-run`);
      outcome = await act(ctx, alert, action, target, dryRun);
      result = dryRun ? 'dry-run' : 'done';
    } catch (e) {
      result = e instanceof Refusal ? 'refused' : 'failed';
      outcome = { detail: (e as Error).message };
    }
    const finished = now();
    const rec: ResponseRecord = {
      id: randomUUID(),
      alert_id: alert.id,
      actor: o.actor,
      action,
      target,
      dry_run: dryRun,
      result,
      detail: outcome.detail,
      ...(outcome.undo && result === 'done' ? { undo: outcome.undo } : {}),
      ...(outcome.data ? { data: outcome.data } : {}),
      started: started.toISOString(),
      finished: finished.toISOString(),
      duration_ms: finished.getTime() - started.getTime(),
    };
    store.recordResponse(rec);
    opts.log?.(`respond ${action} ${target} for alert ${alert.id}: ${result}: ${rec.detail}`);
    return rec;
  }

  return {
    mode: policy.mode,
    policy,
    permitted: (alert) => permitted(policy, alert),
    async run(alertId, action, o) {
      const alert = store.getAlert(alertId);
      if (!alert) throw new Error(`no alert ${alertId}`);
      return runOn(alert, action, o);
    },
    async onAlert(alert) {
      if (policy.mode !== 'auto') return [];
      const perm = permitted(policy, alert);
      if (!perm.auto.length) return [];
      const actor = `auto:${perm.sources.join(',')}`;
      if (!limiter.take()) {
        const t = now().toISOString();
        const rec: ResponseRecord = {
          id: randomUUID(),
          alert_id: alert.id,
          actor,
          action: perm.auto[0]!,
          target: (() => {
            try {
              return targetOf(alert, perm.auto[0]!);
            } catch {
              return '?';
            }
          })(),
          dry_run: false,
          result: 'refused',
          detail: `automatic actions rate-limited (${policy.autoRate.count} per ${policy.autoRate.windowS}s); ${perm.auto.join(', ')} not run — act from the page or CLI`,
          started: t,
          finished: t,
          duration_ms: 0,
        };
        store.recordResponse(rec);
        return [rec];
      }
      const out: ResponseRecord[] = [];
      for (const a of perm.auto) {
        let target = '?';
        try {
          target = targetOf(alert, a);
        } catch {
          /* runOn records the refusal */
        }
        const key = `${a}\u0000${target}`;
        const prev = recentAuto.get(key);
        if (prev && prev.alertId !== alert.id && now().getTime() - prev.at < COALESCE_MS) {
          const first = await prev.done;
          if (first.result === 'done') {
            const t = now().toISOString();
            const rec: ResponseRecord = {
              id: randomUUID(),
              alert_id: alert.id,
              actor,
              action: a,
              target,
              dry_run: false,
              result: 'done',
              detail: `already done for alert ${prev.alertId} at ${first.finished}: ${first.detail}`,
              ...(first.undo ? { undo: first.undo.replace(prev.alertId, alert.id) } : {}),
              data: { ...first.data, same_as: first.id },
              started: t,
              finished: t,
              duration_ms: 0,
            };
            store.recordResponse(rec);
            out.push(rec);
            continue;
          }
        }
        const done = runOn(alert, a, { actor });
        if (target !== '?') recentAuto.set(key, { alertId: alert.id, at: now().getTime(), done });
        // Each action checks the target itself: an isolate refused for a host-network
        // container still leaves its evidence to preserve.
        out.push(await done);
      }
      return out;
    },
  };
}

/** The policy a command runs with: the content's response.yml files, then `--policy` or `<data-dir>/response.yaml`. */
export async function policyFor(o: {
  dataDir: string;
  policyFile?: string;
  strategiesDir: string;
}): Promise<{ policy: ResponsePolicy; diagnostics: Diagnostic[]; file: string }> {
  const file = o.policyFile ?? join(o.dataDir, 'response.yaml');
  if (o.policyFile && !existsSync(o.policyFile)) throw new Error(`response policy ${o.policyFile} not found`);
  const r = await loadPolicy(o.strategiesDir, file);
  return { ...r, file };
}
