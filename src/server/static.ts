// The page's own files from web/, read once and kept, so a running page stays steady.
import type { ServerResponse } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { send } from './io.js';

const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/dom.js': 'dom.js',
  '/detail.js': 'detail.js',
  '/charts.js': 'charts.js',
  '/coverage.js': 'coverage.js',
  '/health.js': 'health.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** Answers a GET of one of the page's files (true), or leaves the request to the caller (false). */
export function staticFiles(webDir: string): (method: string | undefined, path: string, res: ServerResponse) => boolean {
  const files = new Map<string, Buffer>();
  function staticFile(name: string): Buffer | undefined {
    // Read on each request during development would be nicer to edit; caching keeps a running page steady.
    if (!files.has(name)) {
      const p = join(webDir, name);
      if (!existsSync(p)) return undefined;
      files.set(name, readFileSync(p));
    }
    return files.get(name);
  }
  return (method, path, res) => {
    if (method !== 'GET' || !STATIC[path]) return false;
    const name = STATIC[path];
    const body = staticFile(name);
    if (!body) {
      send(res, 500, { error: `web page file missing: ${join(webDir, name)}` });
      return true;
    }
    res.writeHead(200, { 'content-type': TYPES[name.split('.').pop()!]!, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(body);
    return true;
  };
}
