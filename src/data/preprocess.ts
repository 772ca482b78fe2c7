// Preprocessing that travels with the model: fitted on the training data, saved in the model
// file, applied by predict so users pass raw inputs and get outputs in their own units/labels.
//   scaler:   x' = (x − shift) / scale   per column (standard: mean/std; minmax: min/(max − min))
//   labels:   class label ↔ index, classes sorted as scikit-learn's LabelEncoder sorts them

import { DataError } from '../errors.ts';
import type { Label } from './input.ts';

/** How inputs (and regression targets) are scaled: standard (zero mean, unit variance), minmax ([0, 1]) or none. */
export type ScaleMethod = 'standard' | 'minmax' | 'none';

/** A fitted scaling, per column: x' = (x − shift) / scale. */
export interface Scaler {
  method: ScaleMethod;
  shift: number[];
  scale: number[];
}

/**
 * The range a fitted scaler stays in (the model loader refuses anything else): a scale outside
 * [1e-300, 1e300] or a shift beyond ±1e300 makes (x − shift) / scale or its inverse overflow.
 */
export const SCALER_LIMIT = 1e300;

/**
 * Fit a scaler on the rows of x: [*, cols] listed in idx (all rows when idx is omitted).
 * Constant columns get scale 1, as scikit-learn does. A column whose spread cannot be held in
 * float64 (values near ±1e308) is refused with a DataError naming it; `what` names the columns.
 */
export function fitScaler(method: ScaleMethod, x: ArrayLike<number>, rows: number, cols: number, idx?: Uint32Array, what = 'fit: column'): Scaler {
  const shift = new Array<number>(cols).fill(0);
  const scale = new Array<number>(cols).fill(1);
  if (method === 'none') return { method, shift, scale };
  const at = (i: number, j: number) => x[(idx ? idx[i] : i) * cols + j];
  for (let j = 0; j < cols; j++) {
    if (method === 'standard') {
      let mean = 0;
      for (let i = 0; i < rows; i++) mean += at(i, j);
      mean /= rows;
      let v = 0;
      for (let i = 0; i < rows; i++) v += (at(i, j) - mean) ** 2;
      let std = Math.sqrt(v / rows);
      // NOTE: values beyond about ±1e154 overflow the sum or the squares; then the same
      // statistics over x / m (every term in [-1, 1]) times m, m = max |x|: shift first, then scale
      if (!Number.isFinite(mean) || !Number.isFinite(std)) [mean, std] = scaledMoments(at, rows, j);
      shift[j] = mean;
      scale[j] = std > 1e-12 * Math.max(1, Math.abs(mean)) ? std : 1;
    } else {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < rows; i++) {
        lo = Math.min(lo, at(i, j));
        hi = Math.max(hi, at(i, j));
      }
      shift[j] = lo;
      scale[j] = hi - lo > 0 ? hi - lo : 1;
    }
    if (!(scale[j] >= 1 / SCALER_LIMIT && scale[j] <= SCALER_LIMIT && Math.abs(shift[j]) <= SCALER_LIMIT)) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < rows; i++) {
        lo = Math.min(lo, at(i, j));
        hi = Math.max(hi, at(i, j));
      }
      throw new DataError('E_NONFINITE', `${what} ${j}: values from ${lo} to ${hi} cannot be scaled in float64 (their ${method === 'standard' ? 'spread' : 'range'} is ${scale[j]}, beyond ${SCALER_LIMIT}); divide the column by a power of ten first`, { column: j, expected: `a ${method === 'standard' ? 'spread' : 'range'} ≤ ${SCALER_LIMIT}`, received: scale[j] });
    }
  }
  return { method, shift, scale };
}

/** Mean and standard deviation of column j computed on x / max|x|, so no sum or square overflows. */
function scaledMoments(at: (i: number, j: number) => number, rows: number, j: number): [number, number] {
  let m = 0;
  for (let i = 0; i < rows; i++) m = Math.max(m, Math.abs(at(i, j)));
  let mean = 0;
  for (let i = 0; i < rows; i++) mean += at(i, j) / m;
  mean /= rows;
  let v = 0;
  for (let i = 0; i < rows; i++) v += (at(i, j) / m - mean) ** 2;
  return [mean * m, Math.sqrt(v / rows) * m];
}

/** out[r, :] = (x[idx[r], :] − shift) / scale: a gather and a scaling in one pass, with no copy of x. */
export function applyScalerRows(s: Scaler, x: ArrayLike<number>, cols: number, idx: Uint32Array, out: Float32Array | Float64Array): void {
  const shift = Float64Array.from(s.shift);
  const scale = Float64Array.from(s.scale);
  for (let r = 0; r < idx.length; r++) {
    const o = idx[r] * cols;
    const w = r * cols;
    for (let j = 0; j < cols; j++) out[w + j] = (x[o + j] - shift[j]) / scale[j];
  }
}

/** Whether the scaler leaves every value as it is (shift 0, scale 1: scaleInputs "none"). */
export function scalesNothing(s: Scaler): boolean {
  return s.shift.every((v) => v === 0) && s.scale.every((v) => v === 1);
}

/** out = (x − shift) / scale, row-major [rows, cols], reading x from row `fromRow`; out may be a Float32Array. */
export function applyScaler(s: Scaler, x: Float32Array | Float64Array, rows: number, cols: number, out: Float32Array | Float64Array, fromRow = 0): void {
  const o = fromRow * cols;
  if (scalesNothing(s)) {
    out.set(x.subarray(o, o + rows * cols));
    return;
  }
  const shift = Float64Array.from(s.shift);
  const scale = Float64Array.from(s.scale);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[r + j] = (x[o + r + j] - shift[j]) / scale[j];
  }
}

/** x = x' · scale + shift: back to the user's units. */
export function invertScaler(s: Scaler, z: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = z[i * cols + j] * s.scale[j] + s.shift[j];
  return out;
}

/** The sorted distinct labels: numbers ascending, otherwise by their string form. */
export function fitClasses(labels: readonly Label[]): Label[] {
  const allNumbers = labels.every((v) => typeof v === 'number');
  const allBooleans = labels.every((v) => typeof v === 'boolean');
  if (!allNumbers && !allBooleans) {
    const kinds = new Set(labels.map((v) => typeof v));
    if (kinds.size > 1) {
      const i = labels.findIndex((v) => typeof v !== typeof labels[0]);
      throw new DataError('E_LABEL', `labels: mixed label types: target 0 is ${typeof labels[0]} ${JSON.stringify(labels[0])} but target ${i} is ${typeof labels[i]} ${JSON.stringify(labels[i])}; use one type for all labels`);
    }
  }
  const uniq = [...new Set(labels)];
  if (allNumbers) (uniq as number[]).sort((a, b) => a - b);
  else if (allBooleans) uniq.sort((a, b) => Number(a) - Number(b));
  else (uniq as string[]).sort();
  return uniq;
}

/** Label → class index; an unknown label is an error that names it and the known set. */
export function encodeLabels(classes: readonly Label[], labels: readonly Label[], where: string): Uint32Array {
  const index = new Map<Label, number>(classes.map((c, i) => [c, i]));
  const out = new Uint32Array(labels.length);
  labels.forEach((v, i) => {
    const k = index.get(v);
    if (k === undefined) {
      const shown = classes.length > 12 ? classes.slice(0, 12).map(String).join(', ') + ', …' : classes.map((c) => JSON.stringify(c)).join(', ');
      throw new DataError('E_LABEL', `${where}: target ${i} is ${JSON.stringify(v)}, which is not one of the ${classes.length} classes the model knows (${shown}); retrain with it or fix the label`, { field: 'y', row: i, expected: classes, received: v });
    }
    out[i] = k;
  });
  return out;
}
