import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakdown, detectionMs, formatBreakdown } from './trace.js';

test('a finding held for the watermark: every stamp relative to the step start, and which source held it', () => {
  const zero = 1_000_000;
  const b = breakdown(
    {
      via: 'tick',
      events: [
        {
          source: 'docker',
          action: 'container-create',
          event_ms: zero - 400,
          read_ms: zero - 396,
          calls: [{ call: 'stored config', start_ms: zero - 375, end_ms: zero - 374 }],
          emitted_ms: zero - 374,
          engine_ms: zero - 374,
        },
        {
          source: 'auditd',
          action: 'execve',
          event_ms: zero + 30,
          read_ms: zero + 33,
          assembled_ms: zero + 33,
          calls: [],
          emitted_ms: zero + 34,
          engine_ms: zero + 34,
        },
      ],
      watermarks: { docker: zero + 140, auditd: zero + 240 },
    },
    zero,
    zero + 241,
  );
  assert.equal(b.finding, 241);
  // the newest contributing event happened at +30: the detector took 211 ms of the 241
  assert.equal(detectionMs(b), 211);
  assert.deepEqual(b.watermarks, { docker: 140, auditd: 240 });
  assert.deepEqual(b.events[0]!.calls, [{ call: 'stored config', start: -375, end: -374 }]);
  assert.deepEqual(formatBreakdown(b), [
    'docker container-create: event -400 read -396 stored config -375..-374 emitted -374 engine -374',
    'auditd execve: event +30 read +33 assembled +33 emitted +34 engine +34',
    'watermark passed it: docker +140, auditd +240',
    'finding (released by the watermark) +241',
  ]);
});

test('a finding on its own event has no watermark line', () => {
  const b = breakdown({ via: 'event', events: [{ source: 'docker', read_ms: 5, calls: [], emitted_ms: 9 }] }, 0, 10);
  assert.equal(b.watermarks, undefined);
  assert.deepEqual(formatBreakdown(b), ['docker ?: read +5 emitted +9', 'finding (on the event) +10']);
});

test('detection delay falls back to the read time of an event with no time of its own', () => {
  const b = breakdown({ via: 'event', events: [{ source: 'docker', read_ms: 5, calls: [], emitted_ms: 9 }] }, 0, 10);
  assert.equal(detectionMs(b), 5);
  assert.equal(detectionMs({ via: 'event', finding: 10, events: [] }), undefined);
});
