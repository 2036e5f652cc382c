import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAlert } from './build.js';
import { attackFromTags } from './attack.js';
import { entityKey, entityOf } from './entity.js';
import { finding, containerEvent } from './fixtures.js';

test('summary names container, image, short id and host', () => {
  const a = buildAlert(finding());
  assert.equal(a.summary, 'Privileged container created: web-1 (busybox:latest, 3f2a9c0d1e2b…) on host h1');
  assert.equal(a.level, 'high');
  assert.equal(a.status, 'new');
  assert.equal(a.count, 1);
  assert.deepEqual(a.selections, ['selection']);
  assert.deepEqual(a.entity.container, { id: '3f2a9c0d1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5', name: 'web-1', image: 'busybox:latest' });
  assert.equal(a.entity.user, 'root');
  assert.equal(a.entity.process?.executable, '/bin/sh');
});

test('summary names the pod when the event comes from Kubernetes', () => {
  const a = buildAlert(finding({ ns: 'prod', pod: 'api-7d9' }));
  assert.match(a.summary, /in pod prod\/api-7d9 on host h1$/);
});

test('a Kubernetes workload alert names the object and who changed it; two workloads are two incidents', () => {
  const k8s = (name: string) => {
    const f = finding();
    f.events = [
      {
        '@timestamp': f.time,
        event: {},
        stowaway: { source: 'k8s-audit', logsource: {} },
        user: { name: 'dev-jane' },
        orchestrator: { type: 'kubernetes', namespace: 'default', resource: { type: 'deployments', name } },
      },
    ];
    return buildAlert(f);
  };
  const a = k8s('web');
  assert.equal(a.summary, 'Privileged container created: deployments web in namespace default by dev-jane');
  assert.deepEqual(a.entity.pod, { namespace: 'default', workload: 'deployments/web' });
  assert.notEqual(entityKey(a.entity), entityKey(k8s('miner').entity));
  assert.equal(entityKey(a.entity), entityKey(k8s('web').entity));
});

test('summary says when nothing is known about where, instead of leaving a blank', () => {
  const f = finding();
  f.events = [{ '@timestamp': f.time, event: {}, stowaway: { source: 'k8s-audit', logsource: {} } }];
  assert.equal(buildAlert(f).summary, 'Privileged container created: on an unknown host (source k8s-audit)');
});

test('summary carries the reason container metadata is missing', () => {
  const ev = containerEvent();
  ev.container = { id: 'abcdef0123456789', metadata: 'missing', metadata_reason: 'container already removed' };
  const a = buildAlert(finding({ events: [ev] }));
  assert.equal(a.summary, 'Privileged container created: container abcdef012345… [container metadata missing: container already removed] on host h1');
});

test('ATT&CK comes from tags when no strategy claims the rule; each technique under the tactics ATT&CK gives it', () => {
  assert.deepEqual(
    attackFromTags(['attack.privilege_escalation', 'attack.t1611', 'attack.T1562.001', 'attack.defense-evasion', 'cve.2019-5736', 'attack.g0001']),
    [
      { technique: 'T1611', name: 'Escape to Host', tactics: ['privilege-escalation'] },
      { technique: 'T1562.001', name: 'Disable or Modify Tools', tactics: ['defense-evasion'] },
    ],
  );
  // A tactic tag ATT&CK does not give the technique is not a placement; an unknown id gets none.
  assert.deepEqual(attackFromTags(['attack.command-and-control', 'attack.t1059', 'attack.t9999']), [
    { technique: 'T1059', name: 'Command and Scripting Interpreter', tactics: ['execution'] },
    { technique: 'T9999', tactics: [] },
  ]);
  const a = buildAlert(finding());
  assert.deepEqual(a.attack, [{ technique: 'T1611', name: 'Escape to Host', tactics: ['privilege-escalation'] }]);
  assert.equal(a.strategy, undefined);
});

test('strategy and its ATT&CK mapping come from the catalog', () => {
  const catalog = {
    forRule: (id: string) =>
      id === 'b1f0a6c2-0000-4000-8000-000000000001'
        ? {
            strategy: { id: 'ADS-001', title: 'Container escape', priority: 'high' as const, response: ['Isolate the container'] },
            attack: [{ technique: 'T1611', name: 'Escape to Host', tactics: ['privilege-escalation'] }],
          }
        : undefined,
  };
  const a = buildAlert(finding(), { catalog });
  assert.equal(a.strategy?.id, 'ADS-001');
  assert.equal(a.attack[0]?.name, 'Escape to Host');
  const b = buildAlert(finding({ rule: { id: 'other' } }), { catalog });
  assert.equal(b.strategy, undefined);
});

test('entity key ignores pids and separates containers and group-by values', () => {
  const k1 = entityKey(entityOf([containerEvent()]));
  const e2 = containerEvent();
  e2.process!.pid = 9;
  assert.equal(entityKey(entityOf([e2])), k1);
  assert.notEqual(entityKey(entityOf([containerEvent({ id: 'ffff' })])), k1);
  assert.notEqual(entityKey(entityOf([containerEvent()]), { user: 'a' }), k1);
});

test('a finding with many events keeps the newest and says how many there were', () => {
  const events = Array.from({ length: 30 }, (_, i) => containerEvent({ time: `2026-11-22T10:00:${String(i).padStart(2, '0')}.000Z` }));
  const a = buildAlert(finding({ events, time: '2026-11-22T10:00:29.000Z' }));
  assert.equal(a.events.length, 20);
  assert.equal(a.details?.events_total, 30);
  assert.equal(a.first_seen, '2026-11-22T10:00:00.000Z');
  assert.equal(a.last_seen, '2026-11-22T10:00:29.000Z');
});
