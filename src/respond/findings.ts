// For runs that see findings rather than the alert pipeline's alerts (`validate --live`):
// each finding becomes the alert it would be, and goes to the responder's `onAlert`.
import type { Finding } from '../model/alert.js';
import type { ResponseRecord } from '../model/response.js';
import type { Store } from '../sinks/store/index.js';
import { buildAlert, type StrategyLookup } from '../alerts/build.js';
import type { Responder } from './index.js';

/** Stores (and acts on) only the findings the policy answers automatically: the trail needs its alert. */
export function respondToFindings(o: { store: Store; catalog?: StrategyLookup; responder: Responder }): (f: Finding) => Promise<ResponseRecord[]> {
  return async (f) => {
    if (o.responder.mode !== 'auto') return [];
    const alert = buildAlert(f, o.catalog ? { catalog: o.catalog } : {});
    if (o.responder.permitted(alert).auto.length === 0) return [];
    o.store.writeAlerts({ insert: [alert] });
    return o.responder.onAlert(alert);
  };
}
