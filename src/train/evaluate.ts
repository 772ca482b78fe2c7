// Loss, metrics and outputs of a model on data: the validation pass during fit, evaluate, and
// predict's forward pass over the model's reused input buffer (the chunked pass is nn/inference.ts).

import { isFused } from '../math/losses.ts';
import type { Matrix } from '../tensor/tensor.ts';
import type { EncodedData } from '../data/encode.ts';
import { checkFiniteRows, type Label } from '../data/input.ts';
import { invertScaler } from '../data/preprocess.ts';
import { argmaxRows } from '../data/decode.ts';
import { checkOutputs, chunkRows, forwardInChunks, forwardRows } from '../nn/inference.ts';
import { classificationMetrics, countCorrect, multiLabelMetrics, regressionMetrics, type ClassReport, type ClassificationMetrics, type MultiLabelMetrics, type RegressionMetrics } from './metrics.ts';
import { encodeTarget, requireNet, type ModelState } from './state.ts';

/** What model.evaluate returns: the loss (mean over rows) and the task's metrics; classification also names the classes. */
export type Evaluation =
  | ({ task: 'classification'; multiLabel?: false; loss: number; classes: Label[] } & ClassificationMetrics)
  | ({ task: 'classification'; multiLabel: true; loss: number; classes: Label[]; accuracy: number; perClass: ClassReport[] } & MultiLabelMetrics)
  | ({ task: 'regression'; loss: number } & RegressionMetrics);

/** Network outputs h_L for raw rows X: [N, inputs], in network space (probabilities, or scaled regression values). */
/**
 * With `checkLater` (X from toMatrix's floatCheckLater, named `where` in errors), each chunk's
 * raw rows are checked for NaN and ±Infinity as it is copied in (forwardRows).
 */
export function forwardRaw(s: ModelState, X: Matrix, checkLater?: string): { out: Float64Array; rows: number; cols: number } {
  const net = s.net!;
  const [N, d] = X.shape;
  // the input buffer is the model's, reused across predict calls (released by dispose)
  const need = chunkRows(net, N) * d;
  if (!s.inputBuf || s.inputBuf.length < need) {
    if (s.inputBuf) net.backend.release(s.inputBuf);
    s.inputBuf = net.backend.alloc(need, net.dtype);
  }
  const check = checkLater === undefined ? undefined : (start: number, B: number) => checkFiniteRows(X, checkLater, start, B);
  return { out: forwardRows(net, s.preprocessing!.inputs, X, s.inputBuf, check), rows: N, cols: net.outputs };
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
