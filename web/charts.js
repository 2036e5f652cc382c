// Plain SVG/DOM charts: alert volume over time, and ranked bars per rule or host.
import { h, svg, when, plural } from './dom.js';

const BUCKET_WORDS = {
  60: 'minute',
  300: '5 minutes',
  900: '15 minutes',
  3600: 'hour',
  10800: '3 hours',
  21600: '6 hours',
  86400: 'day',
  604800: 'week',
  2592000: '30 days',
};

/** Bars per time bucket (high and critical stacked in their own colour); each bar has a title with its figures. */
export function volumeChart(stats, onPick) {
  const W = 600;
  const H = 90;
  const n = stats.buckets.length;
  const max = Math.max(1, ...stats.buckets.map((b) => b.alerts));
  // A few buckets stay bars, not one slab across the chart.
  const bw = n ? Math.min(W / n, 60) : W;
  const bars = stats.buckets.map((b, i) => {
    const y = (v) => H - (v / max) * (H - 4);
    const x = i * bw + 0.5;
    const w = Math.max(1, bw - 1);
    const title = `${when(b.start)}: ${plural(b.alerts, 'alert')} (${b.high} high or critical)`;
    return svg(
      'g',
      { class: 'bar', 'data-testid': 'volume-bar', 'data-alerts': b.alerts },
      svg('title', {}, title),
      svg('rect', { x, y: y(b.alerts), width: w, height: H - y(b.alerts), class: 'all' }),
      b.high ? svg('rect', { x, y: y(b.high), width: w, height: H - y(b.high), class: 'high' }) : null,
      // A full-height transparent hit area: thin bars stay clickable.
      svg('rect', { x, y: 0, width: w, height: H, class: 'hit', onclick: null }),
    );
  });
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', class: 'volume', role: 'img', 'aria-label': 'alert volume over time' },
    bars,
  );
  if (onPick)
    stats.buckets.forEach((b, i) =>
      bars[i].addEventListener('click', () => onPick(b.start, new Date(Date.parse(b.start) + stats.bucket_s * 1000).toISOString())),
    );
  const first = stats.buckets[0]?.start;
  const last = stats.buckets[n - 1]?.start;
  return h(
    'figure',
    { class: 'chart', 'data-testid': 'chart-volume' },
    h('figcaption', {}, `Alerts per ${BUCKET_WORDS[stats.bucket_s] || `${stats.bucket_s} s`}`, h('span', { class: 'muted' }, ` · peak ${max}`)),
    n ? chart : h('p', { class: 'muted' }, 'no alerts'),
    n ? h('div', { class: 'axis muted' }, h('span', {}, when(first)), h('span', {}, when(last))) : null,
  );
}

/** Ranked horizontal bars: one row per group, its width the share of the largest. */
export function barList(title, testid, groups, onPick) {
  const max = Math.max(1, ...groups.map((g) => g.alerts));
  return h(
    'figure',
    { class: 'chart', 'data-testid': testid },
    h('figcaption', {}, title),
    groups.length
      ? h(
          'ol',
          { class: 'bars' },
          groups.map((g) =>
            h(
              'li',
              { title: `${g.label || '(none)'}: ${plural(g.alerts, 'alert')}, ${g.new} new, ${g.findings} findings`, onclick: () => onPick?.(g) },
              h('span', { class: 'label' }, g.label || '(none)'),
              h('span', { class: 'track' }, h('span', { class: `fill ${g.level}`, style: null, dataset: { w: String(Math.round((g.alerts / max) * 100)) } })),
              h('span', { class: 'n' }, String(g.alerts)),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'no alerts'),
  );
}

/** Widths go through the CSSOM (the page's CSP refuses inline style attributes). */
export function sizeBars(root) {
  for (const el of root.querySelectorAll('.fill[data-w]')) el.style.width = `${el.dataset.w}%`;
}
