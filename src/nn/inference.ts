// The forward pass outside training: raw rows through the fitted input scaler into a backend
// buffer, then the network in chunks of rows, the outputs h_L checked finite. What MLP.predict,
// predictProba, evaluate and activations run, and the inference-only model of `mlpkit/infer`;
// one chunk rule for all of them, so their outputs agree bit for bit on one backend.

import { DataError } from '../errors.ts';
import type { FloatArray, Matrix } from '../tensor/tensor.ts';
import { applyScaler, type Scaler } from '../data/preprocess.ts';
import type { Network } from './network.ts';

/** Rows per forward pass outside training: large enough to keep the kernels busy, small enough to bound memory. */
const MAX_CHUNK = 1024;

/** Rows per chunk of forwardInChunks over n rows: what an input buffer for it must hold. */
export function chunkRows(net: Network, n: number): number {
  return Math.max(1, Math.min(n, Math.max(net.capacity, MAX_CHUNK)));
}

/**
 * The forward pass over n rows in chunks: rowsAt(start, B) gives the network-space input rows
 * [B, inputs], visit(h, a, start, B) sees the output layer's h_L and a_L of those rows. With
 * `nonFinite`, each chunk's input rows are tested for NaN and ±Infinity (Network.infer) and
 * nonFinite(start, B) called for a chunk that has one.
 */
export function forwardInChunks(net: Network, n: number, rowsAt: (start: number, B: number) => FloatArray, visit: (h: FloatArray, a: FloatArray, start: number, B: number) => void, nonFinite?: (start: number, B: number) => void): void {
  const chunk = chunkRows(net, n);
  net.ensureCapacity(chunk);
  for (let s = 0; s < n; s += chunk) {
    const B = Math.min(chunk, n - s);
    const h = net.infer(rowsAt(s, B), B, nonFinite && (() => nonFinite(s, B)));
    visit(h, net.output.a, s, B);
  }
}

// X: [N, inputs] raw  →  out: [N, outputs] in network space
/**
 * Network outputs h_L for raw rows X (probabilities, or scaled regression values), the rows scaled
 * by `inputs` chunk by chunk into `buf`, which must hold chunkRows(net, N) rows (the caller
 * allocates it from the network's backend and releases it). With `checkRows` (X's finiteness not
 * checked yet: toMatrix's floatCheckLater), each chunk is tested once it is in buf, by the
 * backend's allFinite (wasm SIMD: ~10× faster than a js pass over X), or inside the threaded
 * forward pass, each thread its own rows (Network.infer); where that finds NaN or
 * ±Infinity, checkRows(start, B) looks at the raw rows and throws for the first bad one, and when
 * the raw rows are finite (the scaling overflowed) the chunk goes on as it did before.
 */
export function forwardRows(net: Network, inputs: Scaler, X: Matrix, buf: FloatArray, checkRows?: (start: number, B: number) => void): Float64Array {
  const [N, d] = X.shape;
  const nOut = net.outputs;
  const out = new Float64Array(N * nOut);
  forwardInChunks(net, N, (start, B) => {
    applyScaler(inputs, X.data, B, d, buf, start);
    return buf;
  }, (h, _a, start, B) => out.set(h.subarray(0, B * nOut), start * nOut), checkRows);
  return out;
}

/**
 * NaN or ±Infinity out of the forward pass (weights left unusable by a diverged run, or inputs far
 * outside what the model was trained on) is an error naming the row: never a label or a number
 * computed from NaN.
 */
export function checkOutputs(out: Float64Array, cols: number, where: string): void {
  for (let k = 0; k < out.length; k++) {
    if (out[k] - out[k] !== 0) {
      const row = Math.floor(k / cols);
      throw new DataError('E_NONFINITE', `${where}: the model's output for row ${row} is ${out[k]}: its weights overflow on this input (after a diverged fit, or for inputs far outside the training data); retrain with a lower learning rate or clipNorm, or check row ${row}`, { row, column: k % cols, received: out[k] });
    }
  }
}
