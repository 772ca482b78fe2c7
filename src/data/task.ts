// Task inference and the output/loss that follow from a task: the one place these rules live
// (the library, the CLI and the playground all ask here).

import type { ActivationName } from '../math/activations.ts';
import type { LossName } from '../math/losses.ts';
import type { CheckedTargets, Label } from './input.ts';

/** The task a fitted model has: classification or regression (never "auto"). */
export type TaskKind = 'classification' | 'regression';

/** Integer targets with at most this many distinct values are classes under task "auto". */
export const MAX_AUTO_CLASSES = 20;

/**
 * "auto": labels that are strings or booleans, or integers with at most MAX_AUTO_CLASSES distinct
 * values, are classes; other numbers are a regression target.
 */
export function inferTask(labels: readonly Label[]): TaskKind {
  if (labels.some((v) => typeof v !== 'number')) return 'classification';
  const ints = (labels as number[]).every((v) => Number.isInteger(v));
  return ints && new Set(labels).size <= MAX_AUTO_CLASSES ? 'classification' : 'regression';
}

/** The task for checked targets: as configured, or inferred ("auto"); rows of 0/1 (one-hot or multi-hot) mean classes. */
export function resolveTask(task: 'auto' | TaskKind, T: CheckedTargets): TaskKind {
  if (task !== 'auto') return task;
  if (T.kind === 'labels') return inferTask(T.labels);
  // rows of 0/1 indicators: one-hot (one class per row) or multi-hot (multi-label) mean classes
  const [n, c] = T.m.shape;
  if (c < 2) return 'regression';
  for (let k = 0; k < n * c; k++) {
    const v = T.m.data[k];
    if (v !== 0 && v !== 1) return 'regression';
  }
  return 'classification';
}

/** The output activation a task implies: identity for regression, sigmoid for one output, softmax for several. */
export function defaultOutput(task: TaskKind, outputs: number): ActivationName {
  if (task === 'regression') return 'identity';
  return outputs === 1 ? 'sigmoid' : 'softmax';
}

/** The loss that goes with a task and output activation. */
export function defaultLoss(task: TaskKind, outAct: ActivationName): LossName {
  if (task === 'regression') return 'mse';
  return outAct === 'softmax' ? 'crossentropy' : outAct === 'sigmoid' ? 'bce' : 'mse';
}
