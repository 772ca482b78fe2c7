// Loss, metrics and outputs of a model on data: the validation pass during fit, evaluate, and the
// chunked forward pass that predict also runs.

import { DataError } from '../errors.ts';
import { isFused } from '../math/losses.ts';
import type { Network } from '../nn/network.ts';
import type { FloatArray, Matrix } from '../tensor/tensor.ts';
import type { EncodedData } from '../data/encode.ts';
import type { Label } from '../data/input.ts';
import { applyScaler, invertScaler } from '../data/preprocess.ts';
import { argmaxRows, classificationMetrics, countCorrect, multiLabelMetrics, regressionMetrics, type ClassReport, type ClassificationMetrics, type MultiLabelMetrics, type RegressionMetrics } from './metrics.ts';
import { encodeTarget, requireNet, type ModelState } from './state.ts';

/** What model.evaluate returns: the loss (mean over rows) and the task's metrics; classification also names the classes. */
export type Evaluation =
  | ({ task: 'classification'; multiLabel?: false; loss: number; classes: Label[] } & ClassificationMetrics)
  | ({ task: 'classification'; multiLabel: true; loss: number; classes: Label[]; accuracy: number; perClass: ClassReport[] } & MultiLabelMetrics)
  | ({ task: 'regression'; loss: number } & RegressionMetrics);

/** Rows per forward pass outside training: large enough to keep the kernels busy, small enough to bound memory. */
const MAX_CHUNK = 1024;

/**
 * The forward pass over n rows in chunks: rowsAt(start, B) gives the network-space input rows
 * [B, inputs], visit(h, a, start, B) sees the output layer's h_L and a_L of those rows.
 */
/** Rows per chunk of forwardInChunks over n rows: what an input buffer for it must hold. */
export function chunkRows(net: Network, n: number): number {
  return Math.max(1, Math.min(n, Math.max(net.capacity, MAX_CHUNK)));
}

export function forwardInChunks(net: Network, n: number, rowsAt: (start: number, B: number) => FloatArray, visit: (h: FloatArray, a: FloatArray, start: number, B: number) => void): void {
  const chunk = chunkRows(net, n);
  net.ensureCapacity(chunk);
  for (let s = 0; s < n; s += chunk) {
    const B = Math.min(chunk, n - s);
    const h = net.forward(rowsAt(s, B), B);
    visit(h, net.output.a, s, B);
  }
}

/** Network outputs h_L for raw rows X: [N, inputs], in network space (probabilities, or scaled regression values). */
export function forwardRaw(s: ModelState, X: Matrix): { out: Float64Array; rows: number; cols: number } {
  const net = s.net!;
  const [N, d] = X.shape;
  const nOut = net.outputs;
  const out = new Float64Array(N * nOut);
  const chunk = chunkRows(net, N);
  if (!s.inputBuf || s.inputBuf.length < chunk * d) {
    if (s.inputBuf) net.backend.release(s.inputBuf);
    s.inputBuf = net.backend.alloc(chunk * d, net.dtype);
  }
  const buf = s.inputBuf;
  forwardInChunks(net, N, (start, B) => {
    applyScaler(s.preprocessing!.inputs, X.data, B, d, buf, start);
    return buf;
  }, (h, _a, start, B) => out.set(h.subarray(0, B * nOut), start * nOut));
  return { out, rows: N, cols: nOut };
}

/** Loss (mean over rows) and outputs h_L over encoded data. */
export function lossOn(s: ModelState, data: EncodedData): { loss: number; out: Float64Array } {
  const net = requireNet(s, 'evaluate');
  const be = net.backend;
  const loss = s.loss!;
  const fused = isFused(loss);
  const nIn = net.inputs;
  const nOut = net.outputs;
  const out = new Float64Array(data.n * nOut);
  let sum = 0;
  let total = 0;
  forwardInChunks(net, data.n, (start, B) => data.x.subarray(start * nIn, (start + B) * nIn), (h, a, start, B) => {
    const w = data.w ? data.w.subarray(start, start + B) : null;
    sum += be.loss(loss, fused ? a : h, data.y.subarray(start * nOut, (start + B) * nOut), null, B, nOut, 1, w);
    total += w ? net.weightSum(w, B) : B;
    out.set(h.subarray(0, B * nOut), start * nOut);
  });
  // with sample weights, the weighted mean Σ wᵢℓᵢ / Σ wᵢ (as fit minimizes it)
  return { loss: sum / total, out };
}

/** Loss and the task's main metric (accuracy, or R² in the user's units): what fit logs for validation data. */
export function validationMetrics(s: ModelState, data: EncodedData): { loss: number; metric: number } {
  const { loss, out } = lossOn(s, data);
  const cols = s.net!.outputs;
  // multi-label: subset accuracy (every label of the row right)
  if (s.preprocessing!.multiLabel) return { loss, metric: countCorrect(out, data.y, data.n, cols, 0.5, 0, 0, true) / data.n };
  if (s.task === 'classification') {
    const pred = argmaxRows(out, data.n, cols);
    const truth = argmaxRows(data.y, data.n, cols);
    let ok = 0;
    for (let i = 0; i < data.n; i++) if (pred[i] === truth[i]) ok++;
    return { loss, metric: ok / data.n };
  }
  const t = s.preprocessing!.targets!;
  return { loss, metric: regressionMetrics(invertScaler(t, data.y, data.n, cols), invertScaler(t, out, data.n, cols), data.n, cols).r2 };
}

/** Loss and every metric of the task on encoded data. */
export function evaluation(s: ModelState, data: EncodedData): Evaluation {
  const { loss, out } = lossOn(s, data);
  checkOutputs(out, s.net!.outputs, 'evaluate');
  const pre = encodeTarget(s).preprocessing;
  const cols = s.net!.outputs;
  if (pre.multiLabel) {
    const pred = Float64Array.from(out, (p) => (p > 0.5 ? 1 : 0));
    const m = multiLabelMetrics(data.y, pred, data.n, cols);
    return { task: 'classification', multiLabel: true, loss, classes: pre.classes!, accuracy: m.subsetAccuracy, perClass: m.perLabel, ...m };
  }
  if (s.task === 'classification') {
    const pred = argmaxRows(out, data.n, cols);
    const truth = argmaxRows(data.y, data.n, cols);
    const m = classificationMetrics(truth, pred, pre.classes!.length);
    if (data.w) {
      // weighted accuracy (scikit-learn's accuracy_score with sample_weight); the other metrics count rows
      let ok = 0;
      let all = 0;
      for (let i = 0; i < data.n; i++) {
        all += data.w[i];
        if (pred[i] === truth[i]) ok += data.w[i];
      }
      m.accuracy = ok / all;
    }
    return { task: 'classification', loss, classes: pre.classes!, ...m };
  }
  const yt = invertScaler(pre.targets!, data.y, data.n, cols);
  const yp = invertScaler(pre.targets!, out, data.n, cols);
  return { task: 'regression', loss, ...regressionMetrics(yt, yp, data.n, cols) };
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
