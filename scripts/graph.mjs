// `npm run graph`: the import graph between the top-level folders of src/, checked against
// their layers (docs/architecture.md). A folder may import only folders of a lower layer:
// no upward arrow, no sideways arrow, hence no cycle between folders. Cycles between files,
// a command importing another command, and production code importing test helpers are
// refused too. Exit 1 on any violation.
// `--mermaid` prints the graph as a Mermaid flowchart; `--src DIR` checks another tree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Layers, lowest first. Folders of one layer do not import each other. */
export const LAYERS = [
  ['model'],
  ['sigma', 'sinks'],
  ['engine', 'sources'],
  ['analytics', 'alerts'],
  ['respond'],
  ['ads'],
  ['server'],
  ['runtime'],
  ['fleet', 'emulate'],
  ['cli'],
];

/** cli/ files that are not commands: shared flags, page helpers, and main, which registers every command. */
export const CLI_SHARED = ['cli/options.ts', 'cli/page.ts', 'cli/responder.ts', 'cli/table.ts', 'cli/config-file.ts', 'cli/fleet-options.ts'];

/** Folders of developer tooling beside the tests (`npm run fuzz`): built, never published, not product. */
export const DEV_FOLDERS = ['fuzz'];

/** Files that exist for tests and benchmarks: built, never published, never imported by the product. */
export const TEST_HELPERS = ['alerts/fixtures.ts', 'analytics/scenario.ts', 'server/testing-browser.ts', 'sources/synthetic.ts', 'fleet/testdata.ts'];

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g;

/** The product's source files under `dir`; the developer folders at the top (`root`) are left out. */
function walk(dir, root = dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (dir === root && DEV_FOLDERS.includes(name)) continue;
      walk(p, root, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** File → the files it imports, all relative to src/ (`.js` specifiers mapped back to `.ts`). */
export function fileGraph(srcDir) {
  const graph = new Map();
  for (const f of walk(srcDir)) {
    const from = relative(srcDir, f);
    const to = new Set();
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) to.add(relative(srcDir, resolve(dirname(f), m[1].replace(/\.js$/, '.ts'))));
    graph.set(from, [...to].sort());
  }
  return graph;
}

const top = (file) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

/** Folder → folder edges with the files that make each. */
export function folderEdges(files) {
  const edges = new Map();
  for (const [from, tos] of files) {
    for (const to of tos) {
      const a = top(from);
      const b = top(to);
      if (a === b) continue;
      const k = `${a} -> ${b}`;
      if (!edges.has(k)) edges.set(k, { from: a, to: b, files: [] });
      edges.get(k).files.push(`${from} -> ${to}`);
    }
  }
  return [...edges.values()].sort((x, y) => (x.from + x.to).localeCompare(y.from + y.to));
}

/** Strongly connected components with more than one file (or a file importing itself). */
export function fileCycles(files) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of files.get(v) ?? []) {
      if (!files.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (files.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of [...files.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** Every violation as one line; empty when the tree keeps its layers. */
export function check(files, layers = LAYERS, helpers = TEST_HELPERS) {
  const rank = new Map(layers.flatMap((names, i) => names.map((n) => [n, i])));
  const problems = [];
  for (const folder of new Set([...files.keys()].map(top)))
    if (folder !== '.' && !rank.has(folder)) problems.push(`folder ${folder} has no layer: add it to LAYERS in scripts/graph.mjs and to docs/architecture.md`);
  for (const e of folderEdges(files)) {
    const a = rank.get(e.from);
    const b = rank.get(e.to);
    if (a === undefined || b === undefined) continue;
    if (b > a) problems.push(`upward import ${e.from} -> ${e.to}: ${e.files.join(', ')}`);
    else if (b === a) problems.push(`sideways import ${e.from} -> ${e.to} (same layer): ${e.files.join(', ')}`);
  }
  for (const c of fileCycles(files)) problems.push(`import cycle among ${c.join(', ')}`);
  for (const [from, tos] of files) {
    if (!from.startsWith('cli/') || from === 'cli/main.ts') continue;
    for (const to of tos) if (to.startsWith('cli/') && !CLI_SHARED.includes(to)) problems.push(`a command imports another command: ${from} -> ${to}`);
  }
  for (const [from, tos] of files) {
    if (helpers.includes(from)) continue;
    for (const to of tos) if (helpers.includes(to)) problems.push(`product code imports a test helper: ${from} -> ${to}`);
  }
  return problems;
}

function mermaid(edges) {
  return ['flowchart TD', ...edges.map((e) => `  ${e.from} -->|${e.files.length}| ${e.to}`)].join('\n');
}

const main = fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? '');
if (main) {
  const at = process.argv.indexOf('--src');
  const src = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const files = fileGraph(src);
  const edges = folderEdges(files);
  if (process.argv.includes('--mermaid')) console.log(mermaid(edges));
  else {
    console.log('layers (lowest first): ' + LAYERS.map((l) => l.join(' ')).join(' < '));
    console.log(`${files.size} files, ${edges.length} folder edges (imports from production files; tests excluded)`);
    for (const e of edges) console.log(`  ${e.from.padEnd(9)} -> ${e.to.padEnd(9)} ${String(e.files.length).padStart(3)} imports`);
  }
  const problems = check(files);
  for (const p of problems) console.error(`graph: ${p}`);
  console.error(
    problems.length
      ? `graph: ${problems.length} violation(s)`
      : 'graph: no upward or sideways arrow, no cycle, no command importing another, no test helper in the product',
  );
  process.exit(problems.length ? 1 : 0);
}
