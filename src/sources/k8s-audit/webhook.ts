// The Kubernetes API server's webhook audit backend POSTs EventList bodies here
// (--audit-webhook-config-file pointing at this endpoint).
import { HttpReceiver, type HttpReceiverOptions } from '../http.js';
import { diag, isObj } from '../util.js';
import { normalizeK8sAudit } from './normalize.js';
import type { SourceRecord } from '../types.js';

export function createK8sWebhookSource(opts: HttpReceiverOptions): HttpReceiver {
  return new HttpReceiver('k8s-audit', opts, parseK8sWebhookBody);
}

/** One webhook body (an EventList) into records; items past maxItems are counted, not normalized. */
export function parseK8sWebhookBody(body: string, origin: string, maxItems: number): SourceRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    return [{ diagnostic: diag('k8s-audit', 'bad-json', `webhook body is not JSON: ${(e as Error).message}`, origin) }];
  }
  // Items past the per-request limit are not normalized at all: they are counted, not worked on.
  let over = 0;
  if (isObj(doc) && Array.isArray(doc.items) && doc.items.length > maxItems) {
    over = doc.items.length - maxItems;
    doc = { ...doc, items: doc.items.slice(0, maxItems) };
  }
  const out = normalizeK8sAudit(doc, origin).map((r) => ('event' in r ? { event: { ...r.event, stowaway: { ...r.event.stowaway, origin } } } : r));
  if (over) out.push({ diagnostic: diag('k8s-audit', 'too-many-items', `${over} EventList items over the ${maxItems}-per-request limit dropped`, origin) });
  return out;
}
