// The Backend: the kernels every backend must implement. Model code (nn/, train/, optim/) never
// loops over a typed array itself; it calls these. `reference.ts` is the living definition
// (plain loops, obviously correct); a faster backend implements the same contract and is tested
// against it on random and awkward shapes (test/kernels/conformance.test.ts).
//
// Conventions for every kernel:
// - Arrays are flat, row-major, contiguous, and all of one dtype (Float32Array or Float64Array).
// - Shapes are passed explicitly; an array may be longer than the shape says (a buffer sized for
//   the largest batch serves a smaller last batch); kernels touch only the first rows·cols entries.
// - "+=" kernels accumulate: that is how backward accumulates gradients until zeroGrad.
// - Buffers come from `alloc`, so a backend can keep them where its kernels want them
//   (WebAssembly memory, a SharedArrayBuffer visible to worker threads).

import type { DType, FloatArray } from '../tensor/tensor.ts';
import type { Rng } from '../tensor/rng.ts';
import type { ElementwiseActivation } from '../math/activations.ts';
import type { LossName } from '../math/losses.ts';

/** The kernels a backend implements (`reference` defines them; `registerBackend` adds one). */
export interface Backend {
  /** Name reported by the API and `mlpkit info`, e.g. "reference", "js", "wasm-simd". */
  readonly name: string;
  /** Whether the kernels run arrays of this dtype. */
  supports(dtype: DType): boolean;
  /** A zero-filled array of n elements, placed where this backend's kernels want it. */
  alloc(n: number, dtype: DType): FloatArray;
  /**
   * Give back an array from `alloc` that nothing uses any more (nor any view of it), so a later
   * `alloc` of the same size may reuse its memory. Whoever allocates an array releases it.
   * A no-op where arrays are ordinary garbage-collected typed arrays (reference, js); a view or an
   * array that did not come from `alloc` is ignored. NOTE: using the array after release is a bug.
   */
  release(x: FloatArray): void;

  // ---- linear algebra ------------------------------------------------------------------------

  /**
   * C = alpha · op(A) · op(B) + beta · C, with op(A): [M, K], op(B): [K, N], C: [M, N].
   * transA: A is stored [K, M]; transB: B is stored [N, K]. beta = 0 overwrites C (even NaN in C).
   * The MLP uses three cases: a = x·Wᵀ (NT), dW += δᵀ·x (TN), dx = δ·W (NN).
   */
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: FloatArray, B: FloatArray, beta: number, C: FloatArray,
  ): void;

  /** a: [rows, cols]  b: [cols]  h: [rows, cols].  a[i,j] += b[j], then h = f(a). h may be a. */
  biasActivate(kind: ElementwiseActivation, alpha: number, a: FloatArray, b: FloatArray, h: FloatArray, rows: number, cols: number): void;

  /** a, h, dh, delta: [n].  delta = dh ∘ f'(a) (elementwise: the diagonal Jacobian, never built). delta may be dh. */
  activationBackward(kind: ElementwiseActivation, alpha: number, a: FloatArray, h: FloatArray, dh: FloatArray, delta: FloatArray, n: number): void;

  /** x: [rows, cols]  out: [cols].  out[j] += Σ_i x[i,j]  (db += Σ_batch δ). */
  sumRows(x: FloatArray, rows: number, cols: number, out: FloatArray): void;

  /** a, p: [rows, cols].  p[i,:] = softmax(a[i,:]), computed stably (max subtracted). */
  softmaxRows(a: FloatArray, p: FloatArray, rows: number, cols: number): void;

  /** p, dh, delta: [rows, cols].  delta_i = p_i ∘ (dh_i − ⟨dh_i, p_i⟩): softmax's Jacobian-vector product. delta may be dh. */
  softmaxBackward(p: FloatArray, dh: FloatArray, delta: FloatArray, rows: number, cols: number): void;

  /**
   * z, y, grad: [rows, cols]  w: [rows] or null. Returns Σ_i w_i ℓ(z_i, y_i) (see loss/losses.ts
   * for each ℓ; w_i = 1 without w) and, when grad is given, writes grad_i = scale · w_i · ∂ℓ_i/∂z_i.
   * z is ŷ = h_L, or the logits a_L for the fused losses (bce, crossentropy), whose grad is then δ_L itself.
   */
  loss(kind: LossName, z: FloatArray, y: FloatArray, grad: FloatArray | null, rows: number, cols: number, scale: number, w?: FloatArray | null): number;

  /**
   * h, mask, hd: [n]. Inverted dropout with rate p (0 ≤ p < 1): for k in order, u = rng.uniform(),
   * mask[k] = u < p ? 0 : 1/(1 − p), hd[k] = h[k] · mask[k]. One draw per entry, in index order, so
   * every backend drops the same units for the same generator state.
   */
  dropout(h: FloatArray, mask: FloatArray, hd: FloatArray, n: number, p: number, rng: Rng): void;

  /** dhd, mask, dh: [n].  dh = dhd ∘ mask (dropout's backward). dh may be dhd. */
  dropoutBackward(dhd: FloatArray, mask: FloatArray, dh: FloatArray, n: number): void;

  // ---- data movement ---------------------------------------------------------------------------

  /** src: [*, cols]  dst: [count, cols].  dst[r,:] = src[idx[start + r], :]  (a shuffled minibatch). */
  gatherRows(src: FloatArray, cols: number, idx: Uint32Array, start: number, count: number, dst: FloatArray): void;
  /** x[0..n) = value */
  fill(x: FloatArray, value: number, n: number): void;
  /** dst[0..n) = src[0..n) */
  copy(src: FloatArray, dst: FloatArray, n: number): void;

  // ---- reductions and optimizer updates (over the flat parameter buffer) --------------------

  /** x[0..n) *= s */
  scale(x: FloatArray, s: number, n: number): void;
  /** Σ x² in float64 (global gradient norm for clipping). */
  sumSquares(x: FloatArray, n: number): number;
  /** True when no entry is NaN or ±Infinity. */
  allFinite(x: FloatArray, n: number): boolean;

  /**
   * SGD as torch.optim.SGD: g' = g + wd·θ; buf = g' on the first step, else μ·buf + (1 − dampening)·g';
   * direction = g' + μ·buf (Nesterov) or buf (momentum) or g' (μ = 0); θ −= lr · direction.
   * buf may be null when μ = 0.
   */
  sgdStep(p: FloatArray, g: FloatArray, buf: FloatArray | null, n: number, lr: number, momentum: number, dampening: number, nesterov: boolean, wd: number, first: boolean): void;

  /**
   * Adam / AdamW as torch.optim: Adam adds wd·θ to g (L2); AdamW (decoupled) first does θ *= 1 − lr·wd.
   * m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;  θ −= (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε).
   */
  adamStep(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, n: number, lr: number, beta1: number, beta2: number, eps: number, wd: number, decoupled: boolean, t: number): void;

  /**
   * RMSprop as torch.optim.RMSprop (not centered; PyTorch's `alpha` is `rho` here, as in
   * OptimizerOptions, so that α means only an activation's α and gemm's scale): g' = g + wd·θ; s = ρ s + (1−ρ) g'²;
   * μ > 0: buf = μ buf + g'/(√s + ε), θ −= lr·buf; else θ −= lr · g'/(√s + ε).
   */
  rmspropStep(p: FloatArray, g: FloatArray, s: FloatArray, buf: FloatArray | null, n: number, lr: number, rho: number, eps: number, momentum: number, wd: number): void;

  /** Adagrad as torch.optim.Adagrad: g' = g + wd·θ; sum += g'²; θ −= lr · g'/(√sum + ε). */
  adagradStep(p: FloatArray, g: FloatArray, sum: FloatArray, n: number, lr: number, eps: number, wd: number): void;

  // ---- optional fusion --------------------------------------------------------------------------

  /**
   * Optional: one whole plain-SGD step on one sample (forward, loss, backward, update) for small
   * networks, where per-kernel calls cost more than the arithmetic. Defined as the composition
   * of the kernels above at B = 1 (kernels/fused.ts); the reference backend leaves it out.
   * Returns ℓ for the sample.
   */
  sgdStep1?(net: DenseStack, x: FloatArray, xOff: number, y: FloatArray, yOff: number, loss: LossName, lr: number, wd: number): number;

  /**
   * Optional: a whole epoch of sgdStep1, one sample per row of `order` (x: [*, n0], y: [*, nL]),
   * exactly as train/loop.ts runs it sample by sample (ℓ summed in order, stop after a non-finite
   * ℓ, right answers counted as metrics.ts countCorrect when threshold ≥ 0, against h_L or a_L at
   * work[outAt…]). Returns null where it cannot (the caller then loops over sgdStep1 itself).
   */
  sgdEpoch1?(net: DenseStack, x: FloatArray, y: FloatArray, order: Uint32Array, n: number, loss: LossName, lr: number, wd: number, threshold: number, outAt: number): SmallSums | null;

  /**
   * Optional: the forward pass outside training over B rows of x: [B, layers[0].nIn], defined as,
   * for each layer in order, gemm(false, true, B, nOut, nIn, 1, h_in, W, 0, a) then
   * biasActivate(kind, alpha, a, b, h, B, nOut), h_in being x, then the layer below's h; a softmax
   * (output) layer: biasActivate('identity', 0, a, b, a, B, nOut), then softmaxRows(a, h, B, nOut). A backend
   * offers it where it can split the rows over threads in one dispatch instead of one per gemm,
   * with each row computed as the composition computes it (the same bits). With `checkX`, it also
   * tests x as allFinite(x, B·nIn) would, in the same pass. Returns 'skipped', having written
   * nothing, where it does not apply (the caller then runs the layers), else 'done', or
   * 'nonfinite' when checkX found NaN or ±Infinity in x (the pass was still computed).
   */
  forwardRows?(layers: readonly ForwardLayer[], x: FloatArray, B: number, checkX?: boolean): 'done' | 'nonfinite' | 'skipped';
}

/** One dense layer of forwardRows: a = h_in·Wᵀ + b, h = f(a) over a batch. */
export interface ForwardLayer {
  nIn: number;
  nOut: number;
  kind: ElementwiseActivation | 'softmax';
  alpha: number;
  /** W: [nOut, nIn]  b: [nOut]  a, h: [B, nOut] workspace (h may be a) */
  W: FloatArray;
  b: FloatArray;
  a: FloatArray;
  h: FloatArray;
}

/** What one epoch of the small-network path adds up: Σ ℓ, right answers, samples seen, and the last ℓ (non-finite: it stopped there). */
export interface SmallSums { loss: number; correct: number; seen: number; last: number }

/** A small dense network laid out for the fused batch-1 step (kernels/fused.ts builds it). */
export interface DenseStack {
  /** `[n0, n1, …, nL]`: inputs, then each layer's units */
  sizes: readonly number[];
  kinds: readonly ElementwiseActivation[];
  alphas: readonly number[];
  /** [W_1 … W_L | b_1 … b_L], as in nn/network.ts */
  params: FloatArray;
  /** a and h of every layer, then two rows of ∂ℓ/∂h scratch (fusedWorkSize) */
  work: FloatArray;
  /** where the scratch rows start in work: 2 · (n1 + … + nL), and that plus max n_l */
  dh: number;
  dhPrev: number;
}
