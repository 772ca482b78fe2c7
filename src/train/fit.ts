// A fit call: check and encode the data, make the validation split, pick the optimizer and the
// schedule, and drive the training loop (loop.ts). fit runs it to the end, fitAsync yields to the
// event loop between batches, and a Trainer runs it one batch at a time.

import { defaultLearningRate, type FitConfig } from '../config/defaults.ts';
import { FIT_KEYS, optimizerOptionsOf, pickFit, resolveFit, unknownOption } from '../config/resolve.ts';
import { rowWeights } from '../data/weights.ts';
import { resolveTask } from '../data/task.ts';
import { ConfigError } from '../errors.ts';
import { Optimizer } from '../optim/optimizer.ts';
import { LrScheduler } from '../optim/schedule.ts';
import { checkTargets, toMatrix, type CheckedTargets, type Features, type Label, type Targets } from '../data/input.ts';
import { isLabelSets, labelSetClasses, labelSetsToMatrix } from '../data/multilabel.ts';
import { attachWeights, encodeRows, releaseEncoded, type EncodedData } from '../data/encode.ts';
import { identity, validationSplit } from '../data/split.ts';
import { trainLoop, type BatchEvent, type EpochLog, type History, type StopFlag } from './loop.ts';
import { validationMetrics } from './evaluate.ts';
import { encodeTarget, fitPreprocessing, setupFromData, type ModelState } from './state.ts';

/** Options of fit that are not config: validation data, callbacks, an abort signal and per-sample weights. */
export interface FitHooks {
  /** Explicit validation data (instead of validationSplit). */
  validationData?: { x: Features; y: Targets };
  /** After each batch; return false to stop training after this batch. */
  onBatchEnd?: (e: BatchEvent) => boolean | void;
  /** After each epoch; return false to stop training. */
  onEpochEnd?: (e: EpochLog) => boolean | void;
  /** fitAsync only: stop after the current batch when aborted (history.stopReason = "aborted"). */
  signal?: AbortSignal;
  /** One weight ≥ 0 per row of x: the loss is Σ wᵢℓᵢ / Σ wᵢ, so a weight of 2 counts a row twice. */
  sampleWeight?: ArrayLike<number>;
}

/** Every option fit takes: the fit config's and the hooks. */
export const FIT_OPTION_KEYS: readonly string[] = [...FIT_KEYS, 'validationData', 'onBatchEnd', 'onEpochEnd', 'signal', 'sampleWeight'];

/** What model.fit takes as options: any fit config (epochs, learningRate, …) for this call, plus hooks. */
export type FitOptions = Partial<FitConfig> & FitHooks;

/** A fit in progress: the loop, its stop flag, what to do with each event, and the end. */
export interface FitRun {
  it: Generator<BatchEvent | EpochLog, History>;
  flag: StopFlag;
  dispatch: (ev: BatchEvent | EpochLog) => void;
  finish: (h: History) => History;
}

export const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export function startFit(s: ModelState, x: Features, y: Targets, options: FitOptions, mode: 'sync' | 'async' | 'step'): FitRun {
  if (options === null || typeof options !== 'object') throw new ConfigError('E_CONFIG', `fit: expected an options object, received ${JSON.stringify(options)}`, { field: 'options', expected: 'an object', received: options });
  // a typo must not train with a default: fit(x, y, { epoch: 3 }) is refused, naming "epochs"
  for (const k of Object.keys(options)) if (!FIT_OPTION_KEYS.includes(k)) throw unknownOption('fit', k, FIT_OPTION_KEYS);
  const cfg: FitConfig = resolveFit({ ...pickFit(s.config), ...pickFit(options) });
  const X = toMatrix(x, 'fit', s.net ? s.net.inputs : undefined);
  const [N, d] = X.shape;
  // label sets (multi-label): rows of 0/1 over the classes, the model's own once it has them
  let setClasses: Label[] | undefined;
  if (isLabelSets(y)) {
    setClasses = s.preprocessing?.multiLabel ? s.preprocessing.classes! : labelSetClasses(y);
    y = labelSetsToMatrix(y, setClasses, 'fit');
  }
  const T = checkTargets(y, 'fit', N);
  // per-row weights, checked before anything is built or allocated
  const classLabels = T.kind === 'labels' && (s.task ?? resolveTask(s.config.task, T)) === 'classification' ? T.labels : null;
  const weights = rowWeights(N, options.sampleWeight, cfg.classWeight, classLabels, 'fit');

  if (!s.net) setupFromData(s, d, T, setClasses);
  const net = s.net!;

  let trainIdx = identity(N);
  let valIdx: Uint32Array | null = null;
  if (!options.validationData && cfg.validationSplit > 0) {
    const split = validationSplit(N, cfg.validationSplit, s.config.seed, cfg.shuffle);
    trainIdx = split.train;
    valIdx = split.validation;
  }
  if (s.epochsTrained === 0 && !s.preprocessingFitted) fitPreprocessing(s, X.data, d, trainIdx, T);

  // the encoded data lives in backend memory (WebAssembly): finish hands it back
  const to = encodeTarget(s);
  const encoded: EncodedData[] = [];
  let validate: (() => { loss: number; metric: number }) | null = null;
  try {
    // in place (no copy of float32 rows that need no scaling) when training reads them only
    // through gatherRows: batches larger than one (the small-network path reads rows itself), and
    // no validation split (encodeRows also checks the rows are all there, in order)
    const train = encodeRows(to, X.data, d, T, trainIdx, 'fit', valIdx === null && cfg.batchSize > 1);
    encoded.push(train);
    if (weights) attachWeights(to, train, weights, trainIdx);
    if (valIdx || options.validationData) {
      let vx: ArrayLike<number> = X.data;
      let vT: CheckedTargets = T;
      let vIdx = valIdx;
      if (options.validationData) {
        const VX = toMatrix(options.validationData.x, 'fit (validationData)', d);
        vx = VX.data;
        const vy = options.validationData.y;
        vT = checkTargets(isLabelSets(vy) && s.preprocessing?.multiLabel ? labelSetsToMatrix(vy, s.preprocessing.classes!, 'fit (validationData)') : vy, 'fit (validationData)', VX.shape[0]);
        vIdx = identity(VX.shape[0]);
      }
      const val = encodeRows(to, vx, d, vT, vIdx!, 'fit (validation)');
      encoded.push(val);
      validate = () => validationMetrics(s, val);
    }
  } catch (e) {
    for (const data of encoded) releaseEncoded(net.backend, data);
    throw e;
  }
  const train = encoded[0];

  const lr = cfg.learningRate ?? defaultLearningRate(cfg.optimizer);
  const optOptions = optimizerOptionsOf(cfg);
  // a loaded or previously trained model keeps its optimizer state while the rule and its
  // hyperparameters stay the same; any change starts a fresh optimizer
  if (!s.optimizer || !s.optimizer.matches(cfg.optimizer, optOptions)) {
    s.optimizer?.dispose();
    s.optimizer = new Optimizer(net, cfg.optimizer, optOptions);
  }
  // epochs given: exactly that many; left out: up to maxEpochs, until the plateau rule stops it
  const epochs = cfg.epochs ?? cfg.maxEpochs;
  const plateau = cfg.epochs === undefined && !cfg.earlyStopping ? { tol: cfg.tol, patience: cfg.nIterNoChange } : null;
  const scheduler = new LrScheduler(lr, cfg.schedule, s.epochsTrained + epochs);
  if (s.schedulerState && cfg.schedule.type === 'plateau') scheduler.setState(s.schedulerState);

  const flag: StopFlag = { stop: null };
  const it = trainLoop({
    net, optimizer: s.optimizer, scheduler, rng: s.rng, loss: s.loss!, train, validate,
    epochs, batchSize: cfg.batchSize, shuffle: cfg.shuffle, clipNorm: cfg.clipNorm,
    earlyStopping: cfg.earlyStopping, plateau, startEpoch: s.epochsTrained, classification: s.task === 'classification', now,
    batchEvents: mode !== 'sync' || options.onBatchEnd !== undefined,
  }, flag);
  let finished = false;
  return {
    it, flag,
    dispatch: (ev) => {
      if (ev.type === 'batch') {
        if (options.onBatchEnd?.(ev) === false) flag.stop = 'callback';
      } else {
        s.epochsTrained = ev.epoch;
        s.schedulerState = scheduler.getState(); // saved with a checkpoint taken at this epoch
        if (options.onEpochEnd?.(ev) === false) flag.stop = 'callback';
      }
    },
    finish: (h) => {
      s.schedulerState = scheduler.getState();
      if (!finished) for (const data of encoded) releaseEncoded(net.backend, data);
      finished = true;
      return h;
    },
  };
}

/** A fit in progress, driven one batch at a time (`model.trainer(x, y)`; the playground's step button). */
export class Trainer {
  #history: History | null = null;
  readonly #run: FitRun;

  /** @internal made by MLP.trainer */
  constructor(run: FitRun) {
    this.#run = run;
  }

  /** The history, once training has finished (null before). */
  get history(): History | null {
    return this.#history;
  }

  /** Train one batch; returns the batch event and, at an epoch's end, the epoch log too. null when finished. */
  step(): { batch: BatchEvent; epoch?: EpochLog } | null {
    if (this.#history) return null;
    let batch: BatchEvent | null = null;
    for (;;) {
      const r = this.#run.it.next();
      if (r.done) {
        this.#history = this.#run.finish(r.value);
        return batch ? { batch } : null;
      }
      this.#run.dispatch(r.value);
      if (r.value.type === 'batch') {
        if (batch) throw new ConfigError('E_CONFIG', 'Trainer.step: two batch events without an epoch log between them (internal order error)');
        batch = { ...r.value };
        // peek: an epoch log follows the last batch of an epoch
        if (r.value.batch < r.value.batches && !this.#run.flag.stop) return { batch };
      } else {
        return { batch: batch!, epoch: r.value };
      }
    }
  }

  /** Stop after the current batch; the next step() finishes the epoch's bookkeeping. */
  stop(): void {
    this.#run.flag.stop = 'callback';
  }

  get done(): boolean {
    return this.#history !== null;
  }
}
