// NDJSON to a stream (stdout by default): one alert document per line.
import type { Writable } from 'node:stream';
import type { Alert } from '../model/alert.js';
import { formatAlert } from './formats.js';
import { emptyStats, type AlertFormat, type Output } from './types.js';

export function createStreamOutput(opts: { format?: AlertFormat; stream?: Writable; name?: string } = {}): Output {
  const format = opts.format ?? 'alert';
  const stream = opts.stream ?? process.stdout;
  const s = emptyStats();
  return {
    name: opts.name ?? `stdout:${format}`,
    send(a: Alert) {
      try {
        stream.write(`${JSON.stringify(formatAlert(a, format))}\n`);
        s.sent++;
      } catch (e) {
        s.failed++;
        s.last_error = (e as Error).message;
      }
    },
    async close() {
      // stdout is shared with the process; only streams we were given get ended by their owner.
    },
    stats: () => ({ ...s }),
  };
}
