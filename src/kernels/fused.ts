// One whole SGD step on one sample, fused: the small-network path (a 2-8-8-1 net trains at batch
// size 1, where ~25 kernel calls of 2..8 elements cost more than their arithmetic).
// It is exactly the composition the training loop runs otherwise, for B = 1:
//   forward   a_l = W_l h_{l−1} + b_l, h_l = f_l(a_l)                (gemm NT, then biasActivate)
//   loss      ℓ(h_L, y), ∂ℓ/∂h_L  (bce: from the logits, δ_L directly)    (loss)
//   backward  δ_l = ∂ℓ/∂h_l ∘ f'(a_l); ∂ℓ/∂h_{l−1} = δ_l W_l            (activationBackward, gemm NN)
//   update    W_l −= η (δ_l h_{l−1}ᵀ + λ W_l),  b_l −= η δ_l            (sgdStep, weights then biases)
// with the same formulas ({ f, df } of math/activations.ts, ℓ of math/losses.ts), the same order of
// additions as the js backend's batch-1 kernels, and the same roundings to the array's dtype, so
// the weights it produces are the same bits (test/kernels/fused.test.ts). W_l is read for δ_l W_l
// before W_l is updated, as in the unfused order (backward completes before the update).
// The training loop takes this path only when nobody asks for per-batch events (which may read
// the gradients buffer, which this path does not fill).

import type { FloatArray } from '../tensor/tensor.ts';
import type { DenseStack } from './backend.ts';
import { activations, type ElementwiseActivation } from '../math/activations.ts';
import type { LossName } from '../math/losses.ts';
import { lossRef } from './reference.ts';

/** Losses the fused step handles: the plain ones on h_L, and bce on the logits of a sigmoid output. */
const STEP1_LOSSES: readonly LossName[] = ['sse', 'mse', 'mae', 'huber', 'bce'];

/** Whether sgdStep1 can run a network with these output loss and layer activations (no softmax anywhere). */
export function fusedStepHandles(loss: LossName, layerActivations: readonly string[]): boolean {
  return STEP1_LOSSES.includes(loss) && layerActivations.every((a) => a !== 'softmax');
}

/** A DenseStack over a network's flat parameters, with its scratch. Made once per fit. */
export function denseStack(sizes: readonly number[], kinds: readonly ElementwiseActivation[], alphas: readonly number[], params: FloatArray, alloc: (n: number) => FloatArray): DenseStack {
  let n = 0;
  let max = 0;
  for (let l = 1; l < sizes.length; l++) {
    n += 2 * sizes[l];
    max = Math.max(max, sizes[l]);
  }
  return { sizes, kinds, alphas, params, work: alloc(n + 2 * max), dh: n, dhPrev: n + max };
}

/**
 * How a backend computes tanh or σ over a row of the stack's work: h = f(a), a at work[aOff…],
 * h at work[hOff…], n entries (the wasm backends pass their float32 polynomials, so that this step
 * computes what their biasActivate does).
 */
export type Squash = (kind: 'tanh' | 'sigmoid', aOff: number, hOff: number, n: number) => void;

/**
 * x: [n0] at x[xOff…], y: [nL] at y[yOff…]. Returns ℓ for the sample; leaves the output layer's
 * a_L and h_L in work (see outputOffset). wd applies to W only. squash: tanh and σ by the backend
 * (default: Math.tanh, Math.exp as nn/activations.ts).
 */
export function sgdStep1(net: DenseStack, x: FloatArray, xOff: number, y: FloatArray, yOff: number, loss: LossName, lr: number, wd: number, squash?: Squash): number {
  const { sizes, kinds, alphas, params, work, dh, dhPrev } = net;
  const f32 = params instanceof Float32Array;
  const L = sizes.length - 1;
  const fusedBce = loss === 'bce';
  // offsets: W_l and b_l in params; a_l, h_l in work (a then h per layer), then the dh scratch
  let wOff = 0;
  let bOff = 0;
  for (let l = 1; l <= L; l++) bOff += sizes[l] * sizes[l - 1];
  let aOff = 0;

  // forward
  for (let l = 1; l <= L; l++) {
    const nIn = sizes[l - 1];
    const nOut = sizes[l];
    const kind = kinds[l - 1];
    const f = activations[kind].f;
    const alpha = alphas[l - 1];
    const hIn = l === 1 ? x : work;
    const hInOff = l === 1 ? xOff : aOff - nIn; // the previous layer's h sits right before this a
    const hOff = aOff + nOut;
    if (squash && (kind === 'tanh' || kind === 'sigmoid') && !(fusedBce && l === L)) {
      // the backend's own tanh/σ over the layer's a (the wasm backends' polynomials)
      for (let j = 0; j < nOut; j++) {
        let s = 0;
        for (let k = 0; k < nIn; k++) s += hIn[hInOff + k] * params[wOff + j * nIn + k];
        work[aOff + j] = f32 ? Math.fround(Math.fround(s) + params[bOff + j]) : s + params[bOff + j];
      }
      squash(kind, aOff, hOff, nOut);
      wOff += nOut * nIn;
      bOff += nOut;
      aOff += 2 * nOut;
      continue;
    }
    for (let j = 0; j < nOut; j++) {
      const wr = wOff + j * nIn;
      let s = 0;
      for (let k = 0; k < nIn; k++) s += hIn[hInOff + k] * params[wr + k];
      // NOTE: the unfused kernels store x·Wᵀ, then a, in float32 arrays: round at the same points
      const a = f32 ? Math.fround(Math.fround(s) + params[bOff + j]) : s + params[bOff + j];
      work[aOff + j] = a;
      // tanh and σ written out (the same formulas as nn/activations.ts): a call per unit costs more than they do
      work[hOff + j] = fusedBce && l === L ? a
        : kind === 'tanh' ? Math.tanh(a)
        : kind === 'sigmoid' ? (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))
        : kind === 'relu' ? (a > 0 ? a : 0)
        : f(a, alpha);
    }
    wOff += nOut * nIn;
    bOff += nOut;
    aOff += 2 * nOut;
  }
  const nL = sizes[L];
  const outA = aOff - 2 * nL;

  // loss: ℓ and ∂ℓ/∂h_L into the scratch row dh (for bce on the logits: δ_L itself)
  const ell = lossRef(loss, work, y, work, 1, nL, 1, fusedBce ? outA : outA + nL, yOff, dh);

  // backward and update, from the output layer down
  for (let l = L; l >= 1; l--) {
    const nIn = sizes[l - 1];
    const nOut = sizes[l];
    wOff -= nOut * nIn;
    bOff -= nOut;
    aOff -= 2 * nOut;
    const cur = l === L ? dh : (L - l) % 2 === 1 ? dhPrev : dh; // ping-pong between the two scratch rows
    const below = cur === dh ? dhPrev : dh;
    if (!(fusedBce && l === L)) {
      const kind = kinds[l - 1];
      const df = activations[kind].df;
      const alpha = alphas[l - 1];
      // δ = ∂ℓ/∂h ∘ f'(a); tanh' = 1 − h², σ' = h(1 − h), relu' = [a > 0], as in nn/activations.ts
      for (let j = 0; j < nOut; j++) {
        const a = work[aOff + j];
        const h = work[aOff + nOut + j];
        const d = kind === 'tanh' ? 1 - h * h : kind === 'sigmoid' ? h * (1 - h) : kind === 'relu' ? (a > 0 ? 1 : 0) : df(a, h, alpha);
        work[cur + j] = work[cur + j] * d;
      }
    }
    const hIn = l === 1 ? x : work;
    const hInOff = l === 1 ? xOff : aOff - nIn;
    if (l > 1) {
      // ∂ℓ/∂h_{l−1} = δ_l W_l, summed over j in order (the js backend's batch-1 NN loop)
      for (let k = 0; k < nIn; k++) work[below + k] = 0;
      for (let j = 0; j < nOut; j++) {
        const d = work[cur + j];
        const wr = wOff + j * nIn;
        for (let k = 0; k < nIn; k++) work[below + k] += d * params[wr + k];
      }
    }
    // update: g = δ_j h_k (+ λ W for weights), g rounded as the float32 gradient buffer rounds it
    for (let j = 0; j < nOut; j++) {
      const d = work[cur + j];
      const wr = wOff + j * nIn;
      for (let k = 0; k < nIn; k++) {
        const g = f32 ? Math.fround(d * hIn[hInOff + k]) : d * hIn[hInOff + k];
        // NOTE: without weight decay, θ −= η g, as the unfused sgdStep (the same bits for finite θ)
        params[wr + k] -= wd === 0 ? lr * g : lr * (g + wd * params[wr + k]);
      }
      params[bOff + j] -= lr * d;
    }
  }
  return ell;
}

/** Where the output layer's a_L (and h_L right after it) sit in work. */
export function outputOffset(sizes: readonly number[]): number {
  let off = 0;
  for (let l = 1; l < sizes.length - 1; l++) off += 2 * sizes[l];
  return off;
}

/** Where the output layer's a_L (logits: true) or h_L starts in a stack's work after sgdStep1. */
export function outputAt(stack: DenseStack, logits: boolean): number {
  return outputOffset(stack.sizes) + (logits ? 0 : stack.sizes[stack.sizes.length - 1]);
}
