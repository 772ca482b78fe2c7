// The model's and fit's settings in one typed defaults object. The library, the CLI and the web
// page only override it; the loader and the CLI do not restate these defaults. Two kinds of
// default live elsewhere, beside the code they belong to: each optimizer's hyperparameters
// (momentum, betas, eps, … in optim/optimizer.ts, as torch.optim keeps them) and gradCheck's
// step and tolerances (inspect/inspect.ts). The playground's own starting settings (web/src/settings.ts)
// are a page's choice (a small network that trains visibly fast), not library defaults.

import type { ActivationName } from '../math/activations.ts';
import type { InitName } from '../nn/init.ts';
import type { LossName } from '../math/losses.ts';
import type { OptimizerName, OptimizerOptions } from '../optim/optimizer.ts';
import type { Schedule } from '../optim/schedule.ts';
import type { ScaleMethod } from '../data/preprocess.ts';
import type { DType } from '../tensor/tensor.ts';
import type { ClassWeight } from '../data/weights.ts';

/** What the model predicts: classes, numbers, or "auto" (inferred from the targets at the first fit, see inferTask). */
export type Task = 'auto' | 'classification' | 'regression';

/** Stop training when the monitored loss (validation loss if there is validation data, else training loss) has not improved by minDelta for patience epochs; the best weights are restored. */
export interface EarlyStopping {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest decrease of the monitored loss that counts as improvement. */
  minDelta: number;
}

/** What a network is: fixed when the model is built, saved in the model file. */
export interface ModelConfig {
  /** "auto": labels that are strings/booleans, or integers with ≤ 20 distinct values, mean classification. */
  task: Task;
  /** Units of each hidden layer. */
  hidden: number[];
  /** Activation of every hidden layer (or one per layer). */
  activation: ActivationName | ActivationName[];
  /** leakyRelu slope / elu α; undefined = 0.01 / 1. */
  alpha?: number;
  /** Output activation; undefined = from the task (identity, sigmoid or softmax). */
  outputActivation?: ActivationName;
  /** Loss; undefined = from the task (mse, bce or crossentropy). */
  loss?: LossName;
  /** Weight initializer, one for every layer or one per layer (hidden layers, then the output); undefined = glorotUniform (U(±√(6/(fanIn+fanOut))), as scikit-learn). */
  init?: InitName | InitName[];
  /** Bias initializer, likewise; undefined = glorotUniform (random biases, as scikit-learn). */
  biasInit?: InitName | InitName[];
  /** Whether layers have a bias: one for every layer, or one per layer (hidden layers, then the output). */
  bias: boolean | boolean[];
  /** Inverted dropout rate on the hidden layers' outputs while training: one for all, or one per hidden layer; 0 = off. */
  dropout: number | number[];
  dtype: DType;
  /** "auto" (fastest here), "js", "reference", or a registered backend's name. */
  backend: string;
  /** Random seed of the model's one generator (initial weights, shuffles, splits, dropout). */
  seed: number;
  /** Feature scaling fitted on the training data. */
  scaleInputs: ScaleMethod;
  /** Regression target scaling fitted on the training data. */
  scaleTargets: ScaleMethod;
}

/** How to train: may change from one fit call to the next. */
export interface FitConfig {
  /**
   * Exactly this many epochs. undefined: train until the plateau rule says the monitored loss
   * (validation loss when there is validation data) stopped improving, at most maxEpochs.
   */
  epochs?: number;
  /** The plateau rule's cap on epochs (when epochs is not given). */
  maxEpochs: number;
  /** The plateau rule: an epoch improves when the monitored loss drops below the best so far minus tol. */
  tol: number;
  /** The plateau rule: stop after this many epochs without improvement (scikit-learn's n_iter_no_change). */
  nIterNoChange: number;
  /** Per-class weights of the loss: "balanced" (n / (k · n_c), as scikit-learn) or { label: weight }. */
  classWeight?: ClassWeight;
  /** 1 = per-sample SGD as in the lecture; ≥ N = full batch. */
  batchSize: number;
  optimizer: OptimizerName;
  /** η; undefined = the optimizer's PyTorch default (sgd/momentum/nesterov/rmsprop/adagrad 0.01, adam/adamw 0.001). */
  learningRate?: number;
  optimizerOptions: OptimizerOptions;
  /** L2 weight decay on W (shortcut for optimizerOptions.weightDecay). */
  weightDecay?: number;
  /** Clip gradients to this global L2 norm; 0 = off. */
  clipNorm: number;
  schedule: Schedule;
  shuffle: boolean;
  /** Fraction of the (shuffled) data held out for validation. */
  validationSplit: number;
  earlyStopping: EarlyStopping | false;
}

/** Every option of a model: what it is (ModelConfig) and how it trains (FitConfig). `new MLP(config)` takes a Partial<Config>; missing keys come from {@link defaults}. */
export type Config = ModelConfig & FitConfig;

/** The default of every option: the one typed object that the CLI and the web playground only override. */
export const defaults: Config = {
  task: 'auto',
  hidden: [64],
  activation: 'relu',
  dtype: 'float32',
  backend: 'auto',
  seed: 42,
  scaleInputs: 'standard',
  scaleTargets: 'standard',
  bias: true,
  dropout: 0,
  maxEpochs: 1000,
  tol: 1e-4,
  nIterNoChange: 10,
  batchSize: 32,
  optimizer: 'adam',
  optimizerOptions: {},
  clipNorm: 0,
  schedule: { type: 'constant' },
  shuffle: true,
  validationSplit: 0,
  earlyStopping: false,
};

/** PyTorch's default learning rates. */
export function defaultLearningRate(optimizer: OptimizerName): number {
  return optimizer === 'adam' || optimizer === 'adamw' ? 0.001 : 0.01;
}
