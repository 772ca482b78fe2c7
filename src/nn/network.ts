// The network: a stack of Dense layers, y = f_L(W_L … f_1(W_1 x + b_1)), over one backend.
//
// Parameters live in one flat buffer and their gradients in a parallel one, laid out as
//   [ W_1 | W_2 | … | W_L | b_1 | b_2 | … | b_L ]
// (a layer with bias: false has no b_l there) so an optimizer updates everything with one kernel
// call, and weight decay can skip the biases by stopping at `nWeights`. Backward accumulates into
// `grads`; `zeroGrad` clears it.

import type { Backend } from '../kernels/backend.ts';
import type { DType, FloatArray } from '../tensor/tensor.ts';
import { ConfigError, ShapeError, fmtShape } from '../errors.ts';
import { Dense } from './dense.ts';
import { checkActivation, defaultAlpha, type ActivationName } from '../math/activations.ts';
import { checkInit, defaultBiasInit, defaultInit, initializers, type InitName } from './init.ts';
import { isFused, type LossName } from '../math/losses.ts';
import type { Rng } from '../tensor/rng.ts';

/** One layer of a network to build: its width nOut, activation f, and options. */
export interface LayerSpec {
  units: number;
  activation: ActivationName;
  /** leakyRelu slope (default 0.01) or elu α (default 1) */
  alpha?: number;
  /** false: no bias, a = W x (PyTorch bias=False). Default true. */
  bias?: boolean;
  /** Inverted dropout rate on this layer's output in training passes, in [0, 1); hidden layers only. Default 0. */
  dropout?: number;
}

/** Weight and bias initializers: one name for every layer, or one per layer. */
export interface InitSpec {
  weights?: InitName | readonly InitName[];
  biases?: InitName | readonly InitName[];
}

/** Where layer l's W_l and b_l sit in the flat [W_1 … W_L | b_1 … b_L] buffer. */
export interface ParamSlot {
  nIn: number;
  nOut: number;
  /** W_l is params[w, w + nOut·nIn), row-major [nOut, nIn] */
  w: number;
  /** b_l is params[b, b + nOut); −1 for a layer without bias */
  b: number;
}

/**
 * The flat parameter layout of a network of `inputs` inputs and these layers (bias: false leaves
 * b_l out); size = total values. The one statement of the layout Network's constructor follows.
 */
export function parameterLayout(inputs: number, layers: readonly { units: number; bias?: boolean }[]): { slots: ParamSlot[]; nWeights: number; size: number } {
  let nW = 0;
  let fanIn = inputs;
  for (const l of layers) {
    nW += l.units * fanIn;
    fanIn = l.units;
  }
  const slots: ParamSlot[] = [];
  let w = 0;
  let b = nW;
  fanIn = inputs;
  for (const l of layers) {
    const hasBias = l.bias !== false;
    slots.push({ nIn: fanIn, nOut: l.units, w, b: hasBias ? b : -1 });
    w += l.units * fanIn;
    if (hasBias) b += l.units;
    fanIn = l.units;
  }
  return { slots, nWeights: nW, size: b };
}

/** A stack of Dense layers sharing one flat parameter array and one flat gradient array, on one backend: forward, backward, and the workspace for batches. */
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
      if (s.bias !== undefined && typeof s.bias !== 'boolean') throw new ConfigError('E_CONFIG', `Network: layer ${l + 1} expected bias to be true or false, received ${JSON.stringify(s.bias)}`);
      const p = s.dropout ?? 0;
      if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ConfigError('E_CONFIG', `Network: layer ${l + 1} expected dropout to be a rate in [0, 1), received ${JSON.stringify(s.dropout)}; 0.1 to 0.5 are usual`);
      if (p > 0 && l === specs.length - 1) throw new ConfigError('E_CONFIG', `Network: dropout applies to hidden layers, received dropout ${p} on the output layer ${l + 1}; set it on a hidden layer`);
      nW += s.units * fanIn;
      if (s.bias !== false) nB += s.units;
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
      const hasBias = s.bias !== false;
      const nb = hasBias ? s.units : 0;
      // no bias: b is a zero vector outside the parameters (the kernels add it; nothing updates it)
      const b = hasBias ? this.params.subarray(bOff, bOff + nb) : backend.alloc(s.units, dtype);
      this.layers.push(new Dense(backend, fanIn, s.units, s.activation, alpha,
        this.params.subarray(wOff, wOff + nw), b,
        this.grads.subarray(wOff, wOff + nw), this.grads.subarray(bOff, bOff + nb), hasBias, s.dropout ?? 0));
      wOff += nw;
      bOff += nb;
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

  /**
   * Draw every weight and bias from its initializer (default: nn/init.ts). One rng, layer by layer,
   * W_l row by row, then b_l. A bare name or array is the weights' initializer (biases default).
   */
  initialize(rng: Rng, init?: InitName | readonly InitName[] | InitSpec): void {
    const spec: InitSpec = typeof init === 'object' && init !== null && !Array.isArray(init) ? init as InitSpec : { weights: init as InitName | readonly InitName[] | undefined };
    const pick = (v: InitName | readonly InitName[] | undefined, l: number, what: string): InitName | undefined => {
      if (typeof v === 'string' || v === undefined) return v;
      if (!Array.isArray(v) || v.length !== this.layers.length) throw new ConfigError('E_CONFIG', `Network.initialize: expected ${what} to be one initializer name or one per layer (${this.layers.length}), received ${JSON.stringify(v)}`);
      return v[l];
    };
    this.layers.forEach((layer, l) => {
      const wName = checkInit(pick(spec.weights, l, 'weights') ?? defaultInit(layer.activation), `Network.initialize: layer ${l + 1} weights`);
      const bName = checkInit(pick(spec.biases, l, 'biases') ?? defaultBiasInit(layer.activation), `Network.initialize: layer ${l + 1} biases`);
      const drawW = initializers[wName];
      for (let k = 0; k < layer.W.length; k++) layer.W[k] = drawW(rng, layer.nIn, layer.nOut);
      if (!layer.bias) return;
      const drawB = initializers[bName];
      for (let k = 0; k < layer.b.length; k++) layer.b[k] = drawB(rng, layer.nIn, layer.nOut);
    });
  }

  /** Whether any layer drops units in training passes. */
  get hasDropout(): boolean {
    return this.layers.some((l) => l.dropout > 0);
  }

  /** Whether every layer has a bias (the fused small-network step assumes it). */
  get allBiased(): boolean {
    return this.layers.every((l) => l.bias);
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
    for (const layer of this.layers) {
      layer.releaseWorkspace();
      if (!layer.bias) be.release(layer.b); // the zero bias of a bias-less layer is this network's own buffer
    }
    if (this.dx) be.release(this.dx);
    if (this.wsum) be.release(this.wsum);
    this.wsum = null;
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
  /**
   * Forward pass. With `logitsOnly`, the output layer stops at a_L (fused losses need no h_L).
   * With `rng`, a training pass: layers with a dropout rate drop units, masks drawn from rng.
   */
  forward(x: FloatArray, B: number, logitsOnly = false, rng: Rng | null = null): FloatArray {
    if (x.length < B * this.inputs) throw new ShapeError('E_SHAPE', `Network.forward: expected x of shape ${fmtShape(['B', this.inputs])} with B = ${B}, received ${x.length} values`);
    this.ensureCapacity(B);
    let h = x;
    const L = this.layers.length;
    for (let l = 0; l < L; l++) h = this.layers[l].forward(h, B, logitsOnly && l === L - 1, rng);
    return h;
  }

  /**
   * The forward pass outside training (no dropout), returning h_L: the backend's forwardRows where
   * it has one and it applies (wasm: all the layers in one threaded dispatch instead of one per
   * gemm), else forward. The same bits either way (kernels/backend.ts defines forwardRows as the
   * layers' own kernels); each layer's a, h and x are left as forward leaves them. With
   * `nonFinite`, x is also tested for NaN and ±Infinity (backend.allFinite, or inside forwardRows'
   * job) and nonFinite() called where there is one (it may throw; without a throw the pass goes on).
   */
  infer(x: FloatArray, B: number, nonFinite?: () => void): FloatArray {
    const be = this.backend;
    const plain = (): FloatArray => {
      if (nonFinite && !be.allFinite(x, B * this.inputs)) nonFinite();
      return this.forward(x, B);
    };
    if (!be.forwardRows || x.length < B * this.inputs) return plain();
    this.ensureCapacity(B);
    const refs = this.layers.map((l) => ({ nIn: l.nIn, nOut: l.nOut, kind: l.activation, alpha: l.alpha, W: l.W, b: l.b, a: l.a, h: l.h }));
    const r = be.forwardRows(refs, x, B, nonFinite !== undefined);
    if (r === 'skipped') return plain();
    if (r === 'nonfinite') nonFinite!();
    let h = x;
    for (const l of this.layers) {
      l.x = h;
      l.dropped = false;
      h = l.h;
    }
    return h;
  }

  /**
   * The loss of the last forward pass and δ_L = ∂L/∂a_L in the output layer's delta.
   * y: [B, outputs]. Returns L = (1/B) Σ_i ℓ_i, or with sample weights w: [B] the weighted mean
   * L = Σ_i w_i ℓ_i / Σ_i w_i (so a weight of 2 counts a row twice). The forward pass must have
   * used logitsOnly = fused(loss) (train.ts does).
   */
  lossAndDelta(loss: LossName, y: FloatArray, B: number, w: FloatArray | null = null): number {
    const out = this.output;
    const fused = isFused(loss);
    const z = fused ? out.a : out.h;
    const total = w ? this.weightSum(w, B) : B;
    const sum = this.backend.loss(loss, z, y, out.delta, B, out.nOut, 1 / total, w);
    if (!fused) out.activationBackward(B); // ∂L/∂h → δ_L = ∂L/∂h ∘ f'(a_L)
    return sum / total;
  }

  private wsum: FloatArray | null = null;

  /** Σ_i w_i over a batch of sample weights w: [B]. */
  weightSum(w: FloatArray, B: number): number {
    if (!this.wsum) this.wsum = this.backend.alloc(1, this.dtype);
    this.backend.fill(this.wsum, 0, 1);
    this.backend.sumRows(w, B, 1, this.wsum);
    return this.wsum[0];
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

  /** Set every gradient (dW, db of every layer) to 0. */
  zeroGrad(): void {
    this.backend.fill(this.grads, 0, this.grads.length);
  }
}
