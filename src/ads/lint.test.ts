import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultAttackPath, loadAttack, parseAttackBundle } from './attack.js';
import { defaultStrategiesDir } from './catalog.js';
import { lintDocument, lintPaths, lintRules } from './lint.js';
import { parseStrategy } from './strategy.js';
import type { RuleDoc } from './rules.js';

const SEEDS = resolve(defaultStrategiesDir(), '..', '..', '..', 'shared', 'seeds');
const attackPath = defaultAttackPath();
const haveAttack = existsSync(attackPath);
const haveSeeds = existsSync(SEEDS);
if (!haveAttack) console.error(`\n*** SKIPPING ATT&CK-backed lint tests: ${attackPath} not found (../shared absent) ***\n`);
if (!haveSeeds) console.error(`\n*** SKIPPING seed lint tests: ${SEEDS} not found (../shared absent) ***\n`);

const codes = (ds: { code: string }[]): string[] => ds.map((d) => d.code);

test('lint on the raw seeds reports their mapping and completeness problems', { skip: !haveAttack || !haveSeeds }, async () => {
  const { catalog } = await loadAttack(attackPath);
  const r = await lintPaths([SEEDS], { attack: catalog! });
  assert.equal(r.files, 5);
  const of = (seed: string) => r.diagnostics.filter((d) => d.file?.includes(seed));
  // 002 maps container evasion to a PRE reconnaissance technique
  const s002 = of('002_');
  const pre = s002.find((d) => d.code === 'attack-pre-platform');
  assert.ok(pre, 'T1597.002 reported');
  assert.match(pre.message, /T1597\.002 \(Purchase Technical Data\)/);
  assert.ok(codes(s002).includes('ads-section-empty'), 'its Validation has no steps');
  assert.ok(s002.some((d) => d.code === 'attack-platform-gloss' && d.message.includes('Privileged Remote Execution')));
  // 001 has no Validation section and maps a parent technique with no Containers platform
  const s001 = of('001_');
  assert.ok(s001.some((d) => d.code === 'ads-section-missing' && d.message.includes('Validation')));
  assert.ok(s001.some((d) => d.code === 'attack-parent' && d.message.includes('T1553')));
  // 000 lists topics ("Immediate Investigation:") where analysts need actions
  assert.ok(of('000_').some((d) => d.code === 'ads-response-step' && d.message.includes('Immediate Investigation')));
  // every seed: no front matter, and no Containers-platform technique although it is about containers
  for (const seed of ['000_', '001_', '002_', '003_', '004_']) {
    assert.ok(codes(of(seed)).includes('ads-no-front-matter'), seed);
    assert.ok(codes(of(seed)).includes('attack-containers'), seed);
  }
});

test('lint on the shipped content is clean: no errors, no warnings, rules included', { skip: !haveAttack }, async () => {
  const { catalog } = await loadAttack(attackPath);
  const r = await lintPaths([defaultStrategiesDir()], { attack: catalog!, rules: true, analyticsDir: join(defaultStrategiesDir(), '..', 'analytics') });
  assert.equal(r.files, 5);
  assert.ok(r.rulesChecked >= 30, `rules checked: ${r.rulesChecked}`);
  const loud = r.diagnostics.filter((d) => d.severity !== 'info');
  assert.deepEqual(loud, []);
});

test('without ATT&CK data lint says ids are not checked and still checks the rest', async () => {
  const r = await lintPaths([defaultStrategiesDir()], {});
  assert.equal(r.diagnostics[0]!.code, 'attack-unavailable');
  assert.match(r.diagnostics[0]!.message, /ATT&CK data not found, ids not checked/);
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0);
});

const BUNDLE = parseAttackBundle(
  {
    objects: [
      { type: 'x-mitre-tactic', x_mitre_shortname: 'privilege-escalation' },
      { type: 'x-mitre-tactic', x_mitre_shortname: 'execution' },
      {
        type: 'attack-pattern',
        name: 'Escape to Host',
        x_mitre_platforms: ['Linux', 'Containers'],
        kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'privilege-escalation' }],
        external_references: [{ source_name: 'mitre-attack', external_id: 'T1611' }],
      },
      {
        type: 'attack-pattern',
        name: 'Old Thing',
        revoked: true,
        x_mitre_platforms: ['Linux'],
        kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'execution' }],
        external_references: [{ source_name: 'mitre-attack', external_id: 'T1000' }],
      },
    ],
  },
  'mem',
);

function doc(attack: string, platforms = '[Linux]'): string {
  return `---\nid: ADS-0100\ntitle: Containers\nattack:\n${attack}\nplatforms: ${platforms}\npriority: high\ndata_sources: [x]\n---\n# T\n`;
}

test('ATT&CK checks: unknown id, revoked id, wrong tactic, platform disagreement, name mismatch', () => {
  const bad = parseStrategy(
    doc(
      `  - technique: T1611\n    name: Container Breakout\n    tactics: [execution]\n  - technique: T1000\n    tactics: [execution]\n  - technique: T9999\n    tactics: [execution]`,
      '[Windows]',
    ),
    'd.md',
  ).strategy;
  const ds = lintDocument(bad, BUNDLE);
  const c = codes(ds);
  assert.ok(c.includes('attack-unknown'));
  assert.ok(c.includes('attack-revoked'));
  assert.ok(ds.some((d) => d.code === 'attack-tactic' && d.message.includes('privilege-escalation')));
  assert.ok(c.includes('attack-platform'));
  assert.ok(c.includes('attack-name'));
  assert.ok(c.includes('ads-section-missing'));
});

test('a v19 id the v18 data lacks is checked against its v18 predecessors, not reported unknown', () => {
  const v18 = parseAttackBundle(
    {
      objects: [
        {
          type: 'attack-pattern',
          name: 'Disable or Modify Tools',
          x_mitre_platforms: ['Linux', 'Containers'],
          kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'defense-evasion' }],
          external_references: [{ source_name: 'mitre-attack', external_id: 'T1562.001' }],
        },
      ],
    },
    'mem',
  );
  const s = parseStrategy(doc(`  - technique: T1685\n    tactics: [defense-evasion]`, '[Linux, Containers]'), 'd.md').strategy;
  const ds = lintDocument(s, v18);
  assert.ok(!codes(ds).includes('attack-unknown'));
  assert.ok(!codes(ds).includes('attack-tactic'));
});

test('rule lint: duplicate ids, missing level and tags, non-UUID ids', () => {
  const base: RuleDoc = {
    id: '5af7ce7b-b27f-4e02-8dd8-9a91d75d910f',
    title: 't',
    level: 'high',
    tags: ['attack.privilege-escalation', 'attack.t1611'],
    author: 'stowaway',
    status: 'test',
    description: 'd',
    falsepositives: ['x'],
    kind: 'sigma',
    references: [],
    file: 'a.yml',
    line: 1,
  };
  const ds = lintRules([base, { ...base, file: 'b.yml' }, { ...base, id: 'not-a-uuid', level: undefined, tags: [], file: 'c.yml' }]);
  const c = codes(ds);
  assert.ok(c.includes('rule-duplicate-id'));
  assert.ok(c.includes('rule-level'));
  assert.ok(c.includes('rule-tags'));
  assert.ok(c.includes('rule-id'));
});

test('wiring: a named rule that is missing, a rule tagged outside the mapping, an unlisted rule, no benign scenario', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ads-lint-'));
  try {
    const s = join(dir, 'ads-0100-x');
    await mkdir(join(s, 'rules'), { recursive: true });
    await mkdir(join(s, 'scenarios'), { recursive: true });
    await writeFile(
      join(s, 'strategy.md'),
      doc(`  - technique: T1611\n    tactics: [privilege-escalation]`, '[Linux, Containers]').replace(
        'data_sources: [x]',
        'data_sources: [x]\nrules: [11111111-1111-4111-8111-111111111111, 22222222-2222-4222-8222-222222222222]\nscenarios: [p]',
      ),
    );
    await writeFile(
      join(s, 'rules', 'a.yml'),
      'title: A\nid: 11111111-1111-4111-8111-111111111111\nlevel: high\ntags: [attack.execution, attack.t1059.004]\nlogsource: {product: linux}\ndetection: {sel: {a: 1}, condition: sel}\n',
    );
    await writeFile(
      join(s, 'rules', 'b.yml'),
      'title: B\nid: 33333333-3333-4333-8333-333333333333\nlevel: low\ntags: [attack.t1611]\nlogsource: {product: linux}\ndetection: {sel: {a: 1}, condition: sel}\n',
    );
    await writeFile(
      join(s, 'scenarios', 'p.yml'),
      'name: p\nstrategy: ADS-0100\nkind: positive\ninputs: [{file: p.jsonl}]\nexpect: {fire: [11111111-1111-4111-8111-111111111111]}\n',
    );
    const r = await lintPaths([dir], {});
    const c = codes(r.diagnostics);
    assert.ok(c.includes('ads-rule-missing'), 'rule 2222 named but absent');
    assert.ok(c.includes('rule-attack-mismatch'), 'rule a tagged T1059.004 and execution');
    assert.ok(c.includes('ads-rule-unlisted'), 'rule b sits in the folder but is not listed');
    assert.ok(r.diagnostics.some((d) => d.code === 'ads-scenarios' && d.message.includes('benign')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
