// Test and benchmark data for the fleet: every shipped scenario, copied into its own slot of
// event time on each of several hosts, with generated ordinary process activity around it,
// written as one normalized NDJSON file per host in two parts (the split falls inside an
// encrypt-then-upload scenario, so a correlation spans it). And the reference: the same events
// through one engine per partition in one process, without NATS.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from 'nats';
import type { Finding } from '../model/alert.js';
import type { StowawayEvent } from '../model/event.js';
import { readEventFile } from '../sources/files.js';
import { findScenarios, readScenarioEvents, type Content } from '../runtime/index.js';
import { findingId } from './ids.js';
import { partitionKey, partitionOf } from './subjects.js';

export interface FleetData {
  hosts: string[];
  /** Per host: [part 1, part 2]. */
  files: Array<[string, string]>;
  events: number;
  scenarioEvents: number;
  scenarios: number;
  /** Every scenario the content ships, in the order of the `si` in event ids `host:copy:si:i`. */
  shipped: Array<{ name: string; kind: string; fire: string[]; events: number }>;
}

const T0 = Date.parse('2026-01-05T00:00:00Z');
const SLOT_MS = 3 * 3600_000;
const SPLIT_SCENARIO = 'encrypt-upload-cmd';

const FILLER = [
  ['/usr/sbin/nginx', 'nginx -g daemon off;'],
  ['/bin/ls', 'ls -la /var/www/html'],
  ['/usr/bin/stat', 'stat /srv/app/health'],
  ['/bin/cat', 'cat /etc/hostname'],
  ['/usr/local/bin/python3', 'python3 /srv/app/worker.py --queue jobs'],
] as const;

function filler(host: string, i: number, t: number): StowawayEvent {
  const [exe, cmd] = FILLER[i % FILLER.length]!;
  const c = `fill${(i % 7).toString().padStart(2, '0')}${host.replace(/[^a-z0-9]/g, '')}`.padEnd(64, '0').slice(0, 64);
  return {
    '@timestamp': new Date(t).toISOString(),
    event: { kind: 'event', category: ['process'], type: ['start'], action: 'executed', module: 'auditd', id: `${host}:f:${i}` },
    host: { name: host, os: { type: 'linux' } },
    process: {
      pid: 1000 + (i % 30000),
      executable: exe,
      name: exe.split('/').pop()!,
      command_line: cmd,
      args: cmd.split(' '),
      parent: { executable: '/bin/sh', pid: 900 },
    },
    container: { id: c, name: `web-${i % 7}`, image: { name: 'registry.example/shop/web', tag: '1.4' }, runtime: 'docker' },
    user: { name: 'www-data', id: '33' },
    stowaway: { source: 'auditd', logsource: { product: 'linux', category: 'process_creation', service: 'auditd' }, origin: 'generated' },
  };
}

/**
 * `hosts` files of about `total` events: `copies` of every scenario per host, the rest generated.
 * Host names are chosen so each lands on its own partition (arrival order within a partition is
 * per host; see docs/scale-out.md).
 */
export async function writeFleetData(
  dir: string,
  content: Pick<Content, 'contentDir'>,
  o: { hosts: number; total: number; copies: number; partitions: number },
): Promise<FleetData> {
  const { scenarios } = await findScenarios(content.contentDir);
  const recorded = [];
  const shipped: FleetData['shipped'] = [];
  for (const s of scenarios) {
    const { events } = await readScenarioEvents(s);
    const timed = events.filter((e) => Number.isFinite(Date.parse(e['@timestamp'])));
    shipped.push({ name: s.name, kind: s.kind, fire: s.fire, events: timed.length });
    recorded.push({ name: s.name, events: timed });
  }
  const hosts: string[] = [];
  const used = new Set<number>();
  for (let i = 0; hosts.length < o.hosts; i++) {
    const h = `node-${i}`;
    const p = partitionOf(h, o.partitions);
    if (used.has(p) && used.size < o.partitions) continue;
    used.add(p);
    hosts.push(h);
  }
  const files: Array<[string, string]> = [];
  let total = 0;
  let scenarioEvents = 0;
  for (const host of hosts) {
    const out: StowawayEvent[] = [];
    let split = -1;
    let slot = 0;
    for (let k = 0; k < o.copies; k++) {
      for (const [si, s] of recorded.entries()) {
        if (s.events.length === 0) continue;
        const first = Date.parse(s.events[0]!['@timestamp']);
        const shift = T0 + slot++ * SLOT_MS - first;
        if (k === Math.floor(o.copies / 2) && s.name === SPLIT_SCENARIO) {
          // Between the encryption and the upload: the correlation's window is open across the split.
          const upload = s.events.findIndex((e) => /\bcurl\b/.test(e.process?.command_line ?? '') && !/openssl/.test(e.process?.command_line ?? ''));
          split = out.length + (upload > 0 ? upload : s.events.length - 1);
        }
        for (const [i, e] of s.events.entries()) {
          const c = structuredClone(e);
          c['@timestamp'] = new Date(Date.parse(e['@timestamp']) + shift).toISOString();
          c.host = { ...(c.host ?? {}), name: host };
          c.event = { ...c.event, id: `${host}:${k}:${si}:${i}` };
          delete c.stowaway.replay;
          out.push(c);
        }
      }
    }
    scenarioEvents += out.length;
    // Ordinary activity spread over the whole span, merged in by time.
    const span = slot * SLOT_MS;
    const nFill = Math.max(0, Math.floor(o.total / o.hosts) - out.length);
    const fill = Array.from({ length: nFill }, (_, i) => filler(host, i, T0 + Math.floor(((i + 0.5) * span) / nFill)));
    const merged: StowawayEvent[] = [];
    let a = 0;
    let b = 0;
    let splitAt = -1;
    while (a < out.length || b < fill.length) {
      const ta = a < out.length ? Date.parse(out[a]!['@timestamp']) : Infinity;
      const tb = b < fill.length ? Date.parse(fill[b]!['@timestamp']) : Infinity;
      if (a === split && splitAt < 0) splitAt = merged.length;
      if (ta <= tb) merged.push(out[a++]!);
      else merged.push(fill[b++]!);
    }
    if (splitAt < 0) splitAt = Math.floor(merged.length / 2);
    const f1 = join(dir, `${host}.part1.ndjson`);
    const f2 = join(dir, `${host}.part2.ndjson`);
    writeFileSync(
      f1,
      merged
        .slice(0, splitAt)
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    writeFileSync(
      f2,
      merged
        .slice(splitAt)
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    files.push([f1, f2]);
    total += merged.length;
  }
  return { hosts, files, events: total, scenarioEvents, scenarios: recorded.filter((r) => r.events.length > 0).length, shipped };
}

export async function readNdjson(file: string): Promise<StowawayEvent[]> {
  const out: StowawayEvent[] = [];
  for await (const r of readEventFile(file, { format: 'ecs' })) if ('event' in r) out.push(r.event);
  return out;
}

export interface Reference {
  ids: Set<string>;
  /** Findings out before part 2 began (a worker past part 1 has published at least these). */
  afterPart1: number;
  /** Correlation findings whose events come from both parts. */
  spanning: string[];
  byKind: Record<string, number>;
  findings: Map<string, Finding>;
}

/** One engine per partition, in one process: what the fleet must produce, finding for finding. */
export async function referenceRun(content: Pick<Content, 'engine'>, data: FleetData, partitions: number): Promise<Reference> {
  const engines = new Map<number, ReturnType<Content['engine']>>();
  const engineFor = (ev: StowawayEvent) => {
    const p = partitionOf(partitionKey(ev), partitions);
    let e = engines.get(p);
    if (!e) engines.set(p, (e = content.engine()));
    return e;
  };
  const ref: Reference = { ids: new Set(), afterPart1: 0, spanning: [], byKind: {}, findings: new Map() };
  const part1Ids = new Set<string>();
  const add = (fs: Finding[]): void => {
    for (const f of fs) {
      const id = findingId(f);
      if (ref.ids.has(id)) continue;
      ref.ids.add(id);
      ref.findings.set(id, f);
      ref.byKind[f.rule.kind] = (ref.byKind[f.rule.kind] ?? 0) + 1;
    }
  };
  for (const [f1] of data.files)
    for (const ev of await readNdjson(f1)) {
      part1Ids.add(ev.event.id!);
      add(engineFor(ev).process(ev));
    }
  ref.afterPart1 = ref.ids.size;
  for (const [, f2] of data.files) for (const ev of await readNdjson(f2)) add(engineFor(ev).process(ev));
  for (const e of engines.values()) add(e.flush());
  for (const [id, f] of ref.findings) {
    if (f.rule.kind !== 'correlation') continue;
    const ids = f.events.map((e) => e.event?.id ?? '');
    if (ids.some((x) => part1Ids.has(x)) && ids.some((x) => !part1Ids.has(x))) ref.spanning.push(id);
  }
  return ref;
}

// ---- a real JetStream server and stowaway processes, for the fleet's tests and benchmark ----

export interface NatsServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and waits for it; `start` brings it back on the same port and store. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export function natsServerMissing(): boolean {
  return spawnSync('nats-server', ['--version']).error !== undefined;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export async function startJetStream(storeDir: string): Promise<NatsServer> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const url = `nats://127.0.0.1:${port}`;
  const s: NatsServer = {
    url,
    port,
    async start() {
      proc = spawn('nats-server', ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        try {
          const nc = await connect({ servers: url, reconnect: false });
          await nc.close();
          return;
        } catch {
          await sleep(100);
        }
      }
      throw new Error('nats-server did not accept connections');
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      // A server that does not shut down in time is killed: a test's cleanup must end.
      const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
  await s.start();
  return s;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/** `node dist/cli/main.js …args`, stderr kept line by line. */
export function stowaway(args: string[]): Child {
  const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
  const proc = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  proc.stderr.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, lines, exited };
}

export async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

export async function streamMessages(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await nc.jetstreamManager();
  return (await jsm.streams.info(stream)).state.messages;
}

/** The message ids on a stream, and how many messages carried each: read by sequence, so nothing waits on a consumer. */
export async function streamIds(nc: NatsConnection, stream: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const jsm = await nc.jetstreamManager();
  const st = (await jsm.streams.info(stream)).state;
  if (st.messages === 0) return out;
  for (let seq = st.first_seq; seq <= st.last_seq; seq++) {
    let m;
    try {
      m = await jsm.streams.getMessage(stream, { seq });
    } catch {
      continue; // a deleted sequence
    }
    const id = m.header.get('Nats-Msg-Id');
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}
