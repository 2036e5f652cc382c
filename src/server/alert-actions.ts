// The routes that change an alert: status (one or many), containment, and an exception written
// from it. Each takes JSON only and answers for itself; reading alerts stays in http.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertStatus } from '../model/alert.js';
import { STATUSES, type Store } from '../sinks/store/index.js';
import { appendException, exceptionFromAlert } from '../alerts/exceptions.js';
import type { Responder } from '../respond/index.js';
import { RESPONSE_ACTIONS, type ResponseAction } from '../model/response.js';
import { jsonBody, send } from './io.js';

/** Most alerts one bulk status change may name (a page of the list at most). */
const MAX_BULK = 1000;

export interface AlertActionContext {
  store: Store;
  responder?: Responder | undefined;
  /** Where exceptions from the page are written; none for an in-memory store. */
  exceptionsFile?: string | undefined;
}

/** Answers the request when it is one of these routes; false leaves it to the caller. */
export async function alertActionRoute(ctx: AlertActionContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const { store, exceptionsFile } = ctx;
  if (req.method === 'POST' && path === '/api/alerts/status') {
    const body = await jsonBody<{ ids?: unknown; status?: string; note?: string; actor?: string }>(req, res);
    if (!body) return true;
    const ids = Array.isArray(body.ids) ? body.ids.filter((x): x is string => typeof x === 'string') : [];
    if (ids.length === 0 || ids.length > MAX_BULK) {
      send(res, 400, { error: `ids must list 1 to ${MAX_BULK} alert ids` });
      return true;
    }
    if (!body.status || !(STATUSES as readonly string[]).includes(body.status)) {
      send(res, 400, { error: `status must be one of ${STATUSES.join(', ')}` });
      return true;
    }
    const note = typeof body.note === 'string' && body.note.trim() ? body.note.trim().slice(0, 4000) : undefined;
    const updated = store.setStatusMany(ids, body.status as AlertStatus, note, typeof body.actor === 'string' ? body.actor.slice(0, 200) : 'web');
    send(res, 200, { updated, missing: ids.filter((id) => !updated.includes(id)) });
    return true;
  }
  const rm = /^\/api\/alerts\/([^/]+)\/respond$/.exec(path);
  if (rm) {
    const id = decodeURIComponent(rm[1]!);
    const a = store.getAlert(id);
    if (!a) {
      send(res, 404, { error: `no alert ${id}` });
      return true;
    }
    const r = ctx.responder;
    if (req.method === 'GET') {
      send(res, 200, r ? { mode: r.mode, ...r.permitted(a) } : { mode: 'off', allow: [], auto: [], sources: [] });
      return true;
    }
    if (req.method === 'POST') {
      const body = await jsonBody<{ action?: string; dry_run?: boolean; actor?: string }>(req, res);
      if (!body) return true;
      if (!body.action || !(RESPONSE_ACTIONS as readonly string[]).includes(body.action)) {
        send(res, 400, { error: `action must be one of ${RESPONSE_ACTIONS.join(', ')}` });
        return true;
      }
      if (!r) {
        send(res, 409, { error: 'this server has no response policy loaded; containment is off' });
        return true;
      }
      const actor = `web:${typeof body.actor === 'string' && body.actor.trim() ? body.actor.trim().slice(0, 200) : 'page'}`;
      // The outcome (done, dry run, refused, failed) is the audit row; it is on the alert either way.
      const record = await r.run(id, body.action as ResponseAction, { actor, dryRun: body.dry_run === true });
      send(res, 200, { record, alert: store.getAlert(id) });
      return true;
    }
  }
  const xm = /^\/api\/alerts\/([^/]+)\/exception$/.exec(path);
  if (xm && req.method === 'POST') {
    const id = decodeURIComponent(xm[1]!);
    const a = store.getAlert(id);
    if (!a) {
      send(res, 404, { error: `no alert ${id}` });
      return true;
    }
    if (!exceptionsFile) {
      send(res, 409, { error: 'this server has no exceptions file (an in-memory store); write the exception by hand' });
      return true;
    }
    const body = await jsonBody<{ reason?: unknown; days?: unknown; actor?: unknown }>(req, res);
    if (!body) return true;
    const days = typeof body.days === 'number' && body.days > 0 && body.days <= 3650 ? Math.floor(body.days) : undefined;
    try {
      const entry = exceptionFromAlert(a, {
        reason: typeof body.reason === 'string' ? body.reason.slice(0, 2000) : '',
        author: `web:${typeof body.actor === 'string' && body.actor.trim() ? body.actor.trim().slice(0, 200) : 'page'}`,
        ...(days ? { days } : {}),
      });
      const out = appendException(exceptionsFile, entry);
      send(res, 200, { file: exceptionsFile, exception: out.exception, diagnostics: out.diagnostics });
    } catch (e) {
      send(res, 400, { error: (e as Error).message });
    }
    return true;
  }
  const m = /^\/api\/alerts\/([^/]+)\/status$/.exec(path);
  if (m && req.method === 'POST') {
    const id = decodeURIComponent(m[1]!);
    const body = await jsonBody<{ status?: string; note?: string; actor?: string }>(req, res);
    if (!body) return true;
    if (!body.status || !(STATUSES as readonly string[]).includes(body.status)) {
      send(res, 400, { error: `status must be one of ${STATUSES.join(', ')}` });
      return true;
    }
    const note = typeof body.note === 'string' && body.note.trim() ? body.note.trim().slice(0, 4000) : undefined;
    const a = store.setStatus(id, body.status as AlertStatus, note, typeof body.actor === 'string' ? body.actor.slice(0, 200) : 'web');
    a ? send(res, 200, a) : send(res, 404, { error: `no alert ${id}` });
    return true;
  }
  return false;
}
