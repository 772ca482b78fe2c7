// Seeing and verifying the gradients.
//   gradients: the loss and ∂L/∂W, ∂L/∂b of every layer, and ∂L/∂x, by backprop
//   gradCheck: backprop against central finite differences, in float64
//   jacobian:  ∂ŷ/∂x for one sample, by backprop (one backward pass per output)
//   trace:     every chain-rule factor for one sample, layer by layer, in the lecture's notation
// All take raw inputs and targets, as predict and fit do; x-derivatives are taken with respect to
// those raw inputs (the chain rule through the feature scaler: ∂L/∂x = ∂L/∂x' / scale).

import type { MLP, ModelSnapshot } from '../model.ts';
import { checkTargets, toMatrix, type Features, type Label, type Targets } from '../data/input.ts';
import { encodeRows, type EncodedData } from '../data/encode.ts';
import { identity } from '../data/split.ts';
import { Network } from '../nn/network.ts';
import { reference } from '../kernels/reference.ts';
import { getBackend } from '../kernels/select.ts';
import { activations } from '../math/activations.ts';
import { isFused, type LossName } from '../math/losses.ts';
import { ConfigError, MlpError } from '../errors.ts';
import { Rng } from '../tensor/rng.ts';
import { toRows, type FloatArray } from '../tensor/tensor.ts';

/** The gradients of one layer l: dW = ∂L/∂W_l, shaped like W [nOut][nIn], and db = ∂L/∂b_l [nOut]. */
export interface LayerGradients {
  /** ∂L/∂W as [nOut][nIn] */
  dW: number[][];
  /** ∂L/∂b as [nOut] */
  db: number[];
}

/** What gradients() returns: the loss over the given samples and dW, db for every layer, first to last. */
export interface Gradients {
  /** L = (1/B) Σ ℓ_i over the given samples */
  loss: number;
  layers: LayerGradients[];
  /** ∂L/∂x as [B][nIn], with respect to the raw inputs */
  dx: number[][];
}

/** The model as plain data, or E_NOT_FITTED naming the caller. */
function snapshotOf(model: MLP, where: string): ModelSnapshot {
  if (!model.fitted) throw new MlpError('E_NOT_FITTED', `${where}: the model has no weights yet; call fit(x, y) first or load a trained model`);
  return model.snapshot({ training: false });
}

/**
 * The model's network rebuilt from its snapshot: on the model's own backend and dtype, or as
 * float64 on the reference backend (exact numbers for checking and teaching).
 * NOTE: the caller disposes it (its buffers may live in WebAssembly memory).
 */
function networkOf(model: MLP, snap: ModelSnapshot, float64: boolean): Network {
  const net = float64 ? new Network(reference, 'float64', snap.inputs, snap.layers) : new Network(getBackend(model.backendName, snap.dtype), snap.dtype, snap.inputs, snap.layers);
  net.setParams(snap.params);
  return net;
}

/** Raw samples → network space, as the model's own dtype rounds them (plain arrays, nothing to release). */
function prepare(snap: ModelSnapshot, x: Features, y: Targets, where: string): EncodedData {
  const X = toMatrix(x, where, snap.inputs);
  const outputs = snap.layers[snap.layers.length - 1].units;
  return encodeRows({ backend: reference, dtype: snap.dtype, outputs, task: snap.task, preprocessing: snap.preprocessing }, X.data, X.shape[1], checkTargets(y, where, X.shape[0]), identity(X.shape[0]), where);
}

/**
 * Loss and gradients for samples x, y, computed by backprop on the model's own backend and dtype
 * (or in float64): dW_l = ∂L/∂W_l as [nOut][nIn] and db_l = ∂L/∂b_l, with L the mean loss over the samples.
 *
 * @throws {@link MlpError} (E_NOT_FITTED) for a model without weights; a ShapeError/DataError for bad x, y.
 *
 * @example
 * ```ts
 * import { MLP, gradients, datasets } from 'mlpkit';
 * const { x, y } = datasets.xorTable();
 * const model = new MLP({ hidden: [2], epochs: 1, seed: 0 });
 * model.fit(x, y);
 * const g = gradients(model, x, y, { float64: true });
 * console.log(g.loss, g.layers[0].dW); // dW_1: [2][2]
 * ```
 */
export function gradients(model: MLP, x: Features, y: Targets, options: { float64?: boolean } = {}): Gradients {
  const snap = snapshotOf(model, 'gradients');
  const data = prepare(snap, x, y, 'gradients');
  const net = networkOf(model, snap, options.float64 === true);
  try {
    const g = backprop(snap.loss, net, data.x, data.y, data.n, true);
    const scale = snap.preprocessing.inputs.scale;
    const dx = toRows(g.dx, data.n, net.inputs).map((row) => row.map((v, j) => v / scale[j]));
    return {
      loss: g.loss,
      layers: net.layers.map((l, i) => ({ dW: toRows(g.grads[i].dW, l.nOut, l.nIn), db: Array.from(g.grads[i].db) })),
      dx,
    };
  } finally {
    net.dispose();
  }
}

/** One zeroGrad / forward / loss / backward; returns copies of the gradients. */
function backprop(loss: LossName, net: Network, xs: ArrayLike<number>, ys: ArrayLike<number>, B: number, wantDx: boolean) {
  const be = net.backend;
  const x = be.alloc(B * net.inputs, net.dtype);
  const y = be.alloc(B * net.outputs, net.dtype);
  try {
    x.set(xs);
    y.set(ys);
    net.zeroGrad();
    net.forward(x, B, isFused(loss));
    const L = net.lossAndDelta(loss, y, B);
    net.backward(B, wantDx);
    return {
      loss: L,
      grads: net.layers.map((l) => ({ dW: Float64Array.from(l.dW), db: Float64Array.from(l.db) })),
      dx: wantDx ? Float64Array.from(net.dx!.subarray(0, B * net.inputs)) : new Float64Array(0),
    };
  } finally {
    be.release(x);
    be.release(y);
  }
}

/** Loss only, in float64. */
function lossOnly(loss: LossName, net: Network, x: FloatArray, y: FloatArray, B: number): number {
  const fused = isFused(loss);
  const h = net.forward(x, B, fused);
  return net.backend.loss(loss, fused ? net.output.a : h, y, null, B, net.outputs, 1) / B;
}

/** One parameter tensor (W or b of a layer) in a gradient check: how many entries were compared and the worst relative error. */
export interface GradCheckEntry {
  layer: number; // 1-based
  param: 'W' | 'b';
  checked: number;
  maxAbsError: number;
  maxRelError: number;
  /** [row, col] for W, [index] for b, of the largest relative error */
  worst: number[];
  passed: boolean;
}

/** What gradCheck returns: whether every backprop gradient matched the central finite difference within tolerance, and the worst entries. */
export interface GradCheckReport {
  passed: boolean;
  /** relative error = |g − n| / max(|g|, |n|, floor · max(1, |L|)) must be < tolerance */
  tolerance: number;
  floor: number;
  eps: number;
  loss: number;
  entries: GradCheckEntry[];
  /** Largest relative error between the model's own backend (its dtype) and the float64 backprop. */
  backendMaxRelError: number;
}

/** How gradCheck compares backprop gradients with finite differences. */
export interface GradCheckOptions {
  /** Step h of the finite difference (default 1e-4). */
  eps?: number;
  /** Pass when every relative error is below this (default 1e-6). */
  tolerance?: number;
  /**
   * Denominator floor, scaled by max(1, |L|): entries smaller than floor · max(1, |L|) are compared
   * absolutely. Default 1e-5. Why: the difference quotient's float64 round-off is about
   * 1e-16 · |L| / h ≈ 1e-12 · |L|, so no gradient entry below ~1e-6 · |L| can be resolved to 1e-6.
   */
  floor?: number;
  /** Check at most this many entries per W or b, drawn with a seeded generator (default all up to 400). */
  maxPerTensor?: number;
  seed?: number;
}

/**
 * Backprop against the fourth-order central difference
 *   n = [−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)] / 12h,
 * whose error is O(h⁴), all in float64 on the reference backend.
 */
export function gradCheck(model: MLP, x: Features, y: Targets, options: GradCheckOptions = {}): GradCheckReport {
  const eps = options.eps ?? 1e-4;
  const tolerance = options.tolerance ?? 1e-6;
  const floor = options.floor ?? 1e-5;
  const maxPer = options.maxPerTensor ?? 400;
  const rng = new Rng(options.seed ?? 0);
  const snap = snapshotOf(model, 'gradCheck');
  const data = prepare(snap, x, y, 'gradCheck');
  const net = networkOf(model, snap, true);
  const B = data.n;
  const X = Float64Array.from(data.x);
  const Y = Float64Array.from(data.y);
  const loss = snap.loss;
  const analytic = backprop(loss, net, X, Y, B, false);
  const net0 = networkOf(model, snap, false);
  let own: ReturnType<typeof backprop>;
  try {
    own = backprop(loss, net0, data.x, data.y, B, false);
  } finally {
    net0.dispose();
  }
  const lossFloor = floor * Math.max(1, Math.abs(analytic.loss));

  const entries: GradCheckEntry[] = [];
  let backendMaxRelError = 0;
  net.layers.forEach((layer, l) => {
    for (const param of ['W', 'b'] as const) {
      const theta = param === 'W' ? layer.W : layer.b;
      const g = analytic.grads[l][param === 'W' ? 'dW' : 'db'];
      const go = own.grads[l][param === 'W' ? 'dW' : 'db'];
      for (let k = 0; k < g.length; k++) backendMaxRelError = Math.max(backendMaxRelError, relErr(g[k], go[k], lossFloor));
      const idx = theta.length <= maxPer ? Array.from({ length: theta.length }, (_, k) => k) : Array.from(rng.permutation(theta.length).subarray(0, maxPer));
      let maxAbs = 0;
      let maxRel = 0;
      let worst = 0;
      for (const k of idx) {
        const t = theta[k];
        const at = (d: number) => {
          theta[k] = t + d;
          return lossOnly(loss, net, X, Y, B);
        };
        const n = (-at(2 * eps) + 8 * at(eps) - 8 * at(-eps) + at(-2 * eps)) / (12 * eps);
        theta[k] = t;
        const abs = Math.abs(g[k] - n);
        const rel = relErr(g[k], n, lossFloor);
        if (abs > maxAbs) maxAbs = abs;
        if (rel >= maxRel) {
          maxRel = rel;
          worst = k;
        }
      }
      entries.push({
        layer: l + 1, param, checked: idx.length, maxAbsError: maxAbs, maxRelError: maxRel,
        worst: param === 'W' ? [Math.floor(worst / layer.nIn), worst % layer.nIn] : [worst],
        passed: maxRel < tolerance,
      });
    }
  });
  return { passed: entries.every((e) => e.passed), tolerance, floor, eps, loss: analytic.loss, entries, backendMaxRelError };
}

function relErr(a: number, b: number, floor: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
}

/**
 * ∂ŷ/∂x for one sample as [nOutputs][nInputs], by backprop: for each output k, start the backward
 * pass from ∂ŷ_k/∂h_L = e_k. ŷ is what predictProba gives (classification, network outputs) or the
 * regression output in the user's units; x is the raw input.
 */
export function jacobian(model: MLP, x: readonly number[], options: { float64?: boolean } = {}): number[][] {
  const snap = snapshotOf(model, 'jacobian');
  if (!Array.isArray(x) || x.length !== snap.inputs) throw new ConfigError('E_CONFIG', `jacobian: expected one sample of ${snap.inputs} numbers, received ${Array.isArray(x) ? x.length + ' numbers' : typeof x}`, { field: 'x', expected: snap.inputs, received: Array.isArray(x) ? x.length : typeof x });
  const net = networkOf(model, snap, options.float64 !== false);
  const pre = snap.preprocessing;
  const xb = net.backend.alloc(net.inputs, net.dtype);
  try {
    for (let j = 0; j < net.inputs; j++) xb[j] = (x[j] - pre.inputs.shift[j]) / pre.inputs.scale[j];
    const out = net.output;
    const J: number[][] = [];
    for (let k = 0; k < net.outputs; k++) {
      net.forward(xb, 1);
      net.backend.fill(out.delta, 0, net.outputs);
      out.delta[k] = 1; // ∂ŷ_k/∂h_L = e_k
      out.activationBackward(1);
      net.backward(1, true, false);
      const ts = pre.targets ? pre.targets.scale[k] : 1;
      J.push(Array.from({ length: net.inputs }, (_, j) => (ts * net.dx![j]) / pre.inputs.scale[j]));
    }
    return J;
  } finally {
    net.backend.release(xb);
    net.dispose();
  }
}

/** One layer l of a trace: its a = W x + b and h = f(a) for the traced sample, and in the backward pass delta = ∂L/∂a. */
export interface TraceLayer {
  /** 1-based layer index l */
  layer: number;
  activation: string;
  /** x = h_{l−1}: the layer's input */
  x: number[];
  W: number[][];
  b: number[];
  /** a = W x + b */
  a: number[];
  /** h = f(a) */
  h: number[];
  /** f'(a), elementwise; null for softmax, whose Jacobian is not diagonal (see jacobian) */
  fprime: number[] | null;
  /** softmax only: ∂h/∂a = diag(h) − h hᵀ */
  jacobian?: number[][];
  /** ∂L/∂h: for the output layer from the loss, for hidden layers δ_{l+1} W_{l+1} (re-used from above) */
  dLdh: number[];
  /** δ = ∂L/∂a = ∂L/∂h ∘ f'(a) */
  delta: number[];
  /** ∂L/∂W = δ xᵀ, as [nOut][nIn] */
  dW: number[][];
  /** ∂L/∂b = δ */
  db: number[];
}

/** A forward and backward pass of one sample, layer by layer: what trace() returns for teaching and debugging. */
export interface Trace {
  /** the sample as the network sees it (after feature scaling) */
  x: number[];
  /** the target as the network sees it (one-hot, 0/1, or scaled) */
  y: number[];
  yhat: number[];
  loss: string;
  L: number;
  /** true when the output activation and loss are fused (δ_L computed from the logits directly) */
  fused: boolean;
  layers: TraceLayer[];
}

/**
 * Every factor of the chain rule for one sample, in float64, layer by layer: a = W x + b and
 * h = f(a) forward, delta = ∂L/∂a, dW and db backward.
 *
 * @throws {@link MlpError} (E_NOT_FITTED) for a model without weights; E_CONFIG when x is not one sample of `inputs` numbers.
 *
 * @example
 * ```ts
 * import { MLP, trace, datasets } from 'mlpkit';
 * const { x, y } = datasets.xorTable();
 * const model = new MLP({ hidden: [2], epochs: 1, seed: 0 });
 * model.fit(x, y);
 * const t = trace(model, [1, 0], 1);
 * console.log(t.L, t.layers.map((l) => l.activation));
 * ```
 */
export function trace(model: MLP, x: readonly number[], y: Label | readonly number[]): Trace {
  const snap = snapshotOf(model, 'trace');
  const data = prepare(snap, [x as number[]], [y] as Targets, 'trace');
  const net = networkOf(model, snap, true);
  const X = Float64Array.from(data.x);
  const Y = Float64Array.from(data.y);
  const loss = snap.loss;
  const fused = isFused(loss);
  const be = net.backend;
  net.zeroGrad();
  net.forward(X, 1); // full forward, h_L included
  const L = net.lossAndDelta(loss, Y, 1);
  const L_ = net.layers.length;
  const out = net.output;
  const m = net.outputs;
  // ∂L/∂h_L: for the fused pairs derived from δ_L (δ = ∂L/∂h ∘ f'(a) ⇒ ∂L/∂h = δ / f'(a) for sigmoid;
  // for softmax + cross-entropy, ∂L/∂h_j = −y_j / h_j)
  let dLdhOut: number[];
  if (!fused) {
    const dh = new Float64Array(m);
    be.loss(loss, out.h, Y, dh, 1, m, 1);
    dLdhOut = Array.from(dh);
  } else if (loss === 'bce') {
    dLdhOut = Array.from(out.h.subarray(0, m), (h, j) => (h - Y[j]) / (h * (1 - h)) / m);
  } else {
    dLdhOut = Array.from(out.h.subarray(0, m), (h, j) => -Y[j] / h);
  }
  const layers: TraceLayer[] = [];
  let dLdh = dLdhOut;
  for (let l = L_ - 1; l >= 0; l--) {
    const layer = net.layers[l];
    const n = layer.nOut;
    const a = Array.from(layer.a.subarray(0, n));
    const h = Array.from(layer.h.subarray(0, n));
    const soft = layer.activation === 'softmax';
    const fprime = soft ? null : a.map((ai, j) => activations[layer.activation as Exclude<typeof layer.activation, 'softmax'>].df(ai, h[j], layer.alpha));
    if (l < L_ - 1) layer.activationBackward(1); // δ_l = ∂L/∂h_l ∘ f'(a_l); ∂L/∂h_l was written by layer l+1
    const delta = Array.from(layer.delta.subarray(0, n));
    const dx = l > 0 ? net.layers[l - 1].delta : null;
    layer.backward(1, dx);
    layers.unshift({
      layer: l + 1, activation: layer.activation,
      x: Array.from(layer.x.subarray(0, layer.nIn)),
      W: toRows(layer.W, n, layer.nIn), b: Array.from(layer.b),
      a, h, fprime,
      ...(soft ? { jacobian: h.map((hi, i) => h.map((hj, j) => (i === j ? hi : 0) - hi * hj)) } : {}),
      dLdh, delta,
      dW: toRows(layer.dW, n, layer.nIn), db: Array.from(layer.db),
    });
    if (dx) dLdh = Array.from(dx.subarray(0, layer.nIn));
  }
  return { x: Array.from(X), y: Array.from(Y), yhat: Array.from(out.h.subarray(0, m)), loss, L, fused, layers };
}
