// `ads lint` checks a strategy's response.yml: well-formed, for this strategy, naming its own rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStrategiesDir } from './catalog.js';
import { lintPaths } from './lint.js';

test('a response.yml for another strategy, naming a foreign rule or an unknown action, is an error with its line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stowaway-lint-response-'));
  try {
    const s = join(dir, 'ads-0004-virtual-instance-evasion');
    await cp(join(defaultStrategiesDir(), 'ads-0004-virtual-instance-evasion'), s, { recursive: true });
    const clean = await lintPaths([dir]);
    assert.deepEqual(
      clean.diagnostics.filter((d) => d.code.startsWith('ads-response') || d.code === 'response-policy'),
      [],
      'the shipped file is clean',
    );
    await writeFile(
      join(s, 'response.yml'),
      'strategy: ADS-0005\nentries:\n  - rules: [6d9080e1-55f9-460a-9698-d70c335564b5]\n    allow: [terminate]\n  - rules: [09c35da8-be3a-43b6-8e45-78f2d46fee65]\n    allow: [isolate]\n  - rules: ["*"]\n    allow: [vaporize]\n',
    );
    const r = await lintPaths([dir]);
    const mine = r.diagnostics.filter((d) => d.file?.endsWith('response.yml')).map((d) => `${d.code}:${d.line ?? ''} ${d.message}`);
    assert.deepEqual(mine.sort(), [
      'ads-response-wiring: response.yml is for ADS-0005, the strategy beside it is ADS-0004',
      "ads-response-wiring:5 rule 09c35da8-be3a-43b6-8e45-78f2d46fee65 is not one of ADS-0004's rules",
      'response-policy:7 entry 3: unknown action(s) vaporize (known: preserve, isolate, restore, pause, unpause, stop, terminate, quarantine); entry refused',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
