// The audit event builder: who acts (the actors of an ordinary cluster) and the audit.k8s.io/v1
// event the API server records for one request, deterministic so a variant always yields the same lines.
import { createHash } from 'node:crypto';

export interface Actor {
  username: string;
  groups: string[];
  userAgent: string;
  ip: string;
}

const KUBECTL = 'kubectl/v1.30.2 (linux/amd64) kubernetes/39683505';
export const DEV: Actor = { username: 'dev-jane', groups: ['developers', 'system:authenticated'], userAgent: KUBECTL, ip: '10.20.0.14' };
export const ADMIN: Actor = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], userAgent: KUBECTL, ip: '10.20.0.5' };
export const HELM: Actor = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], userAgent: 'helm/v3.15.2', ip: '10.20.0.5' };
export const CI: Actor = {
  username: 'system:serviceaccount:ci:deployer',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'],
  userAgent: 'helm/v3.15.2',
  ip: '10.244.1.17',
};
/** A workload's service account token, stolen and used from outside. */
export const STOLEN_SA: Actor = {
  username: 'system:serviceaccount:default:default',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
  userAgent: 'curl/8.5.0',
  ip: '10.244.3.9',
};

export function controller(name: string): Actor {
  const sa = `system:serviceaccount:kube-system:${name}`;
  return {
    username: sa,
    groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
    userAgent: `kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/39683505/${sa}`,
    ip: '10.20.0.5',
  };
}
export function serviceAccount(ns: string, name: string, userAgent: string): Actor {
  return {
    username: `system:serviceaccount:${ns}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
    userAgent,
    ip: '10.244.0.12',
  };
}
export const NODE: Actor = {
  username: 'system:node:cp-1',
  groups: ['system:nodes', 'system:authenticated'],
  userAgent: 'kubelet/v1.30.2 (linux/amd64) kubernetes/39683505',
  ip: '10.20.0.5',
};

export type Verb = 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'get' | 'list';

export interface Request {
  actor: Actor;
  verb: Verb;
  resource: string;
  /** API group; '' is the core group. */
  group?: string;
  version?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Query string of the request URI (exec commands travel there). */
  query?: string;
  /** Extra path after the subresource (nodes/proxy/...). */
  path?: string;
  body?: unknown;
  response?: unknown;
  code?: number;
}

/** Deterministic ids: the same variant always yields the same audit events. */
function uuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const T0 = Date.parse('2026-12-01T09:00:00.000Z');

/** One audit event as the API server writes it at the ResponseComplete stage. */
export function auditEvent(seed: string, i: number, r: Request): Record<string, unknown> {
  const group = r.group ?? '';
  const version = r.version ?? 'v1';
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  // a create names no object in its URI unless it creates a subresource (pods/x/exec)
  const named = r.name !== undefined && (r.verb !== 'create' || r.subresource !== undefined);
  const uri =
    base +
    (r.namespace !== undefined && r.resource !== 'namespaces' ? `/namespaces/${r.namespace}` : '') +
    `/${r.resource}` +
    (named ? `/${r.name}` : '') +
    (r.subresource ? `/${r.subresource}` : '') +
    (r.path ?? '') +
    (r.query ? `?${r.query}` : '');
  const streaming = r.subresource === 'exec' || r.subresource === 'attach' || r.subresource === 'portforward';
  const code = r.code ?? (streaming ? 101 : r.verb === 'create' ? 201 : 200);
  const t = new Date(T0 + i * 1500).toISOString().replace('Z', '000Z');
  const ev: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: r.body !== undefined || r.response !== undefined ? 'RequestResponse' : 'Metadata',
    auditID: uuid(`${seed}#${i}`),
    stage: 'ResponseComplete',
    requestURI: uri,
    verb: r.verb,
    user: { username: r.actor.username, groups: r.actor.groups },
    sourceIPs: [r.actor.ip],
    userAgent: r.actor.userAgent,
    objectRef: {
      resource: r.resource,
      ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      ...(r.name !== undefined ? { name: r.name } : {}),
      apiGroup: group,
      apiVersion: version,
      ...(r.subresource ? { subresource: r.subresource } : {}),
    },
    responseStatus: { metadata: {}, code },
    ...(r.body !== undefined ? { requestObject: r.body } : {}),
    ...(r.response !== undefined ? { responseObject: r.response } : {}),
    requestReceivedTimestamp: t,
    stageTimestamp: t,
    annotations: { 'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': '' },
  };
  return ev;
}
