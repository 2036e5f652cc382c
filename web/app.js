// The triage page: plain DOM modules, no build step. This one holds the list: filters, sort,
// keyset pages, grouping, bulk status, charts, live updates and the address-bar state.
import { h, api, postJson, when, badge, plural, LEVELS } from './dom.js';
import { openAlert } from './detail.js';
import { volumeChart, barList, sizeBars } from './charts.js';
import { loadCoverage } from './coverage.js';
import { loadHealth } from './health.js';

const PAGE = 100;
const state = {
  selected: null,
  rev: -1,
  /** cursors[i] loads page i; page 0 has none. */
  cursors: [undefined],
  page: 0,
  checked: new Set(),
  ruleTitles: new Map(),
  perm: null,
};

// ---- tabs
for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showTab(b.dataset.tab));
function showTab(name) {
  for (const b of document.querySelectorAll('.tab')) b.classList.toggle('active', b.dataset.tab === name);
  for (const v of document.querySelectorAll('.view')) v.classList.toggle('active', v.id === name);
  if (name === 'coverage') loadCoverage(showTechnique).catch(showError);
  if (name === 'health') loadHealth().catch(showError);
  history.replaceState(null, '', `#${name}${state.selected && name === 'alerts' ? `/${state.selected}` : ''}`);
}
function showError(e) {
  document.getElementById('list-note').textContent = e.message;
}

// ---- filters
const form = document.getElementById('filters');
const view = document.getElementById('view-opts');
for (const l of [...LEVELS].reverse()) form.elements.level.append(h('option', { value: l }, l));
let debounce;
const refilter = () => {
  clearTimeout(debounce);
  debounce = setTimeout(() => {
    firstPage();
    refresh();
  }, 200);
};
form.addEventListener('input', refilter);
form.addEventListener('reset', () => setTimeout(refilter, 0));
form.addEventListener('submit', (e) => e.preventDefault());
view.addEventListener('change', () => {
  firstPage();
  refresh();
});

function firstPage() {
  state.cursors = [undefined];
  state.page = 0;
  state.checked.clear();
}

function filterParams() {
  const p = new URLSearchParams();
  for (const el of form.elements) if (el.name && el.value) p.set(el.name, el.value.trim());
  return p;
}

/** Sets a filter field; a select gets the option first if the facets have not listed it (yet). */
function setValue(el, value) {
  if (el.tagName === 'SELECT' && value && ![...el.options].some((o) => o.value === value)) el.append(h('option', { value }, value));
  el.value = value;
}

function setFilter(name, value) {
  const el = form.elements[name];
  if (!el) return;
  setValue(el, value);
  view.elements.group.value = '';
  firstPage();
  refresh();
}

function showTechnique(t) {
  form.reset();
  showTab('alerts');
  setTimeout(() => setFilter('technique', t), 0);
}

async function loadFacets() {
  const f = await api('/api/facets');
  document.getElementById('totals').textContent = `${f.total} alerts · ${f.statuses.new || 0} new · ${f.statuses.acknowledged || 0} acknowledged`;
  fillSelect(
    form.elements.rule,
    f.rules.map((r) => [r.id, `${r.title} (${r.n})`]),
    'any rule',
  );
  fillSelect(
    form.elements.ads,
    f.strategies.map((s) => [s.id, `${s.id} ${s.title} (${s.n})`]),
    'any ADS',
  );
  for (const r of f.rules) if (!state.ruleTitles.has(r.id)) state.ruleTitles.set(r.id, r.title);
}

function fillSelect(sel, options, anyLabel) {
  const keep = sel.value;
  sel.replaceChildren(h('option', { value: '' }, anyLabel), ...options.map(([v, t]) => h('option', { value: v }, t)));
  if (keep && !options.some(([v]) => v === keep)) sel.append(h('option', { value: keep }, keep));
  sel.value = keep;
}

// ---- the list: one keyset page at a time
async function loadAlerts() {
  if (view.elements.group.value) return loadGroups();
  document.getElementById('alert-table').hidden = false;
  document.getElementById('group-table').hidden = true;
  const p = filterParams();
  p.set('sort', view.elements.sort.value);
  p.set('limit', String(PAGE));
  const cursor = state.cursors[state.page];
  if (cursor) p.set('cursor', cursor);
  const { total, alerts, next } = await api(`/api/alerts?${p}`);
  state.cursors[state.page + 1] = next;
  const tbody = document.querySelector('#alert-table tbody');
  tbody.replaceChildren(...alerts.map(row));
  const from = state.page * PAGE;
  const note = document.getElementById('list-note');
  note.replaceChildren(
    ...[
      total ? `${from + 1}–${from + alerts.length} of ${plural(total, 'alert')}` : 'no alerts match',
      state.page > 0 ? h('button', { type: 'button', onclick: () => turn(-1), 'data-testid': 'page-prev' }, '◀ newer') : null,
      next ? h('button', { type: 'button', onclick: () => turn(1), 'data-testid': 'page-next' }, 'older ▶') : null,
    ].filter(Boolean),
  );
  note.dataset.page = String(state.page);
  syncBulk();
}

function turn(d) {
  state.page = Math.max(0, state.page + d);
  state.checked.clear();
  loadAlerts().catch(showError);
}

function row(a) {
  const e = a.entity || {};
  const where = [
    e.host,
    e.container?.image || (e.pod?.images || []).join(', '),
    e.pod?.name && `${e.pod.namespace ? `${e.pod.namespace}/` : ''}${e.pod.name}`,
    e.user,
  ]
    .filter(Boolean)
    .join(' · ');
  const box = h('input', {
    type: 'checkbox',
    'aria-label': 'select',
    'data-testid': 'row-check',
    checked: state.checked.has(a.id),
    onclick: (ev) => ev.stopPropagation(),
    onchange: (ev) => {
      if (ev.target.checked) state.checked.add(a.id);
      else state.checked.delete(a.id);
      syncBulk();
    },
  });
  return h(
    'tr',
    { dataset: { id: a.id }, class: a.id === state.selected ? 'selected' : '', onclick: () => select(a.id), 'data-testid': 'alert-row' },
    h('td', { class: 'check' }, box),
    h('td', { class: 'when' }, when(a.last_seen)),
    h('td', {}, badge(a.level)),
    h(
      'td',
      { class: 'summary' },
      h('span', { class: 'prose' }, a.summary),
      h('div', { class: 'muted code' }, [a.strategy?.id, a.attack.map((t) => t.technique).join(' '), where].filter(Boolean).join(' · ')),
    ),
    h(
      'td',
      { class: 'num' },
      String(a.count),
      a.held_back ? h('span', { class: 'held', title: 'held back by the rate limit' }, `+${a.held_back} held back`) : null,
    ),
    h('td', { class: `status ${a.status}`, 'data-testid': 'row-status' }, a.status.replace('_', ' ')),
  );
}

// ---- grouping
async function loadGroups() {
  document.getElementById('alert-table').hidden = true;
  const table = document.getElementById('group-table');
  table.hidden = false;
  const by = view.elements.group.value;
  const p = filterParams();
  p.set('by', by);
  const { groups } = await api(`/api/groups?${p}`);
  table.querySelector('thead th').textContent = by;
  table
    .querySelector('tbody')
    .replaceChildren(
      ...groups.map((g) =>
        h(
          'tr',
          { 'data-testid': 'group-row', onclick: () => setFilter(by === 'rule' ? 'rule' : by === 'strategy' ? 'ads' : by, g.key) },
          h('td', { class: 'code' }, g.label || '(none)'),
          h('td', { class: 'num' }, String(g.alerts)),
          h('td', { class: 'num' }, String(g.new)),
          h('td', { class: 'num' }, String(g.findings)),
          h('td', {}, badge(g.level)),
          h('td', { class: 'when' }, when(g.last_seen)),
        ),
      ),
    );
  document.getElementById('list-note').replaceChildren(`${plural(groups.length, 'group')} by ${by}; a row filters the list to it`);
  syncBulk();
}

// ---- bulk status: the checked rows of this page
const bulk = document.getElementById('bulk');
const all = document.getElementById('check-all');
all.addEventListener('change', () => {
  for (const box of document.querySelectorAll('#alert-table tbody [data-testid=row-check]')) {
    box.checked = all.checked;
    const id = box.closest('tr').dataset.id;
    if (all.checked) state.checked.add(id);
    else state.checked.delete(id);
  }
  syncBulk();
});
function syncBulk() {
  const n = state.checked.size;
  bulk.querySelector('[data-testid=bulk-count]').textContent = n ? `${plural(n, 'alert')} selected` : 'select rows to change many at once';
  for (const b of bulk.querySelectorAll('button')) b.disabled = n === 0;
  const boxes = document.querySelectorAll('#alert-table tbody [data-testid=row-check]');
  all.checked = boxes.length > 0 && [...boxes].every((b) => b.checked);
}
for (const b of bulk.querySelectorAll('button[data-status]'))
  b.addEventListener('click', async () => {
    const ids = [...state.checked];
    if (!ids.length) return;
    const note = bulk.querySelector('input[name=note]').value;
    const r = await postJson('/api/alerts/status', { ids, status: b.dataset.status, note });
    state.checked.clear();
    bulk.querySelector('[data-testid=bulk-result]').textContent =
      `${plural(r.updated.length, 'alert')} set to ${b.dataset.status.replace('_', ' ')}${r.missing.length ? `; ${r.missing.length} no longer stored` : ''}`;
    await refresh();
    if (state.selected && ids.includes(state.selected)) select(state.selected);
  });

// ---- charts follow the filters
async function loadCharts() {
  const stats = await api(`/api/stats?${filterParams()}`);
  const box = document.getElementById('charts');
  box.replaceChildren(
    volumeChart(stats),
    barList('Alerts per rule', 'chart-rules', stats.rules, (g) => setFilter('rule', g.key)),
    barList('Alerts per host', 'chart-hosts', stats.hosts, (g) => g.key && setFilter('host', g.key)),
  );
  sizeBars(box);
}

// ---- one alert
function detailCtx() {
  return {
    ruleTitles: state.ruleTitles,
    onStatus: () => refresh(),
    onClose: () => {
      state.selected = null;
      document.body.classList.remove('has-detail');
      for (const tr of document.querySelectorAll('#alert-table tbody tr')) tr.classList.remove('selected');
      history.replaceState(null, '', '#alerts');
    },
  };
}

async function select(id) {
  state.selected = id;
  for (const tr of document.querySelectorAll('#alert-table tbody tr')) tr.classList.toggle('selected', tr.dataset.id === id);
  history.replaceState(null, '', `#alerts/${id}`);
  document.body.classList.add('has-detail');
  await openAlert(id, detailCtx());
  // Stacked (narrow) layout: bring the panel into view, its title first.
  const d = document.getElementById('detail');
  if (getComputedStyle(document.querySelector('.split')).display === 'flex') d.scrollIntoView({ block: 'start' });
}

async function refresh() {
  await Promise.all([loadAlerts(), loadCharts()]);
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
    await Promise.all([refresh(), loadFacets()]).catch(() => {});
    if (document.getElementById('health').classList.contains('active')) loadHealth().catch(() => {});
  });
}

/** `#alerts/<id>`, `#alerts?technique=T1611&host=…`, `#coverage`, `#health`. */
function fromHash() {
  const m = /^#(alerts|coverage|health)(?:\/([^?]+))?(?:\?(.*))?$/.exec(location.hash);
  if (!m) return;
  if (m[3]) {
    // A link names the whole filter: what it does not name is cleared.
    for (const el of form.elements) if (el.name) el.value = '';
    view.elements.group.value = '';
    firstPage();
    for (const [k, v] of new URLSearchParams(m[3])) if (form.elements[k]) setValue(form.elements[k], v);
  }
  showTab(m[1]);
  if (m[2]) select(decodeURIComponent(m[2])).catch(() => {});
}

// Links into the page (coverage cells, a pasted address) change only the hash.
window.addEventListener('hashchange', () => {
  fromHash();
  refresh().catch(showError);
});

async function boot() {
  api('/api/respond')
    .then((r) => {
      const el = document.getElementById('respond-mode');
      el.textContent = `response: ${r.mode}`;
      el.title = r.mode_source;
      el.className = `respond-mode ${r.mode}`;
    })
    .catch(() => {});
  // Correlation alerts name their member rules by id; the titles come from the loaded content.
  api('/api/coverage')
    .then((m) => {
      for (const t of m.tactics) for (const c of t.techniques) for (const r of c.rules) state.ruleTitles.set(r.id, r.title);
    })
    .catch(() => {});
  await loadFacets();
  fromHash();
  await refresh();
  syncBulk();
  connectStream();
}
boot().catch(showError);
