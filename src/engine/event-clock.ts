// The newest event time the engine trusts. Event time is whatever the input says, and one
// record dated 2099 would otherwise move the watermark to 2099: every real event after it
// arrives "late" and no correlation fires. A jump further ahead than `maxJumpMs` is taken
// only once `quorum` events agree on it (a log with a real gap has many lines after the
// gap; a forged line is one); until then those events are still matched and correlated,
// they just do not close windows for everybody else.

export interface EventClockOptions {
  /** How far ahead of the trusted newest time one event may move it. Default 1 h. */
  maxJumpMs?: number;
  /** Events that must agree (within maxJumpMs of each other) before a larger jump is taken. Default 3. */
  quorum?: number;
}

export const EVENT_CLOCK_DEFAULTS = { maxJumpMs: 3_600_000, quorum: 3 } as const;

// Outliers remembered while they wait for company; a flood of forged times forgets the oldest.
const MAX_PENDING = 64;

export class EventClock {
  newest = -Infinity;
  /** Events that were too far ahead to move the clock when they came. */
  outliers = 0;
  private readonly maxJump: number;
  private readonly quorum: number;
  private pending: number[] = [];

  constructor(o: EventClockOptions = {}) {
    this.maxJump = o.maxJumpMs ?? EVENT_CLOCK_DEFAULTS.maxJumpMs;
    this.quorum = Math.max(1, o.quorum ?? EVENT_CLOCK_DEFAULTS.quorum);
  }

  /** Takes one event time; returns the trusted newest time after it. */
  observe(t: number): number {
    if (!Number.isFinite(t)) return this.newest;
    if (this.newest === -Infinity || t <= this.newest + this.maxJump) {
      if (t > this.newest) this.newest = t;
      this.settle();
      return this.newest;
    }
    this.outliers++;
    this.pending.push(t);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    this.settle();
    return this.newest;
  }

  /** Takes the earliest cluster of `quorum` pending times within maxJump of each other, if there is one. */
  private settle(): void {
    if (this.pending.length === 0) return;
    // pending times the trusted clock has now caught up with are ordinary again
    this.pending = this.pending.filter((p) => p > this.newest + this.maxJump);
    if (this.pending.length < this.quorum) return;
    const sorted = [...this.pending].sort((a, b) => a - b);
    for (let i = 0; i + this.quorum - 1 < sorted.length; i++) {
      if (sorted[i + this.quorum - 1]! - sorted[i]! <= this.maxJump) {
        // the cluster's newest member, as an ordinary event would have moved it
        this.newest = sorted[i + this.quorum - 1]!;
        this.pending = this.pending.filter((p) => p > this.newest + this.maxJump);
        return;
      }
    }
  }
}
