import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalSection, isPlaceholderText, numberedItems, parseMarkdown } from './markdown.js';
import { categorizationOf, parseStrategy } from './strategy.js';

const DOC = `---
id: ADS-0099
title: Example strategy
attack:
  - technique: t1611
    tactics: [Privilege Escalation]
priority: High
rules: [r-1]
scenarios: [pos, ben]
---

# ADS-0099: Example

## Goal
Find things.

## Validation (Adversary Emulation)
Run this:

\`\`\`sh
## not a heading inside a code fence
\`\`\`

## Response
1. **Identify** the container.
   Note its image.
   - a sub-bullet that is not part of the step text
2. Stop it with \`docker stop\`.
`;

test('front matter fields become typed strategy fields (ids upper-cased, tactics normalized)', () => {
  const { strategy, diagnostics } = parseStrategy(DOC, 'x.md');
  assert.deepEqual(diagnostics, []);
  assert.equal(strategy.id, 'ADS-0099');
  assert.equal(strategy.title, 'Example strategy');
  assert.equal(strategy.priority, 'high');
  assert.deepEqual(strategy.attack, [{ technique: 'T1611', tactics: ['privilege-escalation'] }]);
  assert.deepEqual(strategy.rules, ['r-1']);
  assert.equal(strategy.hasFrontMatter, true);
});

test('sections are the level-2 headings; a parenthetical gloss still names the canonical section; fenced code is not structure', () => {
  const { doc } = parseMarkdown(DOC);
  assert.deepEqual(
    doc.sections.map((s) => s.name),
    ['Goal', 'Validation', 'Response'],
  );
  assert.match(doc.sections[1]!.body, /## not a heading/);
  assert.equal(canonicalSection('Blind Spots & Assumptions'), 'Blind Spots and Assumptions');
});

test('the Response checklist is the numbered items, markup stripped, continuation lines joined', () => {
  const { strategy } = parseStrategy(DOC, 'x.md');
  assert.deepEqual(strategy.response, ['Identify the container. Note its image.', 'Stop it with docker stop.']);
  assert.deepEqual(numberedItems('no steps here\n- a bullet'), []);
});

test('a seed without front matter is read from its Categorization section', () => {
  const c = categorizationOf(`- **MITRE ATT&CK Mapping:** T1597.002 - Purchase Technical Data
- **Tactic / Kill Chain Phases:** Reconnaissance
- **Platforms:** PRE (Privileged Remote Execution)`);
  assert.deepEqual(c.attack, [{ technique: 'T1597.002', name: 'Purchase Technical Data', tactics: ['reconnaissance'] }]);
  assert.deepEqual(c.platforms, ['PRE']);
  const { strategy } = parseStrategy(
    '# Title\n\n## Categorization\n- **MITRE ATT&CK Mapping:** T1039 - Data from Network Shared Drive\n- **Tactic / Kill Chain Phases:** Collection\n\n## Priority\n**Severity:** High\n',
    's.txt',
  );
  assert.equal(strategy.hasFrontMatter, false);
  assert.equal(strategy.priority, 'high');
  assert.equal(strategy.attack[0]!.technique, 'T1039');
});

test('broken front matter is a diagnostic, not an exception', () => {
  const r = parseStrategy('---\nid: [unclosed\n---\n# T\n', 'bad.md');
  assert.equal(r.diagnostics[0]!.code, 'front-matter');
  const r2 = parseStrategy('---\nid: ADS-0001\n', 'open.md');
  assert.equal(r2.diagnostics[0]!.code, 'front-matter');
  const r3 = parseStrategy('---\nid: ADS-0001\npriority: urgent\n---\n', 'p.md');
  assert.equal(r3.diagnostics[0]!.code, 'ads-priority');
});

test('placeholder prose counts as empty', () => {
  assert.equal(isPlaceholderText('- None available\n\nThis strategy provides a comprehensive approach to everything.'), true);
  assert.equal(isPlaceholderText('Currently, no additional resources are available beyond the ATT&CK pages.'), true);
  assert.equal(isPlaceholderText('- MITRE ATT&CK T1611: https://attack.mitre.org/techniques/T1611/'), false);
});
