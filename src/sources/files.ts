// File input: one entry point for every supported format. The format comes from
// `opts.format` or is detected from the first non-empty lines; each line goes to the
// format's parser; a JSON document spanning lines (an EventList body, a JSON array) is
// read whole. Bad lines become diagnostics and reading goes on.
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileFormat, SourceRecord } from './types.js';
import type { LineParser } from './lines.js';
import { jsonLineParser, lineBatches, OVERLONG_LINE } from './lines.js';
import { DEFAULT_MAX_LINE_BYTES, isForbiddenKey, parseJsonLimited } from './json-limits.js';
import { describeFormat, type DetectedFormat } from './detect.js';
import { diag, isObj } from './util.js';
import { ContainerAttributor } from './attribution.js';
import { DockerContext, normalizeWithContext, parseInspectDump } from './docker/normalize.js';
import { createAuditParser } from './auditd/reader.js';
import { normalizeK8sAudit } from './k8s-audit/normalize.js';
import { normalizeFalco } from './falco/normalize.js';
import { createZeekParser } from './zeek/normalize.js';
import { isLinuxSysmonFlat, isLinuxSysmonSource, normalizeSysmonFlat, normalizeSysmonLine } from './sysmon-linux/normalize.js';
import { normalizeEcs } from './ecs/normalize.js';

export interface FileReadOptions {
  format?: FileFormat;
  /** A `docker inspect` dump enriching docker events and attributing audit processes. */
  inspect?: string;
  /** Shared between files read one after another (e.g. docker events then audit.log). */
  docker?: DockerContext;
  attributor?: ContainerAttributor;
  /** Longest line handed to a parser (characters); longer ones become a `line-too-long` diagnostic. */
  maxLineBytes?: number;
  /** Told what auto-detection chose (not called when `format` is given). */
  onDetected?: (d: DetectedFormat) => void;
}

const DETECT_LINES = 20;
// Larger chunks measured slower: their strings pass 128 KiB and go to V8's large-object space.
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * A file's bytes through two reused buffers: the next chunk is read (in the thread pool)
 * while the consumer decodes this one, and a chunk is only valid until the one after it is
 * asked for (the line splitter decodes each at once). A read stream allocated a fresh buffer
 * per chunk; the page faults and GC of 365 MB of them cost more than the reads.
 */
async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  const bufs = [Buffer.allocUnsafe(READ_CHUNK_BYTES), Buffer.allocUnsafe(READ_CHUNK_BYTES)];
  let which = 0;
  let pending: Promise<{ bytesRead: number }> | undefined = fh.read(bufs[0]!, 0, READ_CHUNK_BYTES, null);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      pending = undefined;
      if (bytesRead === 0) return;
      const chunk = bufs[which]!.subarray(0, bytesRead);
      which ^= 1;
      pending = fh.read(bufs[which]!, 0, READ_CHUNK_BYTES, null);
      yield chunk;
    }
  } finally {
    // a read still in flight must end before its file is closed
    await pending?.catch(() => undefined);
    await fh.close();
  }
}

export async function* readEventFile(path: string, opts: FileReadOptions = {}): AsyncGenerator<SourceRecord> {
  for await (const batch of readEventBatches(path, opts)) for (const r of batch) yield r;
}

/**
 * readEventFile a chunk at a time: the records of each chunk read come as one array, so a
 * consumer that handles them synchronously (scan) waits on one promise per chunk, not per event.
 */
export async function* readEventBatches(path: string, opts: FileReadOptions = {}): AsyncGenerator<SourceRecord[]> {
  const pre: SourceRecord[] = [];
  const ctx = opts.docker ?? new DockerContext();
  if (opts.inspect) {
    try {
      const { docs, diagnostics } = parseInspectDump(readFileSync(opts.inspect, 'utf8'), opts.inspect);
      docs.forEach((d) => ctx.add(d));
      pre.push(...diagnostics);
    } catch (e) {
      pre.push({ diagnostic: diag('docker', 'bad-inspect', `cannot read inspect dump: ${(e as Error).message}`, opts.inspect) });
    }
  }
  if (pre.length) yield pre;

  const input: AsyncIterable<string | Buffer> = path === '-' ? process.stdin : fileChunks(path);
  // Lines come a chunk at a time and each chunk is parsed in one synchronous pass: one
  // promise per line cost more than parsing an audit record.
  const batches = lineBatches(input, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)[Symbol.asyncIterator]();
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  try {
    let batch: string[] = [];
    let next = 0;
    const head: string[] = [];
    let headLines = 0;
    let failed: Error | undefined;
    try {
      while (headLines < DETECT_LINES) {
        if (next >= batch.length) {
          const n = await batches.next();
          if (n.done) break;
          batch = n.value;
          next = 0;
          continue;
        }
        const l = batch[next++]!;
        head.push(l);
        if (l.trim()) headLines++;
      }
    } catch (e) {
      failed = e as Error;
    }
    if (failed) {
      yield [{ diagnostic: diag('files', 'unreadable-file', failed.message, path) }];
      return;
    }
    const detected = opts.format ? undefined : describeFormat(head);
    if (detected) opts.onDetected?.(detected);
    const format = opts.format ?? detected?.format;
    if (!format) {
      if (head.some((l) => l.trim()))
        yield [{ diagnostic: diag('files', 'unknown-format', 'cannot tell the format from the first lines; pass --format', path) }];
      return;
    }
    const parser = await parserFor(format, path, ctx, opts.attributor ?? attributorFrom(ctx));
    if ('diagnostic' in parser) {
      yield [parser];
      return;
    }

    // A JSON document spanning lines: read it whole.
    const firstIdx = head.findIndex((l) => l.trim());
    const first = firstIdx >= 0 ? head[firstIdx]!.trim() : '';
    if (parser.object && (first.startsWith('{') || first.startsWith('[')) && !parsesAlone(first)) {
      const all = head.concat(batch.slice(next));
      try {
        for (;;) {
          const n = await batches.next();
          if (n.done) break;
          for (const l of n.value) all.push(l);
        }
      } catch (e) {
        yield [{ diagnostic: diag('files', 'unreadable-file', (e as Error).message, path) }];
        return;
      }
      if (all.includes(OVERLONG_LINE)) {
        yield [
          {
            diagnostic: diag(format, 'line-too-long', `a line of the JSON document is longer than ${maxLine} characters; the document was not read`, path),
          },
        ];
        return;
      }
      const parsed = parseJsonLimited(all.join('\n'));
      all.length = 0;
      if (!parsed.ok) {
        yield [{ diagnostic: diag(format, parsed.code, `not read as one JSON document: ${parsed.message}`, path) }];
        return;
      }
      const doc = parsed.value;
      const items = Array.isArray(doc) && format !== 'k8s-audit' ? doc : [doc];
      const object = parser.object;
      for (let i = 0; i < items.length; i++) {
        const origin = items.length > 1 ? `${path}#${i}` : `${path}:${firstIdx + 1}`;
        yield isolated(format, origin, () => object(items[i], origin));
      }
      yield isolated(format, path, () => parser.end());
      return;
    }

    let lineNo = 0;
    let out: SourceRecord[] = [];
    const parse = (lines: string[], from: number): void => {
      for (let i = from; i < lines.length; i++) {
        const text = lines[i]!;
        lineNo++;
        if (text === OVERLONG_LINE) {
          out.push({ diagnostic: diag(format, 'line-too-long', `line longer than ${maxLine} characters skipped`, `${path}:${lineNo}`) });
          continue;
        }
        if (!text.trim()) continue;
        // One record that breaks a parser costs that record, not the rest of the file.
        try {
          for (const r of parser.line(text, lineNo)) out.push(r);
        } catch (e) {
          out.push({ diagnostic: diag(format, 'parse-error', `the ${format} parser failed on this line: ${(e as Error).message}`, `${path}:${lineNo}`) });
        }
      }
    };
    parse(head, 0);
    parse(batch, next);
    for (;;) {
      if (out.length) {
        yield out;
        out = [];
      }
      let n: IteratorResult<string[]>;
      try {
        n = await batches.next();
      } catch (e) {
        yield [{ diagnostic: diag('files', 'unreadable-file', (e as Error).message, `${path}:${lineNo}`) }];
        break;
      }
      if (n.done) break;
      parse(n.value, 0);
    }
    yield isolated(format, path, () => parser.end());
  } finally {
    // a reader that stops early must not leave the file open
    await batches.return(undefined).catch(() => undefined);
  }
}

function isolated(format: string, origin: string, run: () => SourceRecord[]): SourceRecord[] {
  try {
    return run();
  } catch (e) {
    return [{ diagnostic: diag(format, 'parse-error', `the ${format} parser failed: ${(e as Error).message}`, origin) }];
  }
}

function parsesAlone(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function attributorFrom(ctx: DockerContext): ContainerAttributor {
  const a = new ContainerAttributor();
  for (const ref of ctx.containerRefs()) a.addContainer(ref);
  return a;
}

/** The parser for one format; Windows event JSON needs the winlog normalizer module. */
export async function parserFor(
  format: FileFormat,
  file: string,
  ctx: DockerContext = new DockerContext(),
  attributor?: ContainerAttributor,
): Promise<LineParser | { diagnostic: ReturnType<typeof diag> }> {
  switch (format) {
    case 'docker-events':
      return jsonLineParser('docker', file, (o, origin) => {
        const r = normalizeWithContext(ctx, o, origin);
        if ('event' in r && attributor && r.event.container?.id) {
          const c = r.event.container;
          if (c.pid || c.name) attributor.addContainer({ id: c.id!, name: c.name, image: c.image, pid: c.pid, labels: c.labels });
        }
        return [r];
      });
    case 'auditd':
      return createAuditParser(file, attributor);
    case 'k8s-audit':
      return jsonLineParser('k8s-audit', file, normalizeK8sAudit);
    case 'falco':
      return jsonLineParser('falco', file, normalizeFalco);
    case 'zeek-conn':
      return createZeekParser(file);
    case 'ecs':
      return jsonLineParser('ecs', file, (o, origin) => (Array.isArray(o) ? o.flatMap((x, i) => normalizeEcs(x, `${origin}#${i}`)) : normalizeEcs(o, origin)));
    case 'sysmon': {
      // Sysmon for Linux is XML; Windows Sysmon arrives as event JSON and goes to the winlog normalizer
      const win = await loadWinlog();
      return {
        line: (text, lineNo) => {
          const t = text.trimStart();
          if (!t.startsWith('{')) return normalizeSysmonLine(text, `${file}:${lineNo}`);
          if (!win) return winlogMissing(file, lineNo);
          try {
            return windowsJson(win, JSON.parse(t), `${file}:${lineNo}`);
          } catch (e) {
            return [{ diagnostic: diag('sysmon', 'bad-json', `not JSON: ${(e as Error).message}`, `${file}:${lineNo}`) }];
          }
        },
        end: () => [],
      };
    }
    case 'winlog': {
      const norm = await loadWinlog();
      if (!norm)
        return { diagnostic: diag('winlog', 'format-unsupported', 'Windows event normalization (src/sources/winlog) is not available in this build', file) };
      return jsonLineParser('winlog', file, (o, origin) => windowsJson(norm, o, origin));
    }
    default:
      return { diagnostic: diag('files', 'unknown-format', `unknown format ${String(format)}`, file) };
  }
}

// Sysmon for Linux flat JSON reads as its XML does (same fields, same logsource); every other
// Windows event document goes to the winlog normalizer.
function windowsJson(norm: WinlogNormalize, o: unknown, origin: string): SourceRecord[] {
  if (isObj(o) && o['EventID'] !== undefined && isLinuxSysmonFlat(o)) return [normalizeSysmonFlat(o, origin)];
  const beat = isObj(o) ? linuxSysmonBeat(o) : undefined;
  if (beat) return [normalizeSysmonFlat(beat, origin)];
  const r = norm(o, origin);
  return Array.isArray(r) ? r : [r];
}

/**
 * A Winlogbeat-shaped document (`winlog.event_data`, as Elastic's decode_xml_wineventlog writes
 * Sysmon for Linux records) of the Linux-Sysmon channel, as the flat record of its fields: it
 * must read as Sysmon for Linux, not as a Windows event no Linux rule applies to.
 */
function linuxSysmonBeat(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const w = o['winlog'];
  if (!isObj(w) || w['event_id'] === undefined || !isLinuxSysmonSource(w['channel'], w['provider_name'])) return undefined;
  const flat: Record<string, unknown> = {
    EventID: w['event_id'],
    Channel: w['channel'],
    Provider_Name: w['provider_name'],
    Computer: w['computer_name'],
    EventRecordID: w['record_id'],
    TimeCreated_SystemTime: o['@timestamp'],
  };
  const data = w['event_data'];
  if (isObj(data)) for (const k in data) if (!Object.hasOwn(flat, k) && !isForbiddenKey(k)) flat[k] = data[k];
  return flat;
}

function winlogMissing(file: string, line: number): ReturnType<LineParser['line']> {
  return [{ diagnostic: diag('sysmon', 'bad-sysmon', 'Windows event JSON needs the winlog normalizer, which this build lacks', `${file}:${line}`) }];
}

type WinlogNormalize = (obj: unknown, origin: string) => SourceRecord | SourceRecord[];

// The winlog normalizer returns a bare event or a bare diagnostic.
function asRecord(r: unknown): SourceRecord {
  if (isObj(r) && '@timestamp' in r && 'stowaway' in r) return { event: r as unknown as SourceRecord extends { event: infer E } ? E : never };
  if (isObj(r) && typeof r.code === 'string' && typeof r.message === 'string') return { diagnostic: r as unknown as ReturnType<typeof diag> };
  if (isObj(r) && ('event' in r || 'diagnostic' in r)) return r as unknown as SourceRecord;
  return { diagnostic: diag('winlog', 'bad-winlog', 'the winlog normalizer returned neither an event nor a diagnostic') };
}

// The winlog module belongs to the Sigma side and may not exist yet: load it lazily.
async function loadWinlog(): Promise<WinlogNormalize | undefined> {
  const spec = './winlog/normalize.js';
  try {
    const mod = (await import(spec)) as Record<string, unknown>;
    const f = mod.normalizeWindowsEvent;
    if (typeof f !== 'function') return undefined;
    return (obj, origin) => {
      const r = (f as (o: unknown, origin: string) => unknown)(obj, origin);
      if (Array.isArray(r)) return r.map(asRecord);
      return asRecord(r);
    };
  } catch {
    return undefined;
  }
}
