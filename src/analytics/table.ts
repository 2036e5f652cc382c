// The bounded, persistable map every analytic keeps its per-entity state in. Recency is the order
// events touched an entry (event order, hence reproducible on replay); beyond the limit the least
// recently touched entry is evicted and counted. Dirty and removed keys are what the next
// checkpoint writes.

interface Slot<T> {
  key: string;
  value: T;
  /** Touch order, persisted so a restored table evicts as one that never restarted would. */
  tick: number;
  prev: Slot<T> | null;
  next: Slot<T> | null;
}

// Recency is a linked list beside the Map, not the Map's own order: a Map that keeps deleting
// its oldest keys leaves holes that every walk from its start must skip, and eviction walks from
// the start on every insert.
export class StateTable<T> {
  private readonly map = new Map<string, Slot<T>>();
  private head: Slot<T> | null = null;
  private tail: Slot<T> | null = null;
  private tick = 0;
  readonly dirty = new Set<string>();
  readonly removed = new Set<string>();
  evicted = 0;

  constructor(
    readonly limit: number,
    private readonly onEvict?: (key: string, value: T) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  peek(key: string): T | undefined {
    return this.map.get(key)?.value;
  }

  /** Marks the entry most recently used and dirty. */
  touch(key: string, value: T): void {
    let slot = this.map.get(key);
    if (slot) {
      slot.value = value;
      if (slot !== this.tail) {
        this.unlink(slot);
        this.append(slot);
      }
    } else {
      slot = { key, value, tick: 0, prev: null, next: null };
      this.map.set(key, slot);
      this.append(slot);
      if (this.removed.size > 0) this.removed.delete(key);
    }
    slot.tick = ++this.tick;
    this.dirty.add(key);
    while (this.map.size > this.limit && this.head) {
      const old = this.head;
      this.unlink(old);
      this.map.delete(old.key);
      this.dirty.delete(old.key);
      this.removed.add(old.key);
      this.evicted++;
      this.onEvict?.(old.key, old.value);
    }
  }

  private append(slot: Slot<T>): void {
    slot.prev = this.tail;
    slot.next = null;
    if (this.tail) this.tail.next = slot;
    else this.head = slot;
    this.tail = slot;
  }

  private unlink(slot: Slot<T>): void {
    if (slot.prev) slot.prev.next = slot.next;
    else this.head = slot.next;
    if (slot.next) slot.next.prev = slot.prev;
    else this.tail = slot.prev;
    slot.prev = slot.next = null;
  }

  markDirty(key: string): void {
    if (this.map.has(key)) this.dirty.add(key);
  }

  delete(key: string): void {
    const slot = this.map.get(key);
    if (!slot) return;
    this.unlink(slot);
    this.map.delete(key);
    this.dirty.delete(key);
    this.removed.add(key);
  }

  /** Restores entries from the store, oldest touch first, without marking them dirty. */
  restoreAll(rows: Array<{ key: string; value: T; tick: number }>): void {
    rows.sort((a, b) => a.tick - b.tick || (a.key < b.key ? -1 : 1));
    for (const r of rows) {
      const slot: Slot<T> = { key: r.key, value: r.value, tick: r.tick, prev: null, next: null };
      this.map.set(r.key, slot);
      this.append(slot);
      this.tick = Math.max(this.tick, r.tick);
    }
  }

  /** Least recently touched first. Deleting the current entry while iterating is safe. */
  *entries(): IterableIterator<[string, T]> {
    for (let s = this.head; s;) {
      const next = s.next;
      yield [s.key, s.value];
      s = next;
    }
  }

  /** Dirty entries and removed keys, then forgets both: what a checkpoint persists. */
  drain(): { upserts: Array<{ key: string; value: T; tick: number }>; deletes: string[] } {
    const upserts: Array<{ key: string; value: T; tick: number }> = [];
    for (const k of this.dirty) {
      const s = this.map.get(k);
      if (s !== undefined) upserts.push({ key: k, value: s.value, tick: s.tick });
    }
    const deletes = [...this.removed];
    this.dirty.clear();
    this.removed.clear();
    return { upserts, deletes };
  }
}
