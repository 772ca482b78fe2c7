// The training loop: minibatch stochastic gradient descent, as the lecture teaches it.
// One readable function with the phases  // forward // loss // backward // update.
// It is a generator that yields after every batch, so the same loop serves
//   fit (runs it to the end), fitAsync (yields to the event loop between batches) and
//   Trainer.step (one batch at a time, for the playground's step button).
// Everything it touches is allocated before the first step: no allocation per step.

import type { Network } from '../nn/network.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { clipGradNorm } from '../optim/optimizer.ts';
import type { LrScheduler } from '../optim/schedule.ts';
import type { Rng } from '../tensor/rng.ts';
import type { EncodedData } from '../data/encode.ts';
import { isFused, type LossName } from '../math/losses.ts';
import { DivergenceError } from '../errors.ts';
import type { EarlyStopping } from '../config/defaults.ts';
import { countCorrect } from './metrics.ts';
import { denseStack, fusedStepHandles, outputAt } from '../kernels/fused.ts';
import type { DenseStack, SmallSums } from '../kernels/backend.ts';
import type { ElementwiseActivation } from '../math/activations.ts';

/** After each batch. The same object is updated in place every batch: copy it to keep it. */
export interface BatchEvent {
  type: 'batch';
  /** 1-based over the model's whole life (continued training counts on). */
  epoch: number;
  /** 1-based within the epoch. */
  batch: number;
  batches: number;
  loss: number;
  /** Samples seen in this fit call. */
  samples: number;
}

/** After each epoch: one row of the history. */
export interface EpochLog {
  type: 'epoch';
  epoch: number;
  /** Mean training loss over the epoch's batches (weighted by batch size). */
  loss: number;
  /** Classification: running accuracy over the epoch's batches (before each update). */
  accuracy?: number;
  valLoss?: number;
  /** accuracy (classification) or R² in the user's units (regression) on the validation data */
  valMetric?: number;
  lr: number;
  /** Wall-clock seconds of the epoch (not used for anything but display). */
  seconds: number;
  samplesPerSecond: number;
}

/**
 * completed: the epochs asked for; converged: the plateau rule stopped it (the monitored loss did
 * not improve by tol for nIterNoChange epochs); maxEpochs: the plateau rule's cap was reached before
 * it converged; earlyStopping, callback, aborted: as named.
 */
export type StopReason = 'completed' | 'converged' | 'maxEpochs' | 'earlyStopping' | 'callback' | 'aborted';

/** What fit returns: one log per epoch, why training stopped, and which epoch's weights the model holds. */
export interface History {
  epochs: EpochLog[];
  stopReason: StopReason;
  /** Epoch whose weights the model holds at the end (early stopping restores the best). */
  bestEpoch: number;
  bestLoss: number;
}

export interface TrainLoopArgs {
  net: Network;
  optimizer: Optimizer;
  scheduler: LrScheduler;
  rng: Rng;
  loss: LossName;
  train: EncodedData;
  /** Loss and metric on the validation data, or null when there is none. */
  validate: (() => { loss: number; metric: number }) | null;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  clipNorm: number;
  earlyStopping: EarlyStopping | false;
  /**
   * The plateau rule (scikit-learn's tol / n_iter_no_change), when epochs were not given: an epoch
   * improves when the monitored loss is below the best so far minus tol; after `patience` epochs
   * without one, training stops ('converged') and the best weights are restored. null: off.
   */
  plateau: { tol: number; patience: number } | null;
  /** Epochs the model had already trained (numbering continues). */
  startEpoch: number;
  classification: boolean;
  /** Wall clock for display only; injected so the loop itself stays deterministic. */
  now: () => number;
  /** Yield a BatchEvent after every batch (callbacks, fitAsync, Trainer); false: only epoch logs. */
  batchEvents: boolean;
}

/** Set by a consumer (callback, abort) to stop after the current batch. */
export interface StopFlag {
  stop: StopReason | null;
}


/**
 * One epoch of the small-network path: be.sgdStep1 on each sample in `order`, the loss summed in
 * order (as the batch loop sums it). Stops after a non-finite ℓ (the caller restores and throws)
 * or when the stop flag is set, as the batch loop does after each batch. threshold < 0: no accuracy.
 */
function smallEpoch(be: Network['backend'], small: DenseStack, train: EncodedData, order: Uint32Array, n: number, loss: LossName, lr: number,
  optimizer: Optimizer, threshold: number, outAt: number, flag: StopFlag): SmallSums {
  const nIn = small.sizes[0];
  const nOut = small.sizes[small.sizes.length - 1];
  const wd = optimizer.weightDecay;
  // the whole epoch in one kernel call where the backend has one (the wasm backends, losses other
  // than bce); NOTE: flag.stop can only be set between epochs here (no per-batch events), but if
  // it is already set, the loop below stops after one sample as the batch loop does
  const whole = flag.stop ? null : be.sgdEpoch1?.(small, train.x, train.y, order, n, loss, lr, wd, threshold, outAt);
  if (whole) {
    optimizer.recordFusedStep(whole.seen);
    return whole;
  }
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  let L = 0;
  for (let b = 0; b < n; b++) {
    const r = order[b];
    L = be.sgdStep1!(small, train.x, r * nIn, train.y, r * nOut, loss, lr, wd);
    optimizer.recordFusedStep();
    seen++;
    if (!Number.isFinite(L)) break;
    if (threshold >= 0) correct += countCorrect(small.work, train.y, 1, nOut, threshold, outAt, r * nOut);
    lossSum += L;
    if (flag.stop) break;
  }
  return { loss: lossSum, correct, seen, last: L };
}

/** order[0 … n) = 0 … n − 1: a function of its own, which V8 optimizes long before the training generator. */
function resetOrder(order: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) order[i] = i;
}

export function* trainLoop(args: TrainLoopArgs, flag: StopFlag): Generator<BatchEvent | EpochLog, History> {
  const { net, optimizer, scheduler, rng, loss, train, validate, epochs, shuffle, clipNorm, earlyStopping, plateau, startEpoch, classification, now } = args;
  const be = net.backend;
  const { n } = train;
  const B = Math.min(args.batchSize, n);
  const nIn = net.inputs;
  const nOut = net.outputs;
  const fused = isFused(loss);
  // several sigmoid outputs with binary cross-entropy: multi-label (each output is its own yes/no)
  const multiLabel = loss === 'bce' && nOut > 1;
  const batches = Math.ceil(n / B);

  // all buffers up front
  net.ensureCapacity(B);
  const xb = be.alloc(B * nIn, net.dtype);
  const yb = be.alloc(B * nOut, net.dtype);
  const wb = train.w ? be.alloc(B, net.dtype) : null;
  // dropout draws its masks from the model's generator, in training passes only
  const dropRng = net.hasDropout ? rng : null;
  const order = new Uint32Array(n);
  const best = be.alloc(net.size, net.dtype);
  const epochStart = be.alloc(net.size, net.dtype);
  be.copy(net.params, best, net.size);
  be.copy(net.params, epochStart, net.size);
  const history: History = { epochs: [], stopReason: 'completed', bestEpoch: startEpoch, bestLoss: Infinity };
  let sinceBest = 0;
  let sinceImprovement = 0; // the plateau rule's count
  let samples = 0;
  // the small-network path: batch size 1 and plain SGD, when nobody needs per-batch gradients
  const small = B === 1 && !args.batchEvents && clipNorm === 0 && optimizer.name === 'sgd' && be.sgdStep1 !== undefined &&
    fusedStepHandles(loss, net.layers.map((l) => l.activation)) && net.allBiased && !net.hasDropout && !train.w
    ? denseStack([nIn, ...net.layers.map((l) => l.nOut)], net.layers.map((l) => l.activation as ElementwiseActivation), net.layers.map((l) => l.alpha), net.params, (k) => be.alloc(k, net.dtype))
    : null;
  const smallOut = small ? outputAt(small, fused) : 0; // a_L for the fused bce, else h_L

  /** Whether the weights give a finite forward pass (no dropout) on every training row. */
  const forwardFinite = (): boolean => {
    if (!be.allFinite(net.params, net.size)) return false;
    const chunk = Math.min(n, 256);
    net.ensureCapacity(chunk);
    const rows = be.alloc(chunk * nIn, net.dtype);
    try {
      for (let i = 0; i < n; i++) order[i] = i;
      for (let start = 0; start < n; start += chunk) {
        const Bc = Math.min(chunk, n - start);
        be.gatherRows(train.x, nIn, order, start, Bc, rows);
        if (!be.allFinite(net.forward(rows, Bc, fused), Bc * nOut)) return false;
      }
      return true;
    } finally {
      be.release(rows);
    }
  };

  /** A non-finite loss: back to the last weights whose forward pass is finite, and say where. */
  const diverged = (L: number, epoch: number, b: number, batches: number, lr: number): never => {
    // NOTE: finite weights are not enough: weights grown huge (SGD at lr 100) can be finite and
    // still give NaN outputs. The candidates, latest first: this epoch's start, the best epoch's
    // (the fit's start until an epoch improved); the first whose forward pass over the training
    // rows is finite is kept. When none is, this epoch's start stays and predict refuses NaN outputs.
    be.copy(epochStart, net.params, net.size);
    if (!forwardFinite()) {
      be.copy(best, net.params, net.size);
      if (!forwardFinite()) be.copy(epochStart, net.params, net.size);
    }
    throw new DivergenceError(
      `fit: the loss became ${L} at epoch ${epoch}, batch ${b + 1} of ${batches}; the model keeps its last finite weights. Lower the learning rate (now ${lr}), scale the inputs, or set clipNorm`,
      epoch, b + 1);
  };

  // NOTE: one event object, updated in place every batch (no allocation per step); copy it to keep it
  const ev: BatchEvent = { type: 'batch', epoch: 0, batch: 0, batches, loss: 0, samples: 0 };

  for (let e = 0; e < epochs; e++) {
    const epoch = startEpoch + e + 1;
    const lr = scheduler.lrAt(epoch - 1); // schedules count epochs over the model's life, so continued training continues them
    const t0 = now();
    resetOrder(order, n);
    if (shuffle) rng.shuffle(order);
    // the last weights known to be finite, to fall back on if the loss diverges this epoch
    if (be.allFinite(net.params, net.size)) be.copy(net.params, epochStart, net.size);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;

    if (small) {
      // the small-network path (batch size 1, plain SGD): the four phases below for one sample,
      // fused into one kernel with the same arithmetic (kernels/fused.ts), the whole epoch in a
      // function of its own (smallEpoch: V8 optimizes that small loop long before this generator)
      const sums = smallEpoch(be, small, train, order, n, loss, lr, optimizer, classification ? (fused ? 0 : 0.5) : -1, smallOut, flag);
      lossSum = sums.loss;
      correct = sums.correct;
      seen = sums.seen;
      samples += sums.seen;
      if (!Number.isFinite(sums.last)) diverged(sums.last, epoch, sums.seen - 1, batches, lr);
      ev.epoch = epoch;
      ev.batch = sums.seen;
      ev.loss = sums.last;
      ev.samples = samples;
    }
    for (let b = 0; b < (small ? 0 : batches); b++) {
      const start = b * B;
      const Bc = Math.min(B, n - start); // the last batch may be smaller
      let L: number;

      {
        be.gatherRows(train.x, nIn, order, start, Bc, xb);
        be.gatherRows(train.y, nOut, order, start, Bc, yb);
        if (wb) be.gatherRows(train.w!, 1, order, start, Bc, wb);
        net.zeroGrad();

        // forward: a_l = W_l h_{l−1} + b_l, h_l = f_l(a_l) (dropped out where a layer says so);
        // fused losses stop at the logits a_L
        const out = net.forward(xb, Bc, fused, dropRng);

        // loss: L = (1/B) Σ ℓ(ŷ_i, y_i) (or Σ w_i ℓ_i / Σ w_i), and δ_L = ∂L/∂a_L in the output layer
        L = net.lossAndDelta(loss, yb, Bc, wb);
        if (!Number.isFinite(L)) diverged(L, epoch, b, batches, lr);
        if (classification) correct += countCorrect(out, yb, Bc, nOut, fused ? 0 : 0.5, 0, 0, multiLabel);

        // backward: dW_l += δ_lᵀ h_{l−1}, db_l += Σ δ_l, δ_{l−1} = (δ_l W_l) ∘ f'(a_{l−1})
        net.backward(Bc);
        if (clipNorm > 0) clipGradNorm(net, clipNorm);

        // update: θ ← θ − η ∇θ (through the optimizer's rule)
        optimizer.step(lr);
      }
      lossSum += L * Bc;
      seen += Bc;

      samples += Bc;
      ev.epoch = epoch;
      ev.batch = b + 1;
      ev.loss = L;
      ev.samples = samples;
      if (args.batchEvents) yield ev;
      if (flag.stop) break;
    }

    // log: validation, early stopping, schedule
    const trainLoss = lossSum / seen;
    const val = validate ? validate() : null;
    const seconds = (now() - t0) / 1000;
    const log: EpochLog = {
      type: 'epoch', epoch, loss: trainLoss, lr, seconds,
      samplesPerSecond: seconds > 0 ? seen / seconds : 0,
      ...(classification ? { accuracy: correct / seen } : {}),
      ...(val ? { valLoss: val.loss, valMetric: val.metric } : {}),
    };
    history.epochs.push(log);
    const monitored = val ? val.loss : trainLoss;
    scheduler.observe(monitored);
    const minDelta = earlyStopping ? earlyStopping.minDelta : 0;
    // plateau (as scikit-learn): no improvement when the loss is above best − tol; best updated on any decrease
    if (plateau) sinceImprovement = monitored > history.bestLoss - plateau.tol ? sinceImprovement + 1 : 0;
    if (plateau ? monitored < history.bestLoss : monitored < history.bestLoss - minDelta) {
      history.bestLoss = monitored;
      history.bestEpoch = epoch;
      be.copy(net.params, best, net.size);
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    yield log;
    if (flag.stop) {
      history.stopReason = flag.stop;
      break;
    }
    if (earlyStopping && sinceBest >= earlyStopping.patience) {
      history.stopReason = 'earlyStopping';
      break;
    }
    if (plateau && sinceImprovement >= plateau.patience) {
      history.stopReason = 'converged';
      break;
    }
    if (plateau && e === epochs - 1) history.stopReason = 'maxEpochs';
  }
  // early stopping and the plateau rule restore the best weights, whatever ended training
  if ((earlyStopping || plateau) && history.bestEpoch > startEpoch) be.copy(best, net.params, net.size);
  else history.bestEpoch = startEpoch + history.epochs.length;
  for (const buf of [xb, yb, best, epochStart]) be.release(buf);
  if (wb) be.release(wb);
  if (small) be.release(small.work);
  return history;
}

