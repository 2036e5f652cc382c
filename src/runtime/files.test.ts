// runFiles over real files, the real rule reader and a real engine: what `scan` composes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../model/diagnostic.js';
import type { Finding } from '../model/alert.js';
import { engineOver, loadRules } from './content.js';
import { runFiles, type PacedSink } from './files.js';
import type { FindingCause } from './runtime.js';

const RULES = `
title: Shell in a container
id: 0b7c4a8e-5e2f-4c1a-9d3e-6f1a2b3c4d01
name: shell_in_container
logsource: { product: linux, category: process_creation }
detection:
  selection:
    process.executable|endswith: /sh
    container.id|exists: true
  condition: selection
level: medium
---
title: Two shells in one container
id: 0b7c4a8e-5e2f-4c1a-9d3e-6f1a2b3c4d02
level: high
generate: true
correlation:
  type: event_count
  rules: [shell_in_container]
  group-by: [container.id]
  timespan: 1h
  condition: { gte: 2 }
`;

function event(sec: number, exe: string, container: string): string {
  return JSON.stringify({
    '@timestamp': new Date(Date.parse('2026-03-01T10:00:00Z') + sec * 1000).toISOString(),
    event: { category: ['process'], type: ['start'] },
    stowaway: { source: 'test', logsource: { product: 'linux', category: 'process_creation' } },
    container: { id: container },
    process: { executable: exe },
  });
}

test('runFiles: every input in order through one engine, diagnostics counted, losses named, the window closed at the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-runfiles-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), RULES);
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    const refused = join(dir, 'refused.ndjson');
    writeFileSync(a, [event(0, '/bin/sh', 'c1'), '{"broken', event(1, '/usr/bin/id', 'c1')].join('\n') + '\n');
    // the second shell of c1 is in another file: one engine sees both files
    writeFileSync(b, [event(2, '/bin/sh', 'c1'), event(3, '/bin/sh', 'c2')].join('\n') + '\n');
    writeFileSync(refused, 'not json\nstill not\n');
    const rules = await loadRules({ rules: [join(dir, 'rules.yml')] });
    assert.equal(rules.compiled, 1);
    const engine = engineOver(rules);
    const got: Array<[string, FindingCause]> = [];
    let waits = 0;
    // A sink that asks the reader to wait on every call, as a full pipe does.
    const sink: PacedSink = {
      findings(found: readonly Finding[], cause: FindingCause) {
        for (const f of found) got.push([f.rule.title, cause]);
        waits++;
        return new Promise((resolve) => setImmediate(resolve));
      },
    };
    const diags: Diagnostic[] = [];
    const chunks: string[] = [];
    const report = await runFiles(engine, [a, b, refused], sink, {
      format: 'ecs',
      onDiagnostic: (d) => diags.push(d),
      onChunk: (input) => chunks.push(input),
    });
    assert.deepEqual(got, [
      ['Shell in a container', 'event'],
      ['Shell in a container', 'event'],
      ['Shell in a container', 'event'],
      ['Two shells in one container', 'flush'],
    ]);
    assert.equal(waits, 4, 'one call per event that found something, and one for the end');
    assert.equal(engine.stats().events, 4);
    assert.deepEqual(
      diags.map((d) => d.file?.replace(dir, '')),
      ['/a.ndjson', '/refused.ndjson', '/refused.ndjson'],
    );
    // A refused line is counted, not a loss; a file of nothing but refused lines is.
    assert.deepEqual(report.lost, [`${refused}: every record refused`]);
    for (const f of [a, b, refused]) assert.ok(chunks.includes(f), `a chunk of ${f} was reported`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runFiles: an input that cannot be opened is a diagnostic and a loss; the next input is still read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-runfiles-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), RULES);
    const good = join(dir, 'good.ndjson');
    writeFileSync(good, event(0, '/bin/sh', 'c1') + '\n');
    const rules = await loadRules({ rules: [join(dir, 'rules.yml')] });
    const engine = engineOver(rules);
    const found: string[] = [];
    const diags: Diagnostic[] = [];
    const report = await runFiles(
      engine,
      [join(dir, 'missing.ndjson'), good],
      { findings: (fs) => void found.push(...fs.map((f) => f.rule.title)) },
      { format: 'ecs', onDiagnostic: (d) => diags.push(d) },
    );
    assert.deepEqual(found, ['Shell in a container']);
    assert.equal(diags.length, 1, JSON.stringify(diags));
    assert.match(diags[0]!.code, /unreadable|input-unreadable/);
    const missing = join(dir, 'missing.ndjson');
    assert.deepEqual(report.lost, [`${missing}: ${diags[0]!.code}`, `${missing}: every record refused`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
