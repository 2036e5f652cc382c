// Who may use the page: on loopback only requests that name a loopback host (no DNS rebinding);
// elsewhere only those carrying the token (header, bearer, cookie, or `?token=` once).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { isLoopbackAddress } from '../sources/http.js';
import { send } from './io.js';

export interface Access {
  loopback: boolean;
  token?: string | undefined;
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const h = req.headers['x-stowaway-token'];
  if (typeof h === 'string') return h;
  const q = url.searchParams.get('token');
  if (q) return q;
  const m = /(?:^|;\s*)stowaway_token=([^;]+)/.exec(req.headers.cookie ?? '');
  return m ? decodeURIComponent(m[1]!) : undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when the request may go on; otherwise it has been answered (403, 401 or the redirect that drops `?token=`). */
export function admit(access: Access, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const { loopback, token } = access;
  // A page on loopback must not be reachable through a rebound DNS name.
  const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (loopback && hostHeader && !isLoopbackAddress(hostHeader)) {
    send(res, 403, { error: 'loopback server: unexpected Host header' });
    return false;
  }
  if (token) {
    const given = tokenOf(req, url);
    if (!given || !same(given, token)) {
      send(res, 401, { error: 'token required: open the URL printed by `stowaway serve`, or send Authorization: Bearer <token>' });
      return false;
    }
    if (url.searchParams.get('token')) {
      res.setHeader('set-cookie', `stowaway_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      // The token leaves the address bar (and history, and screenshots) at once: the cookie carries it from here.
      if (req.method === 'GET') {
        url.searchParams.delete('token');
        res.writeHead(303, { location: url.pathname + url.search, 'cache-control': 'no-store' });
        res.end();
        return false;
      }
    }
  }
  return true;
}
