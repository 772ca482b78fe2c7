// MLP: the user-facing model, a thin facade. Its state (network, preprocessing fitted on the
// training data, the seeded generator, the optimizer state) is private; fit, evaluation and
// the snapshot/restore pair that io/ uses are small functions over it (train/, data/).
// `predict` takes raw inputs and answers in the user's labels or units, and a restored model
// resumes training exactly where it stopped.

import type { Config } from './config/defaults.ts';
import { optimizerOptionsOf, resolveConfig } from './config/resolve.ts';
import { ConfigError, MlpError, ShapeError, describe } from './errors.ts';
import { getBackend } from './kernels/select.ts';
import { checkLossActivation, isFused, type LossName } from './math/losses.ts';
import type { ActivationName } from './math/activations.ts';
import { Network, type LayerSpec } from './nn/network.ts';
import { Optimizer, type OptimizerName } from './optim/optimizer.ts';
import type { SchedulerState } from './optim/schedule.ts';
import type { DType, FloatArray } from './tensor/tensor.ts';
import { checkTargets, featureNamesOf, splitTarget, toMatrix, type Features, type Label, type Targets } from './data/input.ts';
import { isLabelSets, labelSetsToMatrix } from './data/multilabel.ts';
import { rowWeights } from './data/weights.ts';
import { applyScaler } from './data/preprocess.ts';
import { decodeOutputs, probabilityRows } from './data/decode.ts';
import { attachWeights, encodeRows, releaseEncoded, type EncodedData, type Preprocessing } from './data/encode.ts';
import { identity } from './data/split.ts';
import type { TaskKind } from './data/task.ts';
import type { History } from './train/loop.ts';
import { evaluation, forwardRaw, type Evaluation } from './train/evaluate.ts';
import { checkOutputs, chunkRows, forwardInChunks } from './nn/inference.ts';
import { now, startFit, Trainer, type FitOptions } from './train/fit.ts';
import { backendOf, buildNetwork, disposeState, encodeTarget, newState, requireNet, type ModelState } from './train/state.ts';

/** One layer as the model shows it: W is [units, inputs]. */
export interface LayerInfo {
  inputs: number;
  units: number;
  activation: ActivationName;
  /** leakyRelu slope or elu α in force */
  alpha: number;
  /** false: a = W x, no bias */
  bias: boolean;
  /** inverted-dropout rate on the layer's output while training (0 = none) */
  dropout: number;
}

/**
 * Everything a model is, as plain data: what `toJSON` writes and `MLP.restore` reads back. The
 * arrays are copies; changing them does not change the model.
 */
export interface ModelSnapshot {
  /** The settings the model was made with, defaults filled in. */
  config: Config;
  task: TaskKind;
  loss: LossName;
  dtype: DType;
  inputs: number;
  /** units, activation, alpha, and (where set) bias: false and dropout of every layer, the output layer last */
  layers: LayerSpec[];
  /** [W_1 … W_L | b_1 … b_L], W_l row-major [units, inputs], in the model's dtype */
  params: FloatArray;
  preprocessing: Preprocessing;
  epochsTrained: number;
  featureNames: string[] | null;
  targetName: string | null;
  metadata: Record<string, unknown>;
  /** The state that lets training resume exactly (absent: training starts afresh from these weights). */
  training?: {
    rng: [number, number, number, number];
    optimizer?: { name: OptimizerName; t: number; buffers: Record<string, FloatArray> };
    scheduler?: SchedulerState;
  };
}

/**
 * A multilayer perceptron: layers l = 1..L computing a_l = W_l h_{l−1} + b_l, h_l = f_l(a_l) with
 * h_0 = x and W_l of shape [nOut, nIn], for classification or regression. Construct it from a
 * Partial<{@link Config}> (missing options come from {@link defaults}), then `fit`, `predict`,
 * `evaluate`, and save with {@link toJSON} / load with {@link fromJSON}.
 *
 * @throws {@link MlpError} (a ConfigError, code E_CONFIG) from the constructor for an unknown
 * option or a bad value, naming the option.
 *
 * @example
 * ```ts
 * import { MLP, datasets } from 'mlpkit';
 * const { x, y } = datasets.xor({ n: 200, seed: 1 });
 * const model = new MLP({ hidden: [8], activation: 'tanh', epochs: 200, learningRate: 0.05, seed: 1 });
 * const history = model.fit(x, y);
 * console.log(history.stopReason, model.score(x, y)); // accuracy in [0, 1]
 * ```
 */
export class MLP {
  readonly #s: ModelState;
  /** The training call under way, if any: a second one is refused (E_BUSY) while it runs. */
  #training: string | null = null;
  #featureNames: string[] | null = null;
  #targetName: string | null = null;
  #metadata: Record<string, unknown> = {};

  constructor(config: Partial<Config> = {}) {
    const c = resolveConfig(config);
    getBackend(c.backend, c.dtype); // unknown backend → ConfigError now, not at fit
    this.#s = newState(deepFreeze(c));
  }

  /** The settings this model was made with, defaults filled in (read-only). */
  get config(): Readonly<Config> {
    return this.#s.config;
  }

  /** True once the model has a network (after fit, restore/fromJSON, or build). */
  get fitted(): boolean {
    return this.#s.net !== null;
  }

  /** Which backend runs this model's kernels. */
  get backendName(): string {
    return backendOf(this.#s).name;
  }

  /** "classification" or "regression" once fitted, else null. */
  get task(): TaskKind | null {
    return this.#s.task;
  }

  /** The loss being minimized, once fitted, else null. */
  get loss(): LossName | null {
    return this.#s.loss;
  }

  /** Epochs trained so far, over every fit call. */
  get epochsTrained(): number {
    return this.#s.epochsTrained;
  }

  /** The layers, input to output (empty before fit). */
  get layers(): LayerInfo[] {
    return this.#s.net ? this.#s.net.layers.map((l) => ({ inputs: l.nIn, units: l.nOut, activation: l.activation, alpha: l.alpha, bias: l.bias, dropout: l.dropout })) : [];
  }

  /** Number of inputs the network takes (null before fit). */
  get inputs(): number | null {
    return this.#s.net ? this.#s.net.inputs : null;
  }

  /** Classification: the class labels in output order (null for regression or before fit). */
  get classes(): Label[] | null {
    return this.#s.preprocessing?.classes?.slice() ?? null;
  }

  /** A copy of the preprocessing fitted on the training data (null before fit). */
  get preprocessing(): Preprocessing | null {
    return this.#s.preprocessing ? structuredClone(this.#s.preprocessing) : null;
  }

  /** Names of the input columns, in order (saved with the model; tools use them to find CSV columns). */
  get featureNames(): string[] | null {
    return this.#featureNames ? this.#featureNames.slice() : null;
  }

  set featureNames(names: string[] | null) {
    if (names !== null) {
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new ConfigError('E_CONFIG', `featureNames: expected an array of strings or null, received ${describe(names)}`, { field: 'featureNames', expected: 'string[] | null', received: names });
      if (new Set(names).size !== names.length) throw new ConfigError('E_CONFIG', 'featureNames: expected distinct names, received duplicates', { field: 'featureNames', expected: 'distinct names', received: names });
      if (this.#s.net && names.length !== this.#s.net.inputs) throw new ShapeError('E_SHAPE', `featureNames: expected ${this.#s.net.inputs} names (one per input), received ${names.length}`, { field: 'featureNames', expected: this.#s.net.inputs, received: names.length });
    }
    this.#featureNames = names ? names.slice() : null;
  }

  /** Name of the target column. */
  get targetName(): string | null {
    return this.#targetName;
  }

  set targetName(name: string | null) {
    if (name !== null && typeof name !== 'string') throw new ConfigError('E_CONFIG', `targetName: expected a string or null, received ${describe(name)}`, { field: 'targetName', expected: 'string | null', received: name });
    this.#targetName = name;
  }

  /** Free-form JSON data saved with the model (the CLI keeps its column schema here). */
  get metadata(): Record<string, unknown> {
    return this.#metadata;
  }

  set metadata(m: Record<string, unknown>) {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new ConfigError('E_CONFIG', `metadata: expected a plain object, received ${describe(m)}`, { field: 'metadata', expected: 'an object', received: m });
    this.#metadata = m;
  }

  /**
   * Build the network by hand (fit does this from the data). For learners and for the playground:
   * no preprocessing is fitted (identity scalers), targets are used as given.
   */
  build(inputs: number, outputs: number, task: TaskKind = 'regression', classes?: Label[]): this {
    buildNetwork(this.#s, inputs, outputs, task, classes);
    return this;
  }

  // ---- training -----------------------------------------------------------------------------

  /**
   * Train on x: [n][nIn] (or a Table) and y: n labels, numbers or rows (or a column name of the
   * table). Returns the history. Continues from the current weights when already fitted.
   *
   * @throws {@link MlpError}: ShapeError for ragged rows or x, y of different lengths, DataError
   * for NaN/Infinity or empty data, ConfigError for an unknown or bad option, DivergenceError when
   * the loss becomes non-finite (the model keeps its last finite weights).
   *
   * @example
   * ```ts
   * import { MLP, datasets } from 'mlpkit';
   * const { x, y } = datasets.iris();
   * const model = new MLP({ hidden: [16], seed: 0 });
   * const history = model.fit(x, y, { epochs: 50, validationSplit: 0.2 });
   * console.log(history.epochs.length, history.stopReason);
   * ```
   */
  fit(x: Features, y: Targets | string, options: FitOptions = {}): History {
    this.#claim('fit');
    try {
      const a = this.#fitArgs(x, y, options);
      const run = startFit(this.#s, a.x, a.y, a.options, 'sync');
      for (;;) {
        const r = run.it.next();
        if (r.done) return run.finish(r.value);
        run.dispatch(r.value);
      }
    } finally {
      this.#training = null;
    }
  }

  /**
   * NOTE: two trainings of one model would interleave their batches (fitAsync yields to the event
   * loop), mixing histories and epoch counts; the second is refused while the first runs.
   */
  #claim(where: string): void {
    if (this.#training) {
      throw new ConfigError('E_BUSY', `${where}: this model is already training (${this.#training} has not finished); await it, or stop it with its AbortSignal, before training again`, { expected: 'no training under way', received: this.#training });
    }
    this.#training = where;
  }

  /**
   * fit that yields to the event loop between batches (every ~15 ms of work), so a page stays
   * responsive, and stops after the current batch when options.signal is aborted.
   */
  async fitAsync(x: Features, y: Targets | string, options: FitOptions = {}): Promise<History> {
    this.#claim('fitAsync');
    try {
      const a = this.#fitArgs(x, y, options);
      const run = startFit(this.#s, a.x, a.y, a.options, 'async');
      let last = now();
      for (;;) {
        if (options.signal?.aborted && !run.flag.stop) run.flag.stop = 'aborted';
        const r = run.it.next();
        if (r.done) return run.finish(r.value);
        run.dispatch(r.value);
        if (now() - last > 15) {
          await new Promise<void>((resolve) => setTimeout(resolve, 0));
          last = now();
        }
      }
    } finally {
      this.#training = null;
    }
  }

  /** Step-wise training: call step() for one batch at a time (the playground's step button). */
  trainer(x: Features, y: Targets | string, options: FitOptions = {}): Trainer {
    if (this.#training) this.#claim('trainer'); // throws: a step-wise run would interleave with it
    const a = this.#fitArgs(x, y, options);
    return new Trainer(startFit(this.#s, a.x, a.y, a.options, 'step'));
  }

  /**
   * One plain gradient-descent step on the given samples, θ ← θ − η ∇θ L, by backprop on the
   * model's own backend (the optimizer and its state are not involved). Returns L before the step.
   * For teaching: the playground applies one sample's update with it.
   */
  gradientStep(x: Features, y: Targets, learningRate: number): number {
    if (!(Number.isFinite(learningRate) && learningRate > 0)) throw new ConfigError('E_CONFIG', `gradientStep: expected learningRate > 0, received ${learningRate}`, { field: 'learningRate', expected: '> 0', received: learningRate });
    const net = requireNet(this.#s, 'gradientStep');
    const data = this.#encode(x, y, 'gradientStep');
    try {
      const loss = this.#s.loss!;
      net.ensureCapacity(data.n);
      net.zeroGrad();
      net.forward(data.x, data.n, isFused(loss));
      const L = net.lossAndDelta(loss, data.y, data.n);
      net.backward(data.n);
      net.backend.sgdStep(net.params, net.grads, null, net.size, learningRate, 0, 0, false, 0, true);
      return L;
    } finally {
      releaseEncoded(net.backend, data);
    }
  }

  // ---- inference ----------------------------------------------------------------------------

  /**
   * Class probabilities, one row per sample, one column per class (in `classes` order).
   *
   * @example
   * ```ts
   * import { MLP, iris } from 'mlpkit';
   * const { x, y } = iris();
   * const model = new MLP({ hidden: [8], epochs: 50, seed: 0 });
   * model.fit(x, y);
   * const [p] = model.predictProba([[6.3, 3.3, 6.0, 2.5]]);
   * console.log(model.classes, p); // [0, 1, 2] [0.096, 0.058, 0.847]: virginica
   * ```
   */
  predictProba(x: Features): number[][] {
    if (this.#s.task !== 'classification') {
      requireNet(this.#s, 'predictProba');
      throw new ConfigError('E_CONFIG', 'predictProba: this model does regression; use predict');
    }
    const { out, rows, cols } = this.#forward(x, 'predictProba');
    return probabilityRows(out, rows, cols);
  }

  /**
   * Labels (classification), label sets (multi-label: the classes whose probability is above ½),
   * numbers (single-output regression) or rows (multi-output), in the user's labels and units.
   *
   * @throws {@link MlpError} (E_NOT_FITTED) before fit; a ShapeError when the rows do not have
   * the width the model was trained on.
   *
   * @example
   * ```ts
   * import { MLP, datasets } from 'mlpkit';
   * const { x, y } = datasets.iris();
   * const model = new MLP({ hidden: [16], epochs: 50, seed: 0 });
   * model.fit(x, y);
   * model.predict([[5.1, 3.5, 1.4, 0.2]]); // [0]: setosa
   * ```
   */
  predict(x: Features): Label[] | Label[][] | number[] | number[][] {
    const { out, rows, cols } = this.#forward(x, 'predict');
    return decodeOutputs(this.#s.preprocessing!, this.#s.task!, out, rows, cols) as Label[] | Label[][] | number[] | number[][];
  }

  /**
   * Loss and the task's metrics on labelled data (raw inputs and targets).
   *
   * @example
   * ```ts
   * import { MLP, iris, trainTestSplit } from 'mlpkit';
   * const { x, y } = iris();
   * const { train, test } = trainTestSplit(x, y, { testSize: 0.3, seed: 0, stratify: true });
   * const model = new MLP({ hidden: [8], epochs: 200, seed: 0 });
   * model.fit(train.x, train.y);
   * const e = model.evaluate(test.x, test.y);
   * if (e.task === 'classification' && !e.multiLabel) console.log(e.loss, e.accuracy, e.confusion, e.macro.f1); // accuracy ≈ 0.96
   * ```
   */
  evaluate(x: Features, y: Targets, options: { sampleWeight?: ArrayLike<number> } = {}): Evaluation {
    if (options === null || typeof options !== 'object') throw new ConfigError('E_CONFIG', `evaluate: expected an options object, received ${describe(options)}`, { field: 'options', expected: 'an object', received: options });
    for (const k of Object.keys(options)) if (k !== 'sampleWeight') throw new ConfigError('E_CONFIG', `evaluate: unknown option "${k}"; the one option is sampleWeight`, { field: k, expected: 'sampleWeight', received: k });
    const data = this.#encode(x, y, 'evaluate', options.sampleWeight);
    try {
      return evaluation(this.#s, data);
    } finally {
      releaseEncoded(this.#s.net!.backend, data);
    }
  }

  /**
   * The task's main metric, as scikit-learn's score: accuracy (classification) or R² (regression).
   *
   * @example
   * ```ts
   * import { MLP } from 'mlpkit';
   * const x = Array.from({ length: 40 }, (_, i) => [i / 10]);
   * const y = x.map(([v]) => Math.sin(v));
   * const model = new MLP({ hidden: [16], activation: 'tanh', epochs: 200, learningRate: 0.01, seed: 0 });
   * model.fit(x, y);
   * console.log(model.score(x, y)); // 0.99: R² here (regression); accuracy for a classifier
   * ```
   */
  score(x: Features, y: Targets, options: { sampleWeight?: ArrayLike<number> } = {}): number {
    const e = this.evaluate(x, y, options);
    return e.task === 'classification' ? e.accuracy : e.r2;
  }

  /**
   * Every layer's pre-activation a and output h for raw rows (scaled as predict scales them):
   * one entry per layer, each a: [rows, units] and h: [rows, units] row-major. What the playground
   * draws as neuron heat maps.
   */
  activations(x: Features): { units: number; a: Float64Array; h: Float64Array }[] {
    const net = requireNet(this.#s, 'activations');
    const X = this.#matrix(x, 'activations');
    const [N, d] = X.shape;
    const res = net.layers.map((l) => ({ units: l.nOut, a: new Float64Array(N * l.nOut), h: new Float64Array(N * l.nOut) }));
    // NOTE: sized by the same rule forwardInChunks cuts by (a network trained at batch > 1024 has larger chunks)
    const buf = net.backend.alloc(chunkRows(net, N) * d, net.dtype);
    try {
      forwardInChunks(net, N, (start, B) => {
        applyScaler(this.#s.preprocessing!.inputs, X.data, B, d, buf, start);
        return buf;
      }, (_h, _a, start, B) => {
        net.layers.forEach((l, i) => {
          res[i].a.set(l.a.subarray(0, B * l.nOut), start * l.nOut);
          res[i].h.set(l.h.subarray(0, B * l.nOut), start * l.nOut);
        });
      });
    } finally {
      net.backend.release(buf);
    }
    return res;
  }

  // ---- the parameters, seen from outside ----------------------------------------------------------

  /** A copy of all parameters, [W_1 … W_L | b_1 … b_L] with W_l row-major [units, inputs]. */
  parameters(): FloatArray {
    return requireNet(this.#s, 'parameters').copyParams();
  }

  /** Overwrite all parameters from a flat [W_1 … W_L | b_1 … b_L] array (as `parameters()` gives). */
  setParameters(values: ArrayLike<number>): void {
    const net = requireNet(this.#s, 'setParameters');
    for (let k = 0; k < values.length; k++) {
      if (!Number.isFinite(values[k])) throw new ConfigError('E_CONFIG', `setParameters: value ${k} is ${values[k]}; expected finite numbers`, { field: 'values', row: k, expected: 'a finite number', received: values[k] });
    }
    net.setParams(values);
  }

  /** Set one weight W_layer[i, j] (0-based layer, unit i, input j). */
  setWeight(layer: number, i: number, j: number, value: number): void {
    const l = this.#layer(layer, 'setWeight');
    this.#index(i, l.nOut, 'setWeight', 'i');
    this.#index(j, l.nIn, 'setWeight', 'j');
    this.#finite(value, 'setWeight');
    l.W[i * l.nIn + j] = value;
  }

  /** Set one bias b_layer[i] (0-based layer and unit). */
  setBias(layer: number, i: number, value: number): void {
    const l = this.#layer(layer, 'setBias');
    if (!l.bias) throw new ConfigError('E_CONFIG', `setBias: layer ${layer} has no bias (bias: false)`, { field: 'layer', expected: 'a layer with a bias', received: layer });
    this.#index(i, l.nOut, 'setBias', 'i');
    this.#finite(value, 'setBias');
    l.b[i] = value;
  }

  // ---- snapshot, restore, dispose ---------------------------------------------------------------

  /** The model as plain data (copies). `training: false` leaves out the state for resuming training. */
  snapshot(options: { training?: boolean } = {}): ModelSnapshot {
    const s = this.#s;
    const net = requireNet(s, 'snapshot');
    const snap: ModelSnapshot = {
      config: structuredClone(s.config) as Config,
      task: s.task!,
      loss: s.loss!,
      dtype: net.dtype,
      inputs: net.inputs,
      layers: net.layers.map((l) => ({ units: l.nOut, activation: l.activation, alpha: l.alpha, ...(l.bias ? {} : { bias: false }), ...(l.dropout > 0 ? { dropout: l.dropout } : {}) })),
      params: net.copyParams(),
      preprocessing: structuredClone(s.preprocessing!),
      epochsTrained: s.epochsTrained,
      featureNames: this.featureNames,
      targetName: this.#targetName,
      metadata: structuredClone(this.#metadata),
    };
    if (options.training !== false) {
      const opt = s.optimizer;
      snap.training = {
        rng: s.rng.getState(),
        ...(opt ? { optimizer: { name: opt.name, t: opt.t, buffers: Object.fromEntries(Object.entries(opt.buffers).map(([k, v]) => [k, v.slice()])) } } : {}),
        ...(s.schedulerState ? { scheduler: { ...s.schedulerState } } : {}),
      };
    }
    return snap;
  }

  /**
   * A model from a snapshot: the network is built from the snapshot's layers and takes its
   * parameters as they are (no random draw). `backend` picks where it runs (default "auto").
   * Without `training`, the generator starts from config.seed and the optimizer afresh.
   */
  static restore(snap: ModelSnapshot, options: { backend?: string } = {}): MLP {
    const model = new MLP({ ...snap.config, backend: options.backend ?? 'auto' });
    const s = model.#s;
    const last = snap.layers[snap.layers.length - 1];
    checkLossActivation(snap.loss, last.activation, 'MLP.restore');
    const net = new Network(backendOf(s), snap.dtype, snap.inputs, snap.layers);
    try {
      net.setParams(snap.params);
      s.net = net;
      s.task = snap.task;
      s.loss = snap.loss;
      s.preprocessing = structuredClone(snap.preprocessing);
      s.preprocessingFitted = true;
      s.epochsTrained = snap.epochsTrained;
      const t = snap.training;
      if (t) {
        s.rng.setState(t.rng);
        if (t.optimizer) {
          s.optimizer = new Optimizer(net, t.optimizer.name, optimizerOptionsOf(s.config));
          s.optimizer.setState({ name: t.optimizer.name, t: t.optimizer.t, buffers: t.optimizer.buffers });
        }
        if (t.scheduler) s.schedulerState = { ...t.scheduler };
      }
      model.featureNames = snap.featureNames;
      model.targetName = snap.targetName;
      model.metadata = structuredClone(snap.metadata);
    } catch (e) {
      disposeState(s);
      net.dispose();
      throw e;
    }
    return model;
  }

  /**
   * Give the model's backend memory (weights, gradients, workspace, optimizer state) back. The model
   * is unfitted afterwards; fitting it again builds a new network.
   */
  dispose(): void {
    disposeState(this.#s);
    this.#s.task = null;
    this.#s.loss = null;
    this.#s.preprocessing = null;
    this.#s.preprocessingFitted = false;
    this.#s.epochsTrained = 0;
  }

  // ---- private helpers -------------------------------------------------------------------------

  /** Raw rows and targets → network-space data in backend memory (the caller releases it). */
  #encode(x: Features, y: Targets, where: string, sampleWeight?: ArrayLike<number>): EncodedData {
    const X = this.#matrix(x, where);
    const pre = this.#s.preprocessing!;
    const T = checkTargets(isLabelSets(y) && pre.multiLabel ? labelSetsToMatrix(y, pre.classes!, where) : y, where, X.shape[0]);
    const w = rowWeights(X.shape[0], sampleWeight, undefined, null, where); // checked before anything is allocated
    const idx = identity(X.shape[0]);
    const to = encodeTarget(this.#s);
    const data = encodeRows(to, X.data, X.shape[1], T, idx, where);
    if (w) attachWeights(to, data, w, idx);
    return data;
  }

  #forward(x: Features, where: string): { out: Float64Array; rows: number; cols: number } {
    requireNet(this.#s, where);
    // float matrices are checked for NaN/Infinity chunk by chunk, in the copy predict makes anyway
    const res = forwardRaw(this.#s, this.#matrix(x, where, true), where);
    checkOutputs(res.out, res.cols, where);
    return res;
  }

  /** Features as a matrix of the network's width; records and named columns read by the model's featureNames. */
  #matrix(x: Features, where: string, floatCheckLater = false) {
    const net = requireNet(this.#s, where);
    return toMatrix(x, where, net.inputs, featureNamesOf(x) ? this.#featureNames : null, floatCheckLater);
  }

  /**
   * fit's arguments in the form startFit takes: a target given by name is taken out of records
   * or columns; records and columns become a matrix in featureNames order (the first fit names
   * the features after their fields).
   */
  #fitArgs(x: Features, y: Targets | string, options: FitOptions): { x: Features; y: Targets; options: FitOptions } {
    let targets: Targets;
    if (typeof y === 'string') {
      const split = splitTarget(x, y, 'fit');
      x = split.x;
      targets = split.y;
      if (this.#targetName === null) this.#targetName = y;
    } else targets = y;
    const names = featureNamesOf(x);
    if (!names) return { x, y: targets, options };
    const use = this.#featureNames ?? names;
    const X = toMatrix(x, 'fit', this.#s.net ? this.#s.net.inputs : undefined, use);
    if (!this.#featureNames) this.#featureNames = use.slice();
    const v = options && typeof options === 'object' ? options.validationData : undefined;
    const opts = v && featureNamesOf(v.x) ? { ...options, validationData: { x: toMatrix(v.x, 'fit (validationData)', X.shape[1], use), y: v.y } } : options;
    return { x: X, y: targets, options: opts };
  }

  #layer(layer: number, where: string) {
    const net = requireNet(this.#s, where);
    this.#index(layer, net.layers.length, where, 'layer');
    return net.layers[layer];
  }

  #index(i: number, n: number, where: string, field: string): void {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new MlpError('E_CONFIG', `${where}: expected ${field} to be an integer in 0..${n - 1}, received ${i}`, { field, expected: `0..${n - 1}`, received: i });
  }

  #finite(v: number, where: string): void {
    if (!Number.isFinite(v)) throw new ConfigError('E_CONFIG', `${where}: expected a finite number, received ${v}`, { field: 'value', expected: 'a finite number', received: v });
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export type { FitOptions, FitHooks } from './train/fit.ts';
export type { Trainer } from './train/fit.ts';
export type { Evaluation } from './train/evaluate.ts';
export type { Preprocessing } from './data/encode.ts';

