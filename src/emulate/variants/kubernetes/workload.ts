// Workload objects: a pod shape wrapped in each workload kind as `kubectl apply` or a chart sends it.
import type { Actor, Request } from './audit.js';

export type Obj = Record<string, unknown>;
export type WorkloadKind = 'Pod' | 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'ReplicaSet' | 'ReplicationController' | 'Job' | 'CronJob' | 'PodTemplate';

const KINDS: Record<WorkloadKind, { resource: string; group: string }> = {
  Pod: { resource: 'pods', group: '' },
  Deployment: { resource: 'deployments', group: 'apps' },
  DaemonSet: { resource: 'daemonsets', group: 'apps' },
  StatefulSet: { resource: 'statefulsets', group: 'apps' },
  ReplicaSet: { resource: 'replicasets', group: 'apps' },
  ReplicationController: { resource: 'replicationcontrollers', group: '' },
  Job: { resource: 'jobs', group: 'batch' },
  CronJob: { resource: 'cronjobs', group: 'batch' },
  PodTemplate: { resource: 'podtemplates', group: '' },
};

export interface PodShape {
  spec: Obj;
  annotations?: Record<string, string>;
}

/** A workload of `kind` whose pods have `pod`, as `kubectl apply` or a chart sends it. */
export function workload(kind: WorkloadKind, name: string, ns: string, pod: PodShape): Obj {
  const { group } = KINDS[kind];
  const apiVersion = group === '' ? 'v1' : `${group}/v1`;
  const labels = { 'app.kubernetes.io/name': name };
  const podMeta: Obj = { labels, ...(pod.annotations ? { annotations: pod.annotations } : {}) };
  const template = { metadata: podMeta, spec: pod.spec };
  const meta = { name, namespace: ns, labels };
  const selector = { matchLabels: labels };
  switch (kind) {
    case 'Pod':
      return { kind, apiVersion, metadata: { ...meta, ...(pod.annotations ? { annotations: pod.annotations } : {}) }, spec: pod.spec };
    case 'Deployment':
    case 'ReplicaSet':
      return { kind, apiVersion, metadata: meta, spec: { replicas: 1, selector, template } };
    case 'DaemonSet':
      return { kind, apiVersion, metadata: meta, spec: { selector, template } };
    case 'StatefulSet':
      return { kind, apiVersion, metadata: meta, spec: { serviceName: name, replicas: 1, selector, template } };
    case 'ReplicationController':
      return { kind, apiVersion, metadata: meta, spec: { replicas: 1, selector: labels, template } };
    case 'Job':
      return { kind, apiVersion, metadata: meta, spec: { backoffLimit: 0, template: { ...template, spec: { restartPolicy: 'Never', ...pod.spec } } } };
    case 'CronJob':
      return {
        kind,
        apiVersion,
        metadata: meta,
        spec: { schedule: '*/30 * * * *', jobTemplate: { spec: { template: { ...template, spec: { restartPolicy: 'OnFailure', ...pod.spec } } } } },
      };
    case 'PodTemplate':
      return { kind, apiVersion, metadata: meta, template };
  }
}

export function createWorkload(actor: Actor, kind: WorkloadKind, name: string, ns: string, pod: PodShape): Request {
  const { resource, group } = KINDS[kind];
  return { actor, verb: 'create', resource, group, namespace: ns, name, body: workload(kind, name, ns, pod) };
}

export const ALPINE = 'docker.io/library/alpine:3.20';
export const sleeper = (extra: Obj = {}): Obj => ({ name: 'main', image: ALPINE, command: ['sleep', 'infinity'], ...extra });
/** A pod spec with one container, plus pod-level fields. */
export const one = (container: Obj = {}, podLevel: Obj = {}): PodShape => ({ spec: { ...podLevel, containers: [sleeper(container)] } });
export const hostPathPod = (path: string): PodShape =>
  one({ volumeMounts: [{ name: 'host', mountPath: '/host' }] }, { volumes: [{ name: 'host', hostPath: { path } }] });
