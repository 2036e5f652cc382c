// The JetStream objects the fleet uses, created if missing (idempotent, so every sensor,
// worker and store may call it): the events, findings and dead-letter streams and the
// lease and checkpoint buckets.
import { connect, StorageType, type ConnectionOptions, type JetStreamClient, type JetStreamManager, type KV, type NatsConnection } from 'nats';
import { ALERTS_STREAM, CHECKPOINTS_BUCKET, DLQ_STREAM, EVENTS_STREAM, LEASES_BUCKET } from './subjects.js';

export interface FleetConnectOptions {
  servers: string | string[];
  name?: string;
  token?: string;
  user?: string;
  pass?: string;
}

/** How long the streams remember message ids: a sensor's repeats within it are dropped. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

/** `p`, or an error naming `what` after `ms`: a request to the server never hangs its caller. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

const ns = (ms: number): number => ms * 1_000_000;

export async function fleetConnect(o: FleetConnectOptions, extra: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  return connect({
    servers: o.servers,
    name: o.name ?? 'stowaway',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    ...(o.token ? { token: o.token } : {}),
    ...(o.user ? { user: o.user, pass: o.pass } : {}),
    ...extra,
  });
}

export interface FleetObjects {
  js: JetStreamClient;
  leases: KV;
  checkpoints: KV;
}

/**
 * Keys of a KV bucket that start with `prefix`, from the stream's subject counts: one request,
 * no consumer (a key listing is an ordered consumer, which can stall on servers before 2.10).
 * Deleted keys are listed too; their entries read as DEL.
 */
export async function kvKeysWith(jsm: JetStreamManager, bucket: string, prefix: string): Promise<string[]> {
  const head = `$KV.${bucket}.`;
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${head}${prefix}>` });
  return Object.keys(info.state.subjects ?? {}).map((s) => s.slice(head.length));
}

export async function ensureFleet(nc: NatsConnection): Promise<FleetObjects> {
  const jsm = await nc.jetstreamManager();
  const streams: Array<{ name: string; subjects: string[] }> = [
    { name: EVENTS_STREAM, subjects: ['stowaway.events.>'] },
    { name: ALERTS_STREAM, subjects: ['stowaway.findings.>'] },
    { name: DLQ_STREAM, subjects: ['stowaway.dlq.>'] },
  ];
  for (const s of streams) {
    try {
      await jsm.streams.info(s.name);
    } catch {
      try {
        await jsm.streams.add({ name: s.name, subjects: s.subjects, storage: StorageType.File, duplicate_window: ns(DUPLICATE_WINDOW_MS) });
      } catch (e) {
        // Another member created it in between.
        await jsm.streams.info(s.name).catch(() => {
          throw e;
        });
      }
    }
  }
  const js = nc.jetstream();
  const leases = await js.views.kv(LEASES_BUCKET, { history: 1 });
  const checkpoints = await js.views.kv(CHECKPOINTS_BUCKET, { history: 1, max_bytes: -1 });
  return { js, leases, checkpoints };
}
