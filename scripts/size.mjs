// `npm run size`: the largest source files and functions of src/ (tests excluded), in lines,
// to keep an eye on what has grown past reading in one sitting.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const top = Number(process.argv[2] ?? 5);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = [];
const functions = [];
for (const f of walk(src)) {
  const text = readFileSync(f, 'utf8');
  const rel = relative(src, f);
  files.push({ lines: text.split('\n').length, where: rel });
  const sf = ts.createSourceFile(f, text, ts.ScriptTarget.ES2022, true);
  const line = (pos) => sf.getLineAndCharacterOfPosition(pos).line;
  const visit = (n) => {
    if (ts.isFunctionLike(n) && n.body) {
      const name = n.name ? n.name.getText(sf) : ts.isVariableDeclaration(n.parent) ? n.parent.name.getText(sf) : '<anonymous>';
      functions.push({ lines: line(n.getEnd()) - line(n.getStart(sf)) + 1, where: `${rel}:${line(n.getStart(sf)) + 1} ${name}` });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
}
const show = (title, rows) => {
  console.log(title);
  for (const r of rows.sort((a, b) => b.lines - a.lines).slice(0, top)) console.log(`  ${String(r.lines).padStart(5)}  ${r.where}`);
};
show('largest files (lines):', files);
show('largest functions (lines):', functions);
