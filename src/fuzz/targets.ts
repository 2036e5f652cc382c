// Fuzz targets, one per parser an adversary can feed: property-based with fast-check and
// structure-aware generators. Each generator starts from the real fixtures (the corpus),
// then mutates them the way hostile input does: values of the wrong type, huge or deep
// values, keys like `__proto__`, cut records, stray bytes and entities. A target's property
// is what "never crashes, never loses good data" means for it: no exception escapes, every
// output is an event or a diagnostic, and Object.prototype stays clean.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { SourceRecord } from '../sources/types.js';
import { DockerContext, normalizeWithContext } from '../sources/docker/normalize.js';
import { createAuditParser } from '../sources/auditd/reader.js';
import { normalizeK8sAudit } from '../sources/k8s-audit/normalize.js';
import { normalizeFalco } from '../sources/falco/normalize.js';
import { createZeekParser } from '../sources/zeek/normalize.js';
import { normalizeSysmonLine } from '../sources/sysmon-linux/normalize.js';
import { normalizeEcs } from '../sources/ecs/normalize.js';
import { compileRules, layerPlaceholders, parsePlaceholders, parseSigmaText } from '../sigma/index.js';
import { matchException, parseExceptions } from '../alerts/exceptions.js';
import { finding } from '../alerts/fixtures.js';
import { parseK8sWebhookBody } from '../sources/k8s-audit/webhook.js';
import { parseFalcoBody } from '../sources/falco/http.js';
import { JsonScanner } from '../sources/json-limits.js';
import { RECEIVER_JSON_LIMITS } from '../sources/http.js';
import { jsonLineParser } from '../sources/lines.js';

/** The package root (two levels above src/fuzz and dist/fuzz). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = (p: string): string => readFileSync(join(ROOT, 'src', 'sources', p), 'utf8');
const lines = (p: string): string[] =>
  fixture(p)
    .split('\n')
    .filter((l) => l.trim());
const jsonLines = (p: string): unknown[] =>
  lines(p).flatMap((l) => {
    try {
      return [JSON.parse(l) as unknown];
    } catch {
      return [];
    }
  });

export interface FuzzTarget {
  name: string;
  /** One input; a thrown error or a broken invariant is a crash. */
  arbitrary: fc.Arbitrary<unknown>;
  run(input: unknown): void;
}

// ---- generators -------------------------------------------------------------------------

const HOSTILE_STRINGS = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  '\u0000',
  '\ud800',
  '&#99999999;',
  '&#x110000;',
  '&amp',
  '<Event>',
  '</Event>',
  '"',
  '\\',
  '%s%n',
  '\r\n',
  '2099-01-01T00:00:00Z',
  '-1',
  '1e309',
  'NaN',
  '0x41',
  'a'.repeat(2000),
  '{'.repeat(200),
  '['.repeat(200),
];
const hostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
const leaf = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(-0), fc.constant(2 ** 53 + 1));
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('v'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).v;

/** Paths of an object's members (to pick where to mutate). */
function paths(o: unknown, prefix: string[] = [], out: string[][] = [], depth = 0): string[][] {
  if (depth > 8 || o === null || typeof o !== 'object') return out;
  for (const k of Object.keys(o)) {
    const p = [...prefix, k];
    out.push(p);
    paths((o as Record<string, unknown>)[k], p, out, depth + 1);
  }
  return out;
}

type Mutation = { kind: 'set' | 'delete' | 'key' | 'deep'; pick: number; v: unknown; key: string; depth: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'set', 'delete', 'key', 'deep'),
  pick: fc.nat(),
  v: value,
  key: hostileString,
  depth: fc.integer({ min: 1, max: 400 }),
});

function applyJson(seed: unknown, muts: Mutation[]): unknown {
  let doc = JSON.parse(JSON.stringify(seed)) as unknown;
  for (const m of muts) {
    const ps = paths(doc);
    if (ps.length === 0) {
      doc = m.v;
      continue;
    }
    const p = ps[m.pick % ps.length]!;
    let parent = doc as Record<string, unknown>;
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
    const last = p[p.length - 1]!;
    // a mutation the shape does not allow (an array's length ...) is skipped, not a fuzzer failure
    try {
      if (m.kind === 'set') parent[last] = m.v;
      else if (m.kind === 'delete') delete parent[last];
      else if (m.kind === 'key')
        Object.defineProperty(Array.isArray(parent) ? { parent } : parent, m.key, { value: m.v, enumerable: true, configurable: true, writable: true });
      else {
        let deep: unknown = m.v;
        for (let i = 0; i < m.depth; i++) deep = i % 2 ? [deep] : { a: deep };
        parent[last] = deep;
      }
    } catch {
      /* skipped */
    }
  }
  return doc;
}

/** A fixture object, mutated structurally; a third of the time serialized and cut or spliced. */
function jsonCorpus(seeds: unknown[]): fc.Arbitrary<{ obj: unknown; text: string }> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { maxLength: 4 }), fc.nat(), fc.nat(), hostileString, fc.integer({ min: 0, max: 2 }))
    .map(([seed, muts, a, b, ins, mode]) => {
      // What a normalizer is given is what JSON.parse makes: objects with Object.prototype, `__proto__` as an own key.
      let text = JSON.stringify(applyJson(seed, muts)) ?? 'null';
      const obj = JSON.parse(text) as unknown;
      if (mode === 1) text = text.slice(0, a % (text.length + 1));
      else if (mode === 2) {
        const at = a % (text.length + 1);
        text = text.slice(0, at) + ins + text.slice(at + (b % 8));
      }
      return { obj, text };
    });
}

/** A fixture line mutated at byte level: tokens swapped, cut, duplicated, hostile strings spliced in. */
function textCorpus(seeds: string[]): fc.Arbitrary<string> {
  const edit = fc.record({ at: fc.nat(), len: fc.nat({ max: 16 }), ins: hostileString, op: fc.constantFrom('splice', 'cut', 'dup', 'swap') });
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: 5 })).map(([seed, edits]) => {
    let s = seed;
    for (const e of edits) {
      const at = e.at % (s.length + 1);
      if (e.op === 'splice') s = s.slice(0, at) + e.ins + s.slice(at + e.len);
      else if (e.op === 'cut') s = s.slice(0, at);
      else if (e.op === 'dup') s = s.slice(0, at) + s.slice(at, at + e.len).repeat(3) + s.slice(at);
      else {
        const words = s.split(' ');
        const i = at % words.length;
        const j = (at + e.len) % words.length;
        [words[i], words[j]] = [words[j]!, words[i]!];
        s = words.join(' ');
      }
    }
    return s;
  });
}

// ---- invariants -------------------------------------------------------------------------

function checkRecords(out: unknown, what: string): void {
  if (!Array.isArray(out)) throw new Error(`${what}: returned ${typeof out}, not an array of records`);
  for (const r of out as SourceRecord[]) checkRecord(r, what);
}

function checkRecord(r: SourceRecord, what: string): void {
  if (r === null || typeof r !== 'object') throw new Error(`${what}: a record is ${String(r)}`);
  if ('event' in r) {
    if (typeof r.event['@timestamp'] !== 'string' || Number.isNaN(Date.parse(r.event['@timestamp'])))
      throw new Error(`${what}: event without a valid @timestamp`);
    if (typeof r.event.stowaway?.source !== 'string') throw new Error(`${what}: event without stowaway.source`);
  } else if ('diagnostic' in r) {
    if (typeof r.diagnostic.code !== 'string' || typeof r.diagnostic.message !== 'string') throw new Error(`${what}: diagnostic without code or message`);
  } else throw new Error(`${what}: neither an event nor a diagnostic`);
}

const PLAIN = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
function checkPrototype(what: string): void {
  if (Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== PLAIN || Object.getPrototypeOf(Object.prototype) !== null)
    throw new Error(`${what}: Object.prototype was modified`);
}

// ---- targets ----------------------------------------------------------------------------

export async function fuzzTargets(): Promise<FuzzTarget[]> {
  const dockerSeeds = jsonLines('docker/fixtures/events.ndjson');
  const k8sSeeds = [...jsonLines('k8s-audit/fixtures/audit.jsonl'), JSON.parse(fixture('k8s-audit/fixtures/eventlist.json')) as unknown];
  const falcoSeeds = jsonLines('falco/fixtures/events.json');
  const ecsSeeds = jsonLines('ecs/fixtures/events.ndjson');
  const auditSeeds = lines('auditd/fixtures/containers.log');
  const zeekTsv = lines('zeek/fixtures/conn.log');
  const sysmonSeeds = lines('sysmon-linux/fixtures/syslog.log');
  const ruleDir = join(ROOT, 'content', 'strategies');
  const ruleSeeds: string[] = [];
  for (const d of readdirSync(ruleDir, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const rd = join(ruleDir, d.name, 'rules');
    for (const f of readdirSync(rd)) if (f.endsWith('.yml')) ruleSeeds.push(readFileSync(join(rd, f), 'utf8'));
  }
  const placeholderSeed = readFileSync(join(ruleDir, 'placeholders.yml'), 'utf8');
  const exceptionSeeds = [
    'exceptions:\n  - id: ci\n    rule: b1f0a6c2-0000-4000-8000-000000000001\n    reason: CI runners\n    scope:\n      image: ["ghcr.io/acme/runner:*"]\n      namespace: ci\n',
    'exceptions:\n  - id: dbg\n    rule: "*"\n    reason: debug pods\n    scope: { label: { team: sre } }\n    when:\n      process.executable: [/bin/sh, "*bash*"]\n    expires: 2099-01-01\n',
  ];
  const yamlEdit = (seeds: string[]) =>
    fc.oneof(
      { weight: 3, arbitrary: textCorpus(seeds.map((s) => s)).map((s) => s) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...seeds), fc.integer({ min: 1, max: 9 }))
          .map(
            ([s, n]) =>
              `${s}\n---\nbomb: &a [x, x, x]\n${Array.from({ length: n }, (_, i) => `l${i}: &l${i} [*${i ? `l${i - 1}` : 'a'}, *${i ? `l${i - 1}` : 'a'}, *${i ? `l${i - 1}` : 'a'}]`).join('\n')}\n`,
          ),
      },
    );

  const docker = (): FuzzTarget => {
    const ctx = new DockerContext();
    return {
      name: 'docker',
      arbitrary: jsonCorpus(dockerSeeds),
      run: (i) => {
        const { obj } = i as { obj: unknown };
        checkRecord(normalizeWithContext(ctx, obj, 'fuzz:1'), 'docker');
        checkPrototype('docker');
      },
    };
  };
  const auditParser = (): FuzzTarget => ({
    name: 'auditd',
    // records arrive in runs: a few mutated lines at once, then the assembler is flushed
    arbitrary: fc.array(fc.oneof(textCorpus(auditSeeds), fc.constantFrom(...auditSeeds)), { minLength: 1, maxLength: 6 }),
    run: (i) => {
      const p = createAuditParser('fuzz.log');
      (i as string[]).forEach((l, n) => checkRecords(p.line(l, n + 1), 'auditd'));
      checkRecords(p.end(), 'auditd end');
    },
  });
  const zeek = (): FuzzTarget => ({
    name: 'zeek',
    arbitrary: fc.tuple(fc.array(fc.oneof(textCorpus(zeekTsv), fc.constantFrom(...zeekTsv)), { minLength: 1, maxLength: 12 })),
    run: (i) => {
      const p = createZeekParser('fuzz.log');
      (i as [string[]])[0].forEach((l, n) => checkRecords(p.line(l, n + 1), 'zeek'));
      checkRecords(p.end(), 'zeek end');
    },
  });
  const jsonTarget = (name: string, seeds: unknown[], normalize: (o: unknown, origin: string) => SourceRecord[]): FuzzTarget => {
    const parser = jsonLineParser(name, 'fuzz', normalize);
    return {
      name,
      arbitrary: jsonCorpus(seeds),
      run: (i) => {
        const { obj, text } = i as { obj: unknown; text: string };
        checkRecords(normalize(obj, 'fuzz:1'), name);
        checkRecords(parser.line(text, 1), `${name} line`);
        checkPrototype(name);
      },
    };
  };
  const sysmon = (): FuzzTarget => ({
    name: 'sysmon',
    arbitrary: textCorpus(sysmonSeeds),
    run: (i) => checkRecords(normalizeSysmonLine(i as string, 'fuzz:1'), 'sysmon'),
  });
  const sigma = (): FuzzTarget => ({
    name: 'sigma-yaml',
    arbitrary: yamlEdit(ruleSeeds),
    run: (i) => {
      const r = parseSigmaText(i as string, 'fuzz.yml');
      for (const d of r.diagnostics) if (typeof d.code !== 'string') throw new Error('sigma: diagnostic without code');
      const c = compileRules(r, { placeholders: { approved_image_prefixes: ['docker.io/library/*'] } });
      c.ruleset.match({
        '@timestamp': '2026-01-01T00:00:00Z',
        event: {},
        stowaway: { source: 'fuzz', logsource: { product: 'linux', category: 'process_creation' } },
        process: { name: 'sh', command_line: 'a'.repeat(500) },
      });
      checkPrototype('sigma');
    },
  });
  const exceptions = (): FuzzTarget => ({
    name: 'exceptions',
    arbitrary: fc.tuple(yamlEdit(exceptionSeeds), hostileString),
    run: (i) => {
      const [text, cmd] = i as [string, string];
      const set = parseExceptions(text, 'fuzz.yaml', new Date('2026-01-01T00:00:00Z'));
      const f = finding();
      f.events[0]!.process!.command_line = cmd.repeat(50);
      matchException(set.exceptions, f, new Date('2026-01-01T00:00:00Z'));
      checkPrototype('exceptions');
    },
  });
  const placeholders = (): FuzzTarget => ({
    name: 'placeholders',
    arbitrary: yamlEdit([placeholderSeed, 'a: [x, "*y*", 1]\n__proto__: [z]\nconstructor: q\n']),
    run: (i) => {
      const p = { placeholders: layerPlaceholders(Object.create(null) as Record<string, string[]>, parsePlaceholders(i as string, 'fuzz.yml').entries) };
      for (const v of Object.values(p.placeholders))
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error('placeholders: a value is not a list of strings');
      const rule =
        'title: t\nid: 11111111-1111-4111-8111-111111111111\nlogsource: { product: docker }\ndetection:\n  s:\n    container.image|expand: "%approved_image_prefixes%"\n  condition: s\n';
      compileRules(parseSigmaText(rule, 'r.yml'), { placeholders: p.placeholders });
      checkPrototype('placeholders');
    },
  });
  const receivers = (): FuzzTarget => ({
    name: 'http-receivers',
    // A body as it reaches the receiver: fixture EventLists and Falco lines, mutated, in random chunks.
    arbitrary: fc.tuple(
      fc.oneof(
        jsonCorpus(k8sSeeds).map((x) => x.text),
        jsonCorpus(falcoSeeds).map((x) => x.text),
        fc.constantFrom('[]', '{"kind":"EventList","items":[' + '{},'.repeat(3000) + '{}]}'),
      ),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
    ),
    run: (i) => {
      const [body, cuts] = i as [string, number[]];
      const bytes = Buffer.from(body);
      const scan = new JsonScanner(RECEIVER_JSON_LIMITS);
      let at = 0;
      let refused: string | undefined;
      for (let k = 0; at < bytes.length && !refused; k++) {
        const n = cuts[k % cuts.length]!;
        refused = scan.pushBytes(bytes.subarray(at, at + n));
        at += n;
      }
      if (refused) return;
      checkRecords(parseK8sWebhookBody(body, 'k8s-audit:fuzz', 100), 'k8s webhook');
      checkRecords(parseFalcoBody(body, 'falco:fuzz', 100), 'falco receiver');
      checkPrototype('receivers');
    },
  });
  return [
    docker(),
    auditParser(),
    jsonTarget('k8s-audit', k8sSeeds, normalizeK8sAudit),
    jsonTarget('falco', falcoSeeds, normalizeFalco),
    zeek(),
    sysmon(),
    jsonTarget('ecs', ecsSeeds, normalizeEcs),
    sigma(),
    exceptions(),
    placeholders(),
    receivers(),
  ];
}
