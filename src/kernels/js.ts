// The portable fast backend in plain TypeScript: the reference's kernels with gemm loops
// ordered so the innermost loop walks contiguous memory, and 4-way register blocking.
// "Identical to reference except" the order of floating-point additions inside gemm.

import type { Backend } from './backend.ts';
import { reference } from './reference.ts';
import type { FloatArray } from '../tensor/tensor.ts';

function scaleC(C: FloatArray, n: number, beta: number): void {
  if (beta === 0) C.fill(0, 0, n);
  else if (beta !== 1) for (let k = 0; k < n; k++) C[k] *= beta;
}

export const js: Backend = {
  ...reference,
  name: 'js',

  // C: [M, N] = alpha · op(A): [M, K] · op(B): [K, N] + beta · C
  gemm(transA, transB, M, N, K, alpha, A, B, beta, C) {
    if (!transA && transB) {
      // NT (a = x·Wᵀ): C[i,j] = Σ_k A[i,k] B[j,k], four dot products share each A[i,k] load
      for (let i = 0; i < M; i++) {
        const ao = i * K;
        let j = 0;
        for (; j + 3 < N; j += 4) {
          const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let k = 0; k < K; k++) {
            const a = A[ao + k];
            s0 += a * B[b0 + k];
            s1 += a * B[b1 + k];
            s2 += a * B[b2 + k];
            s3 += a * B[b3 + k];
          }
          const c = i * N + j;
          C[c] = alpha * s0 + (beta === 0 ? 0 : beta * C[c]);
          C[c + 1] = alpha * s1 + (beta === 0 ? 0 : beta * C[c + 1]);
          C[c + 2] = alpha * s2 + (beta === 0 ? 0 : beta * C[c + 2]);
          C[c + 3] = alpha * s3 + (beta === 0 ? 0 : beta * C[c + 3]);
        }
        for (; j < N; j++) {
          const bo = j * K;
          let s = 0;
          for (let k = 0; k < K; k++) s += A[ao + k] * B[bo + k];
          C[i * N + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * N + j]);
        }
      }
      return;
    }
    if (!transA && !transB) {
      // NN (dx = δ·W): row C[i,:] += A[i,k] · B[k,:]
      scaleC(C, M * N, beta);
      for (let i = 0; i < M; i++) {
        const co = i * N;
        for (let k = 0; k < K; k++) {
          const a = alpha * A[i * K + k];
          if (a === 0) continue;
          const bo = k * N;
          for (let j = 0; j < N; j++) C[co + j] += a * B[bo + j];
        }
      }
      return;
    }
    if (transA && !transB) {
      // TN (dW += δᵀ·x): A stored [K, M]; row C[i,:] += A[k,i] · B[k,:]
      scaleC(C, M * N, beta);
      for (let k = 0; k < K; k++) {
        const bo = k * N;
        for (let i = 0; i < M; i++) {
          const a = alpha * A[k * M + i];
          if (a === 0) continue;
          const co = i * N;
          for (let j = 0; j < N; j++) C[co + j] += a * B[bo + j];
        }
      }
      return;
    }
    reference.gemm(transA, transB, M, N, K, alpha, A, B, beta, C);
  },
};
