import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StowawayEvent } from '../model/event.js';
import { builtinRuleDirs, defaultContentDir, engineOver, loadContent, loadRules, resolveRulePaths, type Content } from './content.js';
import { imageRef } from '../sources/docker/normalize.js';

/** The shipped rule that allows images by the `approved_image_prefixes` placeholder. */
const UNAPPROVED = 'dbaf2a5b-5fd8-430f-be75-7efe5cc718a1';

function create(image: string): StowawayEvent {
  return {
    '@timestamp': '2026-11-22T10:00:00.000Z',
    event: { kind: 'event', category: ['configuration'], type: ['creation'], action: 'container-create', module: 'docker', dataset: 'docker.events' },
    stowaway: { source: 'docker', logsource: { product: 'docker', category: 'container' } },
    host: { name: 'h1' },
    container: { id: 'c'.repeat(64), name: 'app', image: imageRef(image), labels: {} },
  };
}

function fired(content: Content, image: string): string[] {
  const engine = content.engine();
  return [...engine.process(create(image)), ...engine.flush()].map((f) => f.rule.id);
}

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stowaway-content-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('built-in placeholders are the allowlist: an image outside them alerts, one inside does not', async () => {
  const content = await loadContent({ analytics: false });
  assert.equal(content.placeholderFiles.length, 1);
  assert.ok(fired(content, 'corp.example.net/team/app').includes(UNAPPROVED));
  assert.ok(!fired(content, 'registry.k8s.io/pause').includes(UNAPPROVED));
});

test('a user placeholders file adds to the built-in lists; { replace } replaces one list', async () => {
  const { dir, done } = tmp();
  try {
    const add = join(dir, 'add.yml');
    writeFileSync(add, "approved_image_prefixes:\n  - 'corp.example.net/*'\n");
    const added = await loadContent({ analytics: false, placeholders: [add] });
    assert.deepEqual(
      added.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.equal(added.placeholderFiles.at(-1), add);
    assert.ok(!fired(added, 'corp.example.net/team/app').includes(UNAPPROVED), 'the added prefix is allowed');
    assert.ok(!fired(added, 'registry.k8s.io/pause').includes(UNAPPROVED), 'the built-in prefixes still are');
    assert.ok(fired(added, 'evil.example.org/miner').includes(UNAPPROVED), 'everything else still alerts');

    const replace = join(dir, 'replace.yml');
    writeFileSync(replace, "'%approved_image_prefixes%':\n  replace: ['corp.example.net/*']\n");
    const replaced = await loadContent({ analytics: false, placeholders: [replace] });
    assert.ok(!fired(replaced, 'corp.example.net/team/app').includes(UNAPPROVED));
    assert.ok(fired(replaced, 'registry.k8s.io/pause').includes(UNAPPROVED), 'the built-in list is gone');
  } finally {
    done();
  }
});

test('a bad user placeholders entry is refused by name and the rest still load', async () => {
  const { dir, done } = tmp();
  try {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, "approved_image_prefixes:\n  - nested: [1]\nbackup_images: ['ok/*']\n");
    const content = await loadContent({ analytics: false, placeholders: [bad] });
    const d = content.diagnostics.find((x) => x.code === 'bad-placeholders');
    assert.ok(d, 'refused');
    assert.equal(d.file, bad);
    assert.match(d.message, /approved_image_prefixes/);
    assert.ok(!fired(content, 'registry.k8s.io/pause').includes(UNAPPROVED), 'the built-in list survives a bad user entry');
  } finally {
    done();
  }
});

test('user rule folders are added to the built-in rules, not instead of them', async () => {
  const { dir, done } = tmp();
  try {
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    writeFileSync(
      join(rules, 'miner.yml'),
      [
        'title: Container from the miner registry',
        'id: 7d3c1f00-0000-4000-8000-000000000001',
        'logsource: { product: docker, category: container }',
        'detection:',
        '  sel: { event.action: container-create, container.image.name|startswith: evil.example.org/ }',
        '  condition: sel',
        'level: high',
      ].join('\n'),
    );
    const builtin = await loadContent({ analytics: false });
    const more = await loadContent({ analytics: false, rules: [rules] });
    assert.equal(more.counts.rules, builtin.counts.rules + 1);
    const ids = fired(more, 'evil.example.org/miner');
    assert.ok(ids.includes('7d3c1f00-0000-4000-8000-000000000001'), 'the user rule fires');
    assert.ok(ids.includes(UNAPPROVED), 'the built-in rule still fires');
  } finally {
    done();
  }
});

test('scan -r <content> reads the same rule folders, placeholder files and allowlists as start', async () => {
  const { dir, done } = tmp();
  try {
    const user = join(dir, 'user.yml');
    writeFileSync(user, "approved_image_prefixes:\n  - 'corp.example.net/*'\n");
    const root = defaultContentDir();
    // start: the built-in content with the user's placeholders on top
    const start = await loadContent({ analytics: false, placeholders: [user] });
    // scan -r content --placeholders user.yml, as scan.ts composes it
    const paths = resolveRulePaths([root]);
    assert.deepEqual(paths.rules, builtinRuleDirs(root), 'the same rule folders, in the same order');
    const placeholders = [...paths.placeholders, user];
    assert.deepEqual(placeholders, start.placeholderFiles, 'the same placeholder files, layered in the same order');
    const scan = await loadRules({ rules: paths.rules, placeholders });
    assert.deepEqual(
      scan.ruleset
        .rules()
        .map((r) => r.id)
        .sort(),
      start.rules
        .filter((r) => r.kind !== 'correlation')
        .map((r) => r.id)
        .sort(),
    );
    assert.equal(scan.correlations.length, start.counts.correlations);
    const scanFired = (image: string): string[] => {
      const engine = engineOver(scan);
      return [...engine.process(create(image)), ...engine.flush()].map((f) => f.rule.id);
    };
    for (const image of ['corp.example.net/team/app', 'registry.k8s.io/pause', 'evil.example.org/miner'])
      assert.deepEqual(scanFired(image).sort(), fired(start, image).sort(), `the same rules fire on ${image}`);
    assert.ok(fired(start, 'evil.example.org/miner').includes(UNAPPROVED), 'the comparison is not vacuous');
  } finally {
    done();
  }
});
