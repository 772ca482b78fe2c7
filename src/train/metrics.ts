// Metrics: pure functions of predictions and truths.
// Classification: accuracy, confusion matrix (rows = true class, columns = predicted),
// per-class precision / recall / F1 and their macro averages. Regression: MSE, MAE, R².

/** One class's row of a classification report: precision, recall, F1 (0/0 counts as 0) and support (its number of true samples). */
export interface ClassReport {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Metrics of predicted class indices against true ones: accuracy, the confusion matrix [nClasses][nClasses], per-class precision/recall/F1 and their unweighted (macro) means. */
export interface ClassificationMetrics {
  accuracy: number;
  /** confusion[t][p]: samples of true class t predicted as p */
  confusion: number[][];
  perClass: ClassReport[];
  macro: { precision: number; recall: number; f1: number };
}

/** Metrics of regression outputs in the user's units: mean squared error, mean absolute error (averaged over every output of every row) and R². */
export interface RegressionMetrics {
  mse: number;
  mae: number;
  /** 1 − SS_res / SS_tot, over all outputs together; with several outputs, the mean of per-output R². */
  r2: number;
}

/** Fraction of positions where truth[i] === pred[i], in [0, 1]; 0 for empty input. truth and pred have the same length. */
export function accuracy(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === pred[i]) ok++;
  return truth.length ? ok / truth.length : 0;
}

/**
 * Confusion matrix, per-class and macro precision/recall/F1, and accuracy of class indices in [0, nClasses).
 * @param truth - true class index per sample
 * @param pred - predicted class index per sample, same length as truth
 * @param nClasses - number of classes
 */
export function classificationMetrics(truth: ArrayLike<number>, pred: ArrayLike<number>, nClasses: number): ClassificationMetrics {
  const confusion = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < truth.length; i++) confusion[truth[i]][pred[i]]++;
  const perClass = confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[c], 0);
    // NOTE: 0/0 is reported as 0, as scikit-learn does (zero_division=0)
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
  const mean = (k: 'precision' | 'recall' | 'f1') => perClass.reduce((a, r) => a + r[k], 0) / Math.max(1, nClasses);
  return { accuracy: accuracy(truth, pred), confusion, perClass, macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') } };
}

/** truth, pred: [rows, cols] row-major. */
export function regressionMetrics(truth: ArrayLike<number>, pred: ArrayLike<number>, rows: number, cols: number): RegressionMetrics {
  let se = 0;
  let ae = 0;
  let r2sum = 0;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += truth[i * cols + j];
    mean /= rows;
    let ssRes = 0;
    let ssTot = 0;
    for (let i = 0; i < rows; i++) {
      const d = pred[i * cols + j] - truth[i * cols + j];
      ssRes += d * d;
      ae += Math.abs(d);
      ssTot += (truth[i * cols + j] - mean) ** 2;
    }
    se += ssRes;
    // NOTE: a constant target has SS_tot = 0; R² is then 1 for a perfect fit and 0 otherwise (scikit-learn)
    r2sum += ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  }
  const n = rows * cols;
  return { mse: se / n, mae: ae / n, r2: r2sum / cols };
}

/**
 * Correct predictions in a batch of network outputs out: [B, cols] against targets y: [B, cols]
 * (one-hot rows, or 0/1 for a single sigmoid output thresholded at `threshold`: 0 on logits, 0.5 on σ;
 * multiLabel: rows of 0/1, each output thresholded, a row right when all its labels are).
 */
export function countCorrect(out: ArrayLike<number>, y: ArrayLike<number>, B: number, cols: number, threshold: number, outOff = 0, yOff = 0, multiLabel = false): number {
  let ok = 0;
  for (let i = 0; i < B; i++) {
    if (multiLabel) {
      // a row is right when every label is (subset accuracy)
      let all = true;
      for (let j = 0; j < cols && all; j++) all = out[outOff + i * cols + j] > threshold === y[yOff + i * cols + j] > 0.5;
      if (all) ok++;
      continue;
    }
    if (cols === 1) {
      if (out[outOff + i] > threshold === y[yOff + i] > 0.5) ok++;
      continue;
    }
    const o = outOff + i * cols;
    const t = yOff + i * cols;
    let po = 0;
    let yo = 0;
    for (let j = 1; j < cols; j++) {
      if (out[o + j] > out[o + po]) po = j;
      if (y[t + j] > y[t + yo]) yo = j;
    }
    if (po === yo) ok++;
  }
  return ok;
}

/** Metrics of a multi-label classification: rows of 0/1 labels compared label by label. */
export interface MultiLabelMetrics {
  /** Fraction of rows whose whole label set is right (scikit-learn's accuracy_score on label sets). */
  subsetAccuracy: number;
  /** Fraction of (row, label) decisions that are wrong. */
  hammingLoss: number;
  /** Per label: precision, recall, F1 and support (rows that have it). */
  perLabel: ClassReport[];
  /** Averages of the per-label scores. */
  macro: { precision: number; recall: number; f1: number };
  /** From the true/false positives and negatives pooled over all labels. */
  micro: { precision: number; recall: number; f1: number };
}

/** truth, pred: [rows, labels] of 0/1, row-major. 0/0 counts as 0 (zero_division=0). */
export function multiLabelMetrics(truth: ArrayLike<number>, pred: ArrayLike<number>, rows: number, labels: number): MultiLabelMetrics {
  const tp = new Array<number>(labels).fill(0);
  const fp = new Array<number>(labels).fill(0);
  const fn = new Array<number>(labels).fill(0);
  let wrong = 0;
  let exact = 0;
  for (let i = 0; i < rows; i++) {
    let rowOk = true;
    for (let j = 0; j < labels; j++) {
      const t = truth[i * labels + j] > 0.5;
      const p = pred[i * labels + j] > 0.5;
      if (t && p) tp[j]++;
      else if (p) fp[j]++;
      else if (t) fn[j]++;
      if (t !== p) {
        wrong++;
        rowOk = false;
      }
    }
    if (rowOk) exact++;
  }
  const prf = (tpv: number, fpv: number, fnv: number) => {
    const precision = tpv + fpv ? tpv / (tpv + fpv) : 0;
    const recall = tpv + fnv ? tpv / (tpv + fnv) : 0;
    return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
  };
  const perLabel = tp.map((_, j) => ({ ...prf(tp[j], fp[j], fn[j]), support: tp[j] + fn[j] }));
  const mean = (k: 'precision' | 'recall' | 'f1') => perLabel.reduce((a, r) => a + r[k], 0) / Math.max(1, labels);
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  return {
    subsetAccuracy: rows ? exact / rows : 0,
    hammingLoss: rows ? wrong / (rows * labels) : 0,
    perLabel,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    micro: prf(sum(tp), sum(fp), sum(fn)),
  };
}
