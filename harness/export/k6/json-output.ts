import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { constants, createGunzip } from 'node:zlib';

/**
 * k6's `--out json` format, read as a stream: one JSON object per line, either a metric declared
 * (`{"type":"Metric","data":{"type":"trend","contains":"time",…},"metric":"ws_connecting"}`) or a
 * sample (`{"type":"Point","data":{"time":"2026-05-01T12:00:00.123456789+02:00","value":12.5,
 * "tags":{…}},"metric":"ws_connecting"}`). k6 gzips the file when its name ends in .gz; this reader
 * looks at the bytes instead. Memory stays one line, whatever the file's size.
 */

/** One sample: its metric, when (epoch ms, fractional), its value and its tags. */
export interface K6Point {
  metric: string;
  timeMs: number;
  value: number;
  tags: Readonly<Record<string, string>>;
}

/** What reading one file found besides its points. */
export interface K6FileRead {
  lines: number;
  points: number;
  /** Metric name -> its declared k6 type (counter, gauge, rate, trend). */
  metrics: Map<string, string>;
  /** Set when the last line was cut off (k6 stopped while writing): it is left out. */
  truncated?: string;
}

/** A line that is not k6 JSON output: the file, the line and what was expected. Invalid input. */
export class K6FormatError extends Error {}

/** Longer lines are not k6's (its lines are a few hundred bytes): refused rather than buffered. */
const MAX_LINE = 1 << 20;
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Stream every point of one k6 JSON output file (plain or gzipped) to `onPoint`. A last line cut
 * off mid-way, as when k6 was stopped, is tolerated and reported; any other line that is not a
 * Metric or Point record is a K6FormatError naming the file and line.
 */
export async function readK6Json(file: string, onPoint: (p: K6Point) => void): Promise<K6FileRead> {
  const out: K6FileRead = { lines: 0, points: 0, metrics: new Map() };
  let input: Readable;
  try {
    input = isGzip(file)
      ? // A gzip stream cut off (k6 stopped) still yields what it holds instead of failing at the end.
        createReadStream(file).pipe(createGunzip({ finishFlush: constants.Z_SYNC_FLUSH }))
      : createReadStream(file);
  } catch (err) {
    throw new K6FormatError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const failed = new Promise<never>((_, reject) =>
    input.once('error', (err: NodeJS.ErrnoException) =>
      reject(new K6FormatError(`${file}: cannot read (${err.code ?? err.message})`)),
    ),
  );
  // A line that did not parse: an error unless nothing follows it (a truncated last line).
  let pending: { line: number; message: string; length: number } | undefined;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const reading = (async () => {
    for await (const text of lines) {
      out.lines++;
      if (pending) throw new K6FormatError(`${file}:${pending.line}: ${pending.message}`);
      if (text.trim() === '') continue;
      if (text.length > MAX_LINE)
        throw new K6FormatError(`${file}:${out.lines}: a line of ${text.length} bytes is not k6 JSON output`);
      const record = parseLine(text);
      if (typeof record === 'string') {
        pending = { line: out.lines, message: record, length: text.length };
        continue;
      }
      if (record.type === 'Metric') out.metrics.set(record.metric, record.metricType);
      else {
        out.points++;
        onPoint(record.point);
      }
    }
  })();
  // Whichever settles second must not surface as an unhandled rejection.
  reading.catch(() => undefined);
  failed.catch(() => undefined);
  try {
    await Promise.race([reading, failed]);
  } finally {
    lines.close();
    input.destroy();
  }
  if (pending) out.truncated = `line ${pending.line} (${pending.length} bytes) is cut off: k6 stopped while writing`;
  return out;
}

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    closeSync(fd);
  }
}

type Parsed =
  | { type: 'Metric'; metric: string; metricType: string }
  | { type: 'Point'; metric: string; point: K6Point };

const EXPECTED = 'expected a k6 --out json line: {"type":"Metric"|"Point","data":{…},"metric":"<name>"}';

/** One line as a record, or why it is not one. */
function parseLine(text: string): Parsed | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `not JSON (${EXPECTED})`;
  }
  if (!isObject(json) || typeof json.metric !== 'string' || !isObject(json.data)) return EXPECTED;
  const data = json.data;
  if (json.type === 'Metric') {
    if (typeof data.type !== 'string')
      return `metric ${json.metric}: data.type: expected counter, gauge, rate or trend`;
    return { type: 'Metric', metric: json.metric, metricType: data.type };
  }
  if (json.type !== 'Point') return `type: expected "Metric" or "Point", got ${JSON.stringify(json.type)}`;
  if (typeof data.value !== 'number' || !Number.isFinite(data.value))
    return `point of ${json.metric}: data.value: expected a number`;
  const timeMs = typeof data.time === 'string' ? parseTime(data.time) : undefined;
  if (timeMs === undefined)
    return `point of ${json.metric}: data.time: expected an RFC 3339 time such as 2026-05-01T12:00:00.123456789+02:00`;
  const tags: Record<string, string> = {};
  if (data.tags !== null && data.tags !== undefined) {
    if (!isObject(data.tags)) return `point of ${json.metric}: data.tags: expected an object of tag names to values`;
    for (const [k, v] of Object.entries(data.tags)) if (typeof v === 'string') tags[k] = v;
  }
  return { type: 'Point', metric: json.metric, point: { metric: json.metric, timeMs, value: data.value, tags } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 time as Go writes it (nanoseconds, the writer's own offset) in epoch ms, to the
 * microsecond; undefined when the text is not one. Date.parse would drop the digits past ms.
 */
export function parseTime(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60)
    return undefined;
  const base = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  const fraction = Number(`0.${frac.slice(0, 6).padEnd(6, '0')}`) * 1000;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  }
  return base + fraction - offsetMin * 60_000;
}
