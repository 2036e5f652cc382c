// ADS documents are Markdown with optional YAML front matter; the Palantir sections are the
// level-2 headings. Pure text functions so the web page could reuse them.
import { parseDocument } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';

export interface Section {
  /** Canonical name (see SECTION_NAMES), or the heading text when it is not one of them. */
  name: string;
  heading: string;
  /** 1-based line of the heading. */
  line: number;
  body: string;
}

export interface MarkdownDoc {
  frontMatter?: Record<string, unknown>;
  /** 1-based line where the body starts (after the front matter). */
  bodyLine: number;
  title?: string;
  sections: Section[];
}

/** The Palantir ADS sections, in their customary order. */
export const SECTION_NAMES = [
  'Goal',
  'Categorization',
  'Strategy Abstract',
  'Technical Context',
  'Blind Spots and Assumptions',
  'False Positives',
  'Validation',
  'Priority',
  'Response',
  'Additional Resources',
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** Heading text → canonical section: "Validation (Adversary Emulation)" is Validation. */
export function canonicalSection(heading: string): string {
  const plain = heading
    .replace(/\(.*?\)/g, '')
    .replace(/[*_`#:]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  for (const n of SECTION_NAMES) if (plain === n.toLowerCase()) return n;
  if (plain === 'blind spots & assumptions' || plain === 'blind spots') return 'Blind Spots and Assumptions';
  if (plain === 'resources' || plain === 'references') return 'Additional Resources';
  return heading.trim();
}

export function parseMarkdown(text: string, file?: string): { doc: MarkdownDoc; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let start = 0;
  let frontMatter: Record<string, unknown> | undefined;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
    if (end < 0) {
      diagnostics.push({ severity: 'error', code: 'front-matter', message: 'front matter opened with --- is never closed', file, line: 1 });
    } else {
      const yamlText = lines.slice(1, end).join('\n');
      const yd = parseDocument(yamlText, { prettyErrors: false });
      if (yd.errors.length > 0) {
        const e = yd.errors[0]!;
        diagnostics.push({
          severity: 'error',
          code: 'front-matter',
          message: `front matter is not valid YAML: ${e.message}`,
          file,
          line: (e.linePos?.[0]?.line ?? 0) + 1,
        });
      } else {
        const v = yd.toJS() as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) frontMatter = v as Record<string, unknown>;
        else diagnostics.push({ severity: 'error', code: 'front-matter', message: 'front matter must be a YAML mapping', file, line: 2 });
      }
      start = end + 1;
    }
  }
  let title: string | undefined;
  const sections: Section[] = [];
  let cur: { heading: string; line: number; body: string[] } | undefined;
  let fence = false;
  const close = (): void => {
    if (cur) sections.push({ name: canonicalSection(cur.heading), heading: cur.heading, line: cur.line, body: cur.body.join('\n').trim() });
  };
  for (let i = start; i < lines.length; i++) {
    const l = lines[i]!;
    // Headings inside code fences are code, not structure.
    if (/^\s*(```|~~~)/.test(l)) fence = !fence;
    if (!fence) {
      const h1 = /^#\s+(.*)$/.exec(l);
      if (h1 && title === undefined && !cur) {
        title = h1[1]!.trim();
        continue;
      }
      const h2 = /^##\s+(.*?)\s*#*\s*$/.exec(l);
      if (h2) {
        close();
        cur = { heading: h2[1]!, line: i + 1, body: [] };
        continue;
      }
    }
    if (cur) cur.body.push(l);
  }
  close();
  return { doc: { frontMatter, bodyLine: start + 1, title, sections }, diagnostics };
}

/** Top-level numbered items of a section body ("1. Do this"), markup stripped; nested lines join their item. */
export function numberedItems(body: string): string[] {
  const items: string[] = [];
  for (const raw of body.split('\n')) {
    const m = /^(\d+)[.)]\s+(.*)$/.exec(raw);
    if (m) items.push(stripInline(m[2]!));
    else if (items.length > 0 && /^\s+\S/.test(raw) && !/^\s*[-*]\s/.test(raw)) items.push(`${items.pop()!} ${stripInline(raw.trim())}`);
  }
  return items.filter((s) => s.length > 0);
}

export function stripInline(s: string): string {
  return s
    .replace(/\*\*(.*?)\*\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
}

/** Text that says nothing: empty, "None available", "TBD", "currently unavailable" ... */
export function isPlaceholderText(body: string): boolean {
  const t = body
    .replace(/[-*#>\s]+/g, ' ')
    .trim()
    .toLowerCase();
  if (t.length === 0) return true;
  // "- None available" followed by a closing flourish is still nothing.
  const first =
    body
      .split('\n')
      .map((l) =>
        l
          .replace(/^[\s>*-]+/, '')
          .trim()
          .toLowerCase(),
      )
      .find((l) => l.length > 0) ?? '';
  if (/^(none( available)?|n\/a|tbd|todo)\.?$/.test(first)) return true;
  if (t.length < 80 && /\b(none( available)?|n\/a|tbd|todo|currently unavailable|not available|no (specific )?(step-by-step )?instructions)\b/.test(t))
    return true;
  return /^currently,? no\b|^(additional )?references .* (are )?currently unavailable/.test(t);
}
