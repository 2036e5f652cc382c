// The triage page: plain DOM, no build step. Text goes in through textContent only.
'use strict';

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const state = { selected: null, rev: -1, limit: 200 };

function h(tag, attrs, ...children) {
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

async function api(path, init) {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z') : '');
const badge = (level) => h('span', { class: `badge ${level}` }, level);

// ---- tabs
for (const b of document.querySelectorAll('.tab')) {
  b.addEventListener('click', () => showTab(b.dataset.tab));
}
function showTab(name) {
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === name);
  for (const v of document.querySelectorAll('.view')) v.classList.toggle('active', v.id === name);
  if (name === 'coverage') loadCoverage();
  if (name === 'health') loadHealth();
  history.replaceState(null, '', `#${name}${state.selected && name === 'alerts' ? `/${state.selected}` : ''}`);
}

// ---- filters
const form = document.getElementById('filters');
const levelSel = form.elements.level;
for (const l of [...LEVELS].reverse()) levelSel.append(h('option', { value: l }, `${l}`));
let debounce;
form.addEventListener('input', () => {
  clearTimeout(debounce);
  debounce = setTimeout(loadAlerts, 200);
});
form.addEventListener('reset', () => setTimeout(loadAlerts, 0));
form.addEventListener('change', () => (state.limit = 200));
form.addEventListener('submit', (e) => e.preventDefault());

function filterParams() {
  const p = new URLSearchParams();
  for (const el of form.elements) if (el.name && el.value) p.set(el.name, el.value);
  p.set('limit', String(state.limit));
  return p;
}

async function loadFacets() {
  const f = await api('/api/facets');
  document.getElementById('totals').textContent =
    `${f.total} alerts · ${f.statuses.new || 0} new · ${f.statuses.acknowledged || 0} acknowledged`;
  fillSelect(form.elements.rule, f.rules.map((r) => [r.id, `${r.title} (${r.n})`]), 'any rule');
  fillSelect(form.elements.ads, f.strategies.map((s) => [s.id, `${s.id} ${s.title} (${s.n})`]), 'any ADS');
}

function fillSelect(sel, options, anyLabel) {
  const keep = sel.value;
  sel.replaceChildren(h('option', { value: '' }, anyLabel), ...options.map(([v, t]) => h('option', { value: v }, t)));
  sel.value = options.some(([v]) => v === keep) ? keep : '';
}

async function loadAlerts() {
  const { total, alerts } = await api(`/api/alerts?${filterParams()}`);
  const tbody = document.querySelector('#alert-table tbody');
  tbody.replaceChildren(
    ...alerts.map((a) =>
      h(
        'tr',
        { dataset: { id: a.id }, class: a.id === state.selected ? 'selected' : '', onclick: () => openAlert(a.id), 'data-testid': 'alert-row' },
        h('td', { class: 'when' }, when(a.last_seen)),
        h('td', {}, badge(a.level)),
        h('td', {}, a.summary, a.strategy ? h('div', { class: 'muted' }, `${a.strategy.id} · ${a.attack.map((t) => t.technique).join(' ')}`) : h('div', { class: 'muted' }, a.attack.map((t) => t.technique).join(' '))),
        h('td', { class: 'num' }, String(a.count), a.held_back ? h('span', { class: 'held', title: 'held back by the rate limit' }, `+${a.held_back} held back`) : null),
        h('td', { class: `status ${a.status}` }, a.status.replace('_', ' ')),
      ),
    ),
  );
  const note = document.getElementById('list-note');
  note.replaceChildren(total > alerts.length ? `showing ${alerts.length} of ${total} ` : `${total} alert${total === 1 ? '' : 's'}`);
  if (total > alerts.length && state.limit < 1000) {
    const more = () => {
      state.limit = Math.min(1000, state.limit + 200);
      loadAlerts();
    };
    note.append(h('button', { type: 'button', onclick: more }, 'show more'));
  }
}

// ---- one alert
async function openAlert(id) {
  state.selected = id;
  for (const tr of document.querySelectorAll('#alert-table tbody tr')) tr.classList.toggle('selected', tr.dataset.id === id);
  history.replaceState(null, '', `#alerts/${id}`);
  const [a, perm] = await Promise.all([api(`/api/alerts/${encodeURIComponent(id)}`), api(`/api/alerts/${encodeURIComponent(id)}/respond`).catch(() => null)]);
  state.perm = perm;
  renderAlert(a);
}

// ---- containment: buttons for what the response policy allows, each confirmed; the audit trail below.
const ACTION_TEXT = {
  preserve: ['Preserve evidence', 'Write inspect, filesystem diff, logs, process list and changed files (with sha256 digests) into the data directory?'],
  isolate: ['Isolate', 'Disconnect it from every network? Its networks are recorded so Restore can reconnect them.'],
  restore: ['Restore networks', 'Reconnect the networks the last Isolate removed?'],
  pause: ['Pause', 'Freeze every process in it?'],
  unpause: ['Unpause', 'Let its processes run again?'],
  stop: ['Stop', 'Preserve evidence, then stop it? Its processes and their memory are lost; the container is kept.'],
  terminate: ['Terminate process', 'Preserve /proc evidence, then kill the whole process tree? This cannot be undone.'],
  quarantine: ['Quarantine pod', 'Write (and, with a kubeconfig, apply) a deny-all NetworkPolicy and a quarantine label for the pod?'],
};

function containment(a) {
  const perm = state.perm || { mode: 'off', allow: [] };
  const subject = a.entity?.container ? `container ${a.entity.container.name || a.entity.container.id?.slice(0, 12)}` : a.entity?.pod ? `pod ${a.entity.pod.namespace}/${a.entity.pod.name}` : a.entity?.process ? `process ${a.entity.process.pid}` : 'the subject';
  const result = h('p', { class: 'muted', 'data-testid': 'respond-result' });
  const act = async (action) => {
    const [label, question] = ACTION_TEXT[action];
    if (!window.confirm(`${label} ${subject}?\n\n${question}`)) return;
    result.textContent = `${label}: working …`;
    try {
      const out = await api(`/api/alerts/${encodeURIComponent(a.id)}/respond`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action }) });
      renderAlert(out.alert);
      const again = document.querySelector('[data-testid=respond-result]');
      if (again) {
        again.textContent = `${label}: ${out.record.result} — ${out.record.detail}`;
        again.className = out.record.result === 'done' ? 'ok' : 'warn';
      }
    } catch (e) {
      result.textContent = `${label}: ${e.message}`;
      result.className = 'warn';
    }
  };
  const buttons =
    perm.mode === 'off'
      ? h('p', { class: 'muted', 'data-testid': 'respond-off' }, 'Response mode is off: containment is disabled. Set mode: suggest in <data-dir>/response.yaml to act from here (docs/response.md).')
      : perm.allow.length
        ? h('div', { class: 'actions' }, perm.allow.map((x) => h('button', { onclick: () => act(x), 'data-testid': `btn-respond-${x}`, title: ACTION_TEXT[x][1] }, ACTION_TEXT[x][0])))
        : h('p', { class: 'muted' }, 'The response policy allows no containment for this rule and level.');
  const trail = (a.response || []).map((r) =>
    h(
      'li',
      { class: r.result === 'done' ? '' : 'warn' },
      `${when(r.started)} ${r.action}${r.dry_run ? ' (dry run)' : ''} ${r.target.replace(/^(container:)(.{12}).*/, '$1$2')} by ${r.actor}: ${r.result} — ${r.detail}${r.undo ? ` (undo: ${r.undo})` : ''}`,
    ),
  );
  return [h('h3', {}, `Containment (mode ${perm.mode})`), buttons, result, trail.length ? h('ul', { class: 'trail', 'data-testid': 'response-trail' }, trail) : null];
}

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function checklistKey(id) {
  return `stowaway.checklist.${id}`;
}

function renderAlert(a) {
  const d = document.getElementById('detail');
  const e = a.entity || {};
  const done = new Set(JSON.parse(localStorage.getItem(checklistKey(a.id)) || '[]'));
  const note = h('textarea', { placeholder: 'note (why, what you checked)', 'data-testid': 'status-note' }, a.note || '');
  const setStatus = async (status) => {
    const updated = await api(`/api/alerts/${encodeURIComponent(a.id)}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status, note: note.value }),
    });
    renderAlert(updated);
    loadAlerts();
    loadFacets();
  };
  const response = a.strategy?.response?.length
    ? h(
        'ul',
        { class: 'checklist', 'data-testid': 'response-steps' },
        a.strategy.response.map((step, i) =>
          h(
            'li',
            {},
            h(
              'label',
              {},
              h('input', {
                type: 'checkbox',
                checked: done.has(i),
                onchange: (ev) => {
                  if (ev.target.checked) done.add(i);
                  else done.delete(i);
                  localStorage.setItem(checklistKey(a.id), JSON.stringify([...done]));
                },
              }),
              step,
            ),
          ),
        ),
      )
    : h('p', { class: 'muted', 'data-testid': 'response-steps' }, 'No detection strategy claims this rule; follow your generic container-incident runbook.');
  const parts = [
    h('h2', { 'data-testid': 'alert-summary' }, a.summary),
    kv([
      ['level', badge(a.level)],
      ['status', h('span', { class: `status ${a.status}`, 'data-testid': 'alert-status' }, a.status.replace('_', ' '))],
      ['rule', `${a.rule.title} (${a.rule.kind}, ${a.rule.id})`],
      ['ADS', a.strategy ? `${a.strategy.id} — ${a.strategy.title} (priority ${a.strategy.priority})` : undefined],
      ['ATT&CK', a.attack.length ? h('span', { class: 'chips' }, a.attack.map((t) => h('span', { title: t.tactics.join(', ') }, `${t.technique}${t.name ? ` ${t.name}` : ''}`))) : 'none'],
      ['count', `${a.count}${a.held_back ? ` (+${a.held_back} held back by the rate limit)` : ''}`],
      ['first seen', when(a.first_seen)],
      ['last seen', when(a.last_seen)],
    ]),
    h('h3', {}, 'Where'),
    kv([
      ['host', e.host || 'unknown'],
      ['container', e.container ? [e.container.name, e.container.id && e.container.id.slice(0, 12)].filter(Boolean).join(' · ') : undefined],
      ['image', e.container?.image],
      ['pod', e.pod ? [e.pod.namespace, e.pod.name].filter(Boolean).join('/') : undefined],
      ['workload', e.pod?.workload],
      ['process', e.process ? [e.process.executable, e.process.pid !== undefined ? `pid ${e.process.pid}` : ''].filter(Boolean).join(' · ') : undefined],
      ['command line', e.process?.command_line],
      ['user', e.user],
    ]),
    h('h3', {}, 'Matched'),
    h('div', { class: 'chips', 'data-testid': 'selections' }, a.selections.length ? a.selections.map((s) => h('span', {}, s)) : h('span', {}, 'rule condition')),
    a.details ? h('pre', {}, JSON.stringify(a.details, null, 2)) : null,
    h('h3', {}, 'Response'),
    response,
    ...containment(a),
    h('h3', {}, 'Triage'),
    note,
    h(
      'div',
      { class: 'actions' },
      h('button', { class: 'primary', onclick: () => setStatus('acknowledged'), 'data-testid': 'btn-ack' }, 'Acknowledge'),
      h('button', { onclick: () => setStatus('false_positive'), 'data-testid': 'btn-fp' }, 'False positive'),
      h('button', { onclick: () => setStatus('resolved'), 'data-testid': 'btn-resolve' }, 'Resolve'),
      a.status !== 'new' ? h('button', { onclick: () => setStatus('new'), 'data-testid': 'btn-reopen' }, 'Reopen') : null,
    ),
    a.history?.length ? h('ul', { class: 'muted' }, a.history.map((x) => h('li', {}, `${when(x.time)} ${x.status}${x.actor ? ` by ${x.actor}` : ''}${x.note ? ` — ${x.note}` : ''}`))) : null,
    h('h3', {}, `Triggering events (${a.events.length}${a.details?.events_total ? ` of ${a.details.events_total}` : ''})`),
    ...a.events.map((ev, i) => h('details', { open: i === 0 }, h('summary', {}, `${when(ev['@timestamp'])} ${ev.event?.action || ev.event?.dataset || ev.stowaway?.source || 'event'}`), h('pre', {}, JSON.stringify(ev, null, 2)))),
  ];
  d.replaceChildren(...parts.filter((x) => x !== null && x !== undefined));
}

// ---- coverage
async function loadCoverage() {
  const m = await api('/api/coverage');
  document.getElementById('coverage-note').textContent = `${m.rules} rules cover ${m.techniques} techniques through ${m.strategies.length} detection strategies.`;
  const cols = m.tactics.filter((t) => t.techniques.length || t.tactic !== 'unmapped');
  document.getElementById('matrix').replaceChildren(
    ...cols.map((t) =>
      h(
        'div',
        { class: 'col' },
        h('h4', {}, t.tactic.replace(/-/g, ' ')),
        t.techniques.length
          ? t.techniques.map((c) =>
              h(
                'div',
                { class: 'cell', title: c.rules.map((r) => r.title).join('\n') },
                h('b', {}, `${c.technique}${c.name ? ` ${c.name}` : ''}`),
                `${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}${c.strategies.length ? ` · ${c.strategies.join(', ')}` : ''}`,
              ),
            )
          : h('div', { class: 'empty' }, 'not covered'),
      ),
    ),
  );
}

// ---- health
async function loadHealth() {
  const hth = await api('/api/health');
  const snap = hth.live || hth.stored?.pipeline?.doc;
  const updated = hth.live ? 'live' : hth.stored?.pipeline ? `snapshot from ${when(hth.stored.pipeline.updated)}` : null;
  const body = document.getElementById('health-body');
  const cards = [];
  if (!snap) {
    cards.push(h('div', { class: 'card' }, h('h3', {}, 'No running pipeline'), h('p', { class: 'muted' }, 'Start `stowaway start` (live) or `stowaway demo` (replay) to see sources here.')));
  } else {
    // Open sensor gaps first: a source that stopped, went silent, lags or loses events is not "clean".
    const gaps = snap.gaps || [];
    if (gaps.length)
      cards.push(
        h(
          'div',
          { class: 'card', 'data-testid': 'sensor-gaps' },
          h('h3', { class: 'warn' }, `Sensor gaps (${gaps.length})`),
          ...gaps.map((g) => h('p', { class: 'warn', 'data-testid': 'sensor-gap' }, `${g.source}: ${g.condition} since ${when(g.since)} — ${g.detail}`)),
        ),
      );
    for (const s of snap.sources || []) {
      const open = gaps.filter((g) => g.source === s.name).map((g) => g.condition);
      cards.push(
        h(
          'div',
          { class: 'card', 'data-testid': 'source-card' },
          h('h3', {}, s.name, s.started === false ? h('span', { class: 'warn' }, ' — not started') : null, open.length ? h('span', { class: 'warn' }, ` — ${open.join(', ')}`) : null),
          s.reason ? h('p', { class: 'warn' }, s.reason) : null,
          kv([
            ['events/s', (s.events_per_s ?? 0).toFixed(1)],
            ['events', s.events],
            ['parse errors', s.errors],
            ['dropped', s.dropped],
            ['unattributed', s.unattributed],
            ['lag', s.lag_s !== undefined ? `${s.lag_s.toFixed(1)} s` : '—'],
          ]),
        ),
      );
    }
    const p = snap.pipeline || {};
    cards.push(
      h(
        'div',
        { class: 'card', 'data-testid': 'pipeline-card' },
        h('h3', {}, 'Alert pipeline'),
        kv([
          ['findings', p.findings],
          ['alerts created', p.created],
          ['merged (dedup)', p.merged],
          ['held back (rate limit)', p.held_back],
          ['excepted', p.excepted],
          ['dedup entries evicted', p.evicted],
          ['reopened after resolve', p.reopened],
          ['store errors', p.store_errors ? `${p.store_errors} (${p.last_store_error})` : 0],
          ['events stored truncated', p.truncated_events ? `${p.truncated_events} (${p.last_truncated})` : 0],
        ]),
      ),
    );
    const diagCodes = Object.entries(snap.diagnostics || {});
    if (diagCodes.length) cards.push(h('div', { class: 'card', 'data-testid': 'diagnostics-card' }, h('h3', {}, 'Source diagnostics by code'), kv(diagCodes)));
    if (snap.engine) cards.push(h('div', { class: 'card' }, h('h3', {}, 'Engine'), kv(Object.entries(snap.engine).filter(([, v]) => typeof v !== 'object'))));
    for (const o of snap.outputs || []) {
      cards.push(h('div', { class: 'card' }, h('h3', {}, `Output ${o.name}`), kv([['sent', o.sent], ['failed', o.failed], ['retries', o.retries], ['dropped', o.dropped], ['queued', o.queued], ['last error', o.last_error]])));
    }
  }
  cards.push(h('div', { class: 'card' }, h('h3', {}, 'Store'), kv([['file', hth.store.path], ['size', `${(hth.store.bytes / 1e6).toFixed(2)} MB`], ['revision', hth.store.revision]])));
  body.replaceChildren(h('p', { class: 'muted' }, updated || ''), h('div', { class: 'cards' }, cards));
}

// ---- live updates: the server pushes the store revision; we refetch when it moves.
function connectStream() {
  const live = document.getElementById('live');
  const es = new EventSource('/api/stream');
  es.addEventListener('open', () => live.classList.add('on'));
  es.addEventListener('error', () => live.classList.remove('on'));
  es.addEventListener('rev', async (ev) => {
    const rev = Number(ev.data);
    if (rev === state.rev) return;
    state.rev = rev;
    await Promise.all([loadAlerts(), loadFacets()]).catch(() => {});
    if (document.getElementById('health').classList.contains('active')) loadHealth().catch(() => {});
  });
}

async function boot() {
  api('/api/respond')
    .then((r) => {
      const el = document.getElementById('respond-mode');
      el.textContent = `response: ${r.mode}`;
      el.title = r.mode_source;
      el.className = `respond-mode ${r.mode}`;
    })
    .catch(() => {});
  await loadFacets();
  await loadAlerts();
  const m = /^#(alerts|coverage|health)(?:\/(.+))?$/.exec(location.hash);
  if (m) {
    showTab(m[1]);
    if (m[2]) openAlert(m[2]).catch(() => {});
  }
  connectStream();
}
boot().catch((e) => {
  document.getElementById('list-note').textContent = `cannot reach the stowaway API: ${e.message}`;
});
