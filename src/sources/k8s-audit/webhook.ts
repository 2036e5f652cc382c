// The Kubernetes API server's webhook audit backend POSTs EventList bodies here
// (--audit-webhook-config-file pointing at this endpoint).
import { HttpReceiver, type HttpReceiverOptions } from '../http.js';
import { diag } from '../util.js';
import { normalizeK8sAudit } from './normalize.js';

export function createK8sWebhookSource(opts: HttpReceiverOptions): HttpReceiver {
  return new HttpReceiver('k8s-audit', opts, (body, origin) => {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (e) {
      return [{ diagnostic: diag('k8s-audit', 'bad-json', `webhook body is not JSON: ${(e as Error).message}`, origin) }];
    }
    return normalizeK8sAudit(doc, origin).map((r) => ('event' in r ? { event: { ...r.event, stowaway: { ...r.event.stowaway, origin } } } : r));
  });
}
