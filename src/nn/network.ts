// The network: a stack of Dense layers, y = f_L(W_L … f_1(W_1 x + b_1)), over one backend.
//
// Parameters live in one flat buffer and their gradients in a parallel one, laid out as
//   [ W_1 | W_2 | … | W_L | b_1 | b_2 | … | b_L ]
// so an optimizer updates everything with one kernel call, and weight decay can skip the
// biases by stopping at `nWeights`. Backward accumulates into `grads`; `zeroGrad` clears it.

import type { Backend } from '../kernels/backend.ts';
import type { DType, FloatArray } from '../tensor/tensor.ts';
import { ConfigError, ShapeError, fmtShape } from '../errors.ts';
import { Dense } from './dense.ts';
import { checkActivation, defaultAlpha, type ActivationName } from '../math/activations.ts';
import { checkInit, defaultInit, initializers, type InitName } from './init.ts';
import { isFused, type LossName } from '../math/losses.ts';
import type { Rng } from '../tensor/rng.ts';

export interface LayerSpec {
  units: number;
  activation: ActivationName;
  /** leakyRelu slope (default 0.01) or elu α (default 1) */
  alpha?: number;
}

/** Where layer l's W_l and b_l sit in the flat [W_1 … W_L | b_1 … b_L] buffer. */
export interface ParamSlot {
  nIn: number;
  nOut: number;
  /** W_l is params[w, w + nOut·nIn), row-major [nOut, nIn] */
  w: number;
  /** b_l is params[b, b + nOut) */
  b: number;
}

/** The flat parameter layout of a network of `inputs` inputs and these layer widths; size = total values. */
export function parameterLayout(inputs: number, units: readonly number[]): { slots: ParamSlot[]; nWeights: number; size: number } {
  let nW = 0;
  let fanIn = inputs;
  for (const u of units) {
    nW += u * fanIn;
    fanIn = u;
  }
  const slots: ParamSlot[] = [];
  let w = 0;
  let b = nW;
  fanIn = inputs;
  for (const u of units) {
    slots.push({ nIn: fanIn, nOut: u, w, b });
    w += u * fanIn;
    b += u;
    fanIn = u;
  }
  return { slots, nWeights: nW, size: b };
}

export class Network {
  readonly layers: Dense[] = [];
  readonly params: FloatArray;
  readonly grads: FloatArray;
  /** params[0..nWeights) are the weights W_l, the rest the biases b_l. */
  readonly nWeights: number;
  /** Rows the workspace holds now; grows on demand, never per step. */
  capacity = 0;
  /** ∂L/∂x of the input batch, allocated only when asked for (gradients, jacobian). */
  dx: FloatArray | null = null;

  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly inputs: number,
    readonly specs: readonly LayerSpec[],
  ) {
    if (!backend.supports(dtype)) throw new ConfigError('E_CONFIG', `Network: backend "${backend.name}" does not run ${dtype}; use backend "reference" or "js" for float64`);
    if (!Number.isInteger(inputs) || inputs < 1) throw new ConfigError('E_CONFIG', `Network: expected inputs to be a positive integer, received ${inputs}`);
    if (specs.length === 0) throw new ConfigError('E_CONFIG', 'Network: expected at least one layer, received none; give layers like [{ units: 8, activation: "relu" }, { units: 1, activation: "sigmoid" }]');
    let nW = 0;
    let nB = 0;
    let fanIn = inputs;
    specs.forEach((s, l) => {
      if (!Number.isInteger(s.units) || s.units < 1) throw new ConfigError('E_CONFIG', `Network: layer ${l + 1} expected units to be a positive integer, received ${s.units}`);
      checkActivation(s.activation, `Network: layer ${l + 1}`);
      if (s.activation === 'softmax' && l !== specs.length - 1) throw new ConfigError('E_CONFIG', `Network: softmax is only supported on the output layer, received it on hidden layer ${l + 1}; use relu or tanh there`);
      nW += s.units * fanIn;
      nB += s.units;
      fanIn = s.units;
    });
    this.nWeights = nW;
    this.params = backend.alloc(nW + nB, dtype);
    this.grads = backend.alloc(nW + nB, dtype);
    let wOff = 0;
    let bOff = nW;
    fanIn = inputs;
    for (const s of specs) {
      const nw = s.units * fanIn;
      const alpha = s.alpha ?? defaultAlpha(s.activation);
      this.layers.push(new Dense(backend, fanIn, s.units, s.activation, alpha,
        this.params.subarray(wOff, wOff + nw), this.params.subarray(bOff, bOff + s.units),
        this.grads.subarray(wOff, wOff + nw), this.grads.subarray(bOff, bOff + s.units)));
      wOff += nw;
      bOff += s.units;
      fanIn = s.units;
    }
  }

  get outputs(): number {
    return this.layers[this.layers.length - 1].nOut;
  }

  get size(): number {
    return this.params.length;
  }

  get output(): Dense {
    return this.layers[this.layers.length - 1];
  }

  /** Draw every weight from `init` (default by activation), biases zero. One rng, layer by layer. */
  initialize(rng: Rng, init?: InitName | InitName[]): void {
    this.layers.forEach((layer, l) => {
      const name = checkInit(Array.isArray(init) ? init[l] : init ?? defaultInit(layer.activation), `Network.initialize: layer ${l + 1}`);
      const draw = initializers[name];
      for (let k = 0; k < layer.W.length; k++) layer.W[k] = draw(rng, layer.nIn, layer.nOut);
      this.backend.fill(layer.b, 0, layer.b.length);
    });
  }

  /** Make room for batches of `rows` samples. */
  ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    for (const layer of this.layers) layer.allocWorkspace(rows);
    this.capacity = rows;
    if (this.dx) {
      this.backend.release(this.dx);
      this.dx = this.backend.alloc(rows * this.inputs, this.dtype);
    }
  }

  /** Give every buffer (parameters, gradients, workspace) back to the backend. NOTE: the network is unusable afterwards. */
  dispose(): void {
    const be = this.backend;
    for (const layer of this.layers) layer.releaseWorkspace();
    if (this.dx) be.release(this.dx);
    be.release(this.params);
    be.release(this.grads);
    this.dx = null;
    this.capacity = 0;
  }

  /** A copy of the parameters [W_1 … W_L | b_1 … b_L] in this network's dtype. */
  copyParams(): FloatArray {
    return this.params.slice();
  }

  /** Overwrite the parameters from a flat [W_1 … W_L | b_1 … b_L] array (rounded to this dtype). */
  setParams(src: ArrayLike<number>): void {
    if (src.length !== this.size) throw new ShapeError('E_SHAPE', `Network.setParams: expected ${this.size} values, received ${src.length}`, { field: 'params', expected: this.size, received: src.length });
    this.params.set(src);
  }

  // x: [B, inputs]  →  ŷ: [B, outputs]
  /** Forward pass. With `logitsOnly`, the output layer stops at a_L (fused losses need no h_L). */
  forward(x: FloatArray, B: number, logitsOnly = false): FloatArray {
    if (x.length < B * this.inputs) throw new ShapeError('E_SHAPE', `Network.forward: expected x of shape ${fmtShape(['B', this.inputs])} with B = ${B}, received ${x.length} values`);
    this.ensureCapacity(B);
    let h = x;
    const L = this.layers.length;
    for (let l = 0; l < L; l++) h = this.layers[l].forward(h, B, logitsOnly && l === L - 1);
    return h;
  }

  /**
   * The loss of the last forward pass and δ_L = ∂L/∂a_L in the output layer's delta.
   * y: [B, outputs]. Returns L = (1/B) Σ_i ℓ_i. The forward pass must have used
   * logitsOnly = fused(loss) (train.ts does).
   */
  lossAndDelta(loss: LossName, y: FloatArray, B: number): number {
    const out = this.output;
    const fused = isFused(loss);
    const z = fused ? out.a : out.h;
    const sum = this.backend.loss(loss, z, y, out.delta, B, out.nOut, 1 / B);
    if (!fused) out.activationBackward(B); // ∂L/∂h → δ_L = ∂L/∂h ∘ f'(a_L)
    return sum / B;
  }

  /**
   * Backpropagation from δ_L in the output layer's delta: for l = L … 1,
   *   dW_l += δ_lᵀ h_{l−1},  db_l += Σ δ_l,  δ_{l−1} = (δ_l W_l) ∘ f'_{l−1}(a_{l−1}).
   * The factor δ_l computed for layer l is re-used for every earlier layer: that is backpropagation.
   * With wantDx, also writes ∂L/∂x into this.dx.
   */
  backward(B: number, wantDx = false, accumulateParams = true): void {
    const L = this.layers.length;
    if (wantDx && (!this.dx || this.dx.length < B * this.inputs)) {
      if (this.dx) this.backend.release(this.dx);
      this.dx = this.backend.alloc(this.capacity * this.inputs, this.dtype);
    }
    for (let l = L - 1; l >= 0; l--) {
      const layer = this.layers[l];
      const dx = l > 0 ? this.layers[l - 1].delta : wantDx ? this.dx : null;
      layer.backward(B, dx, accumulateParams);
      if (l > 0) this.layers[l - 1].activationBackward(B);
    }
  }

  zeroGrad(): void {
    this.backend.fill(this.grads, 0, this.grads.length);
  }
}
