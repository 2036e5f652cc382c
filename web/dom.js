// DOM and API helpers shared by the page's modules. Text goes in through text nodes only.

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export async function api(path, init) {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

export const postJson = (path, body) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z') : '');
/** Time of day only, for spans inside one day. */
export const clock = (iso) => (iso ? iso.slice(11, 19) : '');
export const badge = (level) => h('span', { class: `badge ${level}` }, level);
export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A definition list; `code: true` pairs render their value as a path/code cell (wraps anywhere). */
export function kv(pairs) {
  return h(
    'dl',
    { class: 'kv' },
    pairs
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .flatMap(([k, v, opts]) => [h('dt', {}, k), h('dd', { class: opts?.code ? 'code' : '' }, v)]),
  );
}

/** "1h" → "1 hour", "5m" → "5 minutes": Sigma timespans in words. */
export function spanWords(s) {
  const m = /^(\d+)\s*([smhdwMy])$/.exec(String(s || ''));
  if (!m) return s || '';
  const unit = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', M: 'month', y: 'year' }[m[2]];
  return plural(Number(m[1]), unit);
}
