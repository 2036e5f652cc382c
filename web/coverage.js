// ATT&CK coverage: every tactic in kill-chain order (the matrix scrolls inside its own box),
// cells shaded by how many stored alerts the technique has, each linking to those alerts.
import { h, api, plural } from './dom.js';

/** Alerts of a cell: the technique itself and, for a parent, its sub-techniques (as the filter matches). */
function alertsOf(technique, counts) {
  let n = 0;
  for (const [t, c] of Object.entries(counts || {})) if (t === technique || t.startsWith(`${technique}.`)) n += c;
  return n;
}

export async function loadCoverage(onTechnique) {
  const m = await api('/api/coverage');
  const cols = m.tactics.filter((t) => t.techniques.length || t.tactic !== 'unmapped');
  const counts = m.tactics.flatMap((t) => t.techniques.map((c) => alertsOf(c.technique, m.alerts)));
  const max = Math.max(1, ...counts);
  document.getElementById('coverage-note').textContent =
    `${plural(m.rules, 'rule')} cover ${plural(m.techniques, 'technique')} through ${plural(m.strategies.length, 'detection strategy', 'detection strategies')}. Shade: alerts stored per technique; a cell opens its alerts.`;
  const matrix = document.getElementById('matrix');
  matrix.replaceChildren(
    ...cols.map((t) =>
      h(
        'div',
        { class: 'col', 'data-testid': 'coverage-tactic' },
        h('h4', {}, t.tactic.replace(/-/g, ' ')),
        t.techniques.length
          ? t.techniques.map((c) => {
              const n = alertsOf(c.technique, m.alerts);
              // Five steps of heat: none, then quartiles of the busiest technique.
              const heat = n === 0 ? 0 : Math.min(4, 1 + Math.floor((n / max) * 3.999));
              return h(
                'a',
                {
                  class: `cell heat-${heat}`,
                  href: `#alerts?technique=${encodeURIComponent(c.technique)}`,
                  title: `${c.rules.map((r) => r.title).join('\n')}\n${plural(n, 'alert')}`,
                  'data-testid': 'coverage-cell',
                  'data-alerts': n,
                  onclick: (ev) => {
                    ev.preventDefault();
                    onTechnique(c.technique);
                  },
                },
                h('b', {}, `${c.technique}${c.name ? ` ${c.name}` : ''}`),
                h('span', {}, `${plural(c.rules.length, 'rule')}${c.strategies.length ? ` · ${c.strategies.join(', ')}` : ''}`),
                h('span', { class: 'n' }, plural(n, 'alert')),
              );
            })
          : h('div', { class: 'empty' }, 'not covered'),
      ),
    ),
  );
}
