// Network space → the user's answers, the inverse of encode.ts: outputs h_L: [rows, cols] become
// labels (argmax, or the threshold ½ for one sigmoid output), label sets (multi-label), class
// probabilities, or regression values back in the user's units. The one decoder MLP.predict,
// predictProba and the inference-only model of `mlpkit/infer` all use, so they answer alike.

import type { Label } from './input.ts';
import { invertScaler } from './preprocess.ts';
import type { Preprocessing } from './encode.ts';
import type { TaskKind } from './task.ts';

/** Index of the largest entry of each row of p: [rows, cols]; for one column, the 0.5 threshold of a sigmoid output. */
export function argmaxRows(p: ArrayLike<number>, rows: number, cols: number, threshold = 0.5): Uint32Array {
  const out = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (cols === 1) {
      out[i] = p[i] > threshold ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let j = 1; j < cols; j++) if (p[i * cols + j] > p[i * cols + best]) best = j;
    out[i] = best;
  }
  return out;
}

/**
 * out: [rows, cols] → what predict answers: labels (classification), label sets (multi-label:
 * the classes whose probability is above ½), numbers (one regression output) or rows (several).
 */
export function decodeOutputs(pre: Preprocessing, task: TaskKind, out: Float64Array, rows: number, cols: number): Label[] | Label[][] | number[] | number[][] {
  if (pre.multiLabel) return Array.from({ length: rows }, (_, i) => pre.classes!.filter((_c, j) => out[i * cols + j] > 0.5));
  if (task === 'classification') return Array.from(argmaxRows(out, rows, cols), (c) => pre.classes![c]);
  const y = invertScaler(pre.targets!, out, rows, cols);
  if (cols === 1) return Array.from(y);
  return Array.from({ length: rows }, (_, i) => Array.from(y.subarray(i * cols, (i + 1) * cols)));
}

/** out: [rows, cols] → class probabilities, one row per sample in `classes` order (one sigmoid output: [1 − p, p]). */
export function probabilityRows(out: Float64Array, rows: number, cols: number): number[][] {
  const res: number[][] = [];
  for (let i = 0; i < rows; i++) res.push(cols === 1 ? [1 - out[i], out[i]] : Array.from(out.subarray(i * cols, (i + 1) * cols)));
  return res;
}
