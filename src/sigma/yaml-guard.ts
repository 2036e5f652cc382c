// The YAML parser takes time that grows faster than the text with nested, unclosed flow
// collections: 200 `{` cost 0.6 s, 300 lines of 20 `[` cost 4 s. Rule, exception and
// placeholder files may come from outside, so their bracket nesting is bounded before
// they are parsed. Real files nest a few levels; quotes are not honoured here, which only
// makes the bound count brackets inside strings too (a regex rarely opens 64 at once).

export const MAX_FLOW_DEPTH = 64;

/** Why a YAML text is refused before parsing, or undefined. */
export function yamlTooComplex(text: string, maxDepth = MAX_FLOW_DEPTH): string | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return `flow collections ([ ] { }) nested or left open deeper than ${maxDepth} levels`;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
    // a new document starts afresh
    else if (c === 0x0a && text.startsWith('---', i + 1)) depth = 0;
  }
  return undefined;
}
