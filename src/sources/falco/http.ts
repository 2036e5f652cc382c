// Falco's http_output (json_output: true) POSTs one alert per request; several
// newline-separated alerts are accepted too.
import { HttpReceiver, type HttpReceiverOptions } from '../http.js';
import { diag } from '../util.js';
import type { SourceRecord } from '../types.js';
import { normalizeFalco } from './normalize.js';

export function createFalcoHttpSource(opts: HttpReceiverOptions): HttpReceiver {
  return new HttpReceiver('falco', opts, parseFalcoBody);
}

/** One http_output body (one or more JSON lines) into records. */
export function parseFalcoBody(body: string, origin: string, maxItems: number): SourceRecord[] {
  const out: SourceRecord[] = [];
  let taken = 0;
  let over = 0;
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    if (taken >= maxItems) {
      over++;
      continue;
    }
    taken++;
    try {
      out.push(...normalizeFalco(JSON.parse(line), origin));
    } catch (e) {
      out.push({ diagnostic: diag('falco', 'bad-json', `Falco body is not JSON: ${(e as Error).message}`, origin) });
    }
  }
  if (over) out.push({ diagnostic: diag('falco', 'too-many-items', `${over} lines over the ${maxItems}-per-request limit dropped`, origin) });
  return out;
}
