// Seeing and verifying the gradients.
//   gradients: the loss and ∂L/∂W, ∂L/∂b of every layer, and ∂L/∂x, by backprop
//   gradCheck: backprop against central finite differences, in float64
//   jacobian:  ∂ŷ/∂x for one sample, by backprop (one backward pass per output)
//   trace:     every chain-rule factor for one sample, layer by layer, in the seed's notation
// All take raw inputs and targets, as predict and fit do; x-derivatives are taken with respect to
// those raw inputs (the chain rule through the feature scaler: ∂L/∂x = ∂L/∂x' / scale).

import type { MLP } from '../model.ts';
import type { Features, Label, Targets } from '../data/input.ts';
import { Network } from '../nn/network.ts';
import { reference } from '../kernels/reference.ts';
import { activations } from '../nn/activations.ts';
import { lossInfo } from '../loss/losses.ts';
import { ConfigError } from '../errors.ts';
import { Rng } from '../tensor/rng.ts';
import { toRows, type FloatArray } from '../tensor/tensor.ts';

export interface LayerGradients {
  /** ∂L/∂W as [nOut][nIn] */
  dW: number[][];
  /** ∂L/∂b as [nOut] */
  db: number[];
}

export interface Gradients {
  /** L = (1/B) Σ ℓ_i over the given samples */
  loss: number;
  layers: LayerGradients[];
  /** ∂L/∂x as [B][nIn], with respect to the raw inputs */
  dx: number[][];
}

/** The network as float64 on the reference backend: exact numbers for checking and teaching. */
export function toFloat64(net: Network): Network {
  const copy = new Network(reference, 'float64', net.inputs, net.specs);
  for (let k = 0; k < net.size; k++) copy.params[k] = net.params[k];
  return copy;
}

/** Loss and gradients for samples x, y, computed by backprop on the model's own backend and dtype. */
export function gradients(model: MLP, x: Features, y: Targets, options: { float64?: boolean } = {}): Gradients {
  const net0 = model.requireNet('gradients');
  const data = model.prepare(x, y, 'gradients');
  const net = options.float64 ? toFloat64(net0) : net0;
  const g = backprop(model, net, data.x, data.y, data.n, true);
  const scale = model.preprocessing!.inputs.scale;
  const dx = toRows(g.dx, data.n, net.inputs).map((row) => row.map((v, j) => v / scale[j]));
  return {
    loss: g.loss,
    layers: net.layers.map((l, i) => ({ dW: toRows(g.grads[i].dW, l.nOut, l.nIn), db: Array.from(g.grads[i].db) })),
    dx,
  };
}

/** One zeroGrad / forward / loss / backward; returns copies of the gradients. */
function backprop(model: MLP, net: Network, xs: ArrayLike<number>, ys: ArrayLike<number>, B: number, wantDx: boolean) {
  const x = net.backend.alloc(B * net.inputs, net.dtype);
  const y = net.backend.alloc(B * net.outputs, net.dtype);
  for (let k = 0; k < x.length; k++) x[k] = xs[k];
  for (let k = 0; k < y.length; k++) y[k] = ys[k];
  const loss = model.loss!;
  net.zeroGrad();
  net.forward(x, B, lossInfo[loss].fusedWith !== undefined);
  const L = net.lossAndDelta(loss, y, B);
  net.backward(B, wantDx);
  return {
    loss: L,
    grads: net.layers.map((l) => ({ dW: Float64Array.from(l.dW), db: Float64Array.from(l.db) })),
    dx: wantDx ? Float64Array.from(net.dx!.subarray(0, B * net.inputs)) : new Float64Array(0),
  };
}

/** Loss only, in float64. */
function lossOnly(model: MLP, net: Network, x: FloatArray, y: FloatArray, B: number): number {
  const loss = model.loss!;
  const fused = lossInfo[loss].fusedWith !== undefined;
  const h = net.forward(x, B, fused);
  return net.backend.loss(loss, fused ? net.output.a : h, y, null, B, net.outputs, 1) / B;
}

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
  const net0 = model.requireNet('gradCheck');
  const data = model.prepare(x, y, 'gradCheck');
  const net = toFloat64(net0);
  const B = data.n;
  const X = Float64Array.from(data.x);
  const Y = Float64Array.from(data.y);
  const analytic = backprop(model, net, X, Y, B, false);
  const own = backprop(model, net0, data.x, data.y, B, false);
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
          return lossOnly(model, net, X, Y, B);
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
  const net0 = model.requireNet('jacobian');
  if (!Array.isArray(x) || x.length !== net0.inputs) throw new ConfigError('E_CONFIG', `jacobian: expected one sample of ${net0.inputs} numbers, received ${Array.isArray(x) ? x.length + ' numbers' : typeof x}`);
  const net = options.float64 === false ? net0 : toFloat64(net0);
  const pre = model.preprocessing!;
  const xb = net.backend.alloc(net.inputs, net.dtype);
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
}

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

/** Every factor of the chain rule for one sample, in float64, layer by layer. */
export function trace(model: MLP, x: readonly number[], y: Label | readonly number[]): Trace {
  const net0 = model.requireNet('trace');
  const data = model.prepare([x as number[]], [y] as Targets, 'trace');
  const net = toFloat64(net0);
  const X = Float64Array.from(data.x);
  const Y = Float64Array.from(data.y);
  const loss = model.loss!;
  const fused = lossInfo[loss].fusedWith !== undefined;
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
