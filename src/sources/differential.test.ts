// The read paths must give the rules the same values: per-rule match counts on a generated
// stream of Sysmon-for-Linux process events, through the whole file path (read, normalize,
// match), compared with an expectation recorded from the reader before its fast paths were
// written, and equal across the spellings of the same events. Rules: SigmaHQ
// rules/linux/process_creation from ../shared (skipped loudly without it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine, loadEngineRules } from '../engine/index.js';
import { readEventFile } from './files.js';
import type { FileFormat } from './types.js';
import { fixturePath } from './fixture-path.js';
import { syntheticProcessEvents, sysmonEcsLine, sysmonFlatJsonLine, sysmonXmlLine, type SyntheticSysmon } from './synthetic.js';

const shared = process.env['STOWAWAY_SHARED'] ?? join(dirname(fileURLToPath(import.meta.url)), '../../../shared');
const rulesDir = join(shared, 'sigma', 'rules', 'linux', 'process_creation');
const have = existsSync(rulesDir);
if (!have) console.error(`\n!!! SKIPPING read-path differential tests: ${rulesDir} not found (set STOWAWAY_SHARED) !!!\n`);

const EXPECTED = fixturePath(import.meta.url, './fixtures/differential-linux-process.json');
const N = 20000;

interface Counts {
  events: number;
  diagnostics: number;
  rules: Record<string, number>;
}

async function countsFor(lines: string[], format: FileFormat | undefined, rules: Awaited<ReturnType<typeof loadEngineRules>>): Promise<Counts> {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-diff-'));
  try {
    const file = join(dir, 'in.log');
    writeFileSync(file, lines.join('\n') + '\n');
    const engine = createEngine({ ruleset: rules.ruleset, correlations: rules.correlations, knownRules: rules.knownRules, fieldPaths: rules.fieldPaths });
    const out: Counts = { events: 0, diagnostics: 0, rules: {} };
    const add = (id: string) => (out.rules[id] = (out.rules[id] ?? 0) + 1);
    for await (const r of readEventFile(file, format ? { format } : {})) {
      if ('diagnostic' in r) {
        out.diagnostics++;
        continue;
      }
      out.events++;
      for (const f of engine.process(r.event)) add(f.rule.id);
    }
    for (const f of engine.flush()) add(f.rule.id);
    out.rules = Object.fromEntries(Object.entries(out.rules).sort(([a], [b]) => a.localeCompare(b)));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let stream: SyntheticSysmon[] | undefined;
const events = () => (stream ??= syntheticProcessEvents(N));

test('per-rule match counts on the Sysmon XML and ECS spellings equal the recorded expectation', { skip: !have && 'no ../shared/sigma' }, async () => {
  const rules = await loadEngineRules({ rules: [rulesDir] });
  const xml = await countsFor(events().map(sysmonXmlLine), 'sysmon', rules);
  const ecs = await countsFor(events().map(sysmonEcsLine), 'ecs', rules);
  if (process.env['STOWAWAY_WRITE_EXPECTED'] === '1') writeFileSync(EXPECTED, JSON.stringify({ events: N, xml, ecs }, null, 2) + '\n');
  const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as { events: number; xml: Counts; ecs: Counts };
  assert.equal(expected.events, N);
  assert.equal(xml.events, N);
  assert.ok(Object.keys(xml.rules).length >= 10, 'the stream must make many rules fire, or the comparison proves little');
  assert.deepEqual(xml, expected.xml);
  assert.deepEqual(ecs, expected.ecs);
});

test('the flat JSON spelling of the same events makes the same rules fire as often as the XML', { skip: !have && 'no ../shared/sigma' }, async () => {
  const rules = await loadEngineRules({ rules: [rulesDir] });
  const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as { xml: Counts };
  // detected, not told: the flat spelling must be recognised on its own
  const flat = await countsFor(events().map(sysmonFlatJsonLine), undefined, rules);
  assert.deepEqual(flat, expected.xml);
});
