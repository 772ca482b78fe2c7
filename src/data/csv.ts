// Reading CSV text into a column table (./table.ts), streaming: papaparse hands over one row at a
// time and each cell goes straight into its column's typed array. Browser-safe: the input is a
// string, a web ReadableStream, or an (async) iterable of text or UTF-8 byte chunks; the Node file
// convenience is readCsvFile in src/node.ts. The CLI reads every CSV through here.
// Handled: a header row, quoted fields (with delimiters, quotes and newlines inside), CRLF line
// ends, a UTF-8 byte order mark, any one-character delimiter (guessed when not given).
// Every problem is a DataError (code E_CSV, or E_NONFINITE for a number outside the float64
// range) that names the source, the line and, for a cell, the column: in its message, and as its
// `row` (the 1-based line) and `column` (the column's name) properties.

import Papa from 'papaparse';
import { DataError } from '../errors.ts';
import { ColumnBuilder, indexOf, type Table } from './table.ts';

/** One piece of CSV text: a string, or UTF-8 bytes (a character may be split across two pieces). */
export type CsvChunk = string | Uint8Array;
/** CSV text to parse: a whole string, or pieces (strings or UTF-8 bytes) from a stream or iterable. */
export type CsvInput = string | ReadableStream<CsvChunk> | AsyncIterable<CsvChunk> | Iterable<CsvChunk>;

/** How parseCsv reads its input. */
export interface CsvOptions {
  /** One character; undefined = guessed from the first lines (",", tab, ";" or "|"). */
  delimiter?: string;
  /** What to call the input in messages (a file name); default "CSV". */
  source?: string;
  /** The input's size in bytes when known: sizes the column buffers up front. */
  sizeHint?: number;
}

/** "," ";" "|" "tab" or "\t" → the delimiter; anything else is an error. */
export function parseDelimiter(d: string | undefined, what = 'delimiter'): string | undefined {
  if (d === undefined) return undefined;
  if (d === '\\t' || d.toLowerCase() === 'tab') return '\t';
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') throw new DataError('E_CSV', `${what}: expected one character such as "," ";" "|" or "tab", received ${JSON.stringify(d)}`);
  return d;
}

const CANDIDATES = [',', '\t', ';', '|'];
/** How much text the delimiter is guessed from. */
const SAMPLE = 64 * 1024;

/**
 * The delimiter of a text from its first lines: the candidate that splits every line into the
 * same number (≥ 2) of fields, the most fields winning; else the one splitting the header most;
 * else ",". (papaparse's own guess fails on short files that end with a line break.)
 */
export function guessDelimiter(sample: string): string {
  const lines = sample.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, 20);
  // the last line of a sample may be cut short
  if (lines.length > 2) lines.pop();
  const count = (line: string, d: string) => {
    let n = 0;
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) n++;
    }
    return n;
  };
  let best = '';
  let bestFields = 0;
  for (const d of CANDIDATES) {
    const counts = lines.map((l) => count(l, d));
    if (counts.length && counts[0] > 0 && counts.every((c) => c === counts[0]) && counts[0] + 1 > bestFields) {
      best = d;
      bestFields = counts[0] + 1;
    }
  }
  if (best) return best;
  for (const d of CANDIDATES) {
    const c = lines.length ? count(lines[0], d) : 0;
    if (c + 1 > bestFields) {
      best = d;
      bestFields = c + 1;
    }
  }
  return bestFields > 1 ? best : ',';
}

/**
 * The line break of a text from its first one outside quotes: "\r\n", "\n" or "\r". (papaparse
 * guesses from the first piece it is given, which may hold no line break at all.)
 */
export function guessNewline(sample: string): '\r\n' | '\n' | '\r' {
  const m = /\r\n|\n|\r/.exec(sample.replace(/"(?:[^"]|"")*"/g, ''));
  return m ? (m[0] as '\r\n' | '\n' | '\r') : '\n';
}

/**
 * Any accepted input as text pieces, bytes decoded as UTF-8 across piece boundaries, without a
 * leading byte order mark (so `\uFEFF"name"` is the quoted field name, whatever the pieces).
 */
async function* textChunks(input: CsvInput): AsyncGenerator<string> {
  let first = true;
  for await (const piece of pieces(input)) {
    if (first && piece !== '') {
      first = false;
      yield piece.charCodeAt(0) === 0xfeff ? piece.slice(1) : piece;
    } else yield piece;
  }
}

async function* pieces(input: CsvInput): AsyncGenerator<string> {
  if (typeof input === 'string') {
    yield input;
    return;
  }
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true }); // textChunks removes it, once
  const text = (c: CsvChunk): string => {
    if (typeof c === 'string') return c;
    if (c instanceof Uint8Array) return decoder.decode(c, { stream: true });
    throw new DataError('E_CSV', `parseCsv: expected chunks of text or bytes (Uint8Array), received ${c === null ? 'null' : typeof c}`);
  };
  if (input === null || typeof input !== 'object') {
    throw new DataError('E_CSV', `parseCsv: expected CSV text, a ReadableStream or an iterable of chunks, received ${input === null ? 'null' : typeof input}`);
  }
  if (typeof (input as ReadableStream).getReader === 'function') {
    const reader = (input as ReadableStream<CsvChunk>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield text(value);
      }
    } finally {
      reader.releaseLock();
    }
  } else if (Symbol.asyncIterator in input || Symbol.iterator in input) {
    for await (const c of input as AsyncIterable<CsvChunk>) yield text(c);
  } else {
    throw new DataError('E_CSV', `parseCsv: expected CSV text, a ReadableStream or an iterable of chunks, received ${input === null ? 'null' : typeof input}`);
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * The minimal Node-style readable papaparse streams from (`readable`, `read`, `on`, `pause`,
 * `resume`, `removeListener`), fed from an async source: papaparse parses each 'data' piece
 * synchronously, so at most one piece is held at a time.
 */
class ChunkEmitter {
  readonly readable = true;
  private listeners = new Map<string, ((arg?: unknown) => void)[]>();
  read(): void {}
  pause(): void {}
  resume(): void {}
  on(event: string, fn: (arg?: unknown) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }
  removeListener(event: string, fn: (arg?: unknown) => void): this {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((f) => f !== fn));
    return this;
  }
  emit(event: string, arg?: unknown): void {
    for (const fn of this.listeners.get(event) ?? []) fn(arg);
  }
}

/**
 * Read CSV text with a header row into a column table: numeric columns as Float64Array (NaN =
 * missing), text columns as category codes. The input is a string, a web ReadableStream or an
 * (async) iterable of string or UTF-8 byte chunks, so a file of any size streams through.
 *
 * @throws {@link MlpError} (a DataError, code E_CSV) for malformed CSV (unterminated quote, rows
 * of the wrong width, no header), naming the line.
 *
 * @example
 * ```ts
 * import { parseCsv } from 'mlpkit';
 * const table = await parseCsv('a,b,label\n0,0,no\n0,1,yes\n1,0,yes\n1,1,no\n');
 * console.log(table.names, table.rows); // ['a', 'b', 'label'] 4
 * const label = table.columns[table.index.get('label')!];
 * if (label.kind === 'text') console.log(label.levels, label.codes); // ['no', 'yes'] Int32Array [0, 1, 1, 0]
 * ```
 */
export async function parseCsv(input: CsvInput, options: CsvOptions = {}): Promise<Table> {
  const source = options.source ?? 'CSV';
  const chunks = textChunks(input);
  // the first SAMPLE characters decide the delimiter; they are parsed like the rest after
  const head: string[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < SAMPLE) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headLength += next.value.length;
  }
  const sample = head.join('');
  if (sample.replace(/^\uFEFF/, '').trim() === '' && ended) throw new DataError('E_EMPTY', `${source} is empty; expected a header row and at least one data row`);
  const delimiter = parseDelimiter(options.delimiter) ?? guessDelimiter(sample);
  const newline = guessNewline(sample);
  const size = options.sizeHint ?? (ended ? sample.length : 1 << 24);

  const emitter = new ChunkEmitter();
  let header: string[] | null = null;
  let builders: ColumnBuilder[] = [];
  let rows = 0;
  let line = 1; // line where the next record starts
  // rows whose line is not row + 2 (after a blank line or a record with quoted newlines):
  // [first such row, its line − row − 2], so line(row) is exact without a number per row
  const shifts: [number, number][] = [];
  let shift = 0;
  let failure: DataError | null = null;
  let done = false;
  const fail = (parser: Papa.Parser | null, error: DataError) => {
    if (failure) return;
    failure = error;
    parser?.abort();
  };

  const finished = new Promise<void>((resolve) => {
    Papa.parse<string[]>(emitter as unknown as File, {
      header: false,
      delimiter,
      newline,
      skipEmptyLines: false,
      step: (res, parser) => {
        if (failure) return;
        const fields = res.data;
        const here = line;
        let newlines = 0;
        for (const f of fields) for (let k = f.indexOf('\n'); k !== -1; k = f.indexOf('\n', k + 1)) newlines++;
        line += 1 + newlines;
        const err = res.errors.find((e) => e.code === 'MissingQuotes' || e.code === 'InvalidQuotes');
        if (err) return fail(parser, new DataError('E_CSV', `${source} line ${here}: ${err.code === 'MissingQuotes' ? 'a quoted field is never closed' : 'a quote inside a quoted field is not doubled'} (${err.message}); quote fields as "like ""this"""`, { row: here }));
        // a blank line: skipped, but counted so line numbers stay true
        if (fields.length === 1 && fields[0].trim() === '') return;
        if (!header) {
          if (fields[0].charCodeAt(0) === 0xfeff) fields[0] = fields[0].slice(1);
          header = fields.map((f, j) => f.trim() || `column_${j + 1}`);
          const seen = new Map<string, number>();
          for (let j = 0; j < header.length; j++) {
            const h = header[j];
            if (seen.has(h)) return fail(parser, new DataError('E_CSV', `${source} line ${here}: the header names column ${JSON.stringify(h)} twice (columns ${seen.get(h)! + 1} and ${j + 1}); give every column its own name`, { row: here, column: h }));
            seen.set(h, j);
          }
          const capacity = Math.max(16, Math.min(1 << 20, Math.ceil(size / Math.max(1, 2 * header.length))));
          builders = header.map((h) => new ColumnBuilder(h, capacity));
          return;
        }
        if (fields.length !== header.length) {
          const delim = JSON.stringify(res.meta.delimiter);
          return fail(parser, new DataError('E_CSV', `${source} line ${here}: expected ${header.length} fields like the header, received ${fields.length}; check for a missing or extra delimiter (${delim}), or quote values that contain it`, { row: here, expected: header.length, received: fields.length }));
        }
        if (here !== rows + 2 + shift) {
          shift = here - rows - 2;
          shifts.push([rows, shift]);
        }
        for (let j = 0; j < fields.length; j++) {
          if (!builders[j].push(fields[j])) {
            return fail(parser, new DataError('E_NONFINITE', `${source} line ${here}, column ${JSON.stringify(header[j])} (column ${j + 1}): ${JSON.stringify(fields[j].trim())} is outside the range of a float64 number (±1.8e308); fix the value or leave the cell empty`, { row: here, column: header[j], expected: 'a number within ±1.8e308', received: fields[j].trim() }));
          }
        }
        rows++;
      },
      complete: () => {
        done = true;
        resolve();
      },
      error: (e: Error) => {
        fail(null, new DataError('E_CSV', `cannot read ${source}: ${e.message}`));
        resolve();
      },
    });
  });

  // feed the sample, then the rest, one piece at a time; stop early once the parser has failed
  try {
    for (const piece of head) {
      if (failure) break;
      emitter.emit('data', piece);
    }
    if (!ended) {
      for (;;) {
        if (failure || done) break;
        const next = await chunks.next();
        if (next.done) break;
        emitter.emit('data', next.value);
      }
    }
  } catch (e) {
    fail(null, e instanceof DataError ? e : new DataError('E_CSV', `cannot read ${source}: ${(e as Error).message}`));
  } finally {
    if (failure) await chunks.return(undefined);
  }
  if (!failure && !done) emitter.emit('end');
  if (!failure) await finished;
  if (failure) throw failure;
  if (!header) throw new DataError('E_EMPTY', `${source} is empty; expected a header row and at least one data row`);
  const names: string[] = header;
  if (rows === 0) throw new DataError('E_EMPTY', `${source} has a header (${names.length} columns: ${preview(names)}) but no data rows`);
  const lineOf = (r: number): number => {
    // the last shift at or before row r, by binary search
    let lo = 0;
    let hi = shifts.length - 1;
    let add = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (shifts[mid][0] <= r) {
        add = shifts[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return r + 2 + add;
  };
  return { source, names, index: indexOf(names), columns: builders.map((b) => b.finish()), rows, line: lineOf };
}

function preview(names: string[]): string {
  return names.length > 8 ? names.slice(0, 8).join(', ') + ', …' : names.join(', ');
}
