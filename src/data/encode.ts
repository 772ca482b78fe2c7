// Raw rows → network space: inputs through the fitted scaler, targets encoded (class index or
// one-hot, or scaled regression values), written into buffers of the backend that will train on
// them. The one encoder fit, evaluate, gradients, gradCheck and trace all use.

import { DataError, ShapeError } from '../errors.ts';
import type { Backend } from '../kernels/backend.ts';
import type { DType, FloatArray } from '../tensor/tensor.ts';
import type { CheckedTargets, Label } from './input.ts';
import { applyScalerRows, encodeLabels, scalesNothing, type Scaler } from './preprocess.ts';
import type { TaskKind } from './task.ts';

/** Everything fitted on data; saved in the model file. */
export interface Preprocessing {
  inputs: Scaler;
  /** regression only */
  targets?: Scaler;
  /** classification only: index → label */
  classes?: Label[];
  /** multi-label classification: one sigmoid output per class, any number of them on at once */
  multiLabel?: boolean;
}

/** x: [n, inputs] and y: [n, outputs] in network space (scaled, encoded), in backend memory. */
export interface EncodedData {
  x: FloatArray;
  y: FloatArray;
  n: number;
  /** w: [n] sample weights (class weights folded in), or absent for all 1. */
  w?: FloatArray;
  /** x is a view of the caller's rows (encodeRows' inPlace), not a backend buffer: never released. */
  borrowed?: boolean;
}

/** Where encoded data goes: the backend and dtype of the network, its output width, the task. */
export interface EncodeTarget {
  backend: Backend;
  dtype: DType;
  outputs: number;
  task: TaskKind;
  preprocessing: Preprocessing;
}

/** Regression targets as one matrix: [n, cols]. */
export function targetMatrix(T: CheckedTargets): { data: Float64Array; cols: number } {
  if (T.kind === 'matrix') return { data: T.m.data as Float64Array, cols: T.m.shape[1] };
  return { data: Float64Array.from(T.labels as number[]), cols: 1 };
}

/** Rows at least this wide are copied into a batch one memcpy each, from any memory (gatherRows of js and wasm). */
const IN_PLACE_MIN_COLS = 16;

/**
 * The rows idx of raw inputs x: [*, d] and targets T, in network space, in two new backend buffers.
 * NOTE: the caller owns the buffers and gives them back with `releaseEncoded` (WebAssembly memory is
 * not garbage-collected). Everything is checked before anything is allocated.
 *
 * With `inPlace` (fit, when the training loop only ever copies batches out of the rows with
 * gatherRows) and idx 0 … n−1 (checked here), float32 rows of at least IN_PLACE_MIN_COLS inputs that the scaler
 * leaves as they are (scaleInputs "none") are not copied: x is then a view of the caller's array,
 * which `releaseEncoded` leaves alone. A batch is gathered from it as fast as from backend memory
 * (a memcpy per row), and the process does not hold the training inputs twice (W1: 25 MB).
 * NOTE: training then reads the caller's array until fit returns: changing it meanwhile (in a
 * callback, or between fitAsync's batches) changes the data the rest of the fit trains on.
 */
export function encodeRows(to: EncodeTarget, x: ArrayLike<number>, d: number, T: CheckedTargets, idx: Uint32Array, where: string, inPlace = false): EncodedData {
  const { backend: be, dtype, outputs: nOut, preprocessing: pre } = to;
  const n = idx.length;
  // checks first: an error must not leave buffers behind
  let classIndex: Uint32Array | null = null;
  let regression: { data: Float64Array; cols: number } | null = null;
  if (to.task === 'classification') {
    if (T.kind === 'labels') classIndex = encodeLabels(pre.classes!, T.labels, where);
    else {
      if (T.m.shape[1] !== nOut) throw new ShapeError('E_SHAPE', `${where}: expected targets with ${nOut} columns (one-hot), received ${T.m.shape[1]}`, { field: 'y', expected: nOut, received: T.m.shape[1] });
      const g = T.m.data;
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < nOut; j++) {
          const v = g[idx[r] * nOut + j];
          if (v < 0 || v > 1) throw new DataError('E_LABEL', `${where}: one-hot target row ${idx[r]} has value ${v} outside [0, 1]`, { field: 'y', row: idx[r], column: j, expected: 'a value in [0, 1]', received: v });
        }
      }
    }
  } else {
    regression = targetMatrix(T);
    if (regression.cols !== nOut) throw new ShapeError('E_SHAPE', `${where}: expected targets with ${nOut} column${nOut > 1 ? 's' : ''}, received ${regression.cols}`, { field: 'y', expected: nOut, received: regression.cols });
  }

  const borrowed = inPlace && dtype === 'float32' && x instanceof Float32Array && d >= IN_PLACE_MIN_COLS && x.length >= n * d && scalesNothing(pre.inputs) && isIdentity(idx);
  let X: FloatArray;
  if (borrowed) X = (x as Float32Array).subarray(0, n * d);
  else {
    X = be.alloc(n * d, dtype);
    applyScalerRows(pre.inputs, x, d, idx, X);
  }
  const Y = be.alloc(n * nOut, dtype);
  if (classIndex) {
    for (let r = 0; r < n; r++) {
      const c = classIndex[idx[r]];
      if (nOut === 1) Y[r] = c;
      else Y[r * nOut + c] = 1;
    }
  } else if (regression) {
    applyScalerRows(pre.targets!, regression.data, regression.cols, idx, Y);
  } else {
    const g = (T as { m: { data: ArrayLike<number> } }).m.data;
    for (let r = 0; r < n; r++) for (let j = 0; j < nOut; j++) Y[r * nOut + j] = g[idx[r] * nOut + j];
  }
  return borrowed ? { x: X, y: Y, n, borrowed } : { x: X, y: Y, n };
}

/** Whether idx is 0, 1, …, n − 1: the rows in their own order, so a view of x is x[idx]. */
function isIdentity(idx: Uint32Array): boolean {
  for (let i = 0; i < idx.length; i++) if (idx[i] !== i) return false;
  return true;
}

/** Give encoded buffers back to their backend. */
export function releaseEncoded(be: Backend, data: EncodedData): void {
  if (!data.borrowed) be.release(data.x);
  be.release(data.y);
  if (data.w) be.release(data.w);
}

/** Attach the weights of rows idx (from rowWeights, one per raw row) to encoded data, in a new backend buffer. */
export function attachWeights(to: EncodeTarget, data: EncodedData, w: Float64Array, idx: Uint32Array): void {
  const W = to.backend.alloc(idx.length, to.dtype);
  for (let r = 0; r < idx.length; r++) W[r] = w[idx[r]];
  data.w = W;
}
