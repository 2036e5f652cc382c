// The reorder buffer: base rule matches wait here until the watermark passes them, and leave
// in (event time, arrival) order, so every window sees sorted input. A match older than the
// watermark when it arrives is late: refused and counted.
import type { StowawayEvent } from '../../model/event.js';
import { MinHeap } from './heap.js';
import type { Consumer, Item } from './state.js';
import { eventTimeMs } from '../../sigma/correlation/timespan.js';

/** Arrival numbers and event identities, shared with the findings correlations feed each other. */
export interface Sequence {
  seq: number;
  origins: number;
}

export class ReorderBuffer {
  private readonly heap = new MinHeap<{ item: Item; consumers: Consumer[] }>(
    (a, b) => a.item.t < b.item.t || (a.item.t === b.item.t && a.item.seq < b.item.seq),
  );
  private lastEvent: StowawayEvent | undefined;
  private currentOrigin = 0;
  watermark = -Infinity;
  late = 0;
  badTime = 0;

  constructor(private readonly ids: Sequence) {}

  get size(): number {
    return this.heap.size;
  }

  /** Buffers one match for its consumers; false when it has no usable time or is late. */
  push(event: StowawayEvent, keys: string[], ruleId: string, consumers: Consumer[]): boolean {
    const t = eventTimeMs(event['@timestamp']);
    if (!Number.isFinite(t)) {
      this.badTime++;
      return false;
    }
    if (t < this.watermark) {
      this.late++;
      for (const c of consumers) c.state.counters.late++;
      return false;
    }
    // Every match of one event shares its origin: an event cannot come before itself in a sequence.
    if (event !== this.lastEvent) {
      this.lastEvent = event;
      this.currentOrigin = ++this.ids.origins;
    }
    this.heap.push({ item: { t, seq: ++this.ids.seq, keys, ruleId, origin: this.currentOrigin, event, events: [event] }, consumers });
    return true;
  }

  /** Hands every buffered match up to `limit` (event time) to `feed`, in order. */
  release(limit: number, feed: (item: Item, consumers: Consumer[]) => void): void {
    for (let top = this.heap.peek(); top && top.item.t <= limit; top = this.heap.peek()) {
      this.heap.pop();
      feed(top.item, top.consumers);
    }
  }
}
