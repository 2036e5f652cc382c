// Kubernetes audit events (audit.k8s.io v1 and v1beta1), one by one or in an EventList,
// into StowawayEvents. The whole event stays under kubernetes.audit so Sigma's
// Kubernetes rules match by path (objectRef.resource, requestObject.spec ...).
import { textOf } from '../../model/values.js';
import type { EventMeta, OrchestratorInfo, ProcessInfo, StowawayEvent } from '../../model/event.js';
import type { SourceRecord } from '../types.js';
import { diag, isObj, num, str, strings, toIso, joinArgs, basename, type Obj } from '../util.js';
import { keyValues, persistentVolumeHostPaths, podInfo, podOf, requestBody } from './podspec.js';

export const K8S_LOGSOURCE = { product: 'kubernetes', category: 'application', service: 'audit' } as const;

/** One audit event, or an EventList (each item on its own; a bad item is a diagnostic). */
export function normalizeK8sAudit(doc: unknown, origin: string): SourceRecord[] {
  if (isObj(doc) && (doc.kind === 'EventList' || (Array.isArray(doc.items) && doc.kind === undefined))) {
    const items = Array.isArray(doc.items) ? doc.items : [];
    return items.flatMap((it, i) => normalizeOne(it, `${origin}#items[${i}]`, origin));
  }
  if (Array.isArray(doc)) return doc.flatMap((it, i) => normalizeOne(it, `${origin}#[${i}]`, origin));
  return normalizeOne(doc, origin, origin);
}

function normalizeOne(e: unknown, origin: string, diagOrigin: string): SourceRecord[] {
  const bad = (why: string): SourceRecord[] => [
    { diagnostic: diag('k8s-audit', 'bad-k8s-audit', `${origin.slice(diagOrigin.length) || 'event'}: ${why}`, diagOrigin) },
  ];
  if (!isObj(e)) return bad('audit event is not an object');
  const apiVersion = str(e.apiVersion);
  if (apiVersion && !apiVersion.startsWith('audit.k8s.io/')) return bad(`apiVersion ${apiVersion} is not audit.k8s.io`);
  if (e.kind !== undefined && e.kind !== 'Event') return bad(`kind ${textOf(e.kind)} is not Event`);
  const verb = str(e.verb);
  const meta: Obj = isObj(e.metadata) ? e.metadata : {};
  const ts = toIso(e.requestReceivedTimestamp) ?? toIso(e.stageTimestamp) ?? toIso(e.timestamp) ?? toIso(meta.creationTimestamp);
  if (!verb || !ts) return bad('missing verb or timestamp');

  const ref: Obj = isObj(e.objectRef) ? e.objectRef : {};
  const user: Obj = isObj(e.user) ? e.user : {};
  const status: Obj = isObj(e.responseStatus) ? e.responseStatus : {};
  const code = num(status.code);
  const resource = str(ref.resource);
  const sub = str(ref.subresource);
  const uri = str(e.requestURI);
  // What the request asks for: the body of a create or update, the change a patch makes (a JSON
  // patch read as the object it sets). The response stands in when the policy logged no request.
  // Subresources other than ephemeralcontainers (status, binding, scale ...) do not change the pod.
  const changes = (verb === 'create' || verb === 'update' || verb === 'patch') && (sub === undefined || sub === 'ephemeralcontainers');
  const body = changes ? requestBody(e.requestObject) : undefined;
  const isPod = resource === 'pods';
  const pod = changes ? (podOf(body, isPod) ?? (e.requestObject === undefined ? podOf(e.responseObject, isPod) : undefined)) : undefined;
  const pvPaths = changes && resource === 'persistentvolumes' ? persistentVolumeHostPaths(body ?? e.responseObject) : undefined;
  const labels = changes && isObj(body) && isObj(body.metadata) ? keyValues(body.metadata.labels) : undefined;
  const username = str(user.username);
  const sourceIps = strings(e.sourceIPs);
  // Built member by member with only what the event holds (no compact() copy afterwards).
  const orchestrator: OrchestratorInfo = { type: 'kubernetes' };
  set(orchestrator, 'namespace', str(ref.namespace));
  set(
    orchestrator,
    'resource',
    defined({ type: resource, name: str(ref.name), subresource: sub, api_group: str(ref.apiGroup), api_version: str(ref.apiVersion) }),
  );
  set(orchestrator, 'api_version', apiVersion);
  set(orchestrator, 'user', defined({ name: username, groups: strings(user.groups) }));
  orchestrator.verb = verb;
  set(orchestrator, 'request', defined({ uri, source_ips: sourceIps, user_agent: str(e.userAgent) }));
  set(orchestrator, 'response', defined({ status_code: code }));
  if (pod) orchestrator.pod = podInfo(pod.spec, pod.metadata, resource === 'pods' ? (str(ref.name) ?? str(pod.metadata.name)) : undefined);
  if (labels) orchestrator.labels = labels;
  if (pvPaths) orchestrator.volume = { host_paths: pvPaths };
  const event: EventMeta = {
    kind: 'event',
    module: 'kubernetes',
    dataset: 'kubernetes.audit',
    action: verb,
    category: sub === 'exec' || sub === 'attach' ? ['process'] : ['configuration'],
    type: [typeOf(verb, sub)],
    outcome: code === undefined ? 'unknown' : code < 400 ? 'success' : 'failure',
  };
  set(event, 'id', str(e.auditID));
  const ev: StowawayEvent = {
    '@timestamp': ts,
    event,
    stowaway: { source: 'k8s-audit', logsource: { ...K8S_LOGSOURCE }, origin },
    orchestrator,
  };
  if (username !== undefined) ev.user = { name: username };
  if (sourceIps?.[0]) ev.source = { ip: sourceIps[0] };
  ev.message = `${username ?? '?'} ${verb} ${resource ?? uri ?? ''}${sub ? '/' + sub : ''}${ref.name ? ' ' + textOf(ref.name) : ''}`;
  if (uri) ev.url = { path: uri.split('?')[0], full: uri };
  if ((sub === 'exec' || sub === 'attach') && uri) {
    // the command of `kubectl exec` travels in the query string
    const q = new URLSearchParams(uri.split('?')[1] ?? '');
    const args = q.getAll('command');
    if (args.length) {
      const p: ProcessInfo = { executable: args[0] };
      set(p, 'name', basename(args[0]));
      Object.assign(p, { args, args_count: args.length, command_line: joinArgs(args) });
      ev.process = p;
    }
    const cname = q.get('container');
    ev.container = cname !== null ? { name: cname } : {};
    Object.assign(ev.container, { runtime: 'kubernetes', metadata: 'partial', metadata_reason: 'Kubernetes audit names the container only' });
  }
  // the whole audit event stays as given, last
  ev.kubernetes = { audit: e };
  return [{ event: ev }];
}

/** Sets a member only when it has a value. */
function set<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}

/** The members that have a value; undefined when none has. */
function defined<T extends Obj>(o: T): T | undefined {
  let out: Obj | undefined;
  for (const k in o) {
    if (o[k] === undefined) continue;
    (out ??= {})[k] = o[k];
  }
  return out as T | undefined;
}

function typeOf(verb: string, sub: string | undefined): string {
  if (sub === 'exec' || sub === 'attach') return 'start';
  switch (verb) {
    case 'create':
      return 'creation';
    case 'delete':
    case 'deletecollection':
      return 'deletion';
    case 'update':
    case 'patch':
      return 'change';
    default:
      return 'access';
  }
}
