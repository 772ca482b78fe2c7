// Reading a CSV file into a column table, streaming: papaparse hands over one row at a time and
// each cell goes straight into its column's typed array (cli/data/table.ts).
// Handled: a header row, quoted fields (with delimiters, quotes and newlines inside), CRLF line
// ends, a UTF-8 byte order mark, any one-character delimiter (guessed when not given).
// Every problem is a UsageError that names the file and the line.

import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import Papa from 'papaparse';
import { UsageError } from '../errors.ts';
import { ColumnBuilder, type Table } from './table.ts';

export interface CsvOptions {
  /** One character; undefined = guessed from the first lines (",", tab, ";" or "|"). */
  delimiter?: string;
}

export function parseDelimiter(d: string | undefined): string | undefined {
  if (d === undefined) return undefined;
  if (d === '\\t' || d.toLowerCase() === 'tab') return '\t';
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') throw new UsageError(`--delimiter: expected one character such as "," ";" "|" or "tab", received ${JSON.stringify(d)}`);
  return d;
}

const CANDIDATES = [',', '\t', ';', '|'];

/**
 * The delimiter of a file from its first lines: the candidate that splits every line into the
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

function readStart(path: string, bytes = 64 * 1024): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function readCsv(path: string, options: CsvOptions = {}): Promise<Table> {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new UsageError(`cannot read ${path}: it is a directory; expected a CSV file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the path`);
  }
  if (size === 0) throw new UsageError(`${path} is empty; expected a header row and at least one data row`);
  const delimiter = options.delimiter ?? guessDelimiter(readStart(path));

  return new Promise((resolve, reject) => {
    // utf8 decoding in the stream, so a character split across two chunks stays whole
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    let header: string[] | null = null;
    let builders: ColumnBuilder[] = [];
    let rows = 0;
    let line = 1; // line where the next record starts
    // rows whose line is not row + 2 (after a blank line or a record with quoted newlines):
    // [first such row, its line − row − 2], so line(row) is exact without a number per row
    const shifts: [number, number][] = [];
    let shift = 0;
    let failed = false;
    const fail = (parser: Papa.Parser | null, message: string) => {
      if (failed) return;
      failed = true;
      parser?.abort();
      stream.destroy();
      reject(new UsageError(message));
    };
    stream.on('error', (e: NodeJS.ErrnoException) => fail(null, `cannot read ${path}: ${e.code ?? e.message}`));

    Papa.parse<string[]>(stream as unknown as File, {
      header: false,
      delimiter,
      skipEmptyLines: false,
      step: (res, parser) => {
        if (failed) return;
        const fields = res.data;
        const here = line;
        let newlines = 0;
        for (const f of fields) for (let k = f.indexOf('\n'); k !== -1; k = f.indexOf('\n', k + 1)) newlines++;
        line += 1 + newlines;
        const err = res.errors.find((e) => e.code === 'MissingQuotes' || e.code === 'InvalidQuotes');
        if (err) return fail(parser, `${path} line ${here}: ${err.code === 'MissingQuotes' ? 'a quoted field is never closed' : 'a quote inside a quoted field is not doubled'} (${err.message}); quote fields as "like ""this"""`);
        // a blank line: skipped, but counted so line numbers stay true
        if (fields.length === 1 && fields[0].trim() === '') return;
        if (!header) {
          if (fields[0].charCodeAt(0) === 0xfeff) fields[0] = fields[0].slice(1);
          header = fields.map((f, j) => f.trim() || `column_${j + 1}`);
          const seen = new Map<string, number>();
          header.forEach((h, j) => {
            if (seen.has(h)) fail(parser, `${path} line ${here}: the header names column ${JSON.stringify(h)} twice (columns ${seen.get(h)! + 1} and ${j + 1}); give every column its own name`);
            seen.set(h, j);
          });
          const capacity = Math.max(16, Math.min(1 << 20, Math.ceil(size / Math.max(1, 2 * header.length))));
          builders = header.map((h) => new ColumnBuilder(h, capacity));
          return;
        }
        if (fields.length !== header.length) {
          const delim = JSON.stringify(res.meta.delimiter);
          return fail(parser, `${path} line ${here}: expected ${header.length} fields like the header, received ${fields.length}; check for a missing or extra delimiter (${delim}), or quote values that contain it`);
        }
        if (here !== rows + 2 + shift) {
          shift = here - rows - 2;
          shifts.push([rows, shift]);
        }
        for (let j = 0; j < fields.length; j++) builders[j].push(fields[j]);
        rows++;
      },
      complete: () => {
        if (failed) return;
        if (!header) return reject(new UsageError(`${path} is empty; expected a header row and at least one data row`));
        if (rows === 0) return reject(new UsageError(`${path} has a header (${header.length} columns: ${preview(header)}) but no data rows`));
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
        resolve({ source: path, names: header, columns: builders.map((b) => b.finish()), rows, line: lineOf });
      },
      error: (e: Error) => fail(null, `cannot read ${path}: ${e.message}`),
    });
  });
}

function preview(names: string[]): string {
  return names.length > 8 ? names.slice(0, 8).join(', ') + ', …' : names.join(', ');
}
