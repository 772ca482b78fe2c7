// A model's private state: everything training reads and writes. The MLP facade (model.ts) holds
// one and never shows it; fit (train/fit.ts) and evaluation (train/evaluate.ts) work on it.

import type { Config } from '../config/defaults.ts';
import { MlpError, DataError } from '../errors.ts';
import type { Backend } from '../kernels/backend.ts';
import { getBackend } from '../kernels/select.ts';
import { checkLossActivation, type LossName } from '../math/losses.ts';
import type { ActivationName } from '../math/activations.ts';
import { Network, type LayerSpec } from '../nn/network.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import type { SchedulerState } from '../optim/schedule.ts';
import { Rng } from '../tensor/rng.ts';
import type { FloatArray } from '../tensor/tensor.ts';
import type { CheckedTargets, Label } from '../data/input.ts';
import { fitClasses, fitScaler } from '../data/preprocess.ts';
import { targetMatrix, type EncodeTarget, type Preprocessing } from '../data/encode.ts';
import { defaultLoss, defaultOutput, resolveTask, type TaskKind } from '../data/task.ts';
import { isMultiHot } from '../data/multilabel.ts';

export interface ModelState {
  /** The settings the model was made with, defaults filled in. */
  readonly config: Config;
  /** The model's one generator: initial weights, shuffles, dropout. */
  readonly rng: Rng;
  net: Network | null;
  task: TaskKind | null;
  loss: LossName | null;
  preprocessing: Preprocessing | null;
  /** False until the first fit has fitted the scalers (or a loaded model brought its own). */
  preprocessingFitted: boolean;
  optimizer: Optimizer | null;
  schedulerState: SchedulerState | undefined;
  /** Epochs trained so far, over every fit call. */
  epochsTrained: number;
  /** Inference input buffer in backend memory, reused across predict calls; released by dispose. */
  inputBuf: FloatArray | null;
}

export function newState(config: Config): ModelState {
  return {
    config, rng: new Rng(config.seed), net: null, task: null, loss: null, preprocessing: null,
    preprocessingFitted: false, optimizer: null, schedulerState: undefined, epochsTrained: 0, inputBuf: null,
  };
}

export function requireNet(s: ModelState, where: string): Network {
  if (!s.net) throw new MlpError('E_NOT_FITTED', `${where}: the model has no weights yet; call fit(x, y) first or load a trained model`);
  return s.net;
}

/** The backend this model's config names, for its dtype. */
export function backendOf(s: ModelState): Backend {
  return s.net ? s.net.backend : getBackend(s.config.backend, s.config.dtype);
}

/** Layer specs from the config: the hidden layers, then `outputs` units of `outputActivation`. */
export function layerSpecs(c: Config, outputs: number, outputActivation: ActivationName): LayerSpec[] {
  const acts = Array.isArray(c.activation) ? c.activation : c.hidden.map(() => c.activation as ActivationName);
  const L = c.hidden.length + 1;
  const bias = Array.isArray(c.bias) ? c.bias : new Array<boolean>(L).fill(c.bias);
  const dropout = Array.isArray(c.dropout) ? c.dropout : c.hidden.map(() => c.dropout as number);
  // only what differs from a layer's defaults goes into its spec (bias true, dropout 0)
  const extra = (l: number) => ({ ...(bias[l] === false ? { bias: false } : {}), ...(l < L - 1 && dropout[l] > 0 ? { dropout: dropout[l] } : {}) });
  return [
    ...c.hidden.map((units, l) => ({ units, activation: acts[l], ...(c.alpha !== undefined ? { alpha: c.alpha } : {}), ...extra(l) })),
    { units: outputs, activation: outputActivation, ...extra(L - 1) },
  ];
}

/** Identity preprocessing for a network built by hand: no scaling, classes 0..k−1 (or the given ones). */
function identityPreprocessing(inputs: number, outputs: number, task: TaskKind, classes?: Label[]): Preprocessing {
  return {
    inputs: { method: 'none', shift: new Array(inputs).fill(0), scale: new Array(inputs).fill(1) },
    ...(task === 'regression' ? { targets: { method: 'none', shift: new Array(outputs).fill(0), scale: new Array(outputs).fill(1) } } : {}),
    ...(task === 'classification' ? { classes: classes ?? (outputs === 1 ? [0, 1] : Array.from({ length: outputs }, (_, i) => i)) } : {}),
  };
}

/**
 * Build the network from the config and draw its initial weights from the model's generator.
 * Preprocessing starts as identity (fit replaces it on the first call).
 */
export function buildNetwork(s: ModelState, inputs: number, outputs: number, task: TaskKind, classes?: Label[], multiLabel = false): void {
  // multi-label: one sigmoid per class (binary cross-entropy each), not a softmax over them
  const outAct = s.config.outputActivation ?? (multiLabel ? 'sigmoid' : defaultOutput(task, outputs));
  const loss = s.config.loss ?? defaultLoss(task, outAct);
  checkLossActivation(loss, outAct, 'MLP');
  const net = new Network(backendOf(s), s.config.dtype, inputs, layerSpecs(s.config, outputs, outAct));
  net.initialize(s.rng, { weights: s.config.init, biases: s.config.biasInit });
  disposeState(s);
  s.net = net;
  s.task = task;
  s.loss = loss;
  s.preprocessing = identityPreprocessing(inputs, outputs, task, classes);
  if (multiLabel) s.preprocessing.multiLabel = true;
}

/** First fit: task, classes and output size from the targets, then the network. */
export function setupFromData(s: ModelState, d: number, T: CheckedTargets, labelSetClasses?: Label[]): void {
  const task = resolveTask(s.config.task, T);
  let outputs: number;
  let classes: Label[] | undefined;
  let multiLabel = false;
  if (task === 'classification') {
    if (T.kind === 'labels') {
      classes = fitClasses(T.labels);
      if (classes.length < 2) throw new DataError('E_LABEL', `fit: the target has only one class (${JSON.stringify(classes[0])}); a classifier needs at least two; check the target column`, { field: 'y', expected: 'at least two classes', received: classes.length });
      const wantsSoftmax = s.config.outputActivation === 'softmax' || s.config.loss === 'crossentropy';
      outputs = classes.length === 2 && !wantsSoftmax ? 1 : classes.length;
    } else {
      outputs = T.m.shape[1];
      classes = labelSetClasses ?? (outputs === 1 ? [0, 1] : Array.from({ length: outputs }, (_, i) => i));
      // rows that are not all one-hot (or label sets): several labels per row
      multiLabel = labelSetClasses !== undefined || isMultiHot(T.m);
    }
  } else {
    if (T.kind === 'labels' && T.labels.some((v) => typeof v !== 'number')) {
      const i = T.labels.findIndex((v) => typeof v !== 'number');
      throw new DataError('E_LABEL', `fit: regression needs numeric targets, received target ${i} = ${JSON.stringify(T.labels[i])}; use task: "classification" for labels`, { field: 'y', row: i, expected: 'a number', received: T.labels[i] });
    }
    outputs = T.kind === 'labels' ? 1 : T.m.shape[1];
  }
  buildNetwork(s, d, outputs, task, classes, multiLabel);
}

/** Fit the input (and, for regression, target) scalers on the training rows idx. */
export function fitPreprocessing(s: ModelState, x: ArrayLike<number>, d: number, idx: Uint32Array, T: CheckedTargets): void {
  const pre = s.preprocessing!;
  pre.inputs = fitScaler(s.config.scaleInputs, x, idx.length, d, idx, 'fit: input column');
  if (s.task === 'regression') {
    const y = targetMatrix(T);
    pre.targets = fitScaler(s.config.scaleTargets, y.data, idx.length, y.cols, idx, 'fit: target column');
  }
  s.preprocessingFitted = true;
}

/** Where this model's encoded data goes (its backend, dtype, outputs, task, preprocessing). */
export function encodeTarget(s: ModelState): EncodeTarget {
  const net = s.net!;
  return { backend: net.backend, dtype: net.dtype, outputs: net.outputs, task: s.task!, preprocessing: s.preprocessing! };
}

/** Give the network's, the optimizer's and the inference buffers back to the backend. */
export function disposeState(s: ModelState): void {
  if (s.net) {
    s.optimizer?.dispose();
    if (s.inputBuf) s.net.backend.release(s.inputBuf);
    s.net.dispose();
  }
  s.net = null;
  s.optimizer = null;
  s.inputBuf = null;
}
