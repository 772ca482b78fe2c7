// The portable fast backend in plain TypeScript, for float32 and float64.
// Identical to reference except:
// - gemm: every case of at least 4×4 outputs and 4096 multiply-adds becomes NT (operands transposed
//   into scratch so k is contiguous) and runs a 2×4 register-blocked dot-product kernel; smaller
//   NN/TN products (batch 1) loop 4 rows at a time with the innermost loop over contiguous j. So the
//   order of additions inside a dot product differs from reference (and the small NN/TN add
//   alpha·A·B to beta·C term by term rather than as one sum);
// - biasActivate / activationBackward: one loop per common activation (identity, relu, tanh,
//   sigmoid, leakyRelu) instead of a call through the { f, df } table, with the same formulas, so
//   their results are the reference's bit for bit;
// - sumRows walks rows (contiguous) and adds each row into out directly;
// - gatherRows copies long rows with TypedArray.set;
// - sgdStep without momentum or weight decay is one fused loop;
// - sgdStep1: a whole batch-1 SGD step in one kernel for small networks (kernels/fused.ts).
// The other kernels are reference's own.

import type { Backend } from './backend.ts';
import { reference } from './reference.ts';
import { sgdStep1 } from './fused.ts';
import type { FloatArray } from '../tensor/tensor.ts';
import type { ElementwiseActivation } from '../math/activations.ts';

function scaleC(C: FloatArray, n: number, beta: number): void {
  if (beta === 0) C.fill(0, 0, n);
  else if (beta !== 1) for (let k = 0; k < n; k++) C[k] *= beta;
}

// C: [M, N] = alpha · op(A): [M, K] · op(B): [K, N] + beta · C
/** The js backend's gemm; also the small-product path of the wasm backends. */
export function gemmJs(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: FloatArray, B: FloatArray, beta: number, C: FloatArray,
): void {
  if (!transA && transB) {
    if (M === 1) gemvT(N, K, alpha, A, B, beta, C);
    else gemmNT(M, N, K, alpha, A, B, beta, C);
    return;
  }
  if (K === 1 && !transB) {
    // a rank-1 update (batch 1: dW += δᵀ·x): C[i,j] = alpha · a_i · b_j + beta · C[i,j]
    for (let i = 0, o = 0; i < M; i++, o += N) {
      const a = alpha * A[i];
      if (beta === 0) for (let j = 0; j < N; j++) C[o + j] = a * B[j];
      else if (beta === 1) for (let j = 0; j < N; j++) C[o + j] += a * B[j];
      else for (let j = 0; j < N; j++) C[o + j] = a * B[j] + beta * C[o + j];
    }
    return;
  }
  if (M >= 4 && N >= 4 && M * N * K >= 4096) {
    // transpose the operands that are not already "k contiguous" into scratch, then run the
    // blocked dot-product kernel: O(K·(M + N)) copies buy 2× on the O(M·N·K) loop
    const At = transA ? transposeInto(0, A, K, M) : A;
    const Bt = transB ? B : transposeInto(1, B, K, N);
    gemmNT(M, N, K, alpha, At, Bt, beta, C);
    return;
  }
  if (!transB) {
    // NN (dx = δ·W) and TN (dW += δᵀ·x): C[i,:] += alpha·op(A)[i,k] · B[k,:], four rows of C per B row.
    // op(A)[i,k] is A[i·K + k] (NN) or A[k·M + i] (TN).
    scaleC(C, M * N, beta);
    const si = transA ? 1 : K; // stride of op(A) between rows i
    const sk = transA ? M : 1; // and between k
    let i = 0;
    for (; i + 3 < M; i += 4) {
      const c0 = i * N, c1 = c0 + N, c2 = c1 + N, c3 = c2 + N;
      for (let k = 0; k < K; k++) {
        const ak = i * si + k * sk;
        const a0 = alpha * A[ak], a1 = alpha * A[ak + si], a2 = alpha * A[ak + 2 * si], a3 = alpha * A[ak + 3 * si];
        const bo = k * N;
        for (let j = 0; j < N; j++) {
          const b = B[bo + j];
          C[c0 + j] += a0 * b;
          C[c1 + j] += a1 * b;
          C[c2 + j] += a2 * b;
          C[c3 + j] += a3 * b;
        }
      }
    }
    for (; i < M; i++) {
      const co = i * N;
      for (let k = 0; k < K; k++) {
        const a = alpha * A[i * si + k * sk];
        const bo = k * N;
        for (let j = 0; j < N; j++) C[co + j] += a * B[bo + j];
      }
    }
    return;
  }
  reference.gemm(transA, transB, M, N, K, alpha, A, B, beta, C);
}

// Scratch for transposed operands, per slot (0: A, 1: B) and dtype; grown, never shrunk.
const scratch32: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
const scratch64: Float64Array[] = [new Float64Array(0), new Float64Array(0)];

// X: [rows, cols]  →  scratch: [cols, rows]
function transposeInto(slot: number, X: FloatArray, rows: number, cols: number): FloatArray {
  const n = rows * cols;
  let T: FloatArray;
  if (X instanceof Float64Array) {
    if (scratch64[slot].length < n) scratch64[slot] = new Float64Array(n);
    T = scratch64[slot];
  } else {
    if (scratch32[slot].length < n) scratch32[slot] = new Float32Array(n);
    T = scratch32[slot];
  }
  for (let i = 0; i < rows; i++) for (let j = 0, o = i * cols; j < cols; j++) T[j * rows + i] = X[o + j];
  return T;
}

// One row of NT (a = x·Wᵀ for one sample): C[j] = alpha · Σ_k A[k] B[j,k] + beta · C[j]
function gemvT(N: number, K: number, alpha: number, A: FloatArray, B: FloatArray, beta: number, C: FloatArray): void {
  for (let j = 0, bo = 0; j < N; j++, bo += K) {
    let s = 0;
    for (let k = 0; k < K; k++) s += A[k] * B[bo + k];
    C[j] = beta === 0 ? alpha * s : alpha * s + beta * C[j];
  }
}

// NT (a = x·Wᵀ): C[i,j] = alpha · Σ_k A[i,k] B[j,k] + beta · C[i,j]; a 2×4 block of dot products
// shares each load of A and B.
function gemmNT(M: number, N: number, K: number, alpha: number, A: FloatArray, B: FloatArray, beta: number, C: FloatArray): void {
  let i = 0;
  for (; i + 1 < M; i += 2) {
    const a0 = i * K, a1 = a0 + K;
    let j = 0;
    for (; j + 3 < N; j += 4) {
      const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k], x1 = A[a1 + k];
        const w0 = B[b0 + k], w1 = B[b1 + k], w2 = B[b2 + k], w3 = B[b3 + k];
        s00 += x0 * w0; s01 += x0 * w1; s02 += x0 * w2; s03 += x0 * w3;
        s10 += x1 * w0; s11 += x1 * w1; s12 += x1 * w2; s13 += x1 * w3;
      }
      store(C, i * N + j, alpha, beta, s00); store(C, i * N + j + 1, alpha, beta, s01);
      store(C, i * N + j + 2, alpha, beta, s02); store(C, i * N + j + 3, alpha, beta, s03);
      store(C, (i + 1) * N + j, alpha, beta, s10); store(C, (i + 1) * N + j + 1, alpha, beta, s11);
      store(C, (i + 1) * N + j + 2, alpha, beta, s12); store(C, (i + 1) * N + j + 3, alpha, beta, s13);
    }
    for (; j < N; j++) {
      const bo = j * K;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < K; k++) {
        const w = B[bo + k];
        s0 += A[a0 + k] * w;
        s1 += A[a1 + k] * w;
      }
      store(C, i * N + j, alpha, beta, s0);
      store(C, (i + 1) * N + j, alpha, beta, s1);
    }
  }
  for (; i < M; i++) {
    const ao = i * K;
    let j = 0;
    for (; j + 3 < N; j += 4) {
      const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < K; k++) {
        const x = A[ao + k];
        s0 += x * B[b0 + k]; s1 += x * B[b1 + k]; s2 += x * B[b2 + k]; s3 += x * B[b3 + k];
      }
      store(C, i * N + j, alpha, beta, s0); store(C, i * N + j + 1, alpha, beta, s1);
      store(C, i * N + j + 2, alpha, beta, s2); store(C, i * N + j + 3, alpha, beta, s3);
    }
    for (; j < N; j++) {
      const bo = j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[ao + k] * B[bo + k];
      store(C, i * N + j, alpha, beta, s);
    }
  }
}

// NOTE: beta = 0 must overwrite, not multiply: 0 · NaN is NaN.
function store(C: FloatArray, c: number, alpha: number, beta: number, s: number): void {
  C[c] = beta === 0 ? alpha * s : alpha * s + beta * C[c];
}

// a: [rows, cols]  b: [cols]  h: [rows, cols].  a += b (row-broadcast), h = f(a)
function biasActivate(kind: ElementwiseActivation, alpha: number, a: FloatArray, b: FloatArray, h: FloatArray, rows: number, cols: number): void {
  switch (kind) {
    case 'identity':
      for (let i = 0, o = 0; i < rows; i++, o += cols) {
        for (let j = 0; j < cols; j++) {
          a[o + j] += b[j];
          h[o + j] = a[o + j];
        }
      }
      return;
    case 'relu':
      for (let i = 0, o = 0; i < rows; i++, o += cols) {
        for (let j = 0; j < cols; j++) {
          a[o + j] += b[j];
          const v = a[o + j]; // NOTE: read back: the float32 a, not the float64 sum, as reference
          h[o + j] = v > 0 ? v : 0;
        }
      }
      return;
    case 'leakyRelu':
      for (let i = 0, o = 0; i < rows; i++, o += cols) {
        for (let j = 0; j < cols; j++) {
          a[o + j] += b[j];
          const v = a[o + j]; // NOTE: read back: the float32 a, not the float64 sum, as reference
          h[o + j] = v > 0 ? v : alpha * v;
        }
      }
      return;
    case 'tanh':
      for (let i = 0, o = 0; i < rows; i++, o += cols) {
        for (let j = 0; j < cols; j++) {
          a[o + j] += b[j];
          h[o + j] = Math.tanh(a[o + j]);
        }
      }
      return;
    case 'sigmoid':
      for (let i = 0, o = 0; i < rows; i++, o += cols) {
        for (let j = 0; j < cols; j++) {
          a[o + j] += b[j];
          const v = a[o + j]; // NOTE: read back: the float32 a, not the float64 sum, as reference
          // the same two branches as activations.ts: e^x never overflows
          h[o + j] = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
        }
      }
      return;
    default:
      reference.biasActivate(kind, alpha, a, b, h, rows, cols);
  }
}

// a, h, dh, delta: [n].  delta = dh ∘ f'(a)
function activationBackward(kind: ElementwiseActivation, alpha: number, a: FloatArray, h: FloatArray, dh: FloatArray, delta: FloatArray, n: number): void {
  switch (kind) {
    case 'identity':
      if (delta !== dh) for (let k = 0; k < n; k++) delta[k] = dh[k] * 1;
      return;
    case 'relu':
      for (let k = 0; k < n; k++) delta[k] = a[k] > 0 ? dh[k] * 1 : dh[k] * 0;
      return;
    case 'leakyRelu':
      for (let k = 0; k < n; k++) delta[k] = dh[k] * (a[k] > 0 ? 1 : alpha);
      return;
    case 'tanh':
      for (let k = 0; k < n; k++) delta[k] = dh[k] * (1 - h[k] * h[k]);
      return;
    case 'sigmoid':
      for (let k = 0; k < n; k++) delta[k] = dh[k] * (h[k] * (1 - h[k]));
      return;
    default:
      reference.activationBackward(kind, alpha, a, h, dh, delta, n);
  }
}

export const js: Backend = {
  ...reference,
  name: 'js',
  gemm: gemmJs,
  sgdStep1, // the small-network path (kernels/fused.ts)
  biasActivate,
  activationBackward,

  // x: [rows, cols]  out: [cols]
  sumRows(x, rows, cols, out) {
    if (rows === 1) {
      for (let j = 0; j < cols; j++) out[j] += x[j];
      return;
    }
    for (let i = 0, o = 0; i < rows; i++, o += cols) for (let j = 0; j < cols; j++) out[j] += x[o + j];
  },

  sgdStep(p, g, buf, n, lr, momentum, dampening, nesterov, wd, first) {
    if (momentum === 0 && wd === 0) {
      for (let k = 0; k < n; k++) p[k] -= lr * g[k];
      return;
    }
    reference.sgdStep(p, g, buf, n, lr, momentum, dampening, nesterov, wd, first);
  },

  // src: [*, cols]  dst: [count, cols]
  gatherRows(src, cols, idx, start, count, dst) {
    if (cols >= 16) {
      // long rows: one memcpy per row
      for (let r = 0; r < count; r++) {
        const s = idx[start + r] * cols;
        dst.set(src.subarray(s, s + cols), r * cols);
      }
      return;
    }
    for (let r = 0, d = 0; r < count; r++) {
      const s = idx[start + r] * cols;
      for (let j = 0; j < cols; j++) dst[d++] = src[s + j];
    }
  },

  fill(x, value, n) {
    x.fill(value, 0, n);
  },

  copy(src, dst, n) {
    if (n === src.length) dst.set(src);
    else dst.set(src.subarray(0, n));
  },
};
