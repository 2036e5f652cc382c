// Which event paths a rule field name can stand for, from the processing pipelines.
import type { Pipeline } from '../sigma/pipeline/types.js';
import { builtinPipelines } from '../sigma/pipeline/builtin.js';

/**
 * Correlation group-by and value fields are written in the rules' taxonomy (`User`), events
 * carry the model's names (`user.name`). Try the name as written, then every name the pipelines
 * map it to, then every prefix they add; the first one present in the event wins.
 */
export function fieldPathsFrom(pipelines: readonly Pipeline[]): (field: string) => string[] {
  const mapped = new Map<string, string[]>();
  const prefixes: string[] = [];
  for (const p of pipelines) {
    for (const it of p.items) {
      const t = it.transformation;
      if (t.type === 'field_name_mapping') {
        for (const [from, to] of Object.entries(t.mapping)) {
          const list = mapped.get(from) ?? [];
          for (const x of Array.isArray(to) ? to : [to]) if (!list.includes(x)) list.push(x);
          mapped.set(from, list);
        }
      } else if (t.type === 'field_name_prefix' && !prefixes.includes(t.prefix)) prefixes.push(t.prefix);
    }
  }
  const cache = new Map<string, string[]>();
  return (field) => {
    let out = cache.get(field);
    if (!out) {
      out = [field, ...(mapped.get(field) ?? []).filter((x) => x !== field), ...prefixes.map((p) => p + field)];
      cache.set(field, out);
    }
    return out;
  };
}

let builtin: ((field: string) => string[]) | undefined;
/** The mapping of the built-in pipelines, for callers that load no pipelines of their own. */
export function builtinFieldPaths(): (field: string) => string[] {
  return (builtin ??= fieldPathsFrom(builtinPipelines()));
}
