// MLP: the user-facing model. It owns a Network, the preprocessing fitted on the training data
// (feature scaling, class labels, target scaling), the seeded generator, and the optimizer state,
// so `predict` takes raw inputs and answers in the user's labels or units, and a saved model
// resumes training exactly where it stopped.

import { defaults, defaultLearningRate, type Config, type FitConfig, type ModelConfig, type Task } from './config.ts';
import { ConfigError, DataError, MlpError, ShapeError, describe } from './errors.ts';
import { Network, type LayerSpec } from './nn/network.ts';
import { checkActivation, type ActivationName } from './nn/activations.ts';
import { checkInit } from './nn/init.ts';
import { checkLoss, checkLossActivation, lossInfo, type LossName } from './loss/losses.ts';
import { Optimizer, checkOptimizer, type OptimizerName } from './optim/optimizer.ts';
import { LrScheduler, type SchedulerState } from './optim/schedule.ts';
import { Rng } from './tensor/rng.ts';
import type { FloatArray } from './tensor/tensor.ts';
import { getBackend } from './kernels/select.ts';
import { checkTargets, toMatrix, type CheckedTargets, type Features, type Label, type Targets } from './data/input.ts';
import { applyScaler, applyScalerRows, encodeLabels, fitClasses, fitScaler, invertScaler, type Scaler } from './data/preprocess.ts';
import { argmaxRows, classificationMetrics, regressionMetrics, type ClassificationMetrics, type RegressionMetrics } from './train/metrics.ts';
import { trainLoop, type BatchEvent, type EpochLog, type History, type StopFlag, type TrainData } from './train/train.ts';

export interface FitHooks {
  /** Explicit validation data (instead of validationSplit). */
  validationData?: { x: Features; y: Targets };
  /** After each batch; return false to stop training after this batch. */
  onBatchEnd?: (e: BatchEvent) => boolean | void;
  /** After each epoch; return false to stop training. */
  onEpochEnd?: (e: EpochLog) => boolean | void;
  /** fitAsync only: stop after the current batch when aborted (history.stopReason = "aborted"). */
  signal?: AbortSignal;
}

export type FitOptions = Partial<FitConfig> & FitHooks;

export type Evaluation =
  | ({ task: 'classification'; loss: number; classes: Label[] } & ClassificationMetrics)
  | ({ task: 'regression'; loss: number } & RegressionMetrics);

/** Everything fitted on data; saved in the model file. */
export interface Preprocessing {
  inputs: Scaler;
  /** regression only */
  targets?: Scaler;
  /** classification only: index → label */
  classes?: Label[];
}

/** The state that lets training resume exactly. */
export interface TrainingState {
  optimizer: OptimizerName;
  /** Resolved optimizer options (with defaults filled in) are not stored: they come from config. */
  t: number;
  buffers: Record<string, FloatArray>;
  rng: [number, number, number, number];
  epochs: number;
  scheduler?: SchedulerState;
}

const MAX_CHUNK = 1024;

export class MLP {
  /** The settings this model was made with, defaults filled in. */
  readonly config: Config;
  net: Network | null = null;
  task: 'classification' | 'regression' | null = null;
  loss: LossName | null = null;
  preprocessing: Preprocessing | null = null;
  /** Epochs trained so far, over every fit call. */
  epochsTrained = 0;
  /** Free-form JSON data saved with the model (the CLI keeps its column schema here). */
  metadata: Record<string, unknown> = {};
  /** Names of the input columns, in order (saved with the model; tools use them to find CSV columns). */
  featureNames: string[] | null = null;
  /** Name of the target column. */
  targetName: string | null = null;
  readonly rng: Rng;
  optimizer: Optimizer | null = null;
  private schedulerState: SchedulerState | undefined;
  private inputBuf: FloatArray | null = null;

  constructor(config: Partial<Config> = {}) {
    this.config = resolveConfig(config);
    this.rng = new Rng(this.config.seed);
  }

  /** True once the model has a network (after fit, fromJSON, or build). */
  get fitted(): boolean {
    return this.net !== null;
  }

  /** Which backend runs this model's kernels. */
  get backendName(): string {
    return this.net ? this.net.backend.name : getBackend(this.config.backend, this.config.dtype).name;
  }

  /** Layer specs for a model of `inputs` features and `outputs` outputs. */
  layerSpecs(outputs: number, outputActivation: ActivationName): LayerSpec[] {
    const c = this.config;
    const acts = Array.isArray(c.activation) ? c.activation : c.hidden.map(() => c.activation as ActivationName);
    if (acts.length !== c.hidden.length) throw new ConfigError('E_CONFIG', `MLP: expected one activation per hidden layer (${c.hidden.length}), received ${acts.length}`);
    return [
      ...c.hidden.map((units, l) => ({ units, activation: acts[l], ...(c.alpha !== undefined ? { alpha: c.alpha } : {}) })),
      { units: outputs, activation: outputActivation },
    ];
  }

  /**
   * Build the network by hand (fit does this from the data). For learners and for the playground:
   * no preprocessing is fitted (identity scalers), targets are used as given.
   */
  build(inputs: number, outputs: number, task: 'classification' | 'regression' = 'regression', classes?: Label[]): this {
    const outAct = this.config.outputActivation ?? defaultOutput(task, outputs);
    const loss = this.config.loss ?? defaultLoss(task, outAct);
    checkLossActivation(loss, outAct, 'MLP');
    const backend = getBackend(this.config.backend, this.config.dtype);
    this.net = new Network(backend, this.config.dtype, inputs, this.layerSpecs(outputs, outAct));
    this.net.initialize(this.rng, this.config.init);
    this.task = task;
    this.loss = loss;
    this.preprocessing = {
      inputs: { method: 'none', shift: new Array(inputs).fill(0), scale: new Array(inputs).fill(1) },
      ...(task === 'regression' ? { targets: { method: 'none', shift: new Array(outputs).fill(0), scale: new Array(outputs).fill(1) } } : {}),
      ...(task === 'classification' ? { classes: classes ?? (outputs === 1 ? [0, 1] : Array.from({ length: outputs }, (_, i) => i)) } : {}),
    };
    return this;
  }

  // ---- training -----------------------------------------------------------------------------

  /** Train on x, y. Returns the history. Continues from the current weights when already fitted. */
  fit(x: Features, y: Targets, options: FitOptions = {}): History {
    const run = this.startFit(x, y, options, 'sync');
    for (;;) {
      const r = run.it.next();
      if (r.done) return run.finish(r.value);
      run.dispatch(r.value);
    }
  }

  /**
   * fit that yields to the event loop between batches (every ~15 ms of work), so a page stays
   * responsive, and stops after the current batch when options.signal is aborted.
   */
  async fitAsync(x: Features, y: Targets, options: FitOptions = {}): Promise<History> {
    const run = this.startFit(x, y, options, 'async');
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
  }

  /** Step-wise training: call step() for one batch at a time (the playground's step button). */
  trainer(x: Features, y: Targets, options: FitOptions = {}): Trainer {
    return new Trainer(this.startFit(x, y, options, 'step'));
  }

  private startFit(x: Features, y: Targets, options: FitOptions, mode: 'sync' | 'async' | 'step'): FitRun {
    const cfg: FitConfig = resolveFit({ ...pickFit(this.config), ...stripHooks(options) });
    const X = toMatrix(x, 'fit', this.net ? this.net.inputs : undefined);
    const [N, d] = X.shape;
    const T = checkTargets(y, 'fit', N);

    if (!this.net) this.setupFromData(d, T);
    const net = this.net!;
    const task = this.task!;

    // validation split taken after shuffling, with the model's generator
    let trainIdx: Uint32Array;
    let valIdx: Uint32Array | null = null;
    if (options.validationData) {
      trainIdx = identity(N);
    } else if (cfg.validationSplit > 0) {
      // NOTE: drawn from a generator of its own, seeded by config.seed, not from the model's stream:
      // every fit call on the same data gets the same split, so continued training never moves
      // validation rows into training.
      const perm = cfg.shuffle ? new Rng(this.config.seed).permutation(N) : identity(N);
      const nVal = Math.round(N * cfg.validationSplit);
      if (nVal < 1 || nVal >= N) throw new ConfigError('E_CONFIG', `fit: validationSplit ${cfg.validationSplit} of ${N} rows leaves ${N - nVal} for training and ${nVal} for validation; both need at least one`);
      trainIdx = perm.subarray(0, N - nVal);
      valIdx = perm.subarray(N - nVal);
    } else {
      trainIdx = identity(N);
    }
    if (this.epochsTrained === 0 && !this.preprocessingFitted) this.fitPreprocessing(X.data, d, trainIdx, T);

    const train = this.encode(X.data, d, T, trainIdx, 'fit');
    const encoded = [train];
    let validate: (() => { loss: number; metric: number }) | null = null;
    if (valIdx || options.validationData) {
      let vx: Float64Array;
      let vT: CheckedTargets;
      let vIdx: Uint32Array;
      if (options.validationData) {
        const VX = toMatrix(options.validationData.x, 'fit (validationData)', d);
        vx = VX.data as Float64Array;
        vT = checkTargets(options.validationData.y, 'fit (validationData)', VX.shape[0]);
        vIdx = identity(VX.shape[0]);
      } else {
        vx = X.data as Float64Array;
        vT = T;
        vIdx = valIdx!;
      }
      const val = this.encode(vx, d, vT, vIdx, 'fit (validation)');
      encoded.push(val);
      validate = () => this.evaluateEncoded(val);
    }

    const lr = cfg.learningRate ?? defaultLearningRate(cfg.optimizer);
    if (!(lr > 0) || !Number.isFinite(lr)) throw new ConfigError('E_CONFIG', `fit: expected learningRate > 0, received ${lr}; try 0.01`);
    const optOptions = { ...cfg.optimizerOptions, ...(cfg.weightDecay !== undefined ? { weightDecay: cfg.weightDecay } : {}) };
    // a loaded or previously trained model keeps its optimizer state when the optimizer is the same
    if (!this.optimizer || this.optimizer.name !== normalizeOpt(cfg.optimizer, optOptions.momentum)) {
      this.optimizer = new Optimizer(net, cfg.optimizer, optOptions);
    }
    const scheduler = new LrScheduler(lr, cfg.schedule, this.epochsTrained + cfg.epochs);
    if (this.schedulerState && cfg.schedule.type === 'plateau') scheduler.setState(this.schedulerState);

    const flag: StopFlag = { stop: null };
    const it = trainLoop({
      net, optimizer: this.optimizer, scheduler, rng: this.rng, loss: this.loss!, train, validate,
      epochs: cfg.epochs, batchSize: cfg.batchSize, shuffle: cfg.shuffle, clipNorm: cfg.clipNorm,
      earlyStopping: cfg.earlyStopping, startEpoch: this.epochsTrained, classification: task === 'classification', now,
      batchEvents: mode !== 'sync' || options.onBatchEnd !== undefined,
    }, flag);
    const be = net.backend;
    return {
      it, flag,
      dispatch: (ev) => {
        if (ev.type === 'batch') {
          if (options.onBatchEnd?.(ev) === false) flag.stop = 'callback';
        } else {
          this.epochsTrained = ev.epoch;
          this.schedulerState = scheduler.getState(); // saved with a checkpoint taken at this epoch
          if (options.onEpochEnd?.(ev) === false) flag.stop = 'callback';
        }
      },
      finish: (h) => {
        this.schedulerState = scheduler.getState();
        // the encoded data lives in backend memory (WebAssembly); hand it back
        for (const d of encoded) {
          be.release?.(d.x);
          be.release?.(d.y);
        }
        return h;
      },
    };
  }

  private preprocessingFitted = false;

  /** First fit: task, classes, output size, network. */
  private setupFromData(d: number, T: CheckedTargets): void {
    const task = resolveTask(this.config.task, T);
    let outputs: number;
    let classes: Label[] | undefined;
    if (task === 'classification') {
      if (T.kind === 'labels') {
        classes = fitClasses(T.labels);
        if (classes.length < 2) throw new DataError('E_LABEL', `fit: the target has only one class (${JSON.stringify(classes[0])}); a classifier needs at least two; check the target column`);
        const wantsSoftmax = this.config.outputActivation === 'softmax' || this.config.loss === 'crossentropy';
        outputs = classes.length === 2 && !wantsSoftmax ? 1 : classes.length;
      } else {
        outputs = T.m.shape[1];
        classes = outputs === 1 ? [0, 1] : Array.from({ length: outputs }, (_, i) => i);
      }
    } else {
      if (T.kind === 'labels' && T.labels.some((v) => typeof v !== 'number')) {
        const i = T.labels.findIndex((v) => typeof v !== 'number');
        throw new DataError('E_LABEL', `fit: regression needs numeric targets, received target ${i} = ${JSON.stringify(T.labels[i])}; use task: "classification" for labels`);
      }
      outputs = T.kind === 'labels' ? 1 : T.m.shape[1];
    }
    this.build(d, outputs, task, classes);
  }

  private fitPreprocessing(x: FloatArray, d: number, idx: Uint32Array, T: CheckedTargets): void {
    const pre = this.preprocessing!;
    pre.inputs = fitScaler(this.config.scaleInputs, x, idx.length, d, idx);
    if (this.task === 'regression') {
      const y = targetMatrix(T);
      pre.targets = fitScaler(this.config.scaleTargets, y.data, idx.length, y.cols, idx);
    }
    this.preprocessingFitted = true;
  }

  /** Raw inputs and targets → network-space x: [n, inputs] and y: [n, outputs] (scaled, encoded), in backend memory. */
  prepare(x: Features, y: Targets, where = 'prepare'): TrainData {
    const net = this.requireNet(where);
    const X = toMatrix(x, where, net.inputs);
    return this.encode(X.data, X.shape[1], checkTargets(y, where, X.shape[0]), identity(X.shape[0]), where);
  }

  /** Raw rows → network-space x and y in backend memory. */
  private encode(x: Float64Array | FloatArray, d: number, T: CheckedTargets, idx: Uint32Array, where: string): TrainData {
    const net = this.net!;
    const n = idx.length;
    const pre = this.preprocessing!;
    const X = net.backend.alloc(n * d, net.dtype);
    applyScalerRows(pre.inputs, x, d, idx, X);
    const nOut = net.outputs;
    const Y = net.backend.alloc(n * nOut, net.dtype);
    if (this.task === 'classification') {
      if (T.kind === 'labels') {
        const k = encodeLabels(pre.classes!, T.labels, where);
        for (let r = 0; r < n; r++) {
          const c = k[idx[r]];
          if (nOut === 1) Y[r] = c;
          else Y[r * nOut + c] = 1;
        }
      } else {
        if (T.m.shape[1] !== nOut) throw new ShapeError('E_SHAPE', `${where}: expected targets with ${nOut} columns (one-hot), received ${T.m.shape[1]}`);
        const g = gather(T.m.data as Float64Array, nOut, idx);
        for (let k = 0; k < g.length; k++) {
          if (g[k] < 0 || g[k] > 1) throw new DataError('E_LABEL', `${where}: one-hot target row ${idx[Math.floor(k / nOut)]} has value ${g[k]} outside [0, 1]`);
          Y[k] = g[k];
        }
      }
    } else {
      const y = targetMatrix(T);
      if (y.cols !== nOut) throw new ShapeError('E_SHAPE', `${where}: expected targets with ${nOut} column${nOut > 1 ? 's' : ''}, received ${y.cols}`);
      applyScalerRows(pre.targets!, y.data, y.cols, idx, Y);
    }
    return { x: X, y: Y, n };
  }

  // ---- inference ----------------------------------------------------------------------------

  /** Network outputs h_L for raw rows, in network space (probabilities, or scaled regression values). */
  forwardRaw(x: Features, where = 'predict'): { out: Float64Array; rows: number; cols: number } {
    const net = this.requireNet(where);
    const X = toMatrix(x, where, net.inputs);
    const [N, d] = X.shape;
    const out = new Float64Array(N * net.outputs);
    const chunk = Math.min(N, Math.max(net.capacity, MAX_CHUNK));
    if (!this.inputBuf || this.inputBuf.length < chunk * d) this.inputBuf = net.backend.alloc(chunk * d, net.dtype);
    for (let s = 0; s < N; s += chunk) {
      const B = Math.min(chunk, N - s);
      applyScaler(this.preprocessing!.inputs, X.data as Float64Array, B, d, this.inputBuf, s);
      const h = net.forward(this.inputBuf, B);
      for (let k = 0; k < B * net.outputs; k++) out[s * net.outputs + k] = h[k];
    }
    return { out, rows: N, cols: net.outputs };
  }

  /** Class probabilities, one row per sample, one column per class (in `classes` order). */
  predictProba(x: Features): number[][] {
    if (this.task !== 'classification') throw new ConfigError('E_CONFIG', 'predictProba: this model does regression; use predict');
    const { out, rows, cols } = this.forwardRaw(x, 'predictProba');
    const res: number[][] = [];
    for (let i = 0; i < rows; i++) res.push(cols === 1 ? [1 - out[i], out[i]] : Array.from(out.subarray(i * cols, (i + 1) * cols)));
    return res;
  }

  /** Labels (classification), numbers (single-output regression) or rows (multi-output), in the user's units. */
  predict(x: Features): Label[] | number[] | number[][] {
    const { out, rows, cols } = this.forwardRaw(x, 'predict');
    const pre = this.preprocessing!;
    if (this.task === 'classification') {
      const k = argmaxRows(out, rows, cols);
      return Array.from(k, (c) => pre.classes![c]);
    }
    const y = invertScaler(pre.targets!, out, rows, cols);
    if (cols === 1) return Array.from(y);
    return Array.from({ length: rows }, (_, i) => Array.from(y.subarray(i * cols, (i + 1) * cols)));
  }

  /** Loss and the task's metrics on labelled data (raw inputs and targets). */
  evaluate(x: Features, y: Targets): Evaluation {
    const net = this.requireNet('evaluate');
    const X = toMatrix(x, 'evaluate', net.inputs);
    const T = checkTargets(y, 'evaluate', X.shape[0]);
    const data = this.encode(X.data, X.shape[1], T, identity(X.shape[0]), 'evaluate');
    const { loss, out } = this.lossOn(data);
    const pre = this.preprocessing!;
    const cols = net.outputs;
    if (this.task === 'classification') {
      const pred = argmaxRows(out, data.n, cols);
      const truth = argmaxRows(data.y, data.n, cols);
      return { task: 'classification', loss, classes: pre.classes!, ...classificationMetrics(truth, pred, pre.classes!.length) };
    }
    const yt = invertScaler(pre.targets!, data.y, data.n, cols);
    const yp = invertScaler(pre.targets!, out, data.n, cols);
    return { task: 'regression', loss, ...regressionMetrics(yt, yp, data.n, cols) };
  }

  /** The task's main metric, as scikit-learn's score: accuracy (classification) or R² (regression). */
  score(x: Features, y: Targets): number {
    const e = this.evaluate(x, y);
    return e.task === 'classification' ? e.accuracy : e.r2;
  }

  /** Loss (mean) and outputs h_L over encoded data, in chunks. */
  private lossOn(data: TrainData): { loss: number; out: Float64Array } {
    const net = this.net!;
    const be = net.backend;
    const loss = this.loss!;
    const fused = lossInfo[loss].fusedWith !== undefined;
    const nIn = net.inputs;
    const nOut = net.outputs;
    const out = new Float64Array(data.n * nOut);
    const chunk = Math.max(1, Math.min(data.n, Math.max(net.capacity, MAX_CHUNK)));
    net.ensureCapacity(chunk);
    let sum = 0;
    for (let s = 0; s < data.n; s += chunk) {
      const B = Math.min(chunk, data.n - s);
      const h = net.forward(data.x.subarray(s * nIn, (s + B) * nIn), B);
      const z = fused ? net.output.a : h;
      sum += be.loss(loss, z, data.y.subarray(s * nOut, (s + B) * nOut), null, B, nOut, 1);
      for (let k = 0; k < B * nOut; k++) out[s * nOut + k] = h[k];
    }
    return { loss: sum / data.n, out };
  }

  private evaluateEncoded(data: TrainData): { loss: number; metric: number } {
    const { loss, out } = this.lossOn(data);
    const cols = this.net!.outputs;
    if (this.task === 'classification') {
      const pred = argmaxRows(out, data.n, cols);
      const truth = argmaxRows(data.y, data.n, cols);
      let ok = 0;
      for (let i = 0; i < data.n; i++) if (pred[i] === truth[i]) ok++;
      return { loss, metric: ok / data.n };
    }
    const t = this.preprocessing!.targets!;
    return { loss, metric: regressionMetrics(invertScaler(t, data.y, data.n, cols), invertScaler(t, out, data.n, cols), data.n, cols).r2 };
  }

  requireNet(where: string): Network {
    if (!this.net) throw new MlpError('E_NOT_FITTED', `${where}: the model has no weights yet; call fit(x, y) first or load a trained model`);
    return this.net;
  }

  /** Internal, for io/: mark preprocessing as fitted (a loaded model keeps its own). */
  markFitted(): void {
    this.preprocessingFitted = true;
  }

  /** Internal, for io/: the scheduler state to save. */
  getSchedulerState(): SchedulerState | undefined {
    return this.schedulerState;
  }

  setSchedulerState(s: SchedulerState | undefined): void {
    this.schedulerState = s;
  }
}

/** A fit in progress, driven one batch at a time. */
export class Trainer {
  history: History | null = null;
  constructor(private readonly run: FitRun) {}

  /** Train one batch; returns the batch event and, at an epoch's end, the epoch log too. null when finished. */
  step(): { batch: BatchEvent; epoch?: EpochLog } | null {
    if (this.history) return null;
    let batch: BatchEvent | null = null;
    for (;;) {
      const r = this.run.it.next();
      if (r.done) {
        this.history = this.run.finish(r.value);
        return batch ? { batch } : null;
      }
      this.run.dispatch(r.value);
      if (r.value.type === 'batch') {
        if (batch) throw new Error('Trainer.step: internal order error');
        batch = { ...r.value };
        // peek: an epoch log follows the last batch of an epoch
        if (r.value.batch < r.value.batches && !this.run.flag.stop) return { batch };
      } else {
        return { batch: batch!, epoch: r.value };
      }
    }
  }

  /** Stop after the current batch; the next step() finishes the epoch's bookkeeping. */
  stop(): void {
    this.run.flag.stop = 'callback';
  }

  get done(): boolean {
    return this.history !== null;
  }
}

interface FitRun {
  it: Generator<BatchEvent | EpochLog, History>;
  flag: StopFlag;
  dispatch: (ev: BatchEvent | EpochLog) => void;
  finish: (h: History) => History;
}

// ---- helpers -------------------------------------------------------------------------------

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function gather(x: Float64Array, cols: number, idx: Uint32Array): Float64Array {
  const out = new Float64Array(idx.length * cols);
  for (let r = 0; r < idx.length; r++) out.set(x.subarray(idx[r] * cols, (idx[r] + 1) * cols), r * cols);
  return out;
}

function targetMatrix(T: CheckedTargets): { data: Float64Array; cols: number } {
  if (T.kind === 'matrix') return { data: T.m.data as Float64Array, cols: T.m.shape[1] };
  return { data: Float64Array.from(T.labels as number[]), cols: 1 };
}

function normalizeOpt(name: OptimizerName, momentum: number | undefined): OptimizerName {
  return name === 'sgd' && (momentum ?? 0) > 0 ? 'momentum' : name;
}

export function defaultOutput(task: 'classification' | 'regression', outputs: number): ActivationName {
  if (task === 'regression') return 'identity';
  return outputs === 1 ? 'sigmoid' : 'softmax';
}

export function defaultLoss(task: 'classification' | 'regression', outAct: ActivationName): LossName {
  if (task === 'regression') return 'mse';
  return outAct === 'softmax' ? 'crossentropy' : outAct === 'sigmoid' ? 'bce' : 'mse';
}

/** "auto": labels of strings or booleans, or integers with at most 20 distinct values, are classes. */
export function resolveTask(task: Task, T: CheckedTargets): 'classification' | 'regression' {
  if (task !== 'auto') return task;
  if (T.kind === 'labels') {
    if (T.labels.some((v) => typeof v !== 'number')) return 'classification';
    const ints = (T.labels as number[]).every((v) => Number.isInteger(v));
    return ints && new Set(T.labels).size <= 20 ? 'classification' : 'regression';
  }
  // rows: one-hot rows mean classes
  const [n, c] = T.m.shape;
  if (c < 2) return 'regression';
  for (let i = 0; i < n; i++) {
    let ones = 0;
    for (let j = 0; j < c; j++) {
      const v = T.m.data[i * c + j];
      if (v === 1) ones++;
      else if (v !== 0) return 'regression';
    }
    if (ones !== 1) return 'regression';
  }
  return 'classification';
}

const FIT_KEYS: (keyof FitConfig)[] = ['epochs', 'batchSize', 'optimizer', 'learningRate', 'optimizerOptions', 'weightDecay', 'clipNorm', 'schedule', 'shuffle', 'validationSplit', 'earlyStopping'];

function pickFit(c: Config): Partial<FitConfig> {
  const out: Record<string, unknown> = {};
  for (const k of FIT_KEYS) if (c[k] !== undefined) out[k] = c[k];
  return out as Partial<FitConfig>;
}

function stripHooks(o: FitOptions): Partial<FitConfig> {
  const out: Record<string, unknown> = {};
  for (const k of FIT_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out as Partial<FitConfig>;
}

/** Defaults filled in and every value checked: bad options fail here, with the option's name. */
export function resolveConfig(c: Partial<Config>): Config {
  if (c === null || typeof c !== 'object') throw new ConfigError('E_CONFIG', `MLP: expected a config object, received ${describe(c)}`);
  const known = new Set(Object.keys(defaults).concat(['alpha', 'outputActivation', 'loss', 'init', 'learningRate', 'weightDecay']));
  for (const k of Object.keys(c)) if (!known.has(k)) throw new ConfigError('E_CONFIG', `MLP: unknown option "${k}"; known options are ${[...known].join(', ')}`);
  const cfg: Config = { ...defaults, ...stripUndefined(c) };
  if (!['auto', 'classification', 'regression'].includes(cfg.task)) throw new ConfigError('E_CONFIG', `MLP: expected task "auto", "classification" or "regression", received ${JSON.stringify(cfg.task)}`);
  if (!Array.isArray(cfg.hidden) || cfg.hidden.some((u) => !Number.isInteger(u) || u < 1)) throw new ConfigError('E_CONFIG', `MLP: expected hidden to be an array of positive integers like [64, 32], received ${JSON.stringify(cfg.hidden)}`);
  for (const a of Array.isArray(cfg.activation) ? cfg.activation : [cfg.activation]) {
    checkActivation(a, 'MLP: activation');
    if (a === 'softmax') throw new ConfigError('E_CONFIG', 'MLP: softmax is only an output activation, received it as a hidden activation; use relu or tanh for hidden layers');
  }
  if (cfg.outputActivation !== undefined) checkActivation(cfg.outputActivation, 'MLP: outputActivation');
  if (cfg.loss !== undefined) checkLoss(cfg.loss, 'MLP: loss');
  if (cfg.init !== undefined) checkInit(cfg.init, 'MLP: init');
  if (cfg.alpha !== undefined && !(Number.isFinite(cfg.alpha) && cfg.alpha >= 0)) throw new ConfigError('E_CONFIG', `MLP: expected alpha ≥ 0, received ${cfg.alpha}`);
  if (cfg.dtype !== 'float32' && cfg.dtype !== 'float64') throw new ConfigError('E_CONFIG', `MLP: expected dtype "float32" or "float64", received ${JSON.stringify(cfg.dtype)}`);
  if (!Number.isInteger(cfg.seed) || cfg.seed < 0 || cfg.seed > 0xffffffff) throw new ConfigError('E_CONFIG', `MLP: expected seed to be an integer in 0..4294967295, received ${cfg.seed}`);
  for (const k of ['scaleInputs', 'scaleTargets'] as const) {
    if (!['standard', 'minmax', 'none'].includes(cfg[k])) throw new ConfigError('E_CONFIG', `MLP: expected ${k} "standard", "minmax" or "none", received ${JSON.stringify(cfg[k])}`);
  }
  getBackend(cfg.backend, cfg.dtype); // unknown backend → ConfigError now, not at fit
  resolveFit(pickFit(cfg));
  return cfg;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveFit(o: Partial<FitConfig>): FitConfig {
  const f: FitConfig = { ...pickFit(defaults as Config), ...o } as FitConfig;
  const where = 'fit';
  if (!Number.isInteger(f.epochs) || f.epochs < 1) throw new ConfigError('E_CONFIG', `${where}: expected epochs to be an integer ≥ 1, received ${f.epochs}`);
  if (!Number.isInteger(f.batchSize) || f.batchSize < 1) throw new ConfigError('E_CONFIG', `${where}: expected batchSize to be an integer ≥ 1, received ${f.batchSize}; use 1 for per-sample SGD or e.g. 32`);
  checkOptimizer(f.optimizer, where);
  if (f.learningRate !== undefined && !(Number.isFinite(f.learningRate) && f.learningRate > 0)) throw new ConfigError('E_CONFIG', `${where}: expected learningRate > 0, received ${f.learningRate}; try 0.01`);
  if (f.weightDecay !== undefined && !(Number.isFinite(f.weightDecay) && f.weightDecay >= 0)) throw new ConfigError('E_CONFIG', `${where}: expected weightDecay ≥ 0, received ${f.weightDecay}`);
  if (!(Number.isFinite(f.clipNorm) && f.clipNorm >= 0)) throw new ConfigError('E_CONFIG', `${where}: expected clipNorm ≥ 0 (0 = off), received ${f.clipNorm}`);
  if (!(Number.isFinite(f.validationSplit) && f.validationSplit >= 0 && f.validationSplit < 1)) throw new ConfigError('E_CONFIG', `${where}: expected validationSplit in [0, 1), received ${f.validationSplit}`);
  if (f.earlyStopping !== false) {
    const es = f.earlyStopping as Partial<{ patience: number; minDelta: number }>;
    if (!es || typeof es !== 'object' || !Number.isInteger(es.patience) || (es.patience as number) < 1) throw new ConfigError('E_CONFIG', `${where}: expected earlyStopping to be false or { patience: integer ≥ 1, minDelta?: number }, received ${JSON.stringify(f.earlyStopping)}`);
    f.earlyStopping = { patience: es.patience as number, minDelta: es.minDelta ?? 0 };
  }
  return f;
}

export type { ModelConfig };
