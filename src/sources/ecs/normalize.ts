// Plain ECS (or already-normalized stowaway) NDJSON. Keeps what it is given; fills the
// stowaway bookkeeping and, when absent, infers the Sigma logsource from event.category/type.
import type { LogSource, StowawayEvent } from '../../model/event.js';
import type { SourceRecord } from '../types.js';
import { diag, isObj, toIso, type Obj } from '../util.js';
import { isForbiddenKey } from '../json-limits.js';

export function normalizeEcs(obj: unknown, origin: string): SourceRecord[] {
  if (!isObj(obj)) return [{ diagnostic: diag('ecs', 'bad-ecs', 'ECS document is not a JSON object', origin) }];
  const dropped: string[] = [];
  // most documents are already nested: then the parsed object is the event, not a copy of it
  const doc = needsExpanding(obj) ? expandDotted(obj, dropped) : obj;
  const ts = toIso(doc['@timestamp']) ?? toIso(doc.timestamp);
  if (!ts) return [{ diagnostic: diag('ecs', 'bad-ecs', 'ECS document lacks a valid @timestamp', origin) }];
  const ev = doc as unknown as StowawayEvent;
  ev['@timestamp'] = ts;
  const meta: Obj = isObj(ev.event) ? ev.event : {};
  if (typeof meta.category === 'string') meta.category = [meta.category];
  if (typeof meta.type === 'string') meta.type = [meta.type];
  ev.event = meta;
  // The parsed document's own object is completed in place: the same keys in the same order
  // as a copy would have, without a copy per event.
  const given: Obj = isObj(doc.stowaway) ? doc.stowaway : {};
  const ls = isObj(given.logsource) && hasKeys(given.logsource) ? given.logsource : inferLogsource(ev);
  given.source = typeof given.source === 'string' ? given.source : 'ecs';
  given.logsource = ls;
  given.origin = typeof given.origin === 'string' ? given.origin : origin;
  ev.stowaway = given as unknown as StowawayEvent['stowaway'];
  const out: SourceRecord[] = [{ event: ev }];
  if (dropped.length)
    out.push({
      diagnostic: diag(
        'ecs',
        'forbidden-key',
        `keys that would reach Object.prototype were dropped: ${dropped
          .slice(0, 5)
          .map((k) => JSON.stringify(k))
          .join(', ')}`,
        origin,
        'warning',
      ),
    });
  return out;
}

/** event.category/type (and host.os) into the logsource a Sigma rule would name. */
export function inferLogsource(ev: StowawayEvent): LogSource {
  // Any of these may be of any type in a hand-written document: only strings count.
  const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
  const cat = strs(ev.event?.category);
  const type = strs(ev.event?.type);
  const osv = [ev.host?.os?.type, ev.host?.os?.family].find((x): x is string => typeof x === 'string');
  const os = (osv ?? '').toLowerCase();
  const ls: LogSource = {};
  if (os.includes('windows')) ls.product = 'windows';
  else if (os.includes('linux')) ls.product = 'linux';
  else if (os.includes('mac') || os.includes('darwin')) ls.product = 'macos';
  if (cat.includes('process') && type.includes('start')) ls.category = 'process_creation';
  else if (cat.includes('process') && type.includes('end')) ls.category = 'process_termination';
  else if (cat.includes('network')) ls.category = 'network_connection';
  else if (cat.includes('file') && type.includes('deletion')) ls.category = 'file_delete';
  else if (cat.includes('file')) ls.category = 'file_event';
  else if (cat.includes('registry')) ls.category = 'registry_event';
  else if (isObj(ev.dns) && isObj(ev.dns.question) && ev.dns.question.name) ls.category = 'dns_query';
  return ls;
}

function hasKeys(o: Obj): boolean {
  for (const _ in o) return true;
  return false;
}

function needsExpanding(obj: Obj): boolean {
  for (const k in obj) if (k.includes('.') || isForbiddenKey(k)) return true;
  // JSON.parse makes `__proto__` an own key that for-in does not list on every engine
  return Object.prototype.hasOwnProperty.call(obj, '__proto__');
}

// Flat documents ("process.pid": 1) become nested, as every other source writes them. A key
// path through `__proto__`/`constructor`/`prototype` would write into Object.prototype (and
// every event after it would seem to carry that field): such keys are dropped and counted.
function expandDotted(obj: Obj, dropped: string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!k.includes('.') || k === '@timestamp') {
      if (isForbiddenKey(k)) {
        dropped.push(k);
        continue;
      }
      out[k] = isObj(out[k]) && isObj(v) ? { ...out[k], ...v } : v;
      continue;
    }
    const parts = k.split('.');
    if (parts.some(isForbiddenKey)) {
      dropped.push(k);
      continue;
    }
    let cur = out;
    for (const p of parts.slice(0, -1)) {
      if (!isObj(cur[p])) cur[p] = {};
      cur = cur[p] as Obj;
    }
    cur[parts[parts.length - 1]!] ??= v;
  }
  return out;
}
