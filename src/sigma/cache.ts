// The rule cache: what parsing a rule file produced (rules, filters, correlations and their
// diagnostics), kept across runs and keyed by the file's path and content digest. Compiled rules
// are closures (matchers, RE2 objects) and cannot be written out, so the cache holds the parsed and
// validated form, which is the larger part of a cold load (YAML parsing); compiling still runs.
// A cache made by other code (another build) is rebuilt; one that fails its checksum or does not
// parse is ignored with a message, never trusted.
import crypto, { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseResult } from './parse.js';

const FORMAT = 2;
const FILE = 'rules-parsed.json';
/** More entries than this and the ones this run did not use are dropped (edited files leave old digests behind). */
const MAX_ENTRIES = 20000;

export interface CacheStats {
  dir: string;
  hits: number;
  misses: number;
  /** Files whose parse result could not be stored faithfully as JSON; parsed every time. */
  uncacheable: number;
  /** Why the stored cache was not used, when it was not. */
  ignored?: string;
}

export interface ParseCache {
  /** `key` is keyOf(file, text), when the caller has it already. */
  get(file: string, text: string, key?: string): ParseResult | undefined;
  put(file: string, text: string, result: ParseResult, key?: string): void;
  /** Writes the cache back if this run added to it; never throws (a read-only home is not an error of the scan). */
  save(): Promise<string | undefined>;
  readonly stats: CacheStats;
}

/** `$STOWAWAY_CACHE_DIR`, else `$XDG_CACHE_HOME/stowaway`, else `~/.cache/stowaway`. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env['STOWAWAY_CACHE_DIR']) return env['STOWAWAY_CACHE_DIR'];
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'stowaway');
}

let codeDigest: string | undefined;
/**
 * The parser's own code: every module of the Sigma layer as built. A cache written by other code
 * may hold what that code parsed differently, so a new build starts a new cache.
 */
function parserCode(): string {
  if (codeDigest) return codeDigest;
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e.name) && !/\.test\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) h.update(e.name).update(readFileSync(p));
    }
  };
  walk(dirname(fileURLToPath(import.meta.url)));
  return (codeDigest = h.digest('hex'));
}

/**
 * SHA-256 of a string in one call where Node has `crypto.hash` (20.12 and later): for thousands of
 * small rule files, a Hash object's construction and argument checks cost more than the digest.
 */
const sha256: (data: string, encoding: 'hex' | 'base64') => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data, encoding) => crypto.hash('sha256', data, encoding)
    : (data, encoding) => createHash('sha256').update(data).digest(encoding);

export const keyOf = (file: string, text: string): string => sha256(`${file}\u0000${text}`, 'base64');

/** JSON text of `r`, or undefined when JSON would change it (non-finite numbers, holes, bigints). */
function faithfulJson(r: ParseResult): string | undefined {
  let unsafe = false;
  const text = JSON.stringify(r, function (this: unknown, _k, v: unknown) {
    if (typeof v === 'number' && !Number.isFinite(v)) unsafe = true;
    else if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') unsafe = true;
    else if (Array.isArray(v) && v.some((x) => x === undefined)) unsafe = true;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null)
      unsafe = true;
    return typeof v === 'bigint' ? null : v;
  });
  return unsafe ? undefined : text;
}

/**
 * An entry as stored: each rule's detection as JSON text of its own (`detection$`). Reading the
 * cache then builds no detection trees; a rule's is parsed when first read, which a load whose
 * compile outcomes are known does only for the rules an event reaches.
 */
function encode(r: ParseResult): unknown {
  return {
    ...r,
    rules: r.rules.map((x) => {
      const raw = x as unknown as Record<string, unknown>;
      if (typeof raw['detection$'] === 'string') return raw;
      const { detection, ...rest } = x;
      return { ...rest, detection$: JSON.stringify(detection) };
    }),
  };
}

/** Turns stored rules back into rules whose detection is parsed on first read. */
function decode(r: ParseResult): ParseResult {
  for (const x of r.rules) {
    const raw = x as unknown as Record<string, unknown>;
    const text = raw['detection$'];
    if (typeof text !== 'string') continue;
    delete raw['detection$'];
    Object.defineProperty(raw, 'detection', {
      configurable: true,
      enumerable: true,
      get() {
        const value: unknown = JSON.parse(text);
        Object.defineProperty(raw, 'detection', { value, writable: true, enumerable: true, configurable: true });
        return value;
      },
      set(value: unknown) {
        Object.defineProperty(raw, 'detection', { value, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  return r;
}

function looksParsed(x: unknown): x is ParseResult {
  if (x === null || typeof x !== 'object') return false;
  const r = x as Record<string, unknown>;
  return Array.isArray(r['rules']) && Array.isArray(r['filters']) && Array.isArray(r['correlations']) && Array.isArray(r['diagnostics']);
}

/** Opens the cache in `dir` (created on save). Problems with the stored file become `stats.ignored`. */
/** A cache file's body, or why it cannot be used: another format, another build, or damaged. */
function unseal(raw: string, path: string, code: string): { body: string } | { ignored: string } {
  const nl = raw.indexOf('\n');
  const head = JSON.parse(nl < 0 ? raw : raw.slice(0, nl)) as { format?: unknown; code?: unknown; sha256?: unknown };
  const body = nl < 0 ? '' : raw.slice(nl + 1);
  if (head.format !== FORMAT) return { ignored: `${path} has format ${JSON.stringify(head.format)}, not ${FORMAT}; rebuilt` };
  if (head.code !== code) return { ignored: `${path} was written by another stowaway build; rebuilt` };
  if (sha256(body, 'hex') !== head.sha256) return { ignored: `${path} is corrupt (checksum mismatch); ignored and rebuilt` };
  return { body };
}

/**
 * JSON text with every character beyond ASCII written as a `\u` escape, which parses to the same
 * value. SigmaHQ rules carry a few thousand such characters (names, dashes, quotes); one of them
 * makes the whole file decode as UTF-8 into a two-byte string, which reads at half the speed of
 * an ASCII one and makes hashing and parsing it slower too.
 */
export function asciiJson(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes a cache file whole or not at all (a concurrent reader sees the old file or the new one); an error is returned as its message. */
async function seal(dir: string, path: string, code: string, json: string): Promise<string | undefined> {
  const body = asciiJson(json);
  const head = JSON.stringify({ format: FORMAT, code, sha256: sha256(body, 'hex') });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, head + '\n' + body);
    await rename(tmp, path);
    return undefined;
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    return `cannot write the rule cache ${path}: ${(e as Error).message}`;
  }
}

export async function openParseCache(dir: string): Promise<ParseCache> {
  const path = join(dir, FILE);
  const code = parserCode();
  const stats: CacheStats = { dir, hits: 0, misses: 0, uncacheable: 0 };
  // Entries read from disk are handed out as they are: each file is looked up once per load, and
  // the cache is saved before anything compiles them.
  let entries = new Map<string, unknown>();
  const fresh = new Map<string, string>();
  let raw: string | undefined;
  try {
    // One read call: the promise API reads a file this size in 512 KB rounds through the thread pool and a decoder.
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') stats.ignored = `cannot read ${path}: ${(e as Error).message}`;
  }
  if (raw !== undefined) {
    try {
      const file = unseal(raw, path, code);
      if ('ignored' in file) stats.ignored = file.ignored;
      else {
        const obj = JSON.parse(file.body) as Record<string, unknown>;
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('body is not an object');
        for (const [k, v] of Object.entries(obj)) entries.set(k, v);
      }
    } catch (e) {
      stats.ignored = `${path} is corrupt (${(e as Error).message}); ignored and rebuilt`;
      entries = new Map();
    }
  }
  const used = new Set<string>();
  let added = 0;
  return {
    stats,
    get(file, text, key = keyOf(file, text)) {
      const hit = entries.get(key);
      if (hit !== undefined) {
        if (looksParsed(hit)) {
          stats.hits++;
          used.add(key);
          return decode(hit);
        }
        entries.delete(key);
      }
      stats.misses++;
      return undefined;
    },
    put(file, text, result, key = keyOf(file, text)) {
      if (faithfulJson(result) === undefined) {
        stats.uncacheable++;
        return;
      }
      const json = JSON.stringify(encode(result));
      fresh.set(key, json);
      used.add(key);
      added++;
    },
    async save() {
      if (added === 0 && stats.ignored === undefined) return undefined;
      for (const k of fresh.keys()) entries.delete(k);
      if (entries.size + fresh.size > MAX_ENTRIES) for (const k of [...entries.keys()]) if (!used.has(k)) entries.delete(k);
      // New entries are already JSON text: spliced in, not parsed and written again.
      const parts: string[] = [];
      for (const [k, v] of entries) parts.push(`${JSON.stringify(k)}:${JSON.stringify(encode(v as ParseResult))}`);
      for (const [k, v] of fresh) parts.push(`${JSON.stringify(k)}:${v}`);
      const failed = await seal(dir, path, code, `{${parts.join(',')}}`);
      if (failed === undefined) added = 0;
      return failed;
    },
  };
}

/**
 * What compiling a rule came to, by rule file digest, the rule's place in the file and the
 * compile context (pipelines, filters, placeholders): where it routes, or the diagnostic that
 * refused it. With it a load reports every refusal and routes every rule without compiling any;
 * matchers are built when an event of the rule's logsource arrives (see DeferredRule).
 */
export type CompileOutcome = { ls: { product?: string; category?: string; service?: string } } | { refused: { code: string; message: string; line?: number } };

export interface OutcomeCache {
  get(key: string): CompileOutcome | undefined;
  put(key: string, outcome: CompileOutcome): void;
  /** Writes the outcomes back if this run added any; never throws. */
  save(): Promise<string | undefined>;
}

const OUTCOME_FILE = 'rules-compiled.json';

function looksOutcome(x: unknown): x is CompileOutcome {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  const inner = o['ls'] ?? o['refused'];
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner);
}

/** Opens the compile outcomes in `dir`; a stored file that is corrupt or from another build is ignored (and rebuilt). */
export async function openOutcomeCache(dir: string): Promise<OutcomeCache> {
  const path = join(dir, OUTCOME_FILE);
  const code = parserCode();
  let entries = new Map<string, unknown>();
  try {
    const raw = await readFile(path, 'utf8');
    const file = unseal(raw, path, code);
    if ('body' in file) entries = new Map(Object.entries(JSON.parse(file.body) as Record<string, unknown>));
  } catch {
    // Missing or unreadable: every rule compiles at load, as without a cache, and the file is rebuilt.
    entries = new Map();
  }
  const used = new Set<string>();
  let added = 0;
  return {
    get(key) {
      const v = entries.get(key);
      if (!looksOutcome(v)) return undefined;
      used.add(key);
      return v;
    },
    put(key, outcome) {
      entries.set(key, outcome);
      used.add(key);
      added++;
    },
    async save() {
      if (added === 0) return undefined;
      if (entries.size > MAX_ENTRIES) for (const k of [...entries.keys()]) if (!used.has(k)) entries.delete(k);
      const failed = await seal(dir, path, code, JSON.stringify(Object.fromEntries(entries)));
      if (failed === undefined) added = 0;
      return failed;
    },
  };
}
