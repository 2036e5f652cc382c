// Health: per source, the alert pipeline, outputs, the store.
import { h, api, when, kv } from './dom.js';

export async function loadHealth() {
  const hth = await api('/api/health');
  const snap = hth.live || hth.stored?.pipeline?.doc;
  const updated = hth.live ? 'live' : hth.stored?.pipeline ? `snapshot from ${when(hth.stored.pipeline.updated)}` : null;
  const body = document.getElementById('health-body');
  const cards = [];
  if (!snap) {
    cards.push(
      h(
        'div',
        { class: 'card' },
        h('h3', {}, 'No running pipeline'),
        h('p', { class: 'muted' }, 'Start `stowaway start` (live) or `stowaway demo` (replay) to see sources here.'),
      ),
    );
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
          h(
            'h3',
            {},
            s.name,
            s.started === false ? h('span', { class: 'warn' }, ' — not started') : null,
            open.length ? h('span', { class: 'warn' }, ` — ${open.join(', ')}`) : null,
          ),
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
      cards.push(
        h(
          'div',
          { class: 'card' },
          h('h3', {}, `Output ${o.name}`),
          kv([
            ['sent', o.sent],
            ['failed', o.failed],
            ['retries', o.retries],
            ['dropped', o.dropped],
            ['queued', o.queued],
            ['last error', o.last_error],
          ]),
        ),
      );
    }
  }
  cards.push(
    h(
      'div',
      { class: 'card' },
      h('h3', {}, 'Store'),
      kv([
        ['file', hth.store.path],
        ['size', `${(hth.store.bytes / 1e6).toFixed(2)} MB`],
        ['revision', hth.store.revision],
      ]),
    ),
  );
  body.replaceChildren(h('p', { class: 'muted' }, updated || ''), h('div', { class: 'cards' }, cards));
}
