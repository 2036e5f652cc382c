// The one event model every source normalizes into. Field names follow the
// Elastic Common Schema (ECS) so that users can read events without a glossary
// and Sigma taxonomy fields reach them through pipelines (Image → process.executable).
//
// Objects are nested as ECS JSON documents are (`process.parent.executable` is
// `event.process.parent.executable`). Every field except `@timestamp`, `event`
// and `stowaway` is optional: a source fills what it knows and never invents.

/** Sigma logsource triple the event belongs to; the engine routes on it. */
export interface LogSource {
  product?: string; // linux, windows, kubernetes, docker, zeek, falco ...
  category?: string; // process_creation, network_connection, file_event ...
  service?: string; // auditd, audit (k8s), sysmon, security, conn ...
}

export interface EventMeta {
  kind?: 'event' | 'alert' | 'metric' | 'state';
  category?: string[]; // ECS: process, network, file, configuration, host, iam ...
  type?: string[]; // ECS: start, end, creation, deletion, change, connection, info ...
  action?: string; // source-specific verb: container-create, execve, connect, create (k8s) ...
  module?: string; // docker, auditd, kubernetes, falco, zeek, sysmon, ecs
  dataset?: string; // docker.events, auditd.log, kubernetes.audit, zeek.conn ...
  outcome?: 'success' | 'failure' | 'unknown';
  code?: string; // Sysmon/Windows event id, audit record type ...
  provider?: string;
  duration?: number; // nanoseconds, as ECS
  sequence?: number;
  id?: string;
  original?: string;
}

export interface HostInfo {
  name?: string;
  hostname?: string;
  id?: string;
  ip?: string[];
  os?: { type?: string; family?: string; name?: string; version?: string; kernel?: string };
}

export interface MountInfo {
  type?: string; // bind, volume, tmpfs, npipe
  source?: string;
  destination?: string;
  rw?: boolean;
  mode?: string;
  propagation?: string;
  volume?: { name?: string; driver?: string; options?: Record<string, string> };
}

export interface ContainerSecurity {
  /** `unconfined`, `permissive` (a profile whose default action allows), `profile`, or absent (the runtime default). */
  seccomp?: string;
  /** AppArmor profile name, e.g. `unconfined`. */
  apparmor?: string;
  /** SELinux: `disable`, or the process type (`spc_t`, `unconfined_t`, ...) a `label=type:` option sets. */
  selinux?: string;
  no_new_privileges?: boolean;
  /** `unconfined` when /proc and /sys paths the runtime masks are exposed. */
  systempaths?: string;
}

/** One device cgroup rule: `c 10:232 rwm` → type c, major 10, minor 232, access rwm; `a` → every device. */
export interface DeviceRule {
  type: string;
  major: string;
  minor: string;
  access: string;
}

/** Why container metadata is absent, so an alert never shows a silent blank. */
export type MetadataState = 'complete' | 'partial' | 'missing';

export interface ContainerInfo {
  id?: string;
  name?: string;
  image?: { name?: string; tag?: string; id?: string; registry?: string };
  runtime?: string; // docker, containerd, cri-o
  labels?: Record<string, string>;
  privileged?: boolean;
  mounts?: MountInfo[];
  capabilities?: { add?: string[]; drop?: string[] };
  network_mode?: string;
  pid_mode?: string;
  ipc_mode?: string;
  uts_mode?: string;
  userns_mode?: string;
  log_driver?: string;
  security_opt?: string[];
  /** `security_opt` read: what confinement the container really runs with. */
  security?: ContainerSecurity;
  devices?: string[];
  /** Host and container paths of `--device` entries, normalized (see `host_paths`). */
  device_paths?: string[];
  /** `--device-cgroup-rule` entries: device access granted without a device node passed in. */
  device_rules?: DeviceRule[];
  /**
   * Host paths bind-mounted into the container, normalized: `//` and trailing slashes collapsed,
   * `.` and `..` resolved, `/var/run` written as `/run` (its symlink target). Named volumes,
   * tmpfs and pipes are not host paths and never appear here.
   */
  host_paths?: string[];
  /** The writable subset of `host_paths`. */
  host_paths_rw?: string[];
  /** `metadata`: a legacy-builder container for a Dockerfile metadata step, whose command is a one-line shell comment (runs nothing). */
  build_step?: 'metadata';
  auto_remove?: boolean;
  readonly_rootfs?: boolean;
  user?: string;
  command?: string[]; // Entrypoint + Cmd as the container runs them
  pid?: number; // host pid of the container's init process
  exit_code?: number;
  lifetime_s?: number; // seconds from start (or create) to die/destroy
  created?: string;
  started?: string;
  /** 'missing' / 'partial' with `metadata_reason` when the runtime could not be asked. */
  metadata?: MetadataState;
  metadata_reason?: string;
  cpu?: { usage?: number }; // fraction of one CPU, 0..n
  memory?: { usage?: number; bytes?: number };
  network?: { ingress?: { bytes?: number }; egress?: { bytes?: number } };
}

export interface OrchestratorInfo {
  type?: string; // kubernetes
  cluster?: { name?: string };
  namespace?: string;
  resource?: { type?: string; name?: string; subresource?: string; api_group?: string; api_version?: string };
  api_version?: string;
  user?: { name?: string; groups?: string[] };
  verb?: string;
  pod?: {
    name?: string;
    privileged?: boolean;
    host_pid?: boolean;
    host_network?: boolean;
    host_ipc?: boolean;
    /** hostPath volumes as the node resolves them (no `//`, `..`, trailing slash; /var/run is /run). */
    host_paths?: string[];
    images?: string[];
    /** The images come from more than one publisher (registry + first path segment). */
    mixed_image_owners?: boolean;
    /** Added capabilities, upper case without `CAP_`. */
    capabilities?: string[];
    /** Isolation given up, in Docker's --security-opt words: seccomp=unconfined, apparmor=unconfined, label=type:spc_t, systempaths=unconfined, no-new-privileges=false. */
    security_opt?: string[];
    /** Volume source kinds (hostPath, nfs, csi, configMap ...) and the csi/flexVolume drivers named. */
    volume_types?: string[];
    volume_drivers?: string[];
    /** Resource names the containers request or limit (cpu, memory, devices.kubevirt.io/kvm ...). */
    resources?: string[];
    /** Which container lists the spec fills: init, container, ephemeral. */
    container_kinds?: string[];
    /** Pod (template) annotations as `key=value`; a removal in a patch is `key-`. */
    annotations?: string[];
    service_account?: string;
  };
  /** Labels a create, update or patch sets on the object, as `key=value`; a removal is `key-`. */
  labels?: string[];
  /** A PersistentVolume's node paths (hostPath, local), resolved like pod host paths. */
  volume?: { host_paths?: string[] };
  request?: { uri?: string; source_ips?: string[]; user_agent?: string };
  response?: { status_code?: number };
}

export interface ProcessInfo {
  pid?: number;
  ppid?: number;
  entity_id?: string;
  executable?: string;
  name?: string;
  args?: string[];
  args_count?: number;
  command_line?: string;
  working_directory?: string;
  title?: string;
  user?: { id?: string; name?: string };
  group?: { id?: string; name?: string };
  hash?: Record<string, string>;
  pe?: { original_file_name?: string; description?: string; product?: string; company?: string };
  integrity_level?: string;
  parent?: Omit<ProcessInfo, 'parent'>;
  exit_code?: number;
}

export interface FileInfo {
  path?: string;
  name?: string;
  directory?: string;
  extension?: string;
  target_path?: string; // rename / link target
  mode?: string;
  owner?: string;
  size?: number;
  hash?: Record<string, string>;
}

export interface Endpoint {
  ip?: string;
  port?: number;
  address?: string;
  domain?: string;
  bytes?: number;
  packets?: number;
  mac?: string;
}

export interface NetworkInfo {
  transport?: string; // tcp, udp, icmp
  protocol?: string; // application protocol: http, tls, ssh
  direction?: 'inbound' | 'outbound' | 'internal' | 'external' | 'unknown';
  bytes?: number;
  packets?: number;
  community_id?: string;
  type?: string; // ipv4, ipv6, unix
}

export interface UserInfo {
  id?: string;
  name?: string;
  domain?: string;
  group?: { id?: string; name?: string };
  effective?: { id?: string; name?: string };
}

/** Stowaway's own bookkeeping on an event: where it came from and how it routes. */
export interface StowawayMeta {
  source: string; // docker, auditd, k8s-audit, falco, zeek, sysmon, ecs
  logsource: LogSource;
  /** file:line or live endpoint the record was read from. */
  origin?: string;
  /** True when the event was produced by a replay (validate, demo) rather than live. */
  replay?: boolean;
  /** The time a pushing sender gave, when it was outside the receiver's clock skew and replaced by the receiver's time. */
  reported_time?: string;
}

export interface StowawayEvent {
  '@timestamp': string; // ISO-8601 UTC, event time
  event: EventMeta;
  stowaway: StowawayMeta;
  message?: string;
  host?: HostInfo;
  container?: ContainerInfo;
  orchestrator?: OrchestratorInfo;
  process?: ProcessInfo;
  file?: FileInfo;
  source?: Endpoint;
  destination?: Endpoint;
  network?: NetworkInfo;
  user?: UserInfo;
  url?: { full?: string; domain?: string; path?: string; port?: number; scheme?: string };
  dns?: { question?: { name?: string; type?: string } };
  tls?: { version?: string; server?: { name?: string } };
  registry?: { path?: string; key?: string; value?: string; data?: { strings?: string[] } };
  rule?: { name?: string; id?: string }; // rule reported by an upstream detector (Falco)
  labels?: Record<string, string>;
  tags?: string[];
  /** The record as the source gave it, for forensics and for rules written against it. */
  raw?: unknown;
  /** Source-specific extras that have no ECS home yet (e.g. `winlog.event_data`). */
  [extra: string]: unknown;
}

/** Read a dotted path from an event: nested objects first, then a literal dotted key. */
export function getPath(obj: unknown, path: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  const rec = obj as Record<string, unknown>;
  if (path in rec) return rec[path];
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
