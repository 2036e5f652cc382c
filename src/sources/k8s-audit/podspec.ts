// The pod a Kubernetes request asks for, whatever object carries it: a Pod, the pod template of a
// Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job or PodTemplate, a
// CronJob's job template, or the ephemeral containers added to a running pod. Every spelling of a
// setting (pod or container level, init/regular/ephemeral container, field or legacy annotation,
// path written with `//`, `..`, a trailing slash or through /var/run) becomes one normalized field,
// so one rule covers them all.
import type { OrchestratorInfo } from '../../model/event.js';
import { isObj, str, strings, type Obj } from '../util.js';

export type PodInfo = NonNullable<OrchestratorInfo['pod']>;

/** Keys only a pod spec has; a patch that sets any of them changes what the pod may do. */
const POD_SPEC_KEYS = ['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'hostPID', 'hostIPC', 'hostNetwork', 'securityContext', 'hostUsers'];

function isPodSpec(v: unknown): v is Obj {
  return isObj(v) && POD_SPEC_KEYS.some((k) => k in v);
}

function hasAnnotations(o: unknown): boolean {
  return isObj(o) && isObj(o.metadata) && isObj(o.metadata.annotations);
}

/** A pod template: a spec, or only annotations (a patch that changes just those). */
function template(t: unknown): { spec: Obj; metadata: Obj } | undefined {
  if (!isObj(t)) return undefined;
  if (isPodSpec(t.spec)) return { spec: t.spec, metadata: isObj(t.metadata) ? t.metadata : {} };
  if (hasAnnotations(t)) return { spec: {}, metadata: t.metadata as Obj };
  return undefined;
}

/**
 * The pod spec and its metadata inside an object (or a merge/strategic patch of one). `isPod`: the
 * object is a Pod, so a patch of its annotations alone (kubectl annotate) is a change of the pod.
 */
export function podOf(obj: unknown, isPod = false): { spec: Obj; metadata: Obj } | undefined {
  if (!isObj(obj)) return undefined;
  const spec = obj.spec;
  if (isPodSpec(spec) || (isPod && hasAnnotations(obj))) return { spec: isObj(spec) ? spec : {}, metadata: isObj(obj.metadata) ? obj.metadata : {} };
  if (isObj(spec)) {
    // Deployment, DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job
    const t = template(spec.template);
    if (t) return t;
    // CronJob
    if (isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec)) return template(spec.jobTemplate.spec.template);
  }
  // PodTemplate keeps its template at the top level
  return template(obj.template);
}

/**
 * The node paths a PersistentVolume exposes (hostPath and local volumes), resolved like a pod's:
 * a PV of the node root bound to a claim gives a pod the same access without a hostPath in its spec.
 */
export function persistentVolumeHostPaths(obj: unknown): string[] | undefined {
  if (!isObj(obj) || !isObj(obj.spec)) return undefined;
  const s = obj.spec;
  const paths = [isObj(s.hostPath) ? str(s.hostPath.path) : undefined, isObj(s.local) ? str(s.local.path) : undefined].filter((p): p is string => !!p);
  return paths.length ? paths.map(normalizeHostPath) : undefined;
}

/**
 * A JSON patch (RFC 6902) as the object it sets: `add`/`replace` values at their paths, `remove`
 * as null (what a merge patch writes for a removal). Enough to read what a patch changes.
 */
export function jsonPatchObject(ops: readonly unknown[]): Obj {
  const root: Obj = {};
  for (const op of ops) {
    if (!isObj(op) || typeof op.path !== 'string') continue;
    const kind = op.op;
    if (kind !== 'add' && kind !== 'replace' && kind !== 'remove') continue;
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (parts.length === 0) continue;
    let cur: Obj | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^(\d+|-)$/.test(parts[i + 1]!);
      const value = last ? (kind === 'remove' ? null : op.value) : undefined;
      if (Array.isArray(cur)) {
        // array positions do not matter for reading a setting: append
        if (last) {
          cur.push(value);
          break;
        }
        const child: Obj | unknown[] = nextIsIndex ? [] : {};
        cur.push(child);
        cur = child;
      } else {
        const key = parts[i]!;
        if (last) {
          cur[key] = value;
          break;
        }
        const existing: unknown = cur[key];
        if (isObj(existing) || Array.isArray(existing)) cur = existing;
        else {
          const child: Obj | unknown[] = nextIsIndex ? [] : {};
          cur[key] = child;
          cur = child;
        }
      }
    }
  }
  return root;
}

/** A request body as an object: JSON patches become the object they set. */
export function requestBody(v: unknown): unknown {
  return Array.isArray(v) ? jsonPatchObject(v) : v;
}

/**
 * A host path as the node resolves it: `//` and `.` collapse, `..` climbs, a trailing slash goes,
 * and `/var/run` is `/run` (a symlink on every current distribution, so `..` after it climbs from
 * /run). Relative paths (invalid for hostPath) come back as written.
 */
export function normalizeHostPath(p: string): string {
  if (!p.startsWith('/')) return p;
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
    if (out.length === 2 && out[0] === 'var' && out[1] === 'run') out.splice(0, 2, 'run');
  }
  return '/' + out.join('/');
}

/** `CAP_SYS_ADMIN`, `sys_admin` and `SYS_ADMIN` are one capability. */
export function normalizeCapability(c: string): string {
  const u = c.trim().toUpperCase();
  return u.startsWith('CAP_') ? u.slice(4) : u;
}

/** `key=value` for each member; a removed member (null) is `key-`, as `kubectl label` writes it. */
export function keyValues(m: unknown): string[] | undefined {
  if (!isObj(m)) return undefined;
  const out = Object.entries(m).map(([k, v]) => (v === null ? `${k}-` : `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`));
  return out.length ? out : undefined;
}

const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_CONTAINER = 'container.apparmor.security.beta.kubernetes.io/';

/**
 * The isolation a pod gives up, spelled as Docker's `--security-opt` so rules and analysts read one
 * vocabulary: seccomp=unconfined, apparmor=unconfined, label=type:<selinux type>,
 * systempaths=unconfined (procMount: Unmasked), no-new-privileges=false (allowPrivilegeEscalation: true).
 */
function securityOpts(spec: Obj, containers: Obj[], annotations: Obj): string[] {
  const out = new Set<string>();
  const psc = isObj(spec.securityContext) ? spec.securityContext : {};
  const contexts = [psc, ...containers.map((c) => (isObj(c.securityContext) ? c.securityContext : {}))];
  for (const sc of contexts) {
    if (isObj(sc.seccompProfile) && String(sc.seccompProfile.type).toLowerCase() === 'unconfined') out.add('seccomp=unconfined');
    if (isObj(sc.appArmorProfile) && String(sc.appArmorProfile.type).toLowerCase() === 'unconfined') out.add('apparmor=unconfined');
    if (isObj(sc.seLinuxOptions) && str(sc.seLinuxOptions.type)) out.add(`label=type:${str(sc.seLinuxOptions.type)}`);
    if (str(sc.procMount)?.toLowerCase() === 'unmasked') out.add('systempaths=unconfined');
    if (sc.allowPrivilegeEscalation === true) out.add('no-new-privileges=false');
  }
  for (const [k, v] of Object.entries(annotations)) {
    const val = typeof v === 'string' ? v.toLowerCase() : '';
    if ((k === SECCOMP_POD || k.startsWith(SECCOMP_CONTAINER)) && val === 'unconfined') out.add('seccomp=unconfined');
    if (k.startsWith(APPARMOR_CONTAINER) && val === 'unconfined') out.add('apparmor=unconfined');
  }
  return [...out];
}

function securityContext(c: Obj): Obj {
  return isObj(c.securityContext) ? c.securityContext : {};
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function nonEmpty<T>(xs: T[]): T[] | undefined {
  return xs.length ? [...new Set(xs)] : undefined;
}

/**
 * Who publishes an image: its registry and first path segment (`docker.io/falcosecurity`,
 * `registry.k8s.io/sig-storage`), or the registry alone for single-segment names
 * (`registry.k8s.io` for kube-proxy); Docker Hub short names are `docker.io/library`.
 */
export function imageOwner(ref: string): string {
  const parts = ref.split('@')[0]!.split('/');
  const first = parts[0]!;
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first.toLowerCase() : 'docker.io';
  const path = hasRegistry ? parts.slice(1) : parts;
  if (path.length > 1) return `${registry}/${path[0]}`;
  return registry === 'docker.io' ? 'docker.io/library' : registry;
}

/** Everything a rule needs to know about a pod spec, normalized; absent members are omitted. */
export function podInfo(spec: Obj, metadata: Obj, name: string | undefined): PodInfo {
  const init = list(spec.initContainers);
  const main = list(spec.containers);
  const ephemeral = list(spec.ephemeralContainers);
  const containers = [...init, ...main, ...ephemeral];
  const annotations: Obj = isObj(metadata.annotations) ? metadata.annotations : {};
  const psc = isObj(spec.securityContext) ? spec.securityContext : {};
  const hostProcess = (sc: Obj): boolean => isObj(sc.windowsOptions) && sc.windowsOptions.hostProcess === true;
  // A Windows HostProcess container is the Windows spelling of privileged: it runs on the host.
  const privileged = containers.some((c) => securityContext(c).privileged === true || hostProcess(securityContext(c))) || hostProcess(psc);
  const caps = containers.flatMap((c) => {
    const cap = securityContext(c).capabilities;
    return isObj(cap) ? (strings(cap.add) ?? []).map(normalizeCapability) : [];
  });
  const volumes = list(spec.volumes);
  const hostPaths = volumes
    .map((v) => (isObj(v.hostPath) ? str(v.hostPath.path) : undefined))
    .filter((p): p is string => !!p)
    .map(normalizeHostPath);
  const volumeTypes = volumes.flatMap((v) => Object.keys(v).filter((k) => k !== 'name'));
  const drivers = volumes
    .flatMap((v) => [isObj(v.csi) ? str(v.csi.driver) : undefined, isObj(v.flexVolume) ? str(v.flexVolume.driver) : undefined])
    .filter((d): d is string => !!d);
  const resources = containers.flatMap((c) => {
    const r = isObj(c.resources) ? c.resources : {};
    return [...Object.keys(isObj(r.limits) ? r.limits : {}), ...Object.keys(isObj(r.requests) ? r.requests : {})];
  });
  const images = containers.map((c) => str(c.image)).filter((x): x is string => !!x);
  // An allowlisted agent image beside an image of another publisher is how a sidecar would borrow
  // the agent's pass; rules do not let such a pod through the agent allowlist.
  const owners = new Set(images.map(imageOwner));
  const kinds = [...(init.length ? ['init'] : []), ...(main.length ? ['container'] : []), ...(ephemeral.length ? ['ephemeral'] : [])];
  const info: PodInfo = {};
  const put = <K extends keyof PodInfo>(k: K, v: PodInfo[K] | undefined): void => {
    if (v !== undefined) info[k] = v;
  };
  put('name', name);
  put('privileged', containers.length || hostProcess(psc) ? privileged : undefined);
  put('host_pid', spec.hostPID === true ? true : undefined);
  put('host_network', spec.hostNetwork === true ? true : undefined);
  put('host_ipc', spec.hostIPC === true ? true : undefined);
  put('host_paths', nonEmpty(hostPaths));
  put('images', nonEmpty(images));
  put('mixed_image_owners', owners.size > 1 ? true : undefined);
  put('capabilities', nonEmpty(caps));
  put('security_opt', nonEmpty(securityOpts(spec, containers, annotations)));
  put('volume_types', nonEmpty(volumeTypes));
  put('volume_drivers', nonEmpty(drivers));
  put('resources', nonEmpty(resources));
  put('container_kinds', kinds.length ? kinds : undefined);
  put('annotations', keyValues(annotations));
  put('service_account', str(spec.serviceAccountName) ?? str(spec.serviceAccount));
  return info;
}
