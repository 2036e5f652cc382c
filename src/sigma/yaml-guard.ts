// The YAML parser takes time that grows faster than the text with nested, unclosed flow
// collections: 200 `{` cost 0.6 s, 300 lines of 20 `[` cost 4 s. Rule, exception and
// placeholder files may come from outside, so their bracket nesting is bounded before
// they are parsed. Real files nest a few levels; brackets inside quoted strings and
// comments do not count.

export const MAX_FLOW_DEPTH = 64;

/** Why a YAML text is refused before parsing, or undefined. */
export function yamlTooComplex(text: string, maxDepth = MAX_FLOW_DEPTH): string | undefined {
  let depth = 0;
  // Quoted scalars and comments are skipped up to the end of their line only: a stray
  // apostrophe in a plain scalar (`don't`) then hides one line, not the rest of the file.
  let quote = 0;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      quote = 0;
      comment = false;
      if (text.startsWith('---', i + 1)) depth = 0; // a new document starts afresh
      continue;
    }
    if (comment) continue;
    if (quote) {
      if (c === 0x5c && quote === 0x22) i++;
      else if (c === quote) quote = 0;
      continue;
    }
    if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x23 && (i === 0 || text.charCodeAt(i - 1) === 0x20 || text.charCodeAt(i - 1) === 0x09)) comment = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return `flow collections ([ ] { }) nested or left open deeper than ${maxDepth} levels`;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}
