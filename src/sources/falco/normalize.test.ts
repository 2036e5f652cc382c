import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixturePath } from '../fixture-path.js';
import { readAll } from '../testutil.js';

test('Falco JSON lines: alerts with container, process, network; a truncated line is a diagnostic', async () => {
  const { events, diagnostics } = await readAll(fixturePath(import.meta.url, './fixtures/events.json'));
  assert.equal(events.length, 3);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.line, 3);
  const [shell, shadow, conn] = events as [any, any, any];
  assert.deepEqual(shell.stowaway.logsource, { product: 'falco', service: 'falco' });
  assert.equal(shell.event.kind, 'alert');
  assert.equal(shell.rule.name, 'Terminal shell in container');
  assert.equal(shell['@timestamp'], '2024-03-05T10:20:31.454382712Z');
  assert.deepEqual(shell.container.image, { name: 'nginx', tag: '1.25' });
  assert.deepEqual(shell.process.args, ['sh', '-i']);
  assert.equal(shell.orchestrator.pod.name, 'web-7d4b9c6f5-x2x9k');
  assert.equal(shell.falco.priority, 'Notice');
  assert.equal(shadow.container, undefined, 'container.id "host" is the host');
  assert.equal(shadow.file.path, '/etc/shadow');
  assert.equal(conn.destination.ip, '198.51.100.7');
  assert.equal(conn.destination.port, 4444);
});
