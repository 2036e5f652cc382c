// Flags the fleet commands (sensor, worker, store) share: where NATS is and how many partitions.
import type { Command } from 'commander';
import { DEFAULT_PARTITIONS, type FleetConnectOptions } from '../fleet/index.js';

export interface FleetCliOptions {
  fleet: string;
  partitions: string;
  natsToken?: string;
  natsUser?: string;
  natsPass?: string;
}

export function fleetOptions(cmd: Command): Command {
  return cmd
    .option('--fleet <servers>', "the fleet's NATS servers, with JetStream (comma-separated)", 'nats://127.0.0.1:4222')
    .option('--partitions <n>', 'partitions of the event stream; every sensor and worker of a fleet must agree', String(DEFAULT_PARTITIONS))
    .option('--nats-token <token>', 'NATS token (default: $STOWAWAY_NATS_TOKEN)')
    .option('--nats-user <user>', 'NATS user')
    .option('--nats-pass <password>', 'NATS password (default: $STOWAWAY_NATS_PASS)');
}

export function fleetConnectFrom(o: FleetCliOptions): FleetConnectOptions & { partitions: number } {
  const partitions = Number(o.partitions);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 4096)
    throw new Error(`--partitions: '${o.partitions}' is not a whole number from 1 to 4096`);
  const token = o.natsToken ?? process.env.STOWAWAY_NATS_TOKEN;
  const pass = o.natsPass ?? process.env.STOWAWAY_NATS_PASS;
  return {
    servers: o.fleet
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    partitions,
    ...(token ? { token } : {}),
    ...(o.natsUser ? { user: o.natsUser, ...(pass ? { pass } : {}) } : {}),
  };
}

/** `30s`, `2m`, `1500ms` or plain milliseconds. */
export function durationMs(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new Error(`${flag}: '${v}' is not a duration (1500ms, 30s, 2m)`);
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n;
}

/** `64MB`, `1GB`, `500KB` or plain bytes. */
export function sizeBytes(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB)?$/i.exec(v.trim());
  if (!m) throw new Error(`${flag}: '${v}' is not a size (500KB, 64MB, 1GB)`);
  const mult = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(m[2] ?? '').toUpperCase() as 'KB'] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}
