// A data table held column by column in typed arrays: never one object per row, so a
// 1,000,000 × 20 file costs about 8 bytes per cell. What parseCsv (./csv.ts) returns.
//   numeric column: Float64Array of values, NaN = missing
//   text column:    Int32Array of codes into `levels`, −1 = missing
// A column starts numeric and turns into text at its first value that is not a number; the
// numbers seen before are kept as their canonical strings (String(Number(v))), so "1.50" and
// "1.5" are the same category, in training and in prediction alike.

/** Cells read as missing: empty, or one of these (case-sensitive, after trimming). */
export const MISSING = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?']);

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A cell as a number, or null when it is not one. NOTE: "1e400" is a number to this test and
 * parses to Infinity; ColumnBuilder.push refuses it, so no Infinity ever reaches a column.
 */
export function parseNumber(s: string): number | null {
  return NUMBER.test(s) ? Number(s) : null;
}

/** The category key of a text cell: numbers in canonical form. */
export function categoryKey(s: string): string {
  const v = parseNumber(s);
  return v === null ? s : String(v);
}

/** Where a column's odd cells are, for error messages: first few rows and the count. */
export interface CellLog {
  count: number;
  /** 0-based data rows */
  rows: number[];
  values: string[];
}

const LOG_MAX = 5;

function logCell(log: CellLog, row: number, value = ''): void {
  log.count++;
  if (log.rows.length < LOG_MAX) {
    log.rows.push(row);
    log.values.push(value);
  }
}

/** A column whose every non-missing cell is a number: values[row] (NaN where missing). */
export interface NumericColumn {
  kind: 'numeric';
  name: string;
  values: Float64Array;
  missing: CellLog;
}

/** A column with words in it: codes[row] indexes levels (−1 where missing); numbers/words count its numeric and non-numeric cells. */
export interface TextColumn {
  kind: 'text';
  name: string;
  codes: Int32Array;
  levels: string[];
  missing: CellLog;
  /** Non-missing cells that are numbers, and the ones that are not (with the first few). */
  numbers: number;
  words: CellLog;
}

/** One column of a parsed table: numeric, or text (categories). */
export type Column = NumericColumn | TextColumn;

/** A parsed CSV: named columns of equal length `rows`, each numeric or text, with the source and line numbers kept for error messages. */
export interface Table {
  /** The file name or "dataset iris", for messages. */
  source: string;
  names: string[];
  /** Column name → its index in `names`: lookups by name in constant time, for tables of 100,000 columns. */
  index: ReadonlyMap<string, number>;
  columns: Column[];
  rows: number;
  /** The 1-based line of the file where data row `row` (0-based) starts. */
  line(row: number): number;
}

/** Grows one column as cells arrive. */
export class ColumnBuilder {
  private n = 0;
  private num: Float64Array | null;
  private codes: Int32Array | null = null;
  private levels: string[] = [];
  private index = new Map<string, number>();
  private numbers = 0;
  private readonly missing: CellLog = { count: 0, rows: [], values: [] };
  private readonly words: CellLog = { count: 0, rows: [], values: [] };

  constructor(
    readonly name: string,
    capacity = 1024,
  ) {
    this.num = new Float64Array(capacity);
  }

  /**
   * Add one cell. Returns false, adding nothing, for a number outside the float64 range
   * ("1e400", which would read as Infinity): the caller knows the line and names it.
   */
  push(raw: string): boolean {
    const s = raw.trim();
    const row = this.n;
    this.reserve(row + 1);
    if (MISSING.has(s)) {
      logCell(this.missing, row);
      if (this.num) this.num[row] = NaN;
      else this.codes![row] = -1;
      this.n++;
      return true;
    }
    const v = parseNumber(s);
    if (v !== null && !Number.isFinite(v)) return false;
    if (v !== null) this.numbers++;
    else logCell(this.words, row, s);
    if (this.num && v !== null) {
      this.num[row] = v;
    } else {
      if (this.num) this.toText();
      this.codes![row] = this.code(v === null ? s : String(v));
    }
    this.n++;
    return true;
  }

  private code(key: string): number {
    let c = this.index.get(key);
    if (c === undefined) {
      c = this.levels.length;
      this.levels.push(key);
      this.index.set(key, c);
    }
    return c;
  }

  private toText(): void {
    const num = this.num!;
    const codes = new Int32Array(num.length);
    for (let i = 0; i < this.n; i++) codes[i] = Number.isNaN(num[i]) ? -1 : this.code(String(num[i]));
    this.codes = codes;
    this.num = null;
  }

  private reserve(n: number): void {
    const cap = this.num ? this.num.length : this.codes!.length;
    if (n <= cap) return;
    const next = Math.max(n, cap * 2);
    if (this.num) {
      const a = new Float64Array(next);
      a.set(this.num);
      this.num = a;
    } else {
      const a = new Int32Array(next);
      a.set(this.codes!);
      this.codes = a;
    }
  }

  finish(): Column {
    if (this.num) return { kind: 'numeric', name: this.name, values: this.num.slice(0, this.n), missing: this.missing };
    return { kind: 'text', name: this.name, codes: this.codes!.slice(0, this.n), levels: this.levels, missing: this.missing, numbers: this.numbers, words: this.words };
  }
}

/** Name → position, for Table.index. */
export function indexOf(names: readonly string[]): Map<string, number> {
  return new Map(names.map((n, j) => [n, j]));
}
