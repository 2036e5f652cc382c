// Live sources as descriptors, in the manner of Vector's source configs: a name, the flags
// that configure it, how those flags become its options, and how it is created. The runtime
// starts what they create; the CLI registers their flags; docs/sources.md lists the same
// flags (a test holds the two together). Adding a source is one descriptor here.
import { existsSync } from 'node:fs';
import type { LiveSource } from './types.js';
import type { ContainerAttributor, ContainerRef } from './attribution.js';
import { DockerLiveSource, type DockerLiveOptions } from './docker/live.js';
import { AuditLiveSource, type AuditLiveOptions } from './auditd/live.js';
import { createK8sWebhookSource } from './k8s-audit/webhook.js';
import { createFalcoHttpSource } from './falco/http.js';
import { receiverConfigError, RECEIVER_DEFAULTS, type HttpReceiverOptions } from './http.js';
import { textOf } from '../model/values.js';

export interface LiveOptions {
  /** false turns a source off; an object configures it. Docker and audit are on by default. */
  docker?: false | DockerLiveOptions;
  audit?: false | AuditLiveOptions;
  /** Off unless a port is given. */
  k8sWebhook?: HttpReceiverOptions;
  falco?: HttpReceiverOptions;
}

/** One command-line flag of a source, as commander takes it. */
export interface SourceFlag {
  flags: string;
  description: string;
  default?: string;
}

/** What sources share while they start: the container attribution, and the runtime's lookup once Docker is up. */
export interface SourceContext {
  attributor: ContainerAttributor;
  lookupContainer?: (id: string) => Promise<ContainerRef | undefined>;
}

/** Flag values as commander hands them over (camelCased names). */
export type FlagValues = Readonly<Record<string, unknown>>;

export interface LiveSourceDescriptor<K extends keyof LiveOptions = keyof LiveOptions> {
  /** The name in status lines, health and stats. */
  name: string;
  /** Its entry in LiveOptions. */
  key: K;
  flags: readonly SourceFlag[];
  fromFlags(v: FlagValues, env: NodeJS.ProcessEnv): LiveOptions[K];
  /** The source, or why it is off (turned off, nothing configured, nothing to read). */
  create(opts: LiveOptions[K], ctx: SourceContext): { source: LiveSource; detail: string } | { off: string };
}

/** HTTPS for every HTTP receiver: shared flags, listed once. */
export const TLS_FLAGS: readonly SourceFlag[] = [
  { flags: '--tls-cert <file>', description: 'serve the webhook and Falco receivers over HTTPS with this certificate' },
  { flags: '--tls-key <file>', description: 'private key for --tls-cert (both or neither)' },
  { flags: '--tls-client-ca <file>', description: 'require client certificates signed by this CA on the receivers (mutual TLS)' },
  {
    flags: '--max-skew <seconds>',
    description: "pushed events dated further ahead of this host's clock get its time (counted; the given time kept)",
    default: '300',
  },
  {
    flags: '--max-age <seconds>',
    description: "pushed events dated further behind this host's clock get its time (counted; the given time kept)",
    default: '86400',
  },
];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function seconds(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`${flag}: '${textOf(v)}' is not a number of seconds`);
  return n * 1000;
}

/**
 * A receiver's options from the flags. Throws on a configuration that would be unsafe or silently
 * not what was asked: a certificate without its key, an empty token, a public address without a
 * token or client certificates.
 */
function receiver(name: string, v: FlagValues, port: unknown, host: unknown, token: string | undefined): HttpReceiverOptions | undefined {
  const p = str(port);
  if (!p) return undefined;
  const cert = str(v.tlsCert);
  const key = str(v.tlsKey);
  const ca = str(v.tlsClientCa);
  if (ca && !cert) throw new Error('--tls-client-ca needs --tls-cert and --tls-key');
  const maxFutureSkewMs = seconds(v.maxSkew, '--max-skew');
  const maxPastSkewMs = seconds(v.maxAge, '--max-age');
  const opts: HttpReceiverOptions = {
    port: Number(p),
    host: str(host),
    token: typeof token === 'string' ? token : undefined,
    tls: cert && key ? { cert, key, ...(ca ? { ca } : {}) } : undefined,
    ...(maxFutureSkewMs !== undefined ? { maxFutureSkewMs } : {}),
    ...(maxPastSkewMs !== undefined ? { maxPastSkewMs } : {}),
  };
  const bad = receiverConfigError(name, opts);
  if (bad) throw new Error(bad);
  return opts;
}

const url = (o: HttpReceiverOptions): string => `${o.tls ? 'https' : 'http'}://${o.host ?? RECEIVER_DEFAULTS.host}:${o.port}`;

const docker: LiveSourceDescriptor<'docker'> = {
  name: 'docker',
  key: 'docker',
  flags: [
    { flags: '--no-docker', description: 'do not read the Docker engine' },
    { flags: '--docker-socket <path>', description: 'Docker engine socket', default: '/var/run/docker.sock' },
    { flags: '--stats <seconds>', description: 'container stats sampling interval; 0 turns stats off', default: '30' },
  ],
  fromFlags: (v) => (v.docker === false ? false : { socketPath: str(v.dockerSocket), statsIntervalMs: Math.max(0, Number(v.stats ?? 30) * 1000) }),
  create(opts, ctx) {
    if (opts === false) return { off: 'turned off' };
    const socket = opts?.socketPath ?? '/var/run/docker.sock';
    if (!existsSync(socket)) return { off: `no Docker socket at ${socket}` };
    const d = new DockerLiveSource({ ...opts, attributor: ctx.attributor });
    ctx.lookupContainer = (id) => d.lookup(id);
    return { source: d, detail: socket };
  },
};

const audit: LiveSourceDescriptor<'audit'> = {
  name: 'auditd',
  key: 'audit',
  flags: [
    { flags: '--no-audit', description: 'do not follow the Linux audit log' },
    { flags: '--audit-log <path>', description: 'audit log to follow (rotation is followed)', default: '/var/log/audit/audit.log' },
  ],
  fromFlags: (v) => (v.audit === false ? false : { path: str(v.auditLog) }),
  create(opts, ctx) {
    if (opts === false) return { off: 'turned off' };
    const path = opts?.path ?? '/var/log/audit/audit.log';
    const source = new AuditLiveSource({ ...opts, path, attributor: ctx.attributor, lookupContainer: ctx.lookupContainer });
    return { source, detail: path };
  },
};

const k8s: LiveSourceDescriptor<'k8sWebhook'> = {
  name: 'k8s-audit',
  key: 'k8sWebhook',
  flags: [
    { flags: '--k8s-audit-port <port>', description: 'listen for the Kubernetes API server audit webhook (EventList POSTs) on this port' },
    {
      flags: '--k8s-audit-host <host>',
      description: 'address the audit webhook listens on; any but loopback needs a token or --tls-client-ca',
      default: '127.0.0.1',
    },
    { flags: '--k8s-audit-token <token>', description: 'bearer token the webhook requires (or STOWAWAY_K8S_AUDIT_TOKEN)' },
  ],
  fromFlags: (v, env) =>
    receiver('k8s-audit', v, v.k8sAuditPort, v.k8sAuditHost, typeof v.k8sAuditToken === 'string' ? v.k8sAuditToken : env.STOWAWAY_K8S_AUDIT_TOKEN),
  create: (opts) => (opts ? { source: createK8sWebhookSource(opts), detail: url(opts) } : { off: 'no webhook port configured (--k8s-audit-port)' }),
};

const falco: LiveSourceDescriptor<'falco'> = {
  name: 'falco',
  key: 'falco',
  flags: [
    { flags: '--falco-port <port>', description: "listen for Falco's http_output on this port" },
    {
      flags: '--falco-host <host>',
      description: 'address the Falco receiver listens on; any but loopback needs a token or --tls-client-ca',
      default: '127.0.0.1',
    },
    { flags: '--falco-token <token>', description: 'bearer token the Falco receiver requires (or STOWAWAY_FALCO_TOKEN)' },
  ],
  fromFlags: (v, env) => receiver('falco', v, v.falcoPort, v.falcoHost, typeof v.falcoToken === 'string' ? v.falcoToken : env.STOWAWAY_FALCO_TOKEN),
  create: (opts) => (opts ? { source: createFalcoHttpSource(opts), detail: url(opts) } : { off: 'no Falco receiver port configured (--falco-port)' }),
};

/**
 * Every live source, in start order: Docker first, so audit can ask it about containers;
 * they stop in reverse, so audit flushes while Docker can still be asked.
 */
export const LIVE_SOURCES: readonly LiveSourceDescriptor[] = [docker, audit, k8s, falco] as readonly LiveSourceDescriptor[];

/** Every source flag once (the TLS pair is shared by the receivers). */
export function liveFlags(): SourceFlag[] {
  return [...LIVE_SOURCES.flatMap((d) => d.flags), ...TLS_FLAGS];
}

/** Source options from flag values; a flag left out keeps the source's default. */
export function liveOptionsFromFlags(v: FlagValues, env: NodeJS.ProcessEnv = process.env): LiveOptions {
  const out: Record<string, unknown> = {};
  for (const d of LIVE_SOURCES) {
    const o = d.fromFlags(v, env);
    if (o !== undefined) out[d.key] = o;
  }
  return out;
}

export const FLAGS_TABLE_START = '<!-- live-source-flags:start (generated from src/sources/descriptors.ts by `npm run docs:sources`) -->';
export const FLAGS_TABLE_END = '<!-- live-source-flags:end -->';

/** The flags of every live source as the Markdown table docs/sources.md carries. */
export function liveFlagsTable(): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = LIVE_SOURCES.flatMap((d) =>
    d.flags.map((f) => `| ${d.name} | \`${f.flags}\` | ${cell(f.description)} | ${f.default !== undefined ? `\`${f.default}\`` : ''} |`),
  );
  rows.push(...TLS_FLAGS.map((f) => `| k8s-audit, falco | \`${f.flags}\` | ${cell(f.description)} | |`));
  return ['| source | flag | what it does | default |', '|---|---|---|---|', ...rows].join('\n');
}

/** A document with its generated flags table replaced by the current one. */
export function withFlagsTable(doc: string): string {
  const a = doc.indexOf('<!-- live-source-flags:start');
  const b = doc.indexOf(FLAGS_TABLE_END);
  if (a < 0 || b < a) throw new Error('no live-source-flags markers in the document');
  return `${doc.slice(0, a)}${FLAGS_TABLE_START}\n${liveFlagsTable()}\n${doc.slice(b)}`;
}
