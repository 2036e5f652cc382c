import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../model/alert.js';
import type { StowawayEvent } from '../../model/event.js';
import { belongsTo, mismatch, percentile, sameContainerId, toReceived } from './match.js';

const CID = 'a'.repeat(64);
const mark = 'stowaway-emu-reverse-shell-abc123';
const witnessed = [{ id: CID, name: mark, image: 'stowaway/busybox:test' }];

function finding(rule: string, ev: Partial<StowawayEvent>): Finding {
  const e: StowawayEvent = { '@timestamp': '2026-01-01T00:00:00Z', event: {}, stowaway: { source: 'auditd', logsource: {} }, ...ev };
  return { rule: { id: rule, title: rule, kind: 'sigma', level: 'high', tags: [] }, time: e['@timestamp'], events: [e] };
}

test('an audit detection from inside the container is attributed by its container id and checked for the process', () => {
  const r = toReceived(
    finding('r1', {
      container: { id: CID, image: { name: 'stowaway/busybox', tag: 'test' } },
      process: { pid: 42, executable: '/bin/busybox', command_line: 'nc 127.0.0.1 4444 -e /bin/sh' },
    }),
    1000,
  );
  assert.equal(r.container?.image, 'stowaway/busybox:test');
  assert.ok(belongsTo(r, mark, witnessed));
  assert.equal(mismatch(r, { rule: 'r1', container: true, process: 'nc', image: 'busybox' }, witnessed), undefined);
  assert.match(mismatch(r, { rule: 'r1', container: true, process: 'socat' }, witnessed)!, /no process on the alert contains socat/);
  assert.match(mismatch(r, { rule: 'r1', host: true }, witnessed)!, /expected a host process/);
});

test('a detection naming another container is not accepted as the right one', () => {
  const other = toReceived(finding('r1', { container: { id: 'b'.repeat(64), name: 'other' } }), 1);
  assert.equal(belongsTo(other, mark, witnessed), false);
  assert.match(mismatch(other, { rule: 'r1', container: true }, witnessed)!, /not one this scenario created/);
  const none = toReceived(finding('r1', { process: { command_line: `qemu-system-x86_64 -name ${mark}` } }), 1);
  assert.ok(belongsTo(none, mark, witnessed), 'host processes are attributed by the scenario marker');
  assert.match(mismatch(none, { rule: 'r1', container: true }, witnessed)!, /no container id/);
  assert.equal(mismatch(none, { rule: 'r1', host: true, process: 'qemu' }, witnessed), undefined);
});

test('short and full container ids compare equal, unrelated ones do not', () => {
  assert.ok(sameContainerId(CID.slice(0, 12), CID));
  assert.equal(sameContainerId(CID.slice(0, 6), CID), false);
  assert.equal(sameContainerId('', CID), false);
});

test('percentiles use the nearest rank', () => {
  assert.equal(percentile([], 50), undefined);
  assert.equal(percentile([30, 10, 20], 50), 20);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 99), 100);
  assert.equal(percentile([5], 99), 5);
});
