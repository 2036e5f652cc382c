// Reading and answering requests: JSON out, bounded bodies in, JSON-only state changes.
import type { IncomingMessage, ServerResponse } from 'node:http';

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export function readBody(req: IncomingMessage, max = 64 * 1024): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The JSON body of a state-changing request, or undefined after answering 415/400 itself. */
export async function jsonBody<T>(req: IncomingMessage, res: ServerResponse): Promise<T | undefined> {
  // JSON only: a cross-site form cannot send it without a preflight we never answer.
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    send(res, 415, { error: 'send application/json' });
    return undefined;
  }
  try {
    const v = JSON.parse(await readBody(req)) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected an object');
    return v as T;
  } catch (e) {
    send(res, 400, { error: `bad JSON: ${(e as Error).message}` });
    return undefined;
  }
}
