// The actions themselves, one function per kind of subject: a container (through the Docker
// engine), a host process (through /proc and signals), a pod (through the cluster). Each checks its
// subject is still the alert's before it changes anything, and throws a Refusal when it will not act.
import Docker from 'dockerode';
import type { Alert } from '../model/alert.js';
import type { ResponseAction } from '../model/response.js';
import type { Store } from '../sinks/store/index.js';
import type { ResponsePolicy } from './policy.js';
import { protectedReason, sameContainer } from './safety.js';
import {
  attachments,
  inspectContainer,
  isolate,
  pause,
  restore,
  sharedNetworkMode,
  stop,
  unpause,
  type ActionOutcome,
  type NetworkAttachment,
} from './docker.js';
import { bundleDir, preserveContainer, type EvidenceBundle } from './evidence.js';
import { allProcs, findAlertProcess, preserveProcesses, processTree, startedAtMs, terminateTree, untouchable } from './process.js';
import { quarantinePod } from './k8s.js';

/** An action the responder will not take, with the reason; recorded as `refused`, not `failed`. */
export class Refusal extends Error {}

/** A daemonized VM's process is born a moment after the exec audit saw; clocks round. */
const PROCESS_START_SLACK_MS = 5_000;

export const CONTAINER_ACTIONS: readonly ResponseAction[] = ['isolate', 'restore', 'pause', 'unpause', 'stop'];

/** What every action needs from the responder. */
export interface ActionContext {
  docker: Docker;
  store: Store;
  policy: ResponsePolicy;
  dataDir: string;
  selfIds: string[];
  now: () => Date;
}

const bundleData = (b: EvidenceBundle): Record<string, unknown> => ({
  evidence: { dir: b.dir, manifest_sha256: b.manifest_sha256, files: b.files, missing: b.missing },
});

function evidenceDir(ctx: ActionContext, alert: Alert, subject: string): string {
  return bundleDir(ctx.dataDir, alert.id, subject, ctx.now());
}

/** The container, checked: still the alert's, not protected, not stowaway. */
async function checkedContainer(ctx: ActionContext, alert: Alert): Promise<{ id: string; name: string; state: string }> {
  const want = alert.entity.container?.id;
  let found;
  try {
    found = await inspectContainer(ctx.docker, want!);
  } catch (e) {
    throw new Refusal(`container ${want?.slice(0, 12)} not found: ${(e as Error).message.split('\n')[0]}`);
  }
  const notSame = sameContainer(want, found);
  if (notSame) throw new Refusal(notSame);
  const facts = { id: found.Id, name: found.Name.replace(/^\//, ''), image: found.Config?.Image ?? '', labels: found.Config?.Labels ?? {} };
  const prot = protectedReason(facts, ctx.policy.protect, ctx.selfIds);
  if (prot) throw new Refusal(prot);
  return { id: found.Id, name: facts.name, state: found.State?.Status ?? 'unknown' };
}

/** The networks the latest completed isolate of this container on this alert removed. */
function isolatedNetworks(store: Store, alertId: string, target: string): NetworkAttachment[] | undefined {
  const last = store
    .responses(alertId)
    .filter((r) => r.target === target && r.action === 'isolate' && r.result === 'done' && !r.dry_run)
    .pop();
  return last?.data?.networks as NetworkAttachment[] | undefined;
}

/** preserve, isolate, restore, pause, unpause or stop on the alert's container. */
export async function containerAction(ctx: ActionContext, alert: Alert, action: ResponseAction, target: string, dryRun: boolean): Promise<ActionOutcome> {
  const { docker } = ctx;
  const c = await checkedContainer(ctx, alert);
  const label = `${c.name} (${c.id.slice(0, 12)})`;
  const withUndo = (o: ActionOutcome): ActionOutcome => ({ ...o, detail: `${label} ${o.detail}`, undo: o.undo?.replace('<alert-id>', alert.id) });
  // A `--rm` container that has exited is on its way out: the engine refuses every change to it.
  if ((c.state === 'removing' || c.state === 'dead') && action !== 'preserve')
    throw new Refusal(`${label} has exited and is ${c.state}: nothing left to ${action}`);
  if (action === 'preserve') {
    if (dryRun) return { detail: `would write inspect, filesystem diff, logs, process list and changed files of ${label} with sha256 digests` };
    const b = await preserveContainer(docker, c.id, evidenceDir(ctx, alert, `container-${c.id.slice(0, 12)}`));
    return {
      detail: `evidence of ${label}: ${b.files.length} files in ${b.dir} (manifest sha256 ${b.manifest_sha256.slice(0, 16)}…)${b.missing.length ? `; not collected: ${b.missing.join('; ')}` : ''}`,
      data: bundleData(b),
    };
  }
  if (action === 'isolate') {
    if (dryRun) {
      const i = await inspectContainer(docker, c.id);
      const shared = sharedNetworkMode(i.HostConfig?.NetworkMode);
      if (shared) throw new Refusal(`cannot isolate ${label}: ${shared}`);
      const nets = attachments(i)
        .map((n) => n.name)
        .join(', ');
      return { detail: `would disconnect ${label} from ${nets || 'no network'}` };
    }
    return withUndo(await isolate(docker, c.id));
  }
  if (action === 'restore') {
    const nets = isolatedNetworks(ctx.store, alert.id, target);
    if (!nets) throw new Refusal(`no completed isolate of ${label} on this alert to undo`);
    if (dryRun) return { detail: `would reconnect ${label} to ${nets.map((n) => n.name).join(', ') || 'nothing'}` };
    return withUndo(await restore(docker, c.id, nets));
  }
  if (action === 'pause' || action === 'unpause') {
    if (dryRun) return { detail: `would ${action} ${label}` };
    return withUndo(await (action === 'pause' ? pause : unpause)(docker, c.id));
  }
  // stop destroys the processes and their memory: evidence first, and no stop without it.
  if (dryRun) return { detail: `would preserve evidence of ${label}, then stop it` };
  const b = await preserveContainer(docker, c.id, evidenceDir(ctx, alert, `container-${c.id.slice(0, 12)}`));
  const o = await stop(docker, c.id);
  return {
    ...o,
    detail: `evidence first (${b.files.length} files, manifest sha256 ${b.manifest_sha256.slice(0, 16)}…), then ${label} ${o.detail}`,
    data: { ...o.data, ...bundleData(b) },
  };
}

/** preserve or terminate the alert's host process and its descendants. */
export async function processAction(ctx: ActionContext, alert: Alert, action: 'terminate' | 'preserve', dryRun: boolean): Promise<ActionOutcome> {
  const procs = allProcs();
  const found = findAlertProcess(alert.entity.process ?? {}, procs);
  if (!found.proc) throw new Refusal(found.reason);
  if (untouchable(procs).has(found.proc.pid)) throw new Refusal(`pid ${found.proc.pid} is init, stowaway itself or one of its ancestors`);
  // A process born after the alert is not the one the alert saw, whatever it runs (pid reuse).
  const born = startedAtMs(found.proc);
  const seen = Date.parse(alert.last_seen);
  if (born !== undefined && Number.isFinite(seen) && born > seen + PROCESS_START_SLACK_MS)
    throw new Refusal(
      `pid ${found.proc.pid} started at ${new Date(born).toISOString()}, after the alert's last event (${alert.last_seen}): not the process the alert saw`,
    );
  const tree = processTree(found.proc.pid, procs);
  const label = `pid ${found.proc.pid} ${found.proc.exe ?? found.proc.cmdline}`;
  if (dryRun)
    return {
      detail: `${found.reason}; would preserve /proc evidence of ${tree.length} process(es)${action === 'terminate' ? ' then SIGSTOP and SIGKILL the tree' : ''}`,
    };
  const b = await preserveProcesses(tree, evidenceDir(ctx, alert, `process-${found.proc.pid}`));
  if (action === 'preserve') return { detail: `evidence of ${label} and ${tree.length - 1} descendant(s) in ${b.dir}`, data: bundleData(b) };
  const o = await terminateTree(tree);
  return { ...o, detail: `${found.reason}; evidence first (${b.files.length} files), then ${o.detail}`, data: { ...o.data, ...bundleData(b) } };
}

/** Quarantines the alert's pod (a deny-all NetworkPolicy and a label), evidence first. */
export async function podAction(ctx: ActionContext, alert: Alert, dryRun: boolean): Promise<ActionOutcome> {
  const pod = alert.entity.pod!;
  return quarantinePod(
    { namespace: pod.namespace!, name: pod.name! },
    alert.id,
    evidenceDir(ctx, alert, `pod-${pod.namespace}-${pod.name}`),
    ctx.policy.kubeconfig,
    dryRun,
  );
}

/** Runs one action on its subject; `target` comes from `targetOf`. */
export async function act(ctx: ActionContext, alert: Alert, action: ResponseAction, target: string, dryRun: boolean): Promise<ActionOutcome> {
  if (CONTAINER_ACTIONS.includes(action) || (action === 'preserve' && target.startsWith('container:')))
    return containerAction(ctx, alert, action, target, dryRun);
  if (action === 'terminate' || action === 'preserve') return processAction(ctx, alert, action, dryRun);
  if (action === 'quarantine') return podAction(ctx, alert, dryRun);
  throw new Refusal(`unknown action ${action}`);
}
