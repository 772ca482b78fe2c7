// The column schema: which columns feed the network and how, fitted on the training table and
// saved in the model file (model.metadata.mlpkit.schema), so eval and predict read a raw CSV with
// the same columns in any order and encode it exactly as training did.
//   numeric feature      → one input, as is (the model's own scaler standardizes it later)
//   categorical feature  → one input per category seen in training (one-hot, "city=Paris")
//   missing cells        → an error naming lines and columns, or the value fitted by --impute
//   target               → numbers, or text labels
//   targets (--target a,b,c) → multi-label: one column of 0/1 per label, the label named by its column

import { UsageError } from '../errors.ts';
import { int, num, quoteIfComma } from '../format.ts';
import { nearestName, type CellLog, type Column, type Label, type Table } from '../../src/index.ts';

export type ImputeMethod = 'mean' | 'median' | 'mode';
export const IMPUTE_METHODS: readonly ImputeMethod[] = ['mean', 'median', 'mode'];

export type FeatureSpec =
  | { name: string; type: 'numeric'; impute?: number }
  | { name: string; type: 'categorical'; categories: string[]; impute?: string };

/** What the model predicts: one column (numbers or text labels), or several 0/1 label columns (multi-label). */
export type TargetSpec =
  | { name: string; type: 'numeric' | 'text' }
  | { names: string[]; type: 'labels' };

export interface Schema {
  features: FeatureSpec[];
  /** The network's inputs in order: numeric names, and "name=category" for one-hot columns. */
  inputs: string[];
  target: TargetSpec;
  impute: ImputeMethod | null;
}

export interface Selection {
  /** The target column, or several (--target a,b,c: multi-label), in the user's order. */
  targets: string[];
  features: string[];
  ignored: string[];
}

/** The target column names of a schema: one, or the label columns. */
export function targetNames(schema: Schema): string[] {
  return schema.target.type === 'labels' ? schema.target.names : [schema.target.name];
}

/** "y", or "a", "b", "c" for messages. */
export function describeTargets(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ');
}

/** A column whose cells are mostly numbers is numeric and its text cells are typos; mostly text is categorical. */
const TYPO_SHARE = 0.5;
/** A categorical feature with more categories than this is probably an identifier. */
const MAX_CATEGORIES = 1000;

function list(names: readonly string[], max = 12): string {
  const q = names.map((n) => JSON.stringify(n));
  return q.length > max ? q.slice(0, max).join(', ') + `, … (${q.length} in all)` : q.join(', ');
}

// NOTE: every lookup by name goes through table.index or a Set: a file of 100,000 columns makes
// any indexOf or includes per column quadratic (minutes instead of a second).
function columnOf(table: Table, name: string, flag: string): Column {
  const j = table.index.get(name) ?? -1;
  if (j < 0) {
    // the nearest name only among a few thousand columns: edit distances to 100,000 names take seconds
    const near = table.names.length <= 5000 ? nearestName(name, table.names) : undefined;
    throw new UsageError(`${flag}: unknown column ${JSON.stringify(name)}; ${near ? `did you mean ${JSON.stringify(near)}? ` : ''}${table.source} has columns ${list(table.names)}`, { field: flag, column: name, expected: near ?? 'a column of the file', received: name });
  }
  return table.columns[j];
}

/**
 * --target: one column name, or several separated by commas (multi-label). A name the file has
 * as it is wins, so a column whose name holds a comma stays one target.
 */
function parseTargets(table: Table, raw: string | undefined): string[] {
  if (raw === undefined) return [table.names[table.names.length - 1]];
  if (table.index.has(raw)) return [raw];
  const names = raw.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new UsageError(`--target: an empty column name in ${JSON.stringify(raw)}; give one column, or several separated by commas like --target a,b,c`, { field: '--target', expected: 'column names separated by commas', received: raw });
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new UsageError(`--target: column ${JSON.stringify(n)} is named twice in ${JSON.stringify(raw)}; name each label column once`, { field: '--target', column: n, expected: 'distinct columns', received: raw });
    seen.add(n);
  }
  for (const n of names) columnOf(table, n, '--target');
  return names;
}

/** Target and feature columns from --target, --features and --ignore; the target defaults to the last column. */
export function selectColumns(table: Table, o: { target?: string; features?: string[]; ignore?: string[] }): Selection {
  const targets = parseTargets(table, o.target);
  const isTarget = new Set(targets);
  for (const f of o.features ?? []) columnOf(table, f, '--features');
  for (const f of o.ignore ?? []) columnOf(table, f, '--ignore');
  const both = o.features?.find((f) => isTarget.has(f));
  if (both !== undefined) throw new UsageError(`--features: column ${JSON.stringify(both)} is ${targets.length > 1 ? 'one of the targets' : 'the target'}; a model cannot use its target as an input`, { field: '--features', column: both, expected: 'columns other than the target', received: both });
  const ignore = new Set(o.ignore ?? []);
  const features = (o.features ?? table.names.filter((n) => !isTarget.has(n))).filter((n) => !ignore.has(n));
  if (features.length === 0) throw new UsageError(`no feature columns left: ${table.source} has columns ${list(table.names)}, the target${targets.length > 1 ? 's are' : ' is'} ${describeTargets(targets)}; keep at least one column besides the target${targets.length > 1 ? 's' : ''}`);
  const isFeature = new Set(features);
  const ignored = table.names.filter((n) => !isTarget.has(n) && !isFeature.has(n));
  return { targets, features, ignored };
}

function where(table: Table, rows: readonly number[], count: number): string {
  const lines = rows.map((r) => table.line(r)).join(', ');
  return `${count === 1 ? 'line' : 'lines'} ${lines}${count > rows.length ? `, … (${count} cells)` : ''}`;
}

/** A column that is numbers but for a few cells: those are typos, reported with line and column. */
function typoError(table: Table, col: Column, log: CellLog, role: string): UsageError {
  const j = table.index.get(col.name) ?? -1;
  const first = `${table.source} line ${table.line(log.rows[0])}, column ${JSON.stringify(col.name)} (column ${j + 1}): ${JSON.stringify(log.values[0])} is not a number`;
  const more = log.count > 1 ? `; also ${log.rows.slice(1).map((r, k) => `line ${table.line(r)} ${JSON.stringify(log.values[k + 1])}`).join(', ')}${log.count > log.rows.length ? `, … (${log.count} cells in all)` : ''}` : '';
  return new UsageError(`${first}${more}; the ${role} ${JSON.stringify(col.name)} holds numbers. Fix the value${role === 'feature' ? `, or pass --categorical ${col.name} to treat the column as categories` : ''}`);
}

function isMostlyNumbers(col: Column): boolean {
  if (col.kind === 'numeric') return true;
  return col.numbers > 0 && col.words.count < TYPO_SHARE * (col.numbers + col.words.count);
}

function sortKeys(keys: string[]): string[] {
  const nums = keys.every((k) => /^[+-]?[\d.]+(e[+-]?\d+)?$/i.test(k));
  return nums ? keys.slice().sort((a, b) => Number(a) - Number(b)) : keys.slice().sort();
}

/** Category keys present in a column (numbers in canonical form). */
function categoriesOf(col: Column): string[] {
  if (col.kind === 'text') return sortKeys(col.levels);
  const seen = new Set<string>();
  for (const v of col.values) if (!Number.isNaN(v)) seen.add(String(v));
  return sortKeys([...seen]);
}

/** The rows to fit on: all, or the training part of a split. */
type Rows = Uint32Array | null;

function eachRow(table: Table, rows: Rows, fn: (r: number) => void): void {
  if (rows) for (const r of rows) fn(r);
  else for (let r = 0; r < table.rows; r++) fn(r);
}

function imputeNumber(table: Table, values: Float64Array, rows: Rows, method: ImputeMethod): number {
  const xs: number[] = [];
  eachRow(table, rows, (r) => {
    if (!Number.isNaN(values[r])) xs.push(values[r]);
  });
  if (xs.length === 0) return 0;
  if (method === 'mean') return xs.reduce((a, b) => a + b, 0) / xs.length;
  const sorted = Float64Array.from(xs).sort();
  if (method === 'median') {
    const m = sorted.length >> 1;
    return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
  // mode: the most frequent value, the smallest on ties
  let best = sorted[0];
  let bestRun = 0;
  for (let i = 0; i < sorted.length; ) {
    let k = i;
    while (k < sorted.length && sorted[k] === sorted[i]) k++;
    if (k - i > bestRun) {
      bestRun = k - i;
      best = sorted[i];
    }
    i = k;
  }
  return best;
}

function imputeCategory(table: Table, col: Column, rows: Rows, categories: string[]): string {
  const counts = new Map<string, number>();
  eachRow(table, rows, (r) => {
    const k = keyAt(col, r);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  });
  let best = categories[0];
  for (const c of categories) if ((counts.get(c) ?? 0) > (counts.get(best) ?? 0)) best = c;
  return best;
}

function isConstant(col: Column): boolean {
  const first = col.kind === 'numeric' ? col.values[0] : col.codes[0];
  const a = col.kind === 'numeric' ? col.values : col.codes;
  for (let i = 1; i < a.length; i++) if (a[i] !== first) return false;
  return true;
}

function keyAt(col: Column, r: number): string | null {
  if (col.kind === 'numeric') return Number.isNaN(col.values[r]) ? null : String(col.values[r]);
  return col.codes[r] < 0 ? null : col.levels[col.codes[r]];
}

function missingError(table: Table, cols: Column[], fix: string): UsageError {
  const parts = cols.map((c) => `column ${JSON.stringify(c.name)} at ${where(table, c.missing.rows, c.missing.count)}`);
  return new UsageError(`${table.source} has missing values: ${parts.join('; ')}. ${fix}`);
}

/** Fit the schema on the training table (imputation values on `rows` only, when given). */
export function fitSchema(table: Table, sel: Selection, o: { impute?: ImputeMethod; categorical?: string[]; rows?: Rows } = {}): Schema {
  const rows = o.rows ?? null;
  const forced = new Set(o.categorical ?? []);
  const isFeature = new Set(sel.features);
  for (const c of forced) {
    columnOf(table, c, '--categorical');
    if (!isFeature.has(c)) throw new UsageError(`--categorical: column ${JSON.stringify(c)} is not a feature (features: ${list(sel.features)})`);
  }
  let target: TargetSpec;
  if (sel.targets.length > 1) {
    // multi-label: every label column 0/1, and each label on in some training row, or the model
    // would never know it (its classes are the labels it saw)
    for (const name of sel.targets) {
      const on = labelColumn(table, name, 'is a target', `, or leave ${JSON.stringify(name)} out of --target`);
      let count = 0;
      eachRow(table, rows, (r) => (count += on[r]));
      if (count === 0) throw new UsageError(`the label ${JSON.stringify(name)} is 0 in every ${rows ? 'training ' : ''}row of ${table.source}: there is nothing to learn about it, the model could never predict it; leave it out of --target${rows ? ', or use a smaller --val-split' : ''}`, { code: 'E_LABEL', field: '--target', column: name, expected: 'a row with 1', received: 0 });
    }
    target = { names: sel.targets.slice(), type: 'labels' };
  } else {
    const tcol = columnOf(table, sel.targets[0], '--target');
    if (tcol.missing.count) throw missingError(table, [tcol], `The target ${JSON.stringify(tcol.name)} cannot be imputed: remove those rows`);
    if (tcol.kind === 'text' && isMostlyNumbers(tcol)) throw typoError(table, tcol, tcol.words, 'target');
    if (isConstant(tcol)) throw new UsageError(`the target ${JSON.stringify(tcol.name)} has one value (${JSON.stringify(keyAt(tcol, 0))}) in all ${table.rows} rows of ${table.source}: there is nothing to learn; a classifier needs at least two classes. Check --target`);
    target = { name: tcol.name, type: tcol.kind === 'numeric' ? 'numeric' : 'text' };
  }

  const withMissing: Column[] = [];
  const features: FeatureSpec[] = sel.features.map((name) => {
    const col = columnOf(table, name, '--features');
    if (col.missing.count) withMissing.push(col);
    if (!forced.has(name) && isMostlyNumbers(col)) {
      if (col.kind === 'text') throw typoError(table, col, col.words, 'feature');
      return { name, type: 'numeric' };
    }
    const categories = categoriesOf(col);
    if (categories.length === 0) throw new UsageError(`column ${JSON.stringify(name)} of ${table.source} has no values; drop it with --ignore ${name}`);
    const nonMissing = table.rows - col.missing.count;
    if (categories.length > MAX_CATEGORIES || (categories.length > 50 && categories.length >= 0.9 * nonMissing)) {
      throw new UsageError(`column ${JSON.stringify(name)} of ${table.source} has ${categories.length} different text values in ${nonMissing} rows: it looks like an identifier or free text, not categories (one-hot would make ${categories.length} inputs); drop it with --ignore ${name}`);
    }
    return { name, type: 'categorical', categories };
  });
  if (withMissing.length && !o.impute) throw missingError(table, withMissing, 'Fill them in, remove those rows, or pass --impute mean|median|mode (categorical columns take their most frequent value)');
  if (o.impute) {
    for (const f of features) {
      const col = columnOf(table, f.name, '--features');
      if (f.type === 'numeric') f.impute = imputeNumber(table, (col as { values: Float64Array }).values, rows, o.impute);
      else f.impute = imputeCategory(table, col, rows, f.categories);
    }
  }
  const inputs = features.flatMap((f) => (f.type === 'numeric' ? [f.name] : f.categories.map((c) => `${f.name}=${c}`)));
  return { features, inputs, target, impute: o.impute ?? null };
}

/** The columns a schema needs, found by name in any order; a missing one is an error that names it. */
function need(table: Table, name: string, what: string): Column {
  const j = table.index.get(name) ?? -1;
  if (j < 0) throw new UsageError(`${table.source} has no column ${JSON.stringify(name)}, which the model ${what}; its columns are ${list(table.names)}`);
  return table.columns[j];
}

/** Features as a row-major matrix [N, inputs], encoded as the schema says. */
export function encodeFeatures(table: Table, schema: Schema): { data: Float64Array; shape: [number, number] } {
  const cols = schema.features.map((f) => need(table, f.name, 'was trained on'));
  const N = table.rows;
  const d = schema.inputs.length;
  const data = new Float64Array(N * d);
  const withMissing: Column[] = [];
  let offset = 0;
  schema.features.forEach((f, k) => {
    const col = cols[k];
    if (col.missing.count && f.impute === undefined) withMissing.push(col);
    if (f.type === 'numeric') {
      if (col.kind === 'text') throw typoError(table, col, col.words, 'feature');
      const fill = f.impute ?? NaN;
      for (let r = 0; r < N; r++) {
        const v = col.values[r];
        data[r * d + offset] = Number.isNaN(v) ? fill : v;
      }
      offset += 1;
    } else {
      const index = new Map(f.categories.map((c, i) => [c, i]));
      const fill = f.impute !== undefined ? index.get(f.impute)! : -1;
      for (let r = 0; r < N; r++) {
        const key = keyAt(col, r);
        let c = fill;
        if (key !== null) {
          const i = index.get(key);
          if (i === undefined) throw new UsageError(`${table.source} line ${table.line(r)}, column ${JSON.stringify(f.name)}: category ${JSON.stringify(key)} was not in the training data; the model knows ${list(f.categories)}`);
          c = i;
        }
        if (c >= 0) data[r * d + offset + c] = 1;
      }
      offset += f.categories.length;
    }
  });
  if (withMissing.length) throw missingError(table, withMissing, 'The model was trained without --impute: fill them in or remove those rows');
  return { data, shape: [N, d] };
}

/** Whether the table has the target column(s). */
export function hasTarget(table: Table, schema: Schema): boolean {
  return targetNames(schema).every((n) => table.index.has(n));
}

/** How a label cell may be spelt (any case): 1/0, true/false, yes/no. */
const LABEL_WORDS: ReadonlyMap<string, 0 | 1> = new Map([['1', 1], ['0', 0], ['true', 1], ['false', 0], ['yes', 1], ['no', 0]]);

function labelOf(text: string): 0 | 1 | null {
  const w = LABEL_WORDS.get(text.trim().toLowerCase());
  if (w !== undefined) return w;
  return /^\s*\+?[01](\.0*)?\s*$/.test(text) ? (Number(text) as 0 | 1) : null; // 1.0, 0.00
}

/**
 * One label column of a multi-label target, as 0/1 per row. Any other value, a missing cell
 * included, is an error naming the line, the column and the value (code E_LABEL, row = the line).
 */
function labelColumn(table: Table, name: string, what: string, fix = ''): Uint8Array {
  const col = need(table, name, what);
  const j = table.index.get(name)!;
  const on = new Uint8Array(table.rows);
  const bad = (r: number, received: string | number | null) => new UsageError(
    `${table.source} line ${table.line(r)}, column ${JSON.stringify(name)} (column ${j + 1}): expected 0 or 1 (or true/false, yes/no), received ${received === null ? 'a missing value' : JSON.stringify(received)}; a label column says whether each row has that label (1) or not (0). Fix the value${fix}`,
    { code: 'E_LABEL', field: name, row: table.line(r), column: name, expected: '0 or 1 (true/false, yes/no)', received },
  );
  if (col.kind === 'numeric') {
    for (let r = 0; r < table.rows; r++) {
      const v = col.values[r];
      if (v === 1) on[r] = 1;
      else if (v !== 0) throw bad(r, Number.isNaN(v) ? null : v);
    }
  } else {
    const levels = col.levels.map(labelOf);
    for (let r = 0; r < table.rows; r++) {
      const c = col.codes[r];
      const v = c < 0 ? null : levels[c];
      if (v === null) throw bad(r, c < 0 ? null : col.levels[c]);
      on[r] = v;
    }
  }
  return on;
}

/** Multi-label targets as label sets (what fit takes): the names of the label columns that hold 1, in the schema's order. */
export function encodeLabelSets(table: Table, schema: Schema): string[][] {
  const names = targetNames(schema);
  const cols = names.map((n) => labelColumn(table, n, 'predicts (a target; eval needs it)'));
  return Array.from({ length: table.rows }, (_, r) => names.filter((_n, k) => cols[k][r] === 1));
}

/**
 * Target values: numbers, or text labels; with `classes` (a trained classifier) labels are matched
 * to their type. Multi-label: rows of 0/1, in the order of `classes` (the model's labels) or else
 * of the schema.
 */
export function encodeTargets(table: Table, schema: Schema, classes?: readonly Label[]): Label[] | number[][] {
  if (schema.target.type === 'labels') {
    const order = classes ? classes.map(String) : schema.target.names;
    const cols = order.map((n) => labelColumn(table, n, 'predicts (a target; eval needs it)'));
    return Array.from({ length: table.rows }, (_, r) => cols.map((c) => c[r]));
  }
  const col = need(table, schema.target.name, 'predicts (the target; eval needs it)');
  if (col.missing.count) throw missingError(table, [col], `The target ${JSON.stringify(col.name)} needs a value in every row`);
  const numericLabels = classes ? classes.every((c) => typeof c === 'number') : schema.target.type === 'numeric';
  if (numericLabels) {
    if (col.kind === 'text') throw typoError(table, col, col.words, 'target');
    return Array.from(col.values);
  }
  if (col.kind === 'numeric') return Array.from(col.values, (v) => String(v));
  return Array.from(col.codes, (c) => col.levels[c]);
}

export interface ColumnSummary {
  name: string;
  role: 'feature' | 'target' | 'ignored';
  type: string;
  missing: number;
  /** numeric: min, mean, max; categorical: the categories (first few) */
  detail: string;
}

/** One line per column, for the terminal and the report. */
export function summarize(table: Table, sel: Selection, schema: Schema): ColumnSummary[] {
  const isFeature = new Set(sel.features);
  const isTarget = new Set(sel.targets);
  const specs = new Map(schema.features.map((f) => [f.name, f]));
  return table.names.map((name, j) => {
    const col = table.columns[j];
    const role = isTarget.has(name) ? 'target' : isFeature.has(name) ? 'feature' : 'ignored';
    const spec = specs.get(name);
    let type: string;
    let detail = '';
    if (col.kind === 'numeric') {
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let n = 0;
      for (const v of col.values) {
        if (Number.isNaN(v)) continue;
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        n++;
      }
      detail = n ? `min ${fmt(min)}, mean ${fmt(sum / n)}, max ${fmt(max)}` : '';
    }
    if (spec?.type === 'categorical') {
      type = `categorical (${spec.categories.length})`;
      detail = spec.categories.slice(0, 6).map(quoteIfComma).join(', ') + (spec.categories.length > 6 ? ', …' : '');
    } else if (role === 'target' && schema.target.type === 'labels') {
      type = 'label (0/1)';
      const on = labelColumn(table, name, 'is a target');
      detail = `1 in ${int(on.reduce((a, v) => a + v, 0))} of ${int(table.rows)} rows`;
    } else if (role === 'target') {
      type = col.kind === 'numeric' ? 'numeric' : `text (${(col as { levels: string[] }).levels.length} values)`;
      if (col.kind === 'text') detail = col.levels.slice(0, 6).map(quoteIfComma).join(', ') + (col.levels.length > 6 ? ', …' : '');
    } else type = col.kind === 'numeric' ? 'numeric' : 'text';
    if (spec?.impute !== undefined && col.missing.count) detail += `${detail ? '; ' : ''}missing → ${typeof spec.impute === 'number' ? fmt(spec.impute) : spec.impute}`;
    return { name, role, type, missing: col.missing.count, detail };
  });
}

const fmt = (v: number): string => num(v);
