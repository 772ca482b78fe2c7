// A dense layer with its activation: the lecture's layer l,
//   a = W x + b,   h = f(a)
// over a batch: A = X·Wᵀ + b, X: [B, nIn], W: [nOut, nIn], A and H: [B, nOut].
// backward sits right under forward. W, b, dW, db are views into the network's flat
// parameter and gradient buffers; a, h, delta are workspace sized for the largest batch.
//
// Without a bias (PyTorch bias=False, Keras use_bias=False), a = W x: b is then a zero vector
// that is not a parameter (not in the flat buffer, never updated, not saved) and backward
// computes no db.
//
// Dropout (hidden layers, training only): inverted dropout on h, hd = h ∘ m with
// m_k = 1/(1 − p) with probability 1 − p, else 0, so E[hd] = h and inference needs no rescaling.
// The next layer reads hd; h itself stays intact because f'(a) for tanh and σ is computed from h.

import type { Backend } from '../kernels/backend.ts';
import type { FloatArray } from '../tensor/tensor.ts';
import type { Rng } from '../tensor/rng.ts';
import type { ActivationName } from '../math/activations.ts';

/** A fully connected layer: a = W x + b, h = f(a), with W [nOut, nIn] and b [nOut] views into the network's flat parameters; backward computes dW, db and dx from delta = ∂L/∂a. */
export class Dense {
  /** The input of the last forward pass (the previous layer's h, or the batch X). */
  x!: FloatArray;
  /** Workspace: pre-activation a, output h, and delta (holds ∂L/∂h, then ∂L/∂a). */
  a!: FloatArray;
  h!: FloatArray;
  delta!: FloatArray;
  /** Dropout workspace (rate > 0 only): the mask m and the dropped output hd = h ∘ m. */
  mask: FloatArray | null = null;
  hd: FloatArray | null = null;
  /** Whether the last forward pass dropped units (a training pass with rate > 0). */
  dropped = false;

  constructor(
    readonly backend: Backend,
    readonly nIn: number,
    readonly nOut: number,
    readonly activation: ActivationName,
    /** leakyRelu slope or elu α */
    readonly alpha: number,
    readonly W: FloatArray,
    /** The bias; when `bias` is false, a zero vector that is not a parameter. */
    readonly b: FloatArray,
    readonly dW: FloatArray,
    /** ∂L/∂b; when `bias` is false, an empty array (there is no gradient to keep). */
    readonly db: FloatArray,
    /** false: a = W x, no bias parameter (PyTorch bias=False). */
    readonly bias = true,
    /** Dropout rate p on h in training passes; 0 = off. */
    readonly dropout = 0,
  ) {}

  /** (Re)size the workspace for batches of up to `rows` samples. Not called per step. */
  allocWorkspace(rows: number): void {
    const n = rows * this.nOut;
    const dtype = this.W instanceof Float64Array ? 'float64' : 'float32';
    this.releaseWorkspace();
    this.a = this.backend.alloc(n, dtype);
    // identity: h is a itself, no copy
    this.h = this.activation === 'identity' ? this.a : this.backend.alloc(n, dtype);
    this.delta = this.backend.alloc(n, dtype);
    if (this.dropout > 0) {
      this.mask = this.backend.alloc(n, dtype);
      this.hd = this.backend.alloc(n, dtype);
    }
  }

  /** Give the workspace back to the backend (the layer needs allocWorkspace before its next forward). */
  releaseWorkspace(): void {
    const be = this.backend;
    if (this.a) be.release(this.a);
    if (this.h && this.h !== this.a) be.release(this.h);
    if (this.delta) be.release(this.delta);
    if (this.mask) be.release(this.mask);
    if (this.hd) be.release(this.hd);
    this.mask = null;
    this.hd = null;
  }

  // x: [B, nIn]  W: [nOut, nIn]  b: [nOut]  a, h: [B, nOut]
  /**
   * Returns h, or a when skipOutputActivation (the logits, for the fused losses). With `rng` (a
   * training pass) and a dropout rate, returns hd = h ∘ m, the mask drawn from rng.
   */
  forward(x: FloatArray, B: number, skipOutputActivation = false, rng: Rng | null = null): FloatArray {
    const be = this.backend;
    this.x = x;
    be.gemm(false, true, B, this.nOut, this.nIn, 1, x, this.W, 0, this.a); // a = x·Wᵀ
    if (this.activation === 'softmax') {
      be.biasActivate('identity', 0, this.a, this.b, this.a, B, this.nOut); // a += b
      if (!skipOutputActivation) be.softmaxRows(this.a, this.h, B, this.nOut);
    } else {
      be.biasActivate(skipOutputActivation ? 'identity' : this.activation, this.alpha, this.a, this.b, skipOutputActivation ? this.a : this.h, B, this.nOut);
    }
    this.dropped = rng !== null && this.dropout > 0;
    if (this.dropped) {
      be.dropout(this.h, this.mask!, this.hd!, B * this.nOut, this.dropout, rng!); // hd = h ∘ m
      return this.hd!;
    }
    return skipOutputActivation ? this.a : this.h;
  }

  /** delta: [B, nOut] holds ∂L/∂h (∂L/∂hd after dropout) on entry and ∂L/∂a = ∂L/∂h ∘ f'(a) on return. */
  activationBackward(B: number): void {
    const be = this.backend;
    const n = B * this.nOut;
    if (this.dropped) be.dropoutBackward(this.delta, this.mask!, this.delta, n); // ∂L/∂h = ∂L/∂hd ∘ m
    if (this.activation === 'softmax') be.softmaxBackward(this.h, this.delta, this.delta, B, this.nOut);
    else be.activationBackward(this.activation, this.alpha, this.a, this.h, this.delta, this.delta, n);
  }

  // delta: [B, nOut]  x: [B, nIn]  dW: [nOut, nIn]  db: [nOut]  dx: [B, nIn]
  /** Accumulates dW += δᵀ·x and db += Σ_batch δ (with a bias); writes dx = δ·W when dx is given. */
  backward(B: number, dx: FloatArray | null, accumulateParams = true): void {
    const be = this.backend;
    if (accumulateParams) {
      be.gemm(true, false, this.nOut, this.nIn, B, 1, this.delta, this.x, 1, this.dW); // dW += δᵀ·x
      if (this.bias) be.sumRows(this.delta, B, this.nOut, this.db); // db += Σ_batch δ
    }
    if (dx) be.gemm(false, false, B, this.nIn, this.nOut, 1, this.delta, this.W, 0, dx); // dx = δ·W
  }
}
