// One alert: why it fired (rule text, matched items, correlation members and window in words),
// where, what to do, containment, triage and "add exception from this alert".
import { h, api, postJson, when, clock, badge, kv, plural, spanWords } from './dom.js';

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

/** One line naming what an event is: time, action, subject, command. */
export function eventLine(ev) {
  const what = ev.event?.action || ev.event?.dataset || ev.stowaway?.source || 'event';
  const subject = ev.container?.name || ev.orchestrator?.pod?.name || ev.orchestrator?.resource?.name || ev.host?.name || '';
  const cmd = ev.process?.command_line || ev.process?.executable || ev.url?.original || ev.file?.path || '';
  const user = ev.user?.name || ev.orchestrator?.user?.name || ev.process?.user?.name || '';
  return [clock(ev['@timestamp']), what, subject, cmd, user && `by ${user}`].filter(Boolean).join(' · ');
}

/** Whom a correlation's group is about, in words: the container's name rather than its id. */
function groupWords(a) {
  const g = a.group || {};
  const e = a.entity || {};
  const parts = Object.entries(g).map(([k, v]) => {
    if (k === 'container.id' && e.container?.name) return `container ${e.container.name}`;
    if (k === 'host.name') return `host ${v}`;
    if (k.endsWith('user.name')) return `user ${v}`;
    return `${k} ${Array.isArray(v) ? v.join(', ') : v}`;
  });
  return parts.length ? parts.join(', ') : e.host ? `host ${e.host}` : 'one group';
}

function windowWords(start, end) {
  if (!start) return '';
  const day = start.slice(0, 10);
  return end && end.slice(0, 10) === day ? `${clock(start)}–${clock(end)} on ${day}` : `${when(start)} – ${when(end)}`;
}

/** A correlation alert as a sentence: "3 failed logins from host X within 5 minutes, 12:01:03–12:04:10". */
export function correlationWords(a, ruleTitles) {
  const d = a.details || {};
  const names = (d.rules || []).map((id, i) => ruleTitles.get(id) || (d.rules_seen || [])[i] || id);
  const within = d.timespan ? ` within ${spanWords(d.timespan)}` : '';
  const span = windowWords(d.window_start, d.window_end);
  const who = groupWords(a);
  let what;
  switch (d.type) {
    case 'event_count':
      what = `${plural(d.count ?? d.events_total ?? 0, 'event')} of ${names.join(', ') || 'the referenced rule'} from ${who}${within} (condition ${d.condition})`;
      break;
    case 'value_count':
      what = `${d.count} distinct values${d.values?.length ? ` (${d.values.slice(0, 5).join(', ')}${d.values.length > 5 ? ', …' : ''})` : ''} in ${names.join(', ')} from ${who}${within} (condition ${d.condition})`;
      break;
    case 'temporal':
      what = `all of ${names.join(', ')} from ${who}${within}`;
      break;
    case 'temporal_ordered':
      what = `${names.join(', then ')} — in this order — from ${who}${within}`;
      break;
    default:
      what = `${d.type || 'correlation'} over ${names.join(', ')} from ${who}${within}${d.condition ? ` (condition ${d.condition})` : ''}`;
  }
  return `${what}${span ? `, ${span}` : ''}.`;
}

function whyFired(a, ruleTitles) {
  const d = a.details || {};
  const out = [h('h3', {}, 'Why it fired')];
  if (a.rule.description) out.push(h('p', { class: 'prose', 'data-testid': 'rule-description' }, a.rule.description));
  if (a.rule.kind === 'correlation') {
    out.push(h('p', { class: 'prose sentence', 'data-testid': 'correlation-words' }, correlationWords(a, ruleTitles)));
    out.push(
      h('p', { class: 'muted' }, `Members (${a.events.length}${d.events_total && d.events_total > a.events.length ? ` of ${d.events_total}` : ''} events):`),
      h(
        'ol',
        { class: 'members', 'data-testid': 'correlation-members' },
        a.events.map((ev) => h('li', { class: 'code' }, eventLine(ev))),
      ),
    );
  } else if (a.rule.kind === 'analytic') {
    if (d.reason) out.push(h('p', { class: 'prose sentence', 'data-testid': 'analytic-words' }, `${d.reason}.`));
    const w = d.window;
    if (w && w.start) out.push(h('p', { class: 'muted' }, `Window ${w.interval ? `of ${w.interval} ` : ''}${windowWords(w.start, w.end)}`));
  }
  if (a.matched?.length) {
    out.push(
      h(
        'table',
        { class: 'matched', 'data-testid': 'selections' },
        h('thead', {}, h('tr', {}, h('th', {}, 'field'), h('th', {}, 'test'), h('th', {}, 'event value'))),
        h(
          'tbody',
          {},
          a.matched.map((m) =>
            h(
              'tr',
              { 'data-testid': 'matched-pair' },
              h('td', { class: 'code' }, m.field ?? '(any field)'),
              h('td', { class: 'code' }, m.test.replace(/^[^|:]*(?=[|:])/, '').replace(/^:\s*/, '= ')),
              h('td', { class: 'code' }, m.values.length ? m.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ') : '—'),
            ),
          ),
        ),
      ),
    );
  } else if (a.rule.kind === 'sigma') {
    out.push(
      h(
        'p',
        { class: 'muted', 'data-testid': 'selections' },
        `condition held through: ${a.selections.join(', ') || 'the rule condition'} (field values not recorded for this alert)`,
      ),
    );
  }
  if (a.rule.falsepositives?.length)
    out.push(
      h('h4', {}, 'Known false positives'),
      h(
        'ul',
        { class: 'prose', 'data-testid': 'rule-falsepositives' },
        a.rule.falsepositives.map((f) => h('li', {}, f)),
      ),
    );
  if (a.details) out.push(h('details', { class: 'raw' }, h('summary', {}, 'details as stored'), h('pre', {}, JSON.stringify(a.details, null, 2))));
  return out;
}

function containment(a, perm, rerender) {
  perm = perm || { mode: 'off', allow: [] };
  const subject = a.entity?.container
    ? `container ${a.entity.container.name || a.entity.container.id?.slice(0, 12)}`
    : a.entity?.pod
      ? `pod ${a.entity.pod.namespace}/${a.entity.pod.name}`
      : a.entity?.process
        ? `process ${a.entity.process.pid}`
        : 'the subject';
  const result = h('p', { class: 'muted', 'data-testid': 'respond-result' });
  const act = async (action) => {
    const [label, question] = ACTION_TEXT[action];
    if (!window.confirm(`${label} ${subject}?\n\n${question}`)) return;
    result.textContent = `${label}: working …`;
    try {
      const out = await postJson(`/api/alerts/${encodeURIComponent(a.id)}/respond`, { action });
      rerender(out.alert);
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
      ? h(
          'p',
          { class: 'muted', 'data-testid': 'respond-off' },
          'Response mode is off: containment is disabled. Set mode: suggest in <data-dir>/response.yaml to act from here (docs/response.md).',
        )
      : perm.allow.length
        ? h(
            'div',
            { class: 'actions' },
            perm.allow.map((x) => h('button', { onclick: () => act(x), 'data-testid': `btn-respond-${x}`, title: ACTION_TEXT[x][1] }, ACTION_TEXT[x][0])),
          )
        : h('p', { class: 'muted' }, 'The response policy allows no containment for this rule and level.');
  const trail = (a.response || []).map((r) =>
    h(
      'li',
      { class: r.result === 'done' ? '' : 'warn' },
      `${when(r.started)} ${r.action}${r.dry_run ? ' (dry run)' : ''} ${r.target.replace(/^(container:)(.{12}).*/, '$1$2')} by ${r.actor}: ${r.result} — ${r.detail}${r.undo ? ` (undo: ${r.undo})` : ''}`,
    ),
  );
  return [
    h('h3', {}, `Containment (mode ${perm.mode})`),
    buttons,
    result,
    trail.length ? h('ul', { class: 'trail', 'data-testid': 'response-trail' }, trail) : null,
  ];
}

/** "Add exception from this alert": a reason, then the server writes a linted entry to exceptions.yaml. */
function exceptionForm(a) {
  const scope = a.entity?.container?.image
    ? `image ${a.entity.container.image}`
    : a.entity?.pod?.images?.length || a.entity?.pod?.namespace
      ? [a.entity.pod.images?.length && `images ${a.entity.pod.images.join(', ')}`, a.entity.pod.namespace && `namespace ${a.entity.pod.namespace}`]
          .filter(Boolean)
          .join(', ')
      : a.entity?.host
        ? `host ${a.entity.host}`
        : null;
  if (!scope)
    return [
      h('h3', {}, 'Exception'),
      h('p', { class: 'muted' }, 'This alert names no image, namespace or host: an exception from it would silence the rule everywhere.'),
    ];
  const reason = h('input', { type: 'text', placeholder: 'why this workload is known-good', 'data-testid': 'exception-reason', class: 'grow' });
  const out = h('p', { class: 'muted', 'data-testid': 'exception-result' });
  const add = async () => {
    try {
      const r = await postJson(`/api/alerts/${encodeURIComponent(a.id)}/exception`, { reason: reason.value });
      out.className = 'ok';
      out.textContent = `Exception ${r.exception.id} written to ${r.file}: rule ${a.rule.title}, ${scope}, until ${r.exception.expires.slice(0, 10)}. Repeats are excepted (counted, not alerted) from the next batch.`;
    } catch (e) {
      out.className = 'warn';
      out.textContent = e.message;
    }
  };
  return [
    h('h3', {}, 'Exception'),
    h('p', { class: 'muted prose' }, `Quiet this rule for ${scope} (90 days, in <data-dir>/exceptions.yaml, linted; docs/alerts.md).`),
    h('div', { class: 'actions' }, reason, h('button', { onclick: add, 'data-testid': 'btn-exception' }, 'Add exception')),
    out,
  ];
}

const checklistKey = (id) => `stowaway.checklist.${id}`;

/** Renders the alert into the panel; ctx: { perm, ruleTitles, onStatus(a) } */
export function renderAlert(a, ctx) {
  const d = document.getElementById('detail');
  const e = a.entity || {};
  const done = new Set(JSON.parse(localStorage.getItem(checklistKey(a.id)) || '[]'));
  const note = h('textarea', { placeholder: 'note (why, what you checked)', 'data-testid': 'status-note' }, a.note || '');
  const rerender = (x) => renderAlert(x, ctx);
  const setStatus = async (status) => {
    const updated = await postJson(`/api/alerts/${encodeURIComponent(a.id)}/status`, { status, note: note.value });
    rerender(updated);
    ctx.onStatus?.(updated);
  };
  const response = a.strategy?.response?.length
    ? h(
        'ul',
        { class: 'checklist prose', 'data-testid': 'response-steps' },
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
              h('span', {}, step),
            ),
          ),
        ),
      )
    : h('p', { class: 'muted', 'data-testid': 'response-steps' }, 'No detection strategy claims this rule; follow your generic container-incident runbook.');
  const parts = [
    h(
      'div',
      { class: 'detail-head' },
      h('h2', { 'data-testid': 'alert-summary' }, a.summary),
      h('button', { class: 'close', title: 'close', 'data-testid': 'detail-close', onclick: () => ctx.onClose?.() }, '×'),
    ),
    kv([
      ['level', badge(a.level)],
      ['status', h('span', { class: `status ${a.status}`, 'data-testid': 'alert-status' }, a.status.replace('_', ' '))],
      ['rule', `${a.rule.title} (${a.rule.kind}, ${a.rule.id})`],
      ['ADS', a.strategy ? `${a.strategy.id} — ${a.strategy.title} (priority ${a.strategy.priority})` : undefined],
      [
        'ATT&CK',
        a.attack.length
          ? h(
              'span',
              { class: 'chips' },
              a.attack.map((t) => h('span', { title: t.tactics.join(', ') }, `${t.technique}${t.name ? ` ${t.name}` : ''}`)),
            )
          : 'none',
      ],
      ['count', `${a.count}${a.held_back ? ` (+${a.held_back} held back by the rate limit)` : ''}`],
      ['first seen', when(a.first_seen)],
      ['last seen', when(a.last_seen)],
    ]),
    ...whyFired(a, ctx.ruleTitles || new Map()),
    h('h3', {}, 'Where'),
    h(
      'div',
      { 'data-testid': 'alert-where' },
      kv([
        ['host', e.host || 'not in the telemetry'],
        ['container', e.container ? [e.container.name, e.container.id && e.container.id.slice(0, 12)].filter(Boolean).join(' · ') : undefined, { code: true }],
        ['image', e.container?.image, { code: true }],
        ['pod', e.pod && (e.pod.name || e.pod.namespace) ? [e.pod.namespace, e.pod.name].filter(Boolean).join('/') : undefined, { code: true }],
        ['pod images', e.pod?.images?.length ? e.pod.images.join(', ') : undefined, { code: true }],
        ['workload', e.pod?.workload, { code: true }],
        [
          'process',
          e.process ? [e.process.executable, e.process.pid !== undefined ? `pid ${e.process.pid}` : ''].filter(Boolean).join(' · ') : undefined,
          { code: true },
        ],
        ['command line', e.process?.command_line, { code: true }],
        ['user', e.user, { code: true }],
      ]),
    ),
    h('h3', {}, 'Response'),
    response,
    ...containment(a, ctx.perm, rerender),
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
    a.history?.length
      ? h(
          'ul',
          { class: 'muted' },
          a.history.map((x) => h('li', {}, `${when(x.time)} ${x.status}${x.actor ? ` by ${x.actor}` : ''}${x.note ? ` — ${x.note}` : ''}`)),
        )
      : null,
    ...exceptionForm(a),
    h('h3', {}, `Triggering events (${a.events.length}${a.details?.events_total ? ` of ${a.details.events_total}` : ''})`),
    ...a.events.map((ev, i) =>
      h('details', { open: i === 0 && a.events.length === 1 }, h('summary', {}, eventLine(ev)), h('pre', {}, JSON.stringify(ev, null, 2))),
    ),
  ];
  d.replaceChildren(...parts.filter((x) => x !== null && x !== undefined));
}

/** Loads and shows one alert; the panel starts at its top (a second alert must not keep the first's scroll). */
export async function openAlert(id, ctx) {
  const [a, perm] = await Promise.all([api(`/api/alerts/${encodeURIComponent(id)}`), api(`/api/alerts/${encodeURIComponent(id)}/respond`).catch(() => null)]);
  renderAlert(a, { ...ctx, perm });
  const d = document.getElementById('detail');
  d.scrollTop = 0;
  return a;
}
