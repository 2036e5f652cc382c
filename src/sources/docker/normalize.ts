// Docker events API messages (`docker events --format '{{json .}}'` prints the same
// shape) into StowawayEvents, enriched with the container's inspect document when had.
import { dockerMessageKeys } from './message.js';
import { parseImageRef } from '../../model/image.js';
import type { ContainerInfo, MountInfo, ProcessInfo, StowawayEvent } from '../../model/event.js';
import type { SourceRecord } from '../types.js';
import type { ContainerRef } from '../attribution.js';
import { devicePaths, hostPaths, parseDeviceRules, parseSecurityOpt } from './hostconfig.js';
import { compactEvent, shallowDefined, diag, isObj, num, str, strings, toIso, basename, joinArgs, splitArgs, type Obj } from '../util.js';

export const DOCKER_LOGSOURCE = { product: 'docker', category: 'container', service: 'events' } as const;

/** What is known about a container beyond the event itself. */
export interface DockerMeta {
  inspect?: Obj;
  /** When inspect could not be had: why (container gone, daemon unreachable, no dump given). */
  reason?: string;
  /** Start time seen earlier in the stream, for the lifetime of a container whose inspect is stale. */
  startedAt?: string;
  /** The exec's own inspect (`/exec/{id}/json`) when live: exact arguments and user. */
  exec?: Obj;
  /**
   * Inspect documents of the named volumes the container uses (`/volumes/{name}`). A volume made
   * first (`docker volume create --opt type=cifs ...`) and used by name carries its driver options
   * only there: the container's own document names the volume and nothing else.
   */
  volumes?: Obj[];
}

/** A volume's inspect document (it has no Id: volumes are named). */
export function isVolumeDoc(d: unknown): d is Obj {
  return isObj(d) && typeof d.Id !== 'string' && typeof d.Name === 'string' && typeof d.Mountpoint === 'string';
}

// Event attributes that are not container labels.
const NON_LABEL_ATTRS = new Set([
  'name',
  'image',
  'exitCode',
  'execID',
  'signal',
  'container',
  'driver',
  'type',
  'destination',
  'propagation',
  'read/write',
  'error',
]);

export function normalizeDockerMessage(msg: unknown, origin: string, meta: DockerMeta = {}): SourceRecord {
  if (!isObj(msg)) return { diagnostic: diag('docker', 'bad-docker-event', 'Docker event is not a JSON object', origin) };
  const { type, action: actionText, verb, detail } = dockerMessageKeys(msg);
  const actor = isObj(msg.Actor) ? msg.Actor : {};
  const attrs: Obj = isObj(actor.Attributes) ? actor.Attributes : {};
  const ts = toIso(msg.timeNano) ?? toIso(msg.time);
  if (!type || !actionText || !ts) {
    return { diagnostic: diag('docker', 'bad-docker-event', 'Docker event lacks Type, Action or time', origin) };
  }

  const ev: StowawayEvent = {
    '@timestamp': ts,
    event: { kind: 'event', module: 'docker', dataset: 'docker.events', action: `${type}-${verb}`, ...categorize(type, verb) },
    stowaway: { source: 'docker', logsource: { ...DOCKER_LOGSOURCE }, origin },
    docker: shallowDefined({ event: msg, inspect: meta.inspect, volumes: meta.volumes?.length ? meta.volumes : undefined }),
  };
  if (type === 'container') {
    const id = str(actor.ID) ?? str(msg.id);
    ev.container = containerFrom(id, attrs, meta, ts, verb);
    if (verb.startsWith('exec_')) ev.process = execProcess(detail, attrs, meta.exec);
    if (verb === 'exec_die') {
      const code = num(attrs.exitCode);
      if (code !== undefined) ev.process = { ...ev.process, exit_code: code };
    }
    if (verb === 'die') ev.event.outcome = num(attrs.exitCode) === 0 ? 'success' : 'failure';
  } else {
    // network connect, volume mount ... still name the container they concern
    const cid = str(attrs.container);
    if (cid) ev.container = { id: cid, runtime: 'docker', metadata: 'partial', metadata_reason: `${type} event names the container only` };
  }
  ev.message = `docker ${type} ${actionText}${ev.container?.name ? ` ${ev.container.name}` : ''}`;
  return { event: compactEvent(ev, ['docker']) };
}

function categorize(type: string, verb: string): Pick<StowawayEvent['event'], 'category' | 'type'> {
  if (type !== 'container') return { category: ['configuration'], type: ['change'] };
  switch (verb) {
    case 'create':
      return { category: ['process'], type: ['creation'] };
    case 'start':
    case 'exec_start':
    case 'exec_create':
      return { category: ['process'], type: ['start'] };
    case 'die':
    case 'exec_die':
    case 'kill':
    case 'stop':
    case 'oom':
      return { category: ['process'], type: ['end'] };
    case 'destroy':
      return { category: ['process'], type: ['deletion'] };
    default:
      return { category: ['process'], type: ['change'] };
  }
}

function containerFrom(id: string | undefined, attrs: Obj, meta: DockerMeta, ts: string, verb: string): ContainerInfo {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (!NON_LABEL_ATTRS.has(k) && typeof v === 'string') labels[k] = v;
  const fromEvent: ContainerInfo = {
    id,
    name: str(attrs.name),
    image: imageRef(str(attrs.image)),
    runtime: 'docker',
    labels: Object.keys(labels).length ? labels : undefined,
  };
  let c: ContainerInfo;
  if (meta.inspect) {
    c = { ...fromEvent, ...inspectToContainer(meta.inspect, meta.volumes) };
    c.metadata = 'complete';
  } else {
    c = fromEvent;
    c.metadata = fromEvent.name || fromEvent.image ? 'partial' : 'missing';
    c.metadata_reason = meta.reason ?? 'no inspect document for this container';
  }
  if (verb === 'die' || verb === 'destroy') {
    const code = num(attrs.exitCode);
    if (code !== undefined) c.exit_code = code;
    const since = meta.startedAt ?? c.started ?? c.created;
    if (since) {
      const s = (Date.parse(ts) - Date.parse(since)) / 1000;
      if (Number.isFinite(s) && s >= 0) c.lifetime_s = Math.round(s * 1000) / 1000;
    }
  }
  return c;
}

/** Docker's reading of a reference: no tag and no digest means `latest`. */
export function imageRef(ref: string | undefined): ContainerInfo['image'] {
  if (!ref) return undefined;
  if (ref.startsWith('sha256:')) return { id: ref };
  const r = parseImageRef(ref);
  return { name: r.name, tag: r.tag ?? (r.digest ? undefined : 'latest'), registry: r.registry };
}

/** The container fields an inspect document (`docker inspect` / GET /containers/{id}/json) carries. */
export function inspectToContainer(doc: Obj, volumes: Obj[] = []): ContainerInfo {
  const config: Obj = isObj(doc.Config) ? doc.Config : {};
  const host: Obj = isObj(doc.HostConfig) ? doc.HostConfig : {};
  const state: Obj = isObj(doc.State) ? doc.State : {};
  const log: Obj = isObj(host.LogConfig) ? host.LogConfig : {};
  const image = imageRef(str(config.Image));
  const entry = strings(config.Entrypoint) ?? [];
  const cmd = strings(config.Cmd) ?? [];
  const command = entry.length || cmd.length ? [...entry, ...cmd] : [str(doc.Path), ...(strings(doc.Args) ?? [])].filter((x): x is string => !!x);
  const pid = num(state.Pid);
  const started = realTime(state.StartedAt);
  const finished = realTime(state.FinishedAt);
  const ms = mounts(doc, host, volumes);
  const hp = hostPaths(ms);
  const securityOpt = strings(host.SecurityOpt);
  return {
    id: str(doc.Id),
    name: str(doc.Name)?.replace(/^\//, ''),
    image: image ? { ...image, id: str(doc.Image) } : str(doc.Image) ? { id: str(doc.Image) } : undefined,
    runtime: 'docker',
    labels: isObj(config.Labels) && Object.keys(config.Labels).length ? (config.Labels as Record<string, string>) : undefined,
    privileged: typeof host.Privileged === 'boolean' ? host.Privileged : undefined,
    mounts: ms,
    host_paths: hp.all.length ? hp.all : undefined,
    host_paths_rw: hp.rw.length ? hp.rw : undefined,
    capabilities: { add: strings(host.CapAdd), drop: strings(host.CapDrop) },
    network_mode: str(host.NetworkMode),
    pid_mode: str(host.PidMode),
    ipc_mode: str(host.IpcMode),
    uts_mode: str(host.UTSMode),
    userns_mode: str(host.UsernsMode),
    log_driver: str(log.Type),
    security_opt: securityOpt,
    security: withMaskedPaths(parseSecurityOpt(securityOpt), host),
    build_step: buildStep(command),
    devices: devices(host.Devices),
    device_paths: devicePaths(host.Devices),
    device_rules: parseDeviceRules(strings(host.DeviceCgroupRules)),
    auto_remove: typeof host.AutoRemove === 'boolean' ? host.AutoRemove : undefined,
    readonly_rootfs: typeof host.ReadonlyRootfs === 'boolean' ? host.ReadonlyRootfs : undefined,
    user: str(config.User),
    command: command.length ? command : undefined,
    pid: pid && pid > 0 ? pid : undefined,
    created: toIso(doc.Created),
    started,
    exit_code: state.Running === false && finished ? num(state.ExitCode) : undefined,
  };
}

// `--security-opt systempaths=unconfined` reaches the daemon as empty MaskedPaths and ReadonlyPaths
// (the CLI translates it); a container created with the defaults has both lists filled in.
function withMaskedPaths(sec: ContainerInfo['security'], host: Obj): ContainerInfo['security'] {
  if (!Array.isArray(host.MaskedPaths) || host.MaskedPaths.length > 0 || !Array.isArray(host.ReadonlyPaths) || host.ReadonlyPaths.length > 0) return sec;
  return { ...sec, systempaths: 'unconfined' };
}

// The legacy builder makes a container per Dockerfile metadata step (LABEL, ENV, CMD ...) whose
// command is a shell comment, `/bin/sh -c '#(nop) LABEL ...'`, with logging off, and commits it
// without running anything in it. A comment on one line runs nothing, whoever creates it.
function buildStep(command: string[]): 'metadata' | undefined {
  const [sh, c, script] = command;
  if (command.length < 3 || !/^\/bin\/(ba)?sh$/.test(sh ?? '') || c !== '-c' || !script) return undefined;
  return script.startsWith('#(nop)') && !/[\r\n]/.test(script) ? 'metadata' : undefined;
}

// Docker writes 0001-01-01T00:00:00Z for "never".
function realTime(v: unknown): string | undefined {
  const s = str(v);
  if (!s || s.startsWith('0001-')) return undefined;
  return toIso(s);
}

function devices(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.filter(isObj).map((d) => [str(d.PathOnHost), str(d.PathInContainer), str(d.CgroupPermissions)].filter(Boolean).join(':'));
  return out.length ? out : undefined;
}

/** The names of the named volumes an inspect document uses (runtime mounts, --mount, -v). */
export function volumeNames(doc: Obj): string[] {
  const host: Obj = isObj(doc.HostConfig) ? doc.HostConfig : {};
  const names = new Set<string>();
  for (const m of Array.isArray(doc.Mounts) ? doc.Mounts.filter(isObj) : []) if (str(m.Type) === 'volume' && str(m.Name)) names.add(str(m.Name)!);
  for (const m of Array.isArray(host.Mounts) ? host.Mounts.filter(isObj) : []) if (str(m.Type) === 'volume' && str(m.Source)) names.add(str(m.Source)!);
  for (const b of strings(host.Binds) ?? []) {
    const src = b.split(':')[0];
    if (src && !src.startsWith('/')) names.add(src);
  }
  return [...names];
}

function mounts(doc: Obj, host: Obj, volumes: Obj[]): MountInfo[] | undefined {
  const volumeDoc = (name: string | undefined): MountInfo['volume'] | undefined => {
    const v = name ? volumes.find((x) => str(x.Name) === name) : undefined;
    if (!v) return undefined;
    return { name, driver: str(v.Driver), options: isObj(v.Options) && Object.keys(v.Options).length ? (v.Options as Record<string, string>) : undefined };
  };
  const withVolumeDoc = (m: MountInfo['volume']): MountInfo['volume'] => {
    const d = volumeDoc(m?.name);
    return d ? { name: m?.name, driver: m?.driver ?? d.driver, options: m?.options ?? d.options } : m;
  };
  // HostConfig.Mounts holds what `--mount` asked for, including volume driver options
  // (a cifs/nfs share's type, device and address) that the runtime Mounts list lacks.
  const requested = Array.isArray(host.Mounts) ? host.Mounts.filter(isObj) : [];
  const optsFor = (dest: string | undefined): MountInfo['volume'] | undefined => {
    const m = requested.find((r) => str(r.Target) === dest);
    if (!m) return undefined;
    const vo: Obj = isObj(m.VolumeOptions) ? m.VolumeOptions : {};
    const dc: Obj = isObj(vo.DriverConfig) ? vo.DriverConfig : {};
    return { name: str(m.Source), driver: str(dc.Name), options: isObj(dc.Options) ? (dc.Options as Record<string, string>) : undefined };
  };
  const live = Array.isArray(doc.Mounts) ? doc.Mounts.filter(isObj) : [];
  const out: MountInfo[] = live.map((m) => {
    const dest = str(m.Destination);
    const type = str(m.Type);
    const req = optsFor(dest);
    const volume =
      type === 'volume' ? withVolumeDoc({ name: str(m.Name) ?? req?.name, driver: str(m.Driver) ?? req?.driver, options: req?.options }) : undefined;
    return {
      type,
      source: str(m.Source),
      destination: dest,
      rw: typeof m.RW === 'boolean' ? m.RW : undefined,
      mode: str(m.Mode),
      propagation: str(m.Propagation),
      volume,
    };
  });
  // A created-but-never-started container may list requested mounts only.
  for (const r of requested) {
    const dest = str(r.Target);
    if (out.some((m) => m.destination === dest)) continue;
    const type = str(r.Type);
    out.push({
      type,
      source: str(r.Source),
      destination: dest,
      rw: r.ReadOnly === true ? false : true,
      volume: type === 'volume' ? withVolumeDoc(optsFor(dest)) : undefined,
    });
  }
  // Old-style `-v` binds on a container that never started.
  if (out.length === 0) {
    for (const b of strings(host.Binds) ?? []) {
      const [source, destination, mode] = b.split(':');
      const named = !source?.startsWith('/');
      out.push({
        type: named ? 'volume' : 'bind',
        source,
        destination,
        mode,
        rw: !(mode ?? '').split(',').includes('ro'),
        ...(named ? { volume: withVolumeDoc({ name: source }) } : {}),
      });
    }
  }
  return out.length ? out : undefined;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'busybox']);

function execProcess(detail: string | undefined, attrs: Obj, exec: Obj | undefined): ProcessInfo | undefined {
  const pc: Obj | undefined = exec && isObj(exec.ProcessConfig) ? exec.ProcessConfig : undefined;
  let args: string[] | undefined;
  if (pc) {
    const ep = str(pc.entrypoint);
    args = ep ? [ep, ...(strings(pc.arguments) ?? [])] : undefined;
  }
  // The event text is the command joined by spaces, quoting lost: keep a shell's
  // `-c` script as one argument rather than splitting it into words.
  if (!args && detail) {
    const words = splitArgs(detail);
    const i = words.indexOf('-c');
    args =
      words.length > 2 && SHELLS.has(basename(words[0]) ?? '') && i > 0 && i < words.length - 1
        ? [...words.slice(0, i + 1), detail.slice(detail.indexOf(' -c ') + 4)]
        : words;
  }
  if (!args?.length) return str(attrs.execID) ? { entity_id: str(attrs.execID) } : undefined;
  const executable = args[0];
  return {
    entity_id: str(attrs.execID),
    executable,
    name: basename(executable),
    args,
    args_count: args.length,
    command_line: pc ? joinArgs(args) : detail,
    user: pc && str(pc.user) ? { name: str(pc.user) } : undefined,
  };
}

/** Reads a `docker inspect` dump: a JSON array (or one object, or NDJSON of objects). */
export function parseInspectDump(text: string, file: string): { docs: Obj[]; diagnostics: SourceRecord[] } {
  const diagnostics: SourceRecord[] = [];
  const t = text.trim();
  if (!t) return { docs: [], diagnostics };
  try {
    const v = JSON.parse(t) as unknown;
    const arr = Array.isArray(v) ? v : [v];
    const docs = arr.filter((d): d is Obj => isObj(d) && (typeof d.Id === 'string' || isVolumeDoc(d)));
    if (docs.length !== arr.length)
      diagnostics.push({
        diagnostic: diag('docker', 'bad-inspect', `${arr.length - docs.length} inspect entries without an Id were skipped`, file, 'warning'),
      });
    return { docs, diagnostics };
  } catch {
    const docs: Obj[] = [];
    t.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const d = JSON.parse(line) as unknown;
        if (isObj(d) && (typeof d.Id === 'string' || isVolumeDoc(d))) docs.push(d);
        else diagnostics.push({ diagnostic: diag('docker', 'bad-inspect', 'inspect entry without an Id', `${file}:${i + 1}`) });
      } catch (e) {
        diagnostics.push({ diagnostic: diag('docker', 'bad-inspect', `inspect dump is not JSON: ${(e as Error).message}`, `${file}:${i + 1}`) });
      }
    });
    return { docs, diagnostics };
  }
}

/**
 * Offline enrichment: remembers inspect documents (from a dump) and start times seen in
 * the stream, so die/destroy of a short-lived container still carries its metadata.
 */
export class DockerContext {
  private readonly inspect = new Map<string, Obj>();
  private readonly started = new Map<string, string>();
  private readonly volumes = new Map<string, Obj>();
  constructor(
    docs: Obj[] = [],
    private readonly missingReason = 'no inspect document for this container (pass --inspect FILE with a `docker inspect` dump)',
  ) {
    for (const d of docs) this.add(d);
  }
  /** A container's inspect document, or a volume's (`docker volume inspect`). */
  add(doc: Obj): void {
    if (typeof doc.Id === 'string') this.inspect.set(doc.Id, doc);
    else if (isVolumeDoc(doc)) this.volumes.set(doc.Name as string, doc);
  }
  private volumesOf(doc: Obj | undefined): Obj[] | undefined {
    if (!doc || this.volumes.size === 0) return undefined;
    const out = volumeNames(doc).flatMap((n) => (this.volumes.has(n) ? [this.volumes.get(n)!] : []));
    return out.length ? out : undefined;
  }
  get(id: string): Obj | undefined {
    return this.inspect.get(id);
  }
  /** The containers the dump names, for attributing audit processes to them by init pid. */
  containerRefs(): ContainerRef[] {
    return [...this.inspect.values()].map((d) => {
      const c = inspectToContainer(d, this.volumesOf(d));
      return { id: c.id!, name: c.name, image: c.image, pid: c.pid, labels: c.labels, info: c };
    });
  }
  metaFor(msg: unknown): DockerMeta {
    if (!isObj(msg)) return {};
    const { id, type, verb } = dockerMessageKeys(msg);
    if (!id || (type ?? 'container') !== 'container') return {};
    const ts = toIso(msg.timeNano) ?? toIso(msg.time);
    if (verb === 'start' && ts) this.started.set(id, ts);
    const doc = this.inspect.get(id);
    const volumes = this.volumesOf(doc);
    const meta: DockerMeta = { inspect: doc, startedAt: this.started.get(id), ...(volumes ? { volumes } : {}) };
    if (!meta.inspect) meta.reason = this.missingReason;
    if (verb === 'destroy') this.started.delete(id);
    return meta;
  }
}

/** Convenience for tests and replays: one message, with a context. */
export function normalizeWithContext(ctx: DockerContext, msg: unknown, origin: string): SourceRecord {
  return normalizeDockerMessage(msg, origin, ctx.metaFor(msg));
}
