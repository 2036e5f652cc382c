// Partition ownership: one lease per partition in a JetStream KV bucket, taken with a
// revision-checked create/update and renewed before it expires. A worker that dies stops
// renewing; once `until` passes another worker takes the lease with an update on the revision
// it read, so two workers racing for one lease cannot both win. Members announce themselves
// in the same bucket, so each worker knows its fair share and gives back what is over it.
import type { KV } from 'nats';

export interface LeaseValue {
  owner: string;
  /** Wall-clock ms after which the lease is free. */
  until: number;
}

const leaseKey = (p: number): string => `p.${p}`;
const memberKey = (id: string): string => `m.${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export class Leases {
  /** Revision of each lease this worker holds. */
  private readonly held = new Map<number, number>();
  /** When each held lease was last written: a worker whose renewals stall stops before it expires. */
  private readonly written = new Map<number, number>();

  constructor(
    private readonly kv: KV,
    readonly owner: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** Keys of the bucket starting with a prefix; by default a key listing of the bucket. */
    private readonly keysWith: (prefix: string) => Promise<string[]> = async (prefix) => {
      // All keys, filtered here: servers before 2.10 do not filter a key listing.
      const out: string[] = [];
      for await (const k of await kv.keys()) if (k.startsWith(prefix)) out.push(k);
      return out;
    },
  ) {}

  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  private value(): string {
    return JSON.stringify({ owner: this.owner, until: this.now() + this.ttlMs } satisfies LeaseValue);
  }

  /** Takes the lease when nobody holds it or its holder let it expire. */
  async acquire(p: number): Promise<boolean> {
    if (this.held.has(p)) return true;
    const e = await this.kv.get(leaseKey(p));
    try {
      if (!e || e.operation !== 'PUT') {
        const rev = e ? await this.kv.update(leaseKey(p), this.value(), e.revision) : await this.kv.create(leaseKey(p), this.value());
        this.held.set(p, rev);
        this.written.set(p, this.now());
        return true;
      }
      const cur = e.json<LeaseValue>();
      if (cur.owner !== this.owner && cur.until > this.now()) return false;
      this.held.set(p, await this.kv.update(leaseKey(p), this.value(), e.revision));
      this.written.set(p, this.now());
      return true;
    } catch {
      return false; // another worker won the race
    }
  }

  /** False when the lease was lost (taken over after expiring): the partition must stop at once. */
  async renew(p: number): Promise<boolean> {
    const rev = this.held.get(p);
    if (rev === undefined) return false;
    const at = this.now();
    try {
      const next = await this.kv.update(leaseKey(p), this.value(), rev);
      // Forgotten while the update was under way (the worker fenced the partition): the lease
      // stays forgotten, or the worker would go on renewing a partition nobody runs.
      if (this.held.get(p) !== rev) return false;
      this.held.set(p, next);
      this.written.set(p, at);
      return true;
    } catch {
      this.forget(p);
      return false;
    }
  }

  /** Held leases last written more than `ms` ago (their renewals are stuck). */
  stale(ms: number): number[] {
    const t = this.now();
    return this.owned().filter((p) => t - (this.written.get(p) ?? 0) > ms);
  }

  /** Drops a lease without touching the bucket: it will expire, and whoever takes it next owns it. */
  forget(p: number): void {
    this.held.delete(p);
    this.written.delete(p);
  }

  async release(p: number): Promise<void> {
    const rev = this.held.get(p);
    this.forget(p);
    if (rev === undefined) return;
    await this.kv.delete(leaseKey(p), { previousSeq: rev }).catch(() => undefined);
  }

  async heartbeat(): Promise<void> {
    await this.kv.put(memberKey(this.owner), this.value());
  }

  async leave(): Promise<void> {
    await this.kv.delete(memberKey(this.owner)).catch(() => undefined);
  }

  /** Workers whose heartbeat has not expired, this one included. */
  async members(): Promise<string[]> {
    const out: string[] = [];
    // Keys are listed first: reading values inside the listing ends it early.
    for (const k of await this.keysWith('m.')) {
      const e = await this.kv.get(k);
      if (!e || e.operation !== 'PUT') continue;
      const v = e.json<LeaseValue>();
      if (v.until > this.now()) out.push(v.owner);
    }
    if (!out.includes(this.owner)) out.push(this.owner);
    return out.sort();
  }

  /** Who holds each partition now (expired leases show as free). */
  async table(partitions: number): Promise<Array<string | undefined>> {
    const out: Array<string | undefined> = [];
    for (let p = 0; p < partitions; p++) {
      const e = await this.kv.get(leaseKey(p));
      const v = e && e.operation === 'PUT' ? e.json<LeaseValue>() : undefined;
      out.push(v && v.until > this.now() ? v.owner : undefined);
    }
    return out;
  }
}
