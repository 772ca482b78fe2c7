// A dense layer with its activation: the seed's layer l,
//   a = W x + b,   h = f(a)
// over a batch: A = X·Wᵀ + b, X: [B, nIn], W: [nOut, nIn], A and H: [B, nOut].
// backward sits right under forward. W, b, dW, db are views into the network's flat
// parameter and gradient buffers; a, h, delta are workspace sized for the largest batch.

import type { Backend } from '../kernels/backend.ts';
import type { FloatArray } from '../tensor/tensor.ts';
import type { ActivationName } from '../math/activations.ts';

export class Dense {
  /** The input of the last forward pass (the previous layer's h, or the batch X). */
  x!: FloatArray;
  /** Workspace: pre-activation a, output h, and delta (holds ∂L/∂h, then ∂L/∂a). */
  a!: FloatArray;
  h!: FloatArray;
  delta!: FloatArray;

  constructor(
    readonly backend: Backend,
    readonly nIn: number,
    readonly nOut: number,
    readonly activation: ActivationName,
    /** leakyRelu slope or elu α */
    readonly alpha: number,
    readonly W: FloatArray,
    readonly b: FloatArray,
    readonly dW: FloatArray,
    readonly db: FloatArray,
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
  }

  /** Give the workspace back to the backend (the layer needs allocWorkspace before its next forward). */
  releaseWorkspace(): void {
    const be = this.backend;
    if (this.a) be.release(this.a);
    if (this.h && this.h !== this.a) be.release(this.h);
    if (this.delta) be.release(this.delta);
  }

  // x: [B, nIn]  W: [nOut, nIn]  b: [nOut]  a, h: [B, nOut]
  /** Returns h, or a when skipOutputActivation (the logits, for the fused losses). */
  forward(x: FloatArray, B: number, skipOutputActivation = false): FloatArray {
    const be = this.backend;
    this.x = x;
    be.gemm(false, true, B, this.nOut, this.nIn, 1, x, this.W, 0, this.a); // a = x·Wᵀ
    if (this.activation === 'softmax') {
      be.biasActivate('identity', 0, this.a, this.b, this.a, B, this.nOut); // a += b
      if (!skipOutputActivation) be.softmaxRows(this.a, this.h, B, this.nOut);
    } else {
      be.biasActivate(skipOutputActivation ? 'identity' : this.activation, this.alpha, this.a, this.b, skipOutputActivation ? this.a : this.h, B, this.nOut);
    }
    return skipOutputActivation ? this.a : this.h;
  }

  /** delta: [B, nOut] holds ∂L/∂h on entry and ∂L/∂a = ∂L/∂h ∘ f'(a) on return. */
  activationBackward(B: number): void {
    const be = this.backend;
    const n = B * this.nOut;
    if (this.activation === 'softmax') be.softmaxBackward(this.h, this.delta, this.delta, B, this.nOut);
    else be.activationBackward(this.activation, this.alpha, this.a, this.h, this.delta, this.delta, n);
  }

  // delta: [B, nOut]  x: [B, nIn]  dW: [nOut, nIn]  db: [nOut]  dx: [B, nIn]
  /** Accumulates dW += δᵀ·x and db += Σ_batch δ; writes dx = δ·W when dx is given. */
  backward(B: number, dx: FloatArray | null, accumulateParams = true): void {
    const be = this.backend;
    if (accumulateParams) {
      be.gemm(true, false, this.nOut, this.nIn, B, 1, this.delta, this.x, 1, this.dW); // dW += δᵀ·x
      be.sumRows(this.delta, B, this.nOut, this.db); // db += Σ_batch δ
    }
    if (dx) be.gemm(false, false, B, this.nIn, this.nOut, 1, this.delta, this.W, 0, dx); // dx = δ·W
  }
}
