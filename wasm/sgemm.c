// mlpkit's WebAssembly SIMD kernels (float32), built by scripts/build-wasm.mjs with clang's wasm32
// target. No libc, no static data, no stack use in the hot loops: every instance of this module
// (the main thread's and each worker's) shares one memory, so nothing may live in a data segment
// or a per-instance stack that another thread could see half-written.
//
// gemm is the GotoBLAS/BLIS scheme (Goto & van de Geijn 2008, "Anatomy of high-performance matrix
// multiplication"): pack a KC×NC block of op(B) into NR-wide column panels and an MC×KC block of
// op(A) into MR-tall row panels, then run an MR×NR register-blocked micro-kernel over them.
// Packing is where the transpose cases differ; the micro-kernel is the same for NT, TN, NN and TT.
//
// NOTE: the result of every C element depends only on (M, N, K, the inputs): the k loop is always
// blocked the same way, whatever the range [m0, m1) × [n0, n1) a thread is given. So the threaded
// backend gives bit-identical results for any thread count and any split.

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

#ifndef MR
#define MR 4 // rows of the micro-tile (4×8 measured fastest under V8: bigger tiles spill)
#endif
#ifndef NR
#define NR 8 // columns of the micro-tile: two f32x4 vectors
#endif
#define NV (NR / 4)
#ifndef KC
#define KC 256 // depth of a packed block: a KC×NR panel of B (8 KiB) stays in L1
#endif
#ifndef MC
#define MC 96  // rows of A packed at once: MC×KC (96 KiB) stays in L2
#endif
#define NC 1024 // columns of B packed at once: KC×NC (1 MiB)

#ifdef RELAXED
// clang 14 spells relaxed SIMD's fused multiply-add __builtin_wasm_fma_f32x4 and encodes it with the
// proposal's old opcode; scripts/build-wasm.mjs rewrites each one to f32x4.relaxed_madd (0xfd 0x105),
// whose meaning is relaxed_madd(a, b, c) = a·b + c. So the call below is written in that order.
#define MADD(a, b, c) __builtin_wasm_fma_f32x4((a), (b), (c))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

/** Scratch floats one thread needs for gemm (packed A, packed B, an edge tile). */
// Packed A holds MC rows rounded up to whole MR panels, packed B NC columns rounded up to NR.
#define AP_FLOATS (((MC + MR - 1) / MR) * MR * KC)
#define BP_FLOATS (((NC + NR - 1) / NR) * NR * KC)
EXPORT(gemm_scratch_floats) int gemm_scratch_floats(void) { return AP_FLOATS + BP_FLOATS + MR * NR; }

// Ap: [kc][MR] panels  ←  op(A)[i0 .. i0+mr, k0 .. k0+kc], zero-padded to MR rows.
// A is [M, K] (lda = K) or, transposed, stored [K, M] (lda = M).
static void packA(int transA, const float *A, int lda, int i0, int mr, int k0, int kc, float *Ap) {
  if (transA) {
    // op(A)[i, k] = A[k·lda + i]: the MR values of one k are contiguous
    for (int k = 0; k < kc; k++) {
      const float *src = A + (k0 + k) * lda + i0;
      float *dst = Ap + k * MR;
      if (mr == MR) {
#if MR == 4
        wasm_v128_store(dst, wasm_v128_load(src));
#else
        for (int r = 0; r < MR; r++) dst[r] = src[r];
#endif
      } else {
        for (int r = 0; r < MR; r++) dst[r] = r < mr ? src[r] : 0.0f;
      }
    }
  } else {
    for (int r = 0; r < MR; r++) {
      if (r < mr) {
        const float *src = A + (i0 + r) * lda + k0;
        for (int k = 0; k < kc; k++) Ap[k * MR + r] = src[k];
      } else {
        for (int k = 0; k < kc; k++) Ap[k * MR + r] = 0.0f;
      }
    }
  }
}

// Bp: [kc][NR] panels  ←  op(B)[k0 .. k0+kc, j0 .. j0+nr], zero-padded to NR columns.
// B is [K, N] (ldb = N) or, transposed, stored [N, K] (ldb = K).
static void packB(int transB, const float *B, int ldb, int k0, int kc, int j0, int nr, float *Bp) {
  if (!transB) {
    for (int k = 0; k < kc; k++) {
      const float *src = B + (k0 + k) * ldb + j0;
      float *dst = Bp + k * NR;
      if (nr == NR) {
        for (int v = 0; v < NV; v++) wasm_v128_store(dst + 4 * v, wasm_v128_load(src + 4 * v));
      } else {
        for (int c = 0; c < NR; c++) dst[c] = c < nr ? src[c] : 0.0f;
      }
    }
  } else if (nr == NR) {
    // op(B)[k, j] = B[j·ldb + k]: transpose 4×4 blocks in registers
    int k = 0;
    for (; k + 4 <= kc; k += 4) {
      for (int h = 0; h < NV; h++) {
        const float *s = B + (j0 + 4 * h) * ldb + k0 + k;
        v128_t r0 = wasm_v128_load(s), r1 = wasm_v128_load(s + ldb);
        v128_t r2 = wasm_v128_load(s + 2 * ldb), r3 = wasm_v128_load(s + 3 * ldb);
        v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
        v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        float *d = Bp + k * NR + 4 * h;
        wasm_v128_store(d, wasm_i64x2_shuffle(t0, t2, 0, 2));
        wasm_v128_store(d + NR, wasm_i64x2_shuffle(t0, t2, 1, 3));
        wasm_v128_store(d + 2 * NR, wasm_i64x2_shuffle(t1, t3, 0, 2));
        wasm_v128_store(d + 3 * NR, wasm_i64x2_shuffle(t1, t3, 1, 3));
      }
    }
    for (; k < kc; k++)
      for (int c = 0; c < NR; c++) Bp[k * NR + c] = B[(j0 + c) * ldb + k0 + k];
  } else {
    for (int c = 0; c < NR; c++) {
      if (c < nr) {
        const float *src = B + (j0 + c) * ldb + k0;
        for (int k = 0; k < kc; k++) Bp[k * NR + c] = src[k];
      } else {
        for (int k = 0; k < kc; k++) Bp[k * NR + c] = 0.0f;
      }
    }
  }
}

// The micro-kernel. C[0..mr, 0..nr) (row stride ldc) = alpha · Ap·Bp + beta · C, beta = 0 overwriting.
// Ap: [kc][MR], Bp: [kc][NR]; MR×NV accumulators live in registers for the whole k loop.
static void micro(int kc, const float *Ap, const float *Bp, float *C, int ldc, float alpha, float beta,
                  int mr, int nr, float *edge) {
  v128_t acc[MR][NV];
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) acc[r][v] = wasm_f32x4_splat(0.0f);

#ifdef KUNROLL
#pragma clang loop unroll_count(KUNROLL)
#endif
  // NOTE: walk Ap and Bp by pointer increments, so every load is one base register plus a constant
  // (wasm's memarg offset); indexing as Ap[k·MR + r] made V8 compute each address separately.
  const float *ap = Ap, *bp = Bp;
  for (int k = 0; k < kc; k++, ap += MR, bp += NR) {
    v128_t b[NV];
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) b[v] = wasm_v128_load(bp + 4 * v);
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
      v128_t a = wasm_v128_load32_splat(ap + r);
#pragma clang loop unroll(full)
      for (int v = 0; v < NV; v++) acc[r][v] = MADD(a, b[v], acc[r][v]);
    }
  }

  v128_t va = wasm_f32x4_splat(alpha), vb = wasm_f32x4_splat(beta);
  if (mr == MR && nr == NR) {
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
      for (int v = 0; v < NV; v++) {
        float *c = C + r * ldc + 4 * v;
        v128_t x = wasm_f32x4_mul(va, acc[r][v]);
        // NOTE: beta = 0 must overwrite, not multiply: 0 · NaN is NaN
        if (beta != 0.0f) x = wasm_f32x4_add(x, wasm_f32x4_mul(vb, wasm_v128_load(c)));
        wasm_v128_store(c, x);
      }
    return;
  }
  // an edge tile: spill the accumulators, then write only the rows and columns that exist
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) wasm_v128_store(edge + r * NR + 4 * v, acc[r][v]);
  for (int r = 0; r < mr; r++)
    for (int c = 0; c < nr; c++) {
      float x = alpha * edge[r * NR + c];
      if (beta != 0.0f) x += beta * C[r * ldc + c];
      C[r * ldc + c] = x;
    }
}

// C: [M, N] = alpha · op(A): [M, K] · op(B): [K, N] + beta · C, for rows [m0, m1) and columns [n0, n1).
// transA: A stored [K, M]; transB: B stored [N, K]. scratch: gemm_scratch_floats() floats of this thread.
EXPORT(gemm)
void gemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, const float *B, float beta,
          float *C, int m0, int m1, int n0, int n1, float *scratch) {
  float *Ap = scratch, *Bp = scratch + AP_FLOATS, *edge = Bp + BP_FLOATS;
  int lda = transA ? M : K, ldb = transB ? K : N;
  if (K == 0) {
    // op(A)·op(B) is the zero matrix
    for (int i = m0; i < m1; i++)
      for (int j = n0; j < n1; j++) C[i * N + j] = beta == 0.0f ? 0.0f : beta * C[i * N + j];
    return;
  }
  for (int jc = n0; jc < n1; jc += NC) {
    int nc = n1 - jc < NC ? n1 - jc : NC;
    for (int pc = 0; pc < K; pc += KC) {
      int kc = K - pc < KC ? K - pc : KC;
      // the first k block applies beta; later ones accumulate
      float be = pc == 0 ? beta : 1.0f;
      for (int jr = 0; jr < nc; jr += NR) {
        int nr = nc - jr < NR ? nc - jr : NR;
        packB(transB, B, ldb, pc, kc, jc + jr, nr, Bp + jr * kc);
      }
      for (int ic = m0; ic < m1; ic += MC) {
        int mc = m1 - ic < MC ? m1 - ic : MC;
        for (int ir = 0; ir < mc; ir += MR) {
          int mr = mc - ir < MR ? mc - ir : MR;
          packA(transA, A, lda, ic + ir, mr, pc, kc, Ap + ir * kc);
        }
        for (int jr = 0; jr < nc; jr += NR) {
          int nr = nc - jr < NR ? nc - jr : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = mc - ir < MR ? mc - ir : MR;
            micro(kc, Ap + ir * kc, Bp + jr * kc, C + (ic + ir) * N + jc + jr, N, alpha, be, mr, nr, edge);
          }
        }
      }
    }
  }
}

// ---- the cheap O(rows·cols) kernels of a large step ---------------------------------------------
// Same arithmetic as the js backend (float32 adds; the SGD update in float64 as JS does), so the
// results are the js backend's bit for bit; clang vectorizes these loops.

// a: [rows, cols]  b: [cols]  h: [rows, cols].  a += b; h = a (kind 0, identity) or max(a, 0) (kind 1, relu)
EXPORT(bias_act)
void bias_act(int kind, float *a, const float *b, float *h, int rows, int cols) {
  for (int i = 0; i < rows; i++) {
    float *ar = a + i * cols, *hr = h + i * cols;
    if (kind == 1) {
      for (int j = 0; j < cols; j++) {
        float v = ar[j] + b[j];
        ar[j] = v;
        hr[j] = v > 0.0f ? v : 0.0f;
      }
    } else {
      for (int j = 0; j < cols; j++) {
        float v = ar[j] + b[j];
        ar[j] = v;
        hr[j] = v;
      }
    }
  }
}

// a, dh, delta: [n].  delta = dh ∘ relu'(a), relu'(0) = 0; dh·0 keeps NaN as NaN, as reference
EXPORT(relu_backward)
void relu_backward(const float *a, const float *dh, float *delta, int n) {
  for (int k = 0; k < n; k++) delta[k] = a[k] > 0.0f ? dh[k] : dh[k] * 0.0f;
}

// x: [rows, cols]  out: [cols].  out[j] += x[i, j], row after row
EXPORT(sum_rows)
void sum_rows(const float *x, int rows, int cols, float *out) {
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) out[j] += x[i * cols + j];
}

// θ −= lr · g  (plain SGD), computed in float64 like JavaScript, rounded once to float32
EXPORT(sgd_plain)
void sgd_plain(float *p, const float *g, int n, double lr) {
  for (int k = 0; k < n; k++) p[k] = (float)((double)p[k] - lr * (double)g[k]);
}

// src: [*, cols]  dst: [count, cols].  dst[r, :] = src[idx[r], :]  (a shuffled minibatch; memory.copy per row)
EXPORT(gather_rows)
void gather_rows(const float *src, int cols, const unsigned *idx, int count, float *dst) {
  for (int r = 0; r < count; r++) __builtin_memcpy(dst + r * cols, src + idx[r] * cols, (unsigned)cols * 4u);
}

// x: [n].  1 when no entry is NaN or ±Infinity (exponent bits all ones), else 0
EXPORT(all_finite)
int all_finite(const float *x, int n) {
  const unsigned *u = (const unsigned *)x;
  unsigned bad = 0;
  for (int k = 0; k < n; k++) bad |= (u[k] & 0x7f800000u) == 0x7f800000u;
  return bad == 0;
}
