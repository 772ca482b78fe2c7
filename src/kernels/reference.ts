// The reference backend: the plainest loops that implement backend.ts, in float32 or float64.
// It is the definition every fast backend is tested against, and what gradCheck runs in float64.
// Speed is not a goal here; clarity is.

import type { Backend } from './backend.ts';
import { allocArray, type DType, type FloatArray } from '../tensor/tensor.ts';
import { activations, sigmoid } from '../math/activations.ts';
import type { LossName } from '../math/losses.ts';

/** The reference backend: the plainest loops, in float32 or float64; the definition every other backend is tested against. */
export const reference: Backend = {
  name: 'reference',
  supports: () => true,
  alloc: (n: number, dtype: DType) => allocArray(n, dtype),
  // garbage-collected typed arrays: nothing to give back
  release: () => {},

  // C: [M, N] = alpha · op(A): [M, K] · op(B): [K, N] + beta · C
  gemm(transA, transB, M, N, K, alpha, A, B, beta, C) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const aik = transA ? A[k * M + i] : A[i * K + k];
          const bkj = transB ? B[j * K + k] : B[k * N + j];
          s += aik * bkj;
        }
        // NOTE: beta = 0 must overwrite, not multiply: 0 · NaN is NaN.
        C[i * N + j] = beta === 0 ? alpha * s : alpha * s + beta * C[i * N + j];
      }
    }
  },

  // a: [rows, cols]  b: [cols]  h: [rows, cols]
  biasActivate(kind, alpha, a, b, h, rows, cols) {
    const { f } = activations[kind];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const k = i * cols + j;
        a[k] += b[j];
        h[k] = f(a[k], alpha);
      }
    }
  },

  // delta = dh ∘ f'(a): the lecture's ∂h/∂a = diag(f'(a)) applied as an elementwise product
  activationBackward(kind, alpha, a, h, dh, delta, n) {
    const { df } = activations[kind];
    for (let k = 0; k < n; k++) delta[k] = dh[k] * df(a[k], h[k], alpha);
  },

  // x: [rows, cols]  out: [cols]
  sumRows(x, rows, cols, out) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i * cols + j];
      out[j] += s;
    }
  },

  // a, p: [rows, cols]
  softmaxRows(a, p, rows, cols) {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, a[o + j]);
      let sum = 0;
      for (let j = 0; j < cols; j++) {
        const e = Math.exp(a[o + j] - max);
        p[o + j] = e;
        sum += e;
      }
      for (let j = 0; j < cols; j++) p[o + j] /= sum;
    }
  },

  // p, dh, delta: [rows, cols]
  softmaxBackward(p, dh, delta, rows, cols) {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += dh[o + j] * p[o + j];
      for (let j = 0; j < cols; j++) delta[o + j] = p[o + j] * (dh[o + j] - dot);
    }
  },

  // z, y, grad: [rows, cols]  w: [rows]; see loss/losses.ts for the table of formulas
  loss(kind, z, y, grad, rows, cols, scale, w) {
    return lossRef(kind, z, y, grad, rows, cols, scale, 0, 0, 0, w ?? null);
  },

  // h, mask, hd: [n]
  dropout(h, mask, hd, n, p, rng) {
    const keep = 1 / (1 - p);
    for (let k = 0; k < n; k++) {
      mask[k] = rng.uniform() < p ? 0 : keep;
      hd[k] = h[k] * mask[k];
    }
  },

  // dhd, mask, dh: [n]
  dropoutBackward(dhd, mask, dh, n) {
    for (let k = 0; k < n; k++) dh[k] = dhd[k] * mask[k];
  },

  // src: [*, cols]  dst: [count, cols]
  gatherRows(src, cols, idx, start, count, dst) {
    for (let r = 0; r < count; r++) {
      const s = idx[start + r] * cols;
      for (let j = 0; j < cols; j++) dst[r * cols + j] = src[s + j];
    }
  },

  fill(x, value, n) {
    for (let k = 0; k < n; k++) x[k] = value;
  },

  copy(src, dst, n) {
    for (let k = 0; k < n; k++) dst[k] = src[k];
  },

  scale(x, s, n) {
    for (let k = 0; k < n; k++) x[k] *= s;
  },

  sumSquares(x, n) {
    let s = 0;
    for (let k = 0; k < n; k++) s += x[k] * x[k];
    return s;
  },

  allFinite(x, n) {
    for (let k = 0; k < n; k++) if (!Number.isFinite(x[k])) return false;
    return true;
  },

  sgdStep(p, g, buf, n, lr, momentum, dampening, nesterov, wd, first) {
    for (let k = 0; k < n; k++) {
      let d = g[k] + wd * p[k];
      if (momentum !== 0 && buf) {
        buf[k] = first ? d : momentum * buf[k] + (1 - dampening) * d;
        d = nesterov ? d + momentum * buf[k] : buf[k];
      }
      p[k] -= lr * d;
    }
  },

  adamStep(p, g, m, v, n, lr, beta1, beta2, eps, wd, decoupled, t) {
    const bc1 = 1 - Math.pow(beta1, t);
    const bc2sqrt = Math.sqrt(1 - Math.pow(beta2, t));
    const stepSize = lr / bc1;
    for (let k = 0; k < n; k++) {
      let gk = g[k];
      if (decoupled) p[k] *= 1 - lr * wd;
      else gk += wd * p[k];
      m[k] = beta1 * m[k] + (1 - beta1) * gk;
      v[k] = beta2 * v[k] + (1 - beta2) * gk * gk;
      p[k] -= (stepSize * m[k]) / (Math.sqrt(v[k]) / bc2sqrt + eps);
    }
  },

  rmspropStep(p, g, s, buf, n, lr, rho, eps, momentum, wd) {
    for (let k = 0; k < n; k++) {
      const gk = g[k] + wd * p[k];
      s[k] = rho * s[k] + (1 - rho) * gk * gk;
      const d = gk / (Math.sqrt(s[k]) + eps);
      if (momentum > 0 && buf) {
        buf[k] = momentum * buf[k] + d;
        p[k] -= lr * buf[k];
      } else {
        p[k] -= lr * d;
      }
    }
  },

  adagradStep(p, g, sum, n, lr, eps, wd) {
    for (let k = 0; k < n; k++) {
      const gk = g[k] + wd * p[k];
      sum[k] += gk * gk;
      p[k] -= (lr * gk) / (Math.sqrt(sum[k]) + eps);
    }
  },
};

/**
 * The loss kernel, shared with fast backends that do not specialise it. zo, yo, go: where z, y
 * and grad start in their arrays (the fused small-network step passes offsets into its scratch).
 * w: [rows] sample weights or null.
 */
export function lossRef(kind: LossName, z: FloatArray, y: FloatArray, grad: FloatArray | null, rows: number, cols: number, scale: number, zo = 0, yo = 0, go = 0, w: FloatArray | null = null): number {
  let total = 0;
  const m = cols;
  for (let i = 0; i < rows; i++) {
    if (w) {
      // a weighted row: its ℓ_i and gradient times w_i (the unweighted row computed the same way, then scaled)
      const g0 = go + i * cols;
      const li = lossRef(kind, z, y, grad, 1, cols, scale * w[i], zo + i * cols, yo + i * cols, g0, null);
      total += w[i] * li;
      continue;
    }
    const o = i * cols;
    if (kind === 'crossentropy') {
      // logsumexp with the max subtracted: stable for logits in the hundreds
      let max = -Infinity;
      for (let j = 0; j < cols; j++) max = Math.max(max, z[zo + o + j]);
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += Math.exp(z[zo + o + j] - max);
      const lse = max + Math.log(sum);
      let sumY = 0;
      for (let j = 0; j < cols; j++) {
        sumY += y[yo + o + j];
        if (y[yo + o + j] !== 0) total += y[yo + o + j] * (lse - z[zo + o + j]);
      }
      if (grad) for (let j = 0; j < cols; j++) grad[go + o + j] = scale * (Math.exp(z[zo + o + j] - lse) * sumY - y[yo + o + j]);
      continue;
    }
    for (let j = 0; j < cols; j++) {
      const k = o + j;
      const d = z[zo + k] - y[yo + k];
      let l: number;
      let g: number;
      switch (kind) {
        case 'sse': l = 0.5 * d * d; g = d; break;
        case 'mse': l = (d * d) / m; g = (2 * d) / m; break;
        case 'mae': l = Math.abs(d) / m; g = Math.sign(d) / m; break;
        case 'huber': {
          const ad = Math.abs(d);
          l = (ad <= 1 ? 0.5 * d * d : ad - 0.5) / m;
          g = Math.max(-1, Math.min(1, d)) / m;
          break;
        }
        case 'bce': {
          // max(a,0) − a·y + log(1 + e^−|a|): never exponentiates a large positive number
          const a = z[zo + k];
          l = (Math.max(a, 0) - a * y[yo + k] + Math.log1p(Math.exp(-Math.abs(a)))) / m;
          g = (sigmoid.f(a, 0) - y[yo + k]) / m;
          break;
        }
        default:
          throw new Error(`reference.loss: unhandled loss ${kind as string}`);
      }
      total += l;
      if (grad) grad[go + k] = scale * g;
    }
  }
  return total;
}
