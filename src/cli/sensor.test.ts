import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

test('sensor --from-file: a missing file is named and exits 4 at once, without waiting for NATS', (t) => {
  if (!existsSync(MAIN)) {
    t.skip(`SKIPPED LOUDLY: ${MAIN} is missing; run npm run build first`);
    return;
  }
  // Nothing listens on port 1: the answer must not depend on reaching the fleet.
  const r = spawnSync(process.execPath, [MAIN, 'sensor', '--fleet', 'nats://127.0.0.1:1', '--from-file', '/nonexistent/events.jsonl'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.signal, null, 'exited by itself');
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /sensor: input file not found: \/nonexistent\/events\.jsonl/);
});
