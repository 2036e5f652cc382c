// Structural limits for JSON that comes from outside: nesting depth and the number of
// objects/arrays. JSON.parse has neither, and a small hostile text can cost seconds and
// gigabytes (32 MiB of `{},` is 11 million objects) or overflow the stack of every
// recursive walk after it. The scanner runs over the text as it arrives, chunk by chunk,
// so a receiver refuses such a body long before it would parse it.

export interface JsonLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most objects and arrays in one document (or one request body). */
  maxContainers: number;
}

/** Files: depth bounded (every recursive walk after the parse must survive it); size is the file's. */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 100, maxContainers: Number.POSITIVE_INFINITY };

/** Longest line a file reader hands to a parser; longer lines are refused with a diagnostic. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const OPEN_ARR = 0x5b;
const CLOSE_OBJ = 0x7d;
const CLOSE_ARR = 0x5d;

/**
 * Counts nesting and containers outside strings. Bytes and UTF-16 code units agree on every
 * character it looks at (all ASCII), so one scanner serves Buffers and strings.
 */
export class JsonScanner {
  depth = 0;
  maxDepthSeen = 0;
  containers = 0;
  private inString = false;
  private escaped = false;
  /** Why the text broke a limit, once it has. */
  exceeded?: string;

  constructor(private readonly limits: JsonLimits = DEFAULT_JSON_LIMITS) {}

  pushBytes(b: Uint8Array): string | undefined {
    if (this.exceeded) return this.exceeded;
    for (let i = 0; i < b.length; i++) if (this.step(b[i]!)) return this.exceeded;
    return undefined;
  }

  pushString(s: string): string | undefined {
    if (this.exceeded) return this.exceeded;
    for (let i = 0; i < s.length; i++) if (this.step(s.charCodeAt(i))) return this.exceeded;
    return undefined;
  }

  private step(c: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) this.inString = false;
      return false;
    }
    if (c === QUOTE) this.inString = true;
    else if (c === OPEN_OBJ || c === OPEN_ARR) {
      this.containers++;
      if (++this.depth > this.maxDepthSeen) this.maxDepthSeen = this.depth;
      if (this.depth > this.limits.maxDepth) {
        this.exceeded = `nested deeper than ${this.limits.maxDepth} levels`;
        return true;
      }
      if (this.containers > this.limits.maxContainers) {
        this.exceeded = `more than ${this.limits.maxContainers} objects and arrays`;
        return true;
      }
    } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (this.depth > 0) this.depth--;
    }
    return false;
  }
}

/** The reason a JSON text breaks the limits, or undefined. */
export function jsonLimitError(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): string | undefined {
  // Depth n needs at least n brackets: short texts cannot break the depth limit, and
  // container counts only matter for texts far longer than a line usually is.
  if (text.length <= limits.maxDepth && text.length <= limits.maxContainers) return undefined;
  // Nor can a text with no more brackets than the limits allow (brackets inside strings counted
  // too, so this only ever sends more texts to the scan). indexOf is native and skips the rest
  // of the text: an event line has a few dozen brackets and hundreds of other characters.
  if (!atLeastBrackets(text, Math.min(limits.maxDepth, limits.maxContainers) + 1)) return undefined;
  return new JsonScanner(limits).pushString(text);
}

function atLeastBrackets(text: string, n: number): boolean {
  let count = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++count >= n) return true;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++count >= n) return true;
  return false;
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; code: 'too-deep' | 'bad-json'; message: string };

/** JSON.parse behind the structural limits; never throws. */
export function parseJsonLimited(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonParseResult {
  const over = jsonLimitError(text, limits);
  if (over) return { ok: false, code: 'too-deep', message: `JSON refused: ${over}` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, code: 'bad-json', message: (e as Error).message };
  }
}

/**
 * Keys that reach Object.prototype when a user-given key path is assigned into plain
 * objects (`a.__proto__.x = 1`); every place that turns user keys into object keys skips them.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(k: string): boolean {
  return FORBIDDEN_KEYS.has(k);
}
