// Checking and converting what users pass in: features X as rows or a matrix, targets y as
// labels, numbers or rows. Nothing is trusted: every row, width and value is checked once,
// here, so the kernels never meet a ragged row or a NaN.

import { DataError, ShapeError, describe, fmtShape } from '../errors.ts';
import type { FloatArray, Matrix } from '../tensor/tensor.ts';

/** Features: an array of rows, or a row-major matrix { data, shape: [N, d] }. */
export type Features = readonly (readonly number[])[] | Matrix | { data: ArrayLike<number>; shape: readonly [number, number] };
/** A class label. */
export type Label = string | number | boolean;
/**
 * Targets: labels (classification) or numbers (regression) as an array or a typed array, or rows
 * (one-hot, or several regression outputs) as number[][] or a matrix { data, shape: [N, m] }.
 */
export type Targets =
  | readonly Label[]
  | ArrayLike<number>
  | readonly (readonly number[])[]
  | Matrix
  | { data: ArrayLike<number>; shape: readonly [number, number] };

/** Features checked into a matrix: float arrays as given (not copied), anything else as float64. */
/**
 * Index of the first NaN or ±Infinity among x[0..n), or −1. v − v is NaN exactly for those.
 * NOTE: a small function of its own, so V8 optimizes this loop by itself: inlined in toMatrix's
 * many branches it ran ~6 ns per entry (a third of a W1 predict), here ~0.5.
 */
function firstNonFinite(x: Float32Array | Float64Array, n: number): number {
  for (let k = 0; k < n; k++) if (x[k] - x[k] !== 0) return k;
  return -1;
}

export function toMatrix(x: Features, where: string, expectCols?: number): Matrix {
  let rows: number;
  let cols: number;
  let data: Float64Array;
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
      const bad = firstNonFinite(src, rows * cols);
      if (bad >= 0) checkFinite(src[bad], where, Math.floor(bad / cols), bad % cols);
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

function finish(m: Matrix, where: string, expectCols: number | undefined): Matrix {
  const [rows, cols] = m.shape;
  if (expectCols !== undefined && cols !== expectCols) {
    throw new ShapeError('E_SHAPE', `${where}: expected x of shape ${fmtShape(['N', expectCols])}, received ${fmtShape([rows, cols])}; pass the same ${expectCols} feature columns the model was trained on`, { field: 'x', expected: expectCols, received: cols });
  }
  return m;
}

function checkFinite(v: unknown, where: string, row: number, col: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new DataError('E_NONFINITE', `${where}: row ${row}, column ${col} is ${describe(v)}, expected a finite number; remove or impute missing and infinite values first`, { field: 'x', row, column: col, expected: 'a finite number', received: v });
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
