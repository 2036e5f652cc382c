// `stowaway.yaml`: every option of a command, written once in a file. The schema is made from the
// command's own options (zod: typed, dependency-free, issues carry the path of the bad value), so a
// new flag is expressible in the file the day it exists. The command line overrides the file.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

export const CONFIG_FILE = 'stowaway.yaml';

/** `dataDir` → `data-dir`: the file uses the flag's own spelling. */
export function keyOf(attribute: string): string {
  return attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Options a file may not set: they choose the file, or only make sense typed by a person. */
const NOT_IN_FILE = new Set(['config', 'help', 'version']);

function optionSchema(o: Option): z.ZodType {
  const scalar = z.union([z.string(), z.number()], { error: 'expected a string or a number' }).transform(String);
  if (o.negate || (!o.required && !o.optional)) return z.boolean({ error: 'expected true or false' });
  if (o.variadic)
    return z
      .union([scalar, z.array(scalar)], { error: 'expected a value or a list of values (strings or numbers)' })
      .transform((v) => (Array.isArray(v) ? v : [v]));
  return scalar;
}

/** The schema of a command's file: its options by flag name; an unknown key is an error, not ignored. */
export function configSchema(cmd: Command): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const o of cmd.options) {
    const key = keyOf(o.attributeName());
    if (NOT_IN_FILE.has(key)) continue;
    shape[key] = optionSchema(o).optional();
  }
  return z.strictObject(shape);
}

export interface ConfigProblem {
  file: string;
  line?: number;
  path: string;
  message: string;
}

export interface LoadedConfig {
  file: string;
  /** attribute name (dataDir) → value, already through the option's own parser. */
  values: Record<string, unknown>;
  problems: ConfigProblem[];
}

/** Reads and validates a file against a command's options; problems name the YAML path and line. */
export function readConfig(file: string, cmd: Command): LoadedConfig {
  const problems: ConfigProblem[] = [];
  const out: LoadedConfig = { file, values: {}, problems };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    problems.push({ file, path: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return out;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  for (const e of doc.errors) problems.push({ file, line: e.linePos?.[0]?.line, path: '', message: e.message.split('\n')[0]! });
  if (problems.length) return out;
  const raw: unknown = doc.toJS() ?? {};
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
      // An unknown key has no value node of its own in the schema's eyes: find the key itself.
      if (n === path.length && path.length === 1 && doc.contents && 'items' in doc.contents) {
        const pair = (doc.contents.items as { key?: { value?: unknown; range?: [number, number, number] } }[]).find((p) => p.key?.value === path[0]);
        if (pair?.key?.range) return lines.linePos(pair.key.range[0]).line;
      }
    }
    return undefined;
  };
  const parsed = configSchema(cmd).safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys)
          problems.push({ file, line: lineOf([...issue.path, k]), path: [...issue.path, k].join('.'), message: `unknown option '${k}'${suggest(k, cmd)}` });
      } else problems.push({ file, line: lineOf(issue.path), path: issue.path.map(String).join('.') || '(top)', message: issue.message });
    }
    return out;
  }
  for (const [key, value] of Object.entries(parsed.data)) {
    if (value === undefined) continue;
    const o = cmd.options.find((x) => keyOf(x.attributeName()) === key)!;
    // The option's own parser (e.g. --stdout alert|falco|ecs) judges the value as it would on the command line.
    const parse = (o as unknown as { parseArg?: (v: string, prev: unknown) => unknown }).parseArg;
    try {
      let v: unknown = value;
      if (parse && typeof value === 'string') v = parse(value, undefined);
      else if (parse && Array.isArray(value)) v = value.reduce((prev: unknown, x: string) => parse(x, prev), undefined);
      out.values[o.attributeName()] = v;
    } catch (e) {
      problems.push({ file, line: lineOf([key]), path: key, message: (e as Error).message });
    }
  }
  return out;
}

function suggest(key: string, cmd: Command): string {
  const keys = cmd.options.map((o) => keyOf(o.attributeName())).filter((k) => !NOT_IN_FILE.has(k));
  const near = keys.find((k) => k.replace(/-/g, '') === key.replace(/[-_]/g, '').toLowerCase());
  return near ? ` (did you mean '${near}'?)` : '';
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** `--config PATH`, else ./stowaway.yaml, else <data-dir>/stowaway.yaml; undefined when none exists. */
export function findConfig(explicit: string | undefined, dataDir: string | undefined, cwd = process.cwd()): string | undefined {
  if (explicit) return resolve(explicit);
  const candidates = [join(cwd, CONFIG_FILE), ...(dataDir ? [join(resolve(dataDir), CONFIG_FILE)] : [])];
  return candidates.find((f) => existsSync(f));
}

/**
 * Adds `--config` to a command and, before it runs, layers the file under the command line: a
 * value typed on the command line wins, a value from the file beats the built-in default.
 * A file with problems stops the command (exit 2), each problem with its line.
 */
export function configOption(cmd: Command): Command {
  cmd.option('--config <file>', `configuration file (default: ./${CONFIG_FILE}, then <data-dir>/${CONFIG_FILE}); command-line flags override it`);
  cmd.hook('preAction', (self) => {
    const opts = self.opts<{ config?: string; dataDir?: string }>();
    if (opts.config && !existsSync(opts.config)) {
      process.stderr.write(`stowaway: --config ${opts.config}: no such file\n`);
      process.exit(2);
    }
    const file = findConfig(opts.config, opts.dataDir);
    if (!file) return;
    const loaded = readConfig(file, self);
    if (loaded.problems.length) {
      for (const p of loaded.problems) process.stderr.write(`stowaway: ${formatProblem(p)}\n`);
      process.stderr.write(`stowaway: ${file}: ${loaded.problems.length} problem(s); \`stowaway config check ${file}\` checks it\n`);
      process.exit(2);
    }
    for (const [name, value] of Object.entries(loaded.values))
      if (self.getOptionValueSource(name) !== 'cli') self.setOptionValueWithSource(name, value, 'config');
    process.stderr.write(`stowaway: configuration ${file} (${Object.keys(loaded.values).length} settings; command-line flags override it)\n`);
  });
  return cmd;
}
