// Checking and converting what users pass in: features X as rows or a matrix, targets y as
// labels, numbers or rows. Nothing is trusted: every row, width and value is checked once,
// here, so the kernels never meet a ragged row or a NaN.

import { DataError, ShapeError, describe, fmtShape } from '../errors.ts';
import type { FloatArray, Matrix } from '../tensor/tensor.ts';

/** One row as an object of named fields, e.g. { sepalLength: 5.1, petalLength: 1.4 }. */
export type FeatureRecord = Readonly<Record<string, unknown>>;
/**
 * Features: an array of rows (arrays or typed arrays), a row-major matrix { data, shape: [N, d] },
 * an array of objects with named fields (records), or an object of named columns
 * ({ sepalLength: [...], petalLength: Float32Array }). Named fields become the model's featureNames
 * and are looked up by name when it predicts.
 */
export type Features =
  | readonly (readonly number[])[]
  | readonly ArrayLike<number>[]
  | Matrix
  | { data: ArrayLike<number>; shape: readonly [number, number] }
  | readonly FeatureRecord[]
  | Readonly<Record<string, ArrayLike<number>>>;
/** A class label. */
export type Label = string | number | boolean;
/**
 * Targets: labels (classification) or numbers (regression) as an array or a typed array, or rows
 * (one-hot, or several regression outputs) as number[][] or a matrix { data, shape: [N, m] }.
 */
export type Targets =
  | readonly Label[]
  /** label sets, for multi-label classification: [["news", "sport"], [], ["sport"]] */
  | readonly (readonly Label[])[]
  | ArrayLike<number>
  | readonly (readonly number[])[]
  | Matrix
  | { data: ArrayLike<number>; shape: readonly [number, number] };

/** Whether x is a matrix { data, shape } (and not an object of columns). */
function isMatrix(x: unknown): x is { data: ArrayLike<number>; shape: readonly [number, number] } {
  return !!x && typeof x === 'object' && !Array.isArray(x) && 'data' in x && 'shape' in x;
}

function isRecord(v: unknown): v is FeatureRecord {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** The field names of records or columns (in the order given), or null for rows and matrices. */
export function featureNamesOf(x: Features): string[] | null {
  if (Array.isArray(x)) return x.length > 0 && isRecord(x[0]) ? Object.keys(x[0]) : null;
  if (isMatrix(x) || !isRecord(x)) return null;
  return Object.keys(x);
}

/**
 * Index of the first NaN or ±Infinity among x[0..n), or −1. v − v is NaN exactly for those.
 * NOTE: a small function of its own, so V8 optimizes this loop by itself: inlined in toMatrix's
 * many branches it ran ~6 ns per entry (a third of a W1 predict), here ~0.5.
 */
/** The DataError toMatrix raises for the first NaN or ±Infinity in rows [start, start + count) of X, if any. */
export function checkFiniteRows(X: Matrix, where: string, start: number, count: number): void {
  const cols = X.shape[1];
  const data = X.data as Float32Array | Float64Array;
  const from = start * cols;
  const bad = firstNonFinite(data.subarray(from, from + count * cols), count * cols);
  if (bad >= 0) checkFinite(data[from + bad], where, start + Math.floor(bad / cols), bad % cols);
}

function firstNonFinite(x: Float32Array | Float64Array, n: number): number {
  // eight at a time: v·0 is ±0 for finite v and NaN otherwise, so the sum is ±0 (=== 0) unless one
  // of the eight is not finite (predict's input check: 1.7× faster than one test per entry)
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    if (x[k] * 0 + x[k + 1] * 0 + x[k + 2] * 0 + x[k + 3] * 0 + x[k + 4] * 0 + x[k + 5] * 0 + x[k + 6] * 0 + x[k + 7] * 0 !== 0) break;
  }
  for (; k < n; k++) if (x[k] - x[k] !== 0) return k;
  return -1;
}

/**
 * Features checked into a matrix: float arrays as given (not copied), anything else as float64.
 * Records and columns are read by name: `names` (a fitted model's featureNames) or, without them,
 * the first record's fields / the columns' names in their order. With `floatCheckLater`, a float
 * matrix is not read here: the caller promises to run checkFiniteRows over every row it uses
 * (predict does, on each chunk it has copied anyway; see nn/inference.ts).
 */
export function toMatrix(x: Features, where: string, expectCols?: number, names?: readonly string[] | null, floatCheckLater = false): Matrix {
  let rows: number;
  let cols: number;
  let data: Float64Array;
  if (Array.isArray(x) && x.length > 0 && isRecord(x[0])) {
    return finish(fromRecords(x as readonly FeatureRecord[], where, names ?? null), where, expectCols);
  }
  if (Array.isArray(x) && x.length > 0 && ArrayBuffer.isView(x[0])) {
    // rows as typed arrays (e.g. Float32Array per sample)
    rows = x.length;
    cols = (x[0] as unknown as ArrayLike<number>).length;
    if (cols === 0) throw new DataError('E_EMPTY', `${where}: expected at least one feature column, received rows of length 0`, { field: 'x', expected: 'at least one column', received: 0 });
    data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = x[i] as ArrayLike<number>;
      if (!ArrayBuffer.isView(r) || r.length !== cols) throw new ShapeError('E_SHAPE', `${where}: ragged rows: row ${i} has ${ArrayBuffer.isView(r) ? r.length : describe(r)} values, expected ${cols} like row 0; give every row the same columns`, { field: 'x', row: i, expected: cols, received: ArrayBuffer.isView(r) ? r.length : describe(r) });
      for (let j = 0; j < cols; j++) data[i * cols + j] = checkFinite(r[j], where, i, j);
    }
    return finish({ data, shape: [rows, cols] }, where, expectCols);
  }
  if (!Array.isArray(x) && isRecord(x) && !isMatrix(x)) {
    return finish(fromColumns(x as Readonly<Record<string, ArrayLike<number>>>, where, names ?? null), where, expectCols);
  }
  if (Array.isArray(x)) {
    rows = x.length;
    if (rows === 0) throw new DataError('E_EMPTY', `${where}: expected at least one row of features, received an empty array`, { field: 'x', expected: 'at least one row', received: 0 });
    const first = x[0];
    if (!Array.isArray(first)) throw new ShapeError('E_SHAPE', `${where}: expected features as an array of rows (number[][]), received row 0 as ${describe(first)}; wrap single samples as [[x1, x2, …]]`, { field: 'x', row: 0, expected: 'an array of numbers', received: first });
    cols = first.length;
    if (cols === 0) throw new DataError('E_EMPTY', `${where}: expected at least one feature column, received rows of length 0`, { field: 'x', expected: 'at least one column', received: 0 });
    data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = x[i] as readonly number[];
      if (!Array.isArray(r) || r.length !== cols) {
        throw new ShapeError('E_SHAPE', `${where}: ragged rows: row ${i} has ${Array.isArray(r) ? r.length : describe(r)} values, expected ${cols} like row 0; give every row the same columns`, { field: 'x', row: i, expected: cols, received: Array.isArray(r) ? r.length : r });
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = checkFinite(r[j], where, i, j);
    }
  } else if (x && typeof x === 'object' && 'data' in x && 'shape' in x) {
    const shape = x.shape;
    if (!Array.isArray(shape) || shape.length !== 2) throw new ShapeError('E_SHAPE', `${where}: expected a matrix with shape [N, d], received shape ${Array.isArray(shape) ? fmtShape(shape) : describe(shape)}; flatten each sample to one row first`);
    [rows, cols] = shape;
    if (rows === 0 || cols === 0) throw new DataError('E_EMPTY', `${where}: expected a non-empty matrix, received shape ${fmtShape(shape)}`, { field: 'x.shape', expected: 'non-zero [N, d]', received: shape });
    if (x.data.length !== rows * cols) throw new ShapeError('E_SHAPE', `${where}: shape ${fmtShape(shape)} needs ${rows * cols} values, received ${x.data.length}`, { field: 'x.data', expected: rows * cols, received: x.data.length });
    if (x.data instanceof Float64Array || x.data instanceof Float32Array) {
      // float arrays are used as they are (no copy: callers copy what they keep); one finiteness
      // pass, v − v being NaN exactly for NaN and ±Infinity
      const src = x.data;
      if (!floatCheckLater) checkFiniteRows({ data: src, shape: [rows, cols] }, where, 0, rows);
      return finish({ data: src, shape: [rows, cols] }, where, expectCols);
    } else if (ArrayBuffer.isView(x.data)) {
      data = new Float64Array(x.data as unknown as ArrayLike<number>); // integer typed arrays: always finite
    } else {
      data = new Float64Array(rows * cols);
      for (let k = 0; k < rows * cols; k++) data[k] = checkFinite(x.data[k], where, Math.floor(k / cols), k % cols);
    }
  } else {
    throw new ShapeError('E_SHAPE', `${where}: expected features as number[][] or { data, shape: [N, d] }, received ${describe(x)}`);
  }
  return finish({ data, shape: [rows, cols] }, where, expectCols);
}

/** Records → a matrix, field by field in `names` order (default: the first record's fields). */
function fromRecords(x: readonly FeatureRecord[], where: string, names: readonly string[] | null): Matrix {
  const cols = names ?? Object.keys(x[0]);
  if (cols.length === 0) throw new DataError('E_EMPTY', `${where}: expected records with at least one field, received {} as row 0`, { field: 'x', row: 0, expected: 'at least one field', received: 0 });
  const rows = x.length;
  const data = new Float64Array(rows * cols.length);
  for (let i = 0; i < rows; i++) {
    const r = x[i];
    if (!isRecord(r)) throw new ShapeError('E_SHAPE', `${where}: row ${i} is ${describe(r)}, expected an object with fields like row 0 (${cols.join(', ')})`, { field: 'x', row: i, expected: 'an object', received: describe(r) });
    for (let j = 0; j < cols.length; j++) {
      const v = r[cols[j]];
      if (v === undefined) throw new DataError('E_SHAPE', `${where}: row ${i} has no field "${cols[j]}"${names ? ', which the model was trained on' : ' (row 0 has it)'}; give every record the same fields`, { field: cols[j], row: i, column: cols[j], expected: 'a number', received: undefined });
      data[i * cols.length + j] = checkFinite(v, where, i, cols[j]);
    }
  }
  return { data, shape: [rows, cols.length] };
}

/** Named columns → a matrix, in `names` order (default: the object's order). */
function fromColumns(x: Readonly<Record<string, ArrayLike<number>>>, where: string, names: readonly string[] | null): Matrix {
  const cols = names ?? Object.keys(x);
  if (cols.length === 0) throw new DataError('E_EMPTY', `${where}: expected at least one feature column, received {}`, { field: 'x', expected: 'at least one column', received: 0 });
  let rows = -1;
  for (const name of cols) {
    const c = x[name];
    if (c === undefined) throw new DataError('E_SHAPE', `${where}: no column "${name}"${names ? ', which the model was trained on' : ''}; columns given: ${Object.keys(x).join(', ')}`, { field: name, column: name, expected: 'a column', received: undefined });
    if (!c || typeof c !== 'object' || typeof c.length !== 'number') throw new ShapeError('E_SHAPE', `${where}: column "${name}" is ${describe(c)}, expected an array of numbers`, { field: name, column: name, expected: 'an array', received: describe(c) });
    if (rows === -1) rows = c.length;
    else if (c.length !== rows) throw new ShapeError('E_SHAPE', `${where}: column "${name}" has ${c.length} values, column "${cols[0]}" has ${rows}; give every column the same length`, { field: name, column: name, expected: rows, received: c.length });
  }
  if (rows === 0) throw new DataError('E_EMPTY', `${where}: expected at least one row, received columns of length 0`, { field: 'x', expected: 'at least one row', received: 0 });
  const d = cols.length;
  const data = new Float64Array(rows * d);
  cols.forEach((name, j) => {
    const c = x[name];
    for (let i = 0; i < rows; i++) data[i * d + j] = checkFinite(c[i], where, i, name);
  });
  return { data, shape: [rows, d] };
}

/**
 * fit(records, "label") / fit(columns, "label"): the named field is the target, the others the
 * features. Returns the features without it and the target values.
 */
export function splitTarget(x: Features, target: string, where: string): { x: Features; y: Label[] } {
  if (Array.isArray(x) && x.length > 0 && isRecord(x[0])) {
    const recs = x as readonly FeatureRecord[];
    if (!(target in recs[0])) throw new DataError('E_SHAPE', `${where}: the target field "${target}" is not in row 0 (fields: ${Object.keys(recs[0]).join(', ')})`, { field: 'y', expected: Object.keys(recs[0]), received: target });
    const y = recs.map((r, i) => {
      const v = isRecord(r) ? r[target] : undefined;
      if (!(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) throw new DataError('E_NONFINITE', `${where}: target "${target}" of row ${i} is ${describe(v)}, expected a finite number or a label (string, boolean)`, { field: target, row: i, column: target, expected: 'a number or a label', received: describe(v) });
      return v;
    });
    const names = Object.keys(recs[0]).filter((k) => k !== target);
    return { x: recs.map((r) => Object.fromEntries(names.map((k) => [k, r[k]]))), y };
  }
  if (!Array.isArray(x) && isRecord(x) && !isMatrix(x)) {
    const cols = x as Readonly<Record<string, ArrayLike<number>>>;
    if (!(target in cols)) throw new DataError('E_SHAPE', `${where}: no target column "${target}" (columns: ${Object.keys(cols).join(', ')})`, { field: 'y', expected: Object.keys(cols), received: target });
    const { [target]: y, ...rest } = cols;
    return { x: rest, y: Array.from(y as ArrayLike<Label>) };
  }
  throw new ShapeError('E_SHAPE', `${where}: a target given by name ("${target}") needs records or named columns as x, received ${Array.isArray(x) ? 'rows' : describe(x)}; pass the targets as an array instead`, { field: 'y', expected: 'records or columns', received: 'rows' });
}

function finish(m: Matrix, where: string, expectCols: number | undefined): Matrix {
  const [rows, cols] = m.shape;
  if (expectCols !== undefined && cols !== expectCols) {
    throw new ShapeError('E_SHAPE', `${where}: expected x of shape ${fmtShape(['N', expectCols])}, received ${fmtShape([rows, cols])}; pass the same ${expectCols} feature columns the model was trained on`, { field: 'x', expected: expectCols, received: cols });
  }
  return m;
}

function checkFinite(v: unknown, where: string, row: number, col: number | string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    const which = typeof col === 'string' ? `field "${col}"` : `column ${col}`;
    const hint = typeof v === 'string' ? '; encode text as numbers first (e.g. one-hot), or use the CLI, which does' : '; remove or impute missing and infinite values first';
    throw new DataError('E_NONFINITE', `${where}: row ${row}, ${which} is ${describe(v)}, expected a finite number${hint}`, { field: 'x', row, column: col, expected: 'a finite number', received: v });
  }
  return v;
}

/** Targets as either a label list or a float64 matrix (rows). */
export type CheckedTargets = { kind: 'labels'; labels: Label[] } | { kind: 'matrix'; m: Matrix };

export function checkTargets(y: Targets, where: string, expectRows: number): CheckedTargets {
  let out: CheckedTargets;
  if (Array.isArray(y)) {
    if (y.length === 0) throw new DataError('E_EMPTY', `${where}: expected targets, received an empty array`, { field: 'y', expected: 'at least one target', received: 0 });
    if (Array.isArray(y[0])) out = { kind: 'matrix', m: toMatrix(y as number[][], `${where} (targets)`) };
    else {
      y.forEach((v, i) => {
        const ok = typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
        if (!ok) throw new DataError('E_NONFINITE', `${where}: target ${i} is ${describe(v)}, expected a finite number or a label (string, boolean); remove rows with missing targets`, { field: 'y', row: i, expected: 'a finite number or a label', received: v });
      });
      out = { kind: 'labels', labels: (y as Label[]).slice() };
    }
  } else if (ArrayBuffer.isView(y)) {
    const labels = Array.from(y as ArrayLike<number>);
    labels.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new DataError('E_NONFINITE', `${where}: target ${i} is ${v}, expected a finite number; remove rows with missing targets`, { field: 'y', row: i, expected: 'a finite number', received: v });
    });
    out = { kind: 'labels', labels };
  } else if (y && typeof y === 'object' && 'data' in y) {
    out = { kind: 'matrix', m: toMatrix(y, `${where} (targets)`) };
  } else {
    throw new ShapeError('E_SHAPE', `${where}: expected targets as an array of labels or numbers, or rows, received ${describe(y)}`);
  }
  const n = out.kind === 'labels' ? out.labels.length : out.m.shape[0];
  if (n !== expectRows) throw new ShapeError('E_SHAPE', `${where}: x has ${expectRows} rows but y has ${n}; give one target per sample`, { field: 'y', expected: expectRows, received: n });
  return out;
}

/** Cast a float64 matrix to the model's dtype (a copy). */
export function castTo(data: Float64Array, dtype: 'float32' | 'float64'): FloatArray {
  return dtype === 'float64' ? data.slice() : Float32Array.from(data);
}
