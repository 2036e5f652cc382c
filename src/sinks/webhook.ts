// HTTP webhook: one POST per alert, signed, retried with bounded exponential backoff.
// Signature: `X-Stowaway-Signature: t=<unix seconds>,sha256=<hex HMAC-SHA256 of "<t>.<body>">`.
// The time is signed with the body so a captured request cannot be replayed later: receivers
// reject signatures older than a few minutes (verifySignature below does both checks).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Alert } from '../model/alert.js';
import { formatAlert } from './formats.js';
import { emptyStats, type AlertFormat, type Output } from './types.js';

export interface WebhookOptions {
  url: string;
  secret?: string;
  format?: AlertFormat;
  /** Retries after the first attempt; 5xx, 429 and network errors retry, other 4xx do not. */
  maxRetries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  /** Alerts waiting for delivery; beyond it new alerts are dropped and counted. */
  maxQueue?: number;
  headers?: Record<string, string>;
  /** How a wait between attempts is spent (tests record the waits instead). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Seconds or an HTTP date, as milliseconds from now; undefined when absent or unreadable.
 * (A missing header read as Number(null) was 0: five retries in 15 ms.)
 */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const at = Date.parse(t);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export const SIGNATURE_HEADER = 'x-stowaway-signature';

export function sign(body: string, secret: string, unixSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${unixSeconds},sha256=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * What a receiver does with a delivery: recompute the HMAC over the raw body and compare in
 * constant time, and refuse a signature more than `toleranceSeconds` (default 300) away from now.
 */
export function verifySignature(
  body: string,
  header: string | undefined,
  secret: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): SignatureCheck {
  const m = /^t=(\d+),sha256=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return { ok: false, reason: 'missing or malformed signature header' };
  const t = Number(m[1]);
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300)) return { ok: false, reason: `signature time ${t} is ${now - t} s away from now` };
  const want = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  if (!timingSafeEqual(want, Buffer.from(m[2]!, 'hex'))) return { ok: false, reason: 'signature does not match the body' };
  return { ok: true };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createWebhookOutput(opts: WebhookOptions): Output {
  const format = opts.format ?? 'alert';
  const maxRetries = opts.maxRetries ?? 4;
  const base = opts.backoffMs ?? 250;
  const cap = opts.maxBackoffMs ?? 5_000;
  const maxQueue = opts.maxQueue ?? 1_000;
  const s = emptyStats();
  const queue: string[] = [];
  let running: Promise<void> | undefined;

  async function deliver(body: string): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'stowaway', ...(opts.headers ?? {}) };
    for (let attempt = 0; ; attempt++) {
      // Signed per attempt: a retry after a long backoff still carries a fresh time.
      if (opts.secret) headers[SIGNATURE_HEADER] = sign(body, opts.secret);
      let retryable = true;
      let waitMs: number | undefined;
      try {
        const res = await fetch(opts.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          s.sent++;
          return;
        }
        retryable = res.status >= 500 || res.status === 429;
        s.last_error = `HTTP ${res.status}`;
        // A receiver that says when to come back is believed, within the backoff cap, but
        // never sooner than our own backoff: `Retry-After: 0` must not mean a tight loop.
        waitMs = retryAfterMs(res.headers.get('retry-after'));
      } catch (e) {
        s.last_error = (e as Error).message;
      }
      if (!retryable || attempt >= maxRetries) {
        s.failed++;
        return;
      }
      s.retries++;
      await (opts.sleep ?? sleep)(Math.min(cap, Math.max(waitMs ?? 0, base * 2 ** attempt)));
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const body = queue.shift()!;
      s.queued = queue.length;
      await deliver(body);
    }
    running = undefined;
  }

  return {
    name: `webhook:${new URL(opts.url).host}`,
    send(a: Alert) {
      if (queue.length >= maxQueue) {
        s.dropped++;
        return;
      }
      queue.push(JSON.stringify(formatAlert(a, format)));
      s.queued = queue.length;
      running ??= drain();
    },
    async close() {
      while (running) await running;
    },
    stats: () => ({ ...s }),
  };
}
