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
// micro_sparse finds B's offset as twice A's (NR = 2·MR); other tile shapes run dense
#define SPARSE_OK (NR == 2 * MR)
// the sparse k lists of the packed A panels (see packA): one int per k of each panel, and a count
// per A panel: [finite?, count, k list]; per B panel: [count, k list]
#define KI_STRIDE (KC + 2)
#define KB_STRIDE (KC + 1)
#define KI_INTS (((MC + MR - 1) / MR) * KI_STRIDE)
#define KB_INTS (((NC + NR - 1) / NR) * KB_STRIDE)
EXPORT(gemm_scratch_floats) int gemm_scratch_floats(void) { return AP_FLOATS + BP_FLOATS + MR * NR + KI_INTS + KB_INTS; }

// Ap: [kc][MR] panels  ←  op(A)[i0 .. i0+mr, k0 .. k0+kc], zero-padded to MR rows.
// A is [M, K] (lda = K) or, transposed, stored [K, M] (lda = M).
// Sparse inputs: for a whole untransposed panel (the forward pass's x or h), ki gets the byte
// offsets (16·k) of the k whose MR values are not all +0, and ki[-1] their count (else kc, and ki
// unused): MNIST's pixels are ~80% zero, and 4 rows share a zero at about half of the k.
static void packA(int transA, const float *A, int lda, int i0, int mr, int k0, int kc, float *Ap, int *ki) {
  ki[-1] = kc;
  ki[-2] = 0; // A's panel known finite (so that B's zeros may be skipped: packB)
  if (transA) {
    // op(A)[i, k] = A[k·lda + i]: the MR values of one k are contiguous
#if MR == 4
    if (mr == MR) {
      // NOTE: exponent bits all ones = ±Infinity or NaN; OR-ed over the panel, tested once
      v128_t expo = wasm_i32x4_splat(0x7f800000), bad = wasm_i32x4_splat(0);
      for (int k = 0; k < kc; k++) {
        v128_t v = wasm_v128_load(A + (k0 + k) * lda + i0);
        wasm_v128_store(Ap + k * MR, v);
        bad = wasm_v128_or(bad, wasm_i32x4_eq(wasm_v128_and(v, expo), expo));
      }
      ki[-2] = !wasm_v128_any_true(bad);
      return;
    }
#endif
    for (int k = 0; k < kc; k++) {
      const float *src = A + (k0 + k) * lda + i0;
      float *dst = Ap + k * MR;
      for (int r = 0; r < MR; r++) dst[r] = r < mr ? src[r] : 0.0f;
    }
  } else {
#if MR == 4
    if (mr == MR) {
      // op(A)[i, k] = A[i·lda + k]: transpose 4×4 blocks in registers (as packB does), so packing
      // the forward pass's x costs a few vector ops per 16 values instead of 16 scalar stores
      const float *s = A + i0 * lda + k0;
      int k = 0, n = 0;
      for (; k + 4 <= kc; k += 4) {
        v128_t r0 = wasm_v128_load(s + k), r1 = wasm_v128_load(s + lda + k);
        v128_t r2 = wasm_v128_load(s + 2 * lda + k), r3 = wasm_v128_load(s + 3 * lda + k);
        v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
        v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        float *d = Ap + k * MR;
        v128_t c0 = wasm_i64x2_shuffle(t0, t2, 0, 2), c1 = wasm_i64x2_shuffle(t0, t2, 1, 3);
        v128_t c2 = wasm_i64x2_shuffle(t1, t3, 0, 2), c3 = wasm_i64x2_shuffle(t1, t3, 1, 3);
        wasm_v128_store(d, c0);
        wasm_v128_store(d + MR, c1);
        wasm_v128_store(d + 2 * MR, c2);
        wasm_v128_store(d + 3 * MR, c3);
        // branch-free: every k is written at position n, which moves on when its column is not all +0
        ki[n] = 16 * k;
        n += wasm_v128_any_true(c0);
        ki[n] = 16 * (k + 1);
        n += wasm_v128_any_true(c1);
        ki[n] = 16 * (k + 2);
        n += wasm_v128_any_true(c2);
        ki[n] = 16 * (k + 3);
        n += wasm_v128_any_true(c3);
      }
      for (; k < kc; k++) {
        int nz = 0;
        for (int r = 0; r < MR; r++) {
          Ap[k * MR + r] = s[r * lda + k];
          nz |= s[r * lda + k] != 0.0f || __builtin_signbit(s[r * lda + k]);
        }
        ki[n] = 16 * k;
        n += nz;
      }
      ki[-1] = n;
      return;
    }
#endif
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
// Returns 1 when the panel is known finite (checked on the transposed full-width path, the forward
// pass's W), else 0: skipping A's zeros (packA) drops 0·b, which is NaN for b = ±Infinity or NaN.
// Sparse inputs, the other way: for a whole untransposed panel (dW = δᵀ·x: x's pixels), kb gets
// the byte offsets (16·k) of the k whose NR values are not all +0, kb[-1] their count (else kc).
static int packB(int transB, const float *B, int ldb, int k0, int kc, int j0, int nr, float *Bp, int *kb) {
  kb[-1] = kc;
#if NR == 8
  if (!transB && nr == NR) {
    int n = 0;
    for (int k = 0; k < kc; k++) {
      const float *src = B + (k0 + k) * ldb + j0;
      v128_t v0 = wasm_v128_load(src), v1 = wasm_v128_load(src + 4);
      wasm_v128_store(Bp + k * NR, v0);
      wasm_v128_store(Bp + k * NR + 4, v1);
      kb[n] = 16 * k; // branch-free, as packA
      n += wasm_v128_any_true(wasm_v128_or(v0, v1));
    }
    kb[-1] = n;
    return 0;
  }
#endif
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
    // NOTE: exponent bits all ones = ±Infinity or NaN; OR-ed over the panel, tested once
    v128_t expo = wasm_i32x4_splat(0x7f800000), bad = wasm_i32x4_splat(0);
    for (; k + 4 <= kc; k += 4) {
      for (int h = 0; h < NV; h++) {
        const float *s = B + (j0 + 4 * h) * ldb + k0 + k;
        v128_t r0 = wasm_v128_load(s), r1 = wasm_v128_load(s + ldb);
        v128_t r2 = wasm_v128_load(s + 2 * ldb), r3 = wasm_v128_load(s + 3 * ldb);
        bad = wasm_v128_or(bad, wasm_v128_or(wasm_v128_or(wasm_i32x4_eq(wasm_v128_and(r0, expo), expo), wasm_i32x4_eq(wasm_v128_and(r1, expo), expo)),
                                              wasm_v128_or(wasm_i32x4_eq(wasm_v128_and(r2, expo), expo), wasm_i32x4_eq(wasm_v128_and(r3, expo), expo))));
        v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
        v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        float *d = Bp + k * NR + 4 * h;
        wasm_v128_store(d, wasm_i64x2_shuffle(t0, t2, 0, 2));
        wasm_v128_store(d + NR, wasm_i64x2_shuffle(t0, t2, 1, 3));
        wasm_v128_store(d + 2 * NR, wasm_i64x2_shuffle(t1, t3, 0, 2));
        wasm_v128_store(d + 3 * NR, wasm_i64x2_shuffle(t1, t3, 1, 3));
      }
    }
    int badTail = 0;
    for (; k < kc; k++)
      for (int c = 0; c < NR; c++) {
        float v = B[(j0 + c) * ldb + k0 + k];
        Bp[k * NR + c] = v;
        badTail |= v - v != 0.0f;
      }
    return !wasm_v128_any_true(bad) && !badTail;
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
  return 0;
}

// The micro-kernel. C[0..mr, 0..nr) (row stride ldc) = alpha · Ap·Bp + beta · C, beta = 0 overwriting.
// Ap: [kc][MR], Bp: [kc][NR]; MR×NV accumulators live in registers for the whole k loop.
// C tile [mr, nr] = alpha · acc + beta · C: the epilogue of both micro-kernels (dense and sparse).
// always_inline: acc must stay in registers, as when this was written out in each kernel.
__attribute__((always_inline)) static inline void store_tile(v128_t acc[MR][NV], float *C, int ldc, float alpha, float beta,
                                                              int mr, int nr, float *edge) {
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

__attribute__((noinline)) static void micro(int kc, const float *Ap, const float *Bp, float *C, int ldc, float alpha, float beta,
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

  store_tile(acc, C, ldc, alpha, beta, mr, nr, edge);
}

// The micro-kernel over the n k's listed in ki (byte offsets 16·k into Ap, 32·k into Bp: NR = 2·MR)
// only: the k's whose MR values of A (or NR values of B) are all +0 add +0·b (a·+0) = ±0 to each
// accumulator, which changes nothing (an accumulator starts at +0 and, adding, never becomes −0),
// so the result is the dense kernel's bit for bit, for a finite other operand (packA/packB check).
__attribute__((noinline)) static void micro_sparse(int n, const int *ki, const float *Ap, const float *Bp, float *C, int ldc, float alpha, float beta,
                         int mr, int nr, float *edge) {
  v128_t acc[MR][NV];
#pragma clang loop unroll(full)
  for (int r = 0; r < MR; r++)
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) acc[r][v] = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < n; i++) {
    int o = ki[i];
    const float *ap = (const float *)((const char *)Ap + o), *bp = (const float *)((const char *)Bp + 2 * o);
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
  store_tile(acc, C, ldc, alpha, beta, mr, nr, edge);
}

// C: [M, N] = alpha · op(A): [M, K] · op(B): [K, N] + beta · C, for rows [m0, m1) and columns [n0, n1).
// transA: A stored [K, M]; transB: B stored [N, K]. scratch: gemm_scratch_floats() floats of this thread.
EXPORT(gemm)
void gemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, const float *B, float beta,
          float *C, int m0, int m1, int n0, int n1, float *scratch) {
  float *Ap = scratch, *Bp = scratch + AP_FLOATS, *edge = Bp + BP_FLOATS;
  int *KI = (int *)(edge + MR * NR), *KB = KI + KI_INTS;
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
      int finite = 1;
      for (int jr = 0; jr < nc; jr += NR) {
        int nr = nc - jr < NR ? nc - jr : NR;
        finite &= packB(transB, B, ldb, pc, kc, jc + jr, nr, Bp + jr * kc, KB + (jr / NR) * KB_STRIDE + 1);
      }
      for (int ic = m0; ic < m1; ic += MC) {
        int mc = m1 - ic < MC ? m1 - ic : MC;
        for (int ir = 0; ir < mc; ir += MR) {
          int mr = mc - ir < MR ? mc - ir : MR;
          packA(transA, A, lda, ic + ir, mr, pc, kc, Ap + ir * kc, KI + (ir / MR) * KI_STRIDE + 2);
        }
        for (int jr = 0; jr < nc; jr += NR) {
          int nr = nc - jr < NR ? nc - jr : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = mc - ir < MR ? mc - ir : MR;
            const int *ki = KI + (ir / MR) * KI_STRIDE + 2, *kb = KB + (jr / NR) * KB_STRIDE + 1;
            // the sparse kernel where A's panel (or else B's) skips at least a quarter of the k (its
            // index load costs a few percent per k), the other operand known finite; same bits either way
            if (SPARSE_OK && finite && ki[-1] <= kc - kc / 4) micro_sparse(ki[-1], ki, Ap + ir * kc, Bp + jr * kc, C + (ic + ir) * N + jc + jr, N, alpha, be, mr, nr, edge);
            else if (SPARSE_OK && ki[-2] && kb[-1] <= kc - kc / 4) micro_sparse(kb[-1], kb, Ap + ir * kc, Bp + jr * kc, C + (ic + ir) * N + jc + jr, N, alpha, be, mr, nr, edge);
            else micro(kc, Ap + ir * kc, Bp + jr * kc, C + (ic + ir) * N + jc + jr, N, alpha, be, mr, nr, edge);
          }
        }
      }
    }
  }
}

// ---- float32 exp, tanh, sigmoid on 4 lanes ------------------------------------------------------
// WebAssembly has no exp. These are Cephes' single-precision algorithms (S. Moshier) in f32x4
// arithmetic; their error against Math.exp/tanh, rounded to float32, over the whole float32 range
// is measured by bench/kernels/fastmath-error.ts and stated in docs/backends.md. NaN stays NaN,
// ±Infinity gives exp's Infinity / 0, tanh's ±1, sigmoid's 1 / 0. Every lane, tails included
// (see act4_tail), goes through the same operations: the results do not depend on position.

static inline v128_t splatf(float x) { return wasm_f32x4_splat(x); }

// e^x = 2^n · e^r with n = round(x·log2 e), r = x − n·ln 2 (ln 2 in two parts, so r is exact
// enough), e^r by a degree-7 polynomial on |r| ≤ ln2/2. 2^n is applied as two factors
// 2^(n>>1) · 2^(n − n>>1), each a normal float32 for n in [−150, 129], so results down in the
// subnormal range round once at the end and results past FLT_MAX overflow to Infinity.
static inline v128_t exp4(v128_t x) {
  // NOTE: pmax(x, c) = x < c ? c : x and pmin(x, c) = c < x ? c : x give x itself when x is NaN,
  // so NaN propagates as with f32x4.min/max (the same numbers for every x, the bounds not being
  // ±0; a NaN now keeps its payload), but each is one x86 instruction under V8 where min/max are a
  // ~6-instruction NaN-aware sequence, in the chain of every exp
  v128_t xc = wasm_f32x4_pmin(wasm_f32x4_pmax(x, splatf(-104.0f)), splatf(89.0f));
  // n = round(x·log2 e) by adding 1.5·2²³ (the sum's low mantissa bits are then n, rounded to
  // nearest by the add itself): cheaper under V8 than f32x4.nearest + i32x4.trunc_sat
  v128_t t = wasm_f32x4_add(wasm_f32x4_mul(xc, splatf(1.44269504088896341f)), splatf(12582912.0f));
  v128_t n = wasm_f32x4_sub(t, splatf(12582912.0f));
  v128_t r = wasm_f32x4_sub(xc, wasm_f32x4_mul(n, splatf(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, splatf(-2.12194440e-4f)));
  // P(r) = c0 r⁵ + … + c5 by Estrin's scheme, (c0 r + c1) r⁴ + ((c2 r + c3) r² + (c4 r + c5)):
  // three multiply-add steps one after the other instead of Horner's five (each layer of a small
  // network waits for its tanh/σ, so the latency of this chain is the forward pass's)
  v128_t r2 = wasm_f32x4_mul(r, r), r4 = wasm_f32x4_mul(r2, r2);
  v128_t p01 = wasm_f32x4_add(wasm_f32x4_mul(splatf(1.9875691500e-4f), r), splatf(1.3981999507e-3f));
  v128_t p23 = wasm_f32x4_add(wasm_f32x4_mul(splatf(8.3334519073e-3f), r), splatf(4.1665795894e-2f));
  v128_t p45 = wasm_f32x4_add(wasm_f32x4_mul(splatf(1.6666665459e-1f), r), splatf(5.0000001201e-1f));
  v128_t p = wasm_f32x4_add(wasm_f32x4_mul(p01, r4), wasm_f32x4_add(wasm_f32x4_mul(p23, r2), p45));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(p, r2), r), splatf(1.0f));
  v128_t ni = wasm_i32x4_sub(t, wasm_i32x4_splat(0x4B400000)); // the bits of 1.5·2²³
  v128_t n1 = wasm_i32x4_shr(ni, 1), n2 = wasm_i32x4_sub(ni, n1);
  v128_t bias = wasm_i32x4_splat(127);
  v128_t s1 = wasm_i32x4_shl(wasm_i32x4_add(n1, bias), 23), s2 = wasm_i32x4_shl(wasm_i32x4_add(n2, bias), 23);
  return wasm_f32x4_mul(wasm_f32x4_mul(p, s1), s2);
}

// tanh x: x + x³·P(x²) for |x| < 0.625 (no cancellation there), else sign(x)·(1 − 2 / (e^(2|x|) + 1))
static inline v128_t tanh4(v128_t x) {
  v128_t ax = wasm_f32x4_abs(x);
  v128_t z = wasm_f32x4_mul(x, x);
  v128_t p = splatf(-5.70498872745e-3f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), splatf(2.06390887954e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), splatf(-5.37397155531e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), splatf(1.33314422036e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), splatf(-3.33332819422e-1f));
  v128_t small = wasm_f32x4_add(x, wasm_f32x4_mul(wasm_f32x4_mul(p, z), x));
  v128_t e = exp4(wasm_f32x4_add(ax, ax));
  v128_t big = wasm_f32x4_sub(splatf(1.0f), wasm_f32x4_div(splatf(2.0f), wasm_f32x4_add(e, splatf(1.0f))));
  big = wasm_v128_or(big, wasm_v128_and(x, wasm_i32x4_splat((int)0x80000000))); // the sign of x
  return wasm_v128_bitselect(big, small, wasm_f32x4_ge(ax, splatf(0.625f)));
}

// σ(x) = 1 − r for x ≥ 0, r for x < 0, where r = e / (1 + e) = σ(−|x|) and e = e^−|x| (never
// overflows). NOTE: 1 − r rather than 1 / (1 + e) for x ≥ 0: near 1 the subtraction is exact up to
// its final rounding, so σ is within half an ulp-ish there, and σ' = h(1 − h), which cancels, gets
// no more error than a correctly rounded h gives it (1 / (1 + e) was up to 2 ulps off near 1, and
// h(1 − h) turned that into 1e-4 relative at x ≈ 7.6).
static inline v128_t sigmoid4(v128_t x) {
  v128_t e = exp4(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  v128_t r = wasm_f32x4_div(e, wasm_f32x4_add(splatf(1.0f), e));
  return wasm_v128_bitselect(wasm_f32x4_sub(splatf(1.0f), r), r, wasm_f32x4_ge(x, splatf(0.0f)));
}

static inline v128_t act4(int kind, v128_t x) {
  return kind == 0 ? exp4(x) : kind == 1 ? tanh4(x) : sigmoid4(x);
}

// the last 1-3 entries through the same 4-lane code (padded with zeros), in registers.
// NOTE: not through a float[4] on the stack: every instance's stack pointer starts at the same
// address of the shared memory, so two threads running this at once (forward_rows) would write
// each other's entries.
static inline void act4_tail(int kind, const float *x, float *out, int m) {
  v128_t y = act4(kind, wasm_f32x4_make(x[0], m > 1 ? x[1] : 0.0f, m > 2 ? x[2] : 0.0f, 0.0f));
  out[0] = wasm_f32x4_extract_lane(y, 0);
  if (m > 1) out[1] = wasm_f32x4_extract_lane(y, 1);
  if (m > 2) out[2] = wasm_f32x4_extract_lane(y, 2);
}

// x, out: [n].  out = exp(x) (kind 0), tanh(x) (1), σ(x) (2): for the error measurement and tests
EXPORT(act_f32)
void act_f32(int kind, const float *x, float *out, int n) {
  int k = 0;
  for (; k + 4 <= n; k += 4) wasm_v128_store(out + k, act4(kind, wasm_v128_load(x + k)));
  if (k < n) act4_tail(kind, x + k, out + k, n - k);
}

// a: [rows, cols]  b: [cols]  h: [rows, cols].  a += b; h = tanh(a) (kind 1) or σ(a) (kind 2). h may be a.
EXPORT(bias_act_exp)
void bias_act_exp(int kind, float *a, const float *b, float *h, int rows, int cols) {
  for (int i = 0; i < rows; i++) {
    float *ar = a + i * cols, *hr = h + i * cols;
    int j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128_t v = wasm_f32x4_add(wasm_v128_load(ar + j), wasm_v128_load(b + j));
      wasm_v128_store(ar + j, v);
      wasm_v128_store(hr + j, act4(kind, v));
    }
    for (int m = j; m < cols; m++) ar[m] = ar[m] + b[m];
    if (j < cols) act4_tail(kind, ar + j, hr + j, cols - j);
  }
}

// ---- the cheap O(rows·cols) kernels of a large step ---------------------------------------------
// Same arithmetic as the js backend (float32 adds; the SGD update in float64 as JS does), so the
// results are the js backend's bit for bit; clang vectorizes these loops.

// a: [rows, cols]  b: [cols]  h: [rows, cols].  a += b; h = a (kind 0, identity) or max(a, 0) (kind 1, relu)
// NOTE: the vector loop by hand, as in relu_backward: h may be a (clang's alias check would fall back to scalar code).
EXPORT(bias_act)
void bias_act(int kind, float *a, const float *b, float *h, int rows, int cols) {
  v128_t z = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < rows; i++) {
    float *ar = a + i * cols, *hr = h + i * cols;
    int j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128_t v = wasm_f32x4_add(wasm_v128_load(ar + j), wasm_v128_load(b + j));
      wasm_v128_store(ar + j, v);
      // v > 0 ? v : +0 as the scalar code: the mask is all zeros for NaN and -0 too
      wasm_v128_store(hr + j, kind == 1 ? wasm_v128_and(v, wasm_f32x4_gt(v, z)) : v);
    }
    if (kind == 1) {
      for (; j < cols; j++) {
        float v = ar[j] + b[j];
        ar[j] = v;
        hr[j] = v > 0.0f ? v : 0.0f;
      }
    } else {
      for (; j < cols; j++) {
        float v = ar[j] + b[j];
        ar[j] = v;
        hr[j] = v;
      }
    }
  }
}

// ---- softmax, as kernels/reference.ts computes it ----------------------------------------------

// exp in float64 as V8's Math.exp computes it (fdlibm's e_exp.c as V8's src/base/ieee754.cc has it,
// exp(1) special-cased), so that a softmax here gives the js backend's bits (test/kernels/threads.test.ts
// compares softmaxes, test/kernels/fastmath.test.ts exp_f64 with Math.exp on random bit patterns and
// on softmax's range: no difference on Node 20 or 24). NOTE: clang emits no fused multiply-add for wasm32 f64, so every operation rounds as in V8.
static inline unsigned hi_word(double x) { union { double d; unsigned long long u; } v = { x }; return (unsigned)(v.u >> 32); }
static inline unsigned lo_word(double x) { union { double d; unsigned long long u; } v = { x }; return (unsigned)v.u; }
static inline double from_words(unsigned hi, unsigned lo) { union { unsigned long long u; double d; } v = { ((unsigned long long)hi << 32) | lo }; return v.d; }

static double exp_js(double x) {
  // fdlibm's two-entry tables (halF, ln2HI, ln2LO indexed by the sign) as selections: no data segment
  const double one = 1.0, o_threshold = 7.09782712893383973096e+02, u_threshold = -7.45133219101941108420e+02,
    ln2HI0 = 6.93147180369123816490e-01, ln2LO0 = 1.90821492927058770002e-10, invln2 = 1.44269504088896338700e+00,
    P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05,
    P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08, E = 2.718281828459045,
    huge = 1.0e+300, twom1000 = 9.33263618503218878990e-302, two1023 = 8.988465674311579539e307;
  double y, hi = 0.0, lo = 0.0, c, t, twopk;
  int k = 0, xsb;
  unsigned hx = hi_word(x);
  xsb = (hx >> 31) & 1;
  hx &= 0x7fffffff;
  if (hx >= 0x40862E42) {
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | lo_word(x)) != 0) return x + x;
      return (xsb == 0) ? x : 0.0;
    }
    if (x > o_threshold) return huge * huge;
    if (x < u_threshold) return twom1000 * twom1000;
  }
  if (hx > 0x3FD62E42) {
    if (hx < 0x3FF0A2B2) {
      if (x == 1.0) return E;
      hi = x - (xsb ? -ln2HI0 : ln2HI0);
      lo = xsb ? -ln2LO0 : ln2LO0;
      k = 1 - xsb - xsb;
    } else {
      k = (int)(invln2 * x + (xsb ? -0.5 : 0.5));
      t = k;
      hi = x - t * ln2HI0;
      lo = t * ln2LO0;
    }
    x = hi - lo;
  } else if (hx < 0x3E300000) {
    if (huge + x > one) return one + x;
  } else {
    k = 0;
  }
  t = x * x;
  if (k >= -1021) twopk = from_words(0x3FF00000u + ((unsigned)k << 20), 0);
  else twopk = from_words(0x3FF00000u + ((unsigned)(k + 1000) << 20), 0);
  c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return one - ((x * c) / (c - 2.0) - x);
  y = one - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * two1023;
    return y * twopk;
  }
  return y * twopk * twom1000;
}

// a, p: [rows, cols].  p_i = softmax(a_i) as reference.ts's softmaxRows: max by Math.max's rules
// (NaN wins), e = exp(a − max) in float64 stored into p (float32), Σ e in float64 in column order,
// then p /= Σ (float32 ÷ float64, rounded to float32).
static void softmax_rows(const float *a, float *p, int rows, int cols) {
  for (int i = 0; i < rows; i++) {
    const float *ar = a + i * cols;
    float *pr = p + i * cols;
    double max = -__builtin_inf();
    for (int j = 0; j < cols; j++) {
      double v = (double)ar[j];
      if (v != v) { max = v; break; }
      if (v > max) max = v;
    }
    double sum = 0.0;
    for (int j = 0; j < cols; j++) {
      double e = exp_js((double)ar[j] - max);
      pr[j] = (float)e;
      sum += e;
    }
    for (int j = 0; j < cols; j++) pr[j] = (float)((double)pr[j] / sum);
  }
}

// x, out: [n] float64.  out = exp(x) by exp_js, for the test against Math.exp
EXPORT(exp_f64)
void exp_f64(const double *x, double *out, int n) {
  for (int k = 0; k < n; k++) out[k] = exp_js(x[k]);
}

// The forward pass of a dense stack outside training, for rows [lo, hi) of the batch: layer after
// layer, a = h_in·Wᵀ (gemm NT) then a += b, h = f(a) (bias_act, bias_act_exp), the calls the model
// makes layer by layer, here on one block of rows. Rows depend only on the same rows of the layer
// below, so a thread runs the whole stack on its block with one dispatch; gemm computes each entry
// the same whatever its row range, so the result is the layer-by-layer one bit for bit.
// d (int32): [L, B, check, nonfinite, then per layer: nIn, nOut, kind, W, b, h_in, a, h] with kind
// 0 identity, 1 relu, 2 tanh, 3 sigmoid, 4 softmax (a += b, then h = softmax of a's rows) and byte
// offsets into the memory. With check ≠ 0, the block's input rows are tested first (all_finite,
// the check predict makes of its input), and a non-finite entry sets nonfinite to 1 (any thread
// may: the caller reads it once the job is done). scratch: gemm_scratch_floats() floats of this thread.
int all_finite(const float *x, int n);
EXPORT(forward_rows)
void forward_rows(int lo, int hi, int *d, float *scratch) {
  int L = d[0], B = d[1];
  if (d[2] && L > 0 && !all_finite((const float *)d[9] + lo * d[4], (hi - lo) * d[4])) __atomic_store_n(d + 3, 1, __ATOMIC_RELAXED);
  for (int l = 0; l < L; l++) {
    const int *p = d + 4 + 8 * l;
    int nIn = p[0], nOut = p[1], kind = p[2];
    const float *W = (const float *)p[3], *b = (const float *)p[4], *x = (const float *)p[5];
    float *a = (float *)p[6], *h = (float *)p[7];
    gemm(0, 1, B, nOut, nIn, 1.0f, x, W, 0.0f, a, lo, hi, 0, nOut, scratch);
    if (kind == 4) {
      bias_act(0, a + lo * nOut, b, a + lo * nOut, hi - lo, nOut);
      softmax_rows(a + lo * nOut, h + lo * nOut, hi - lo, nOut);
    } else if (kind >= 2) bias_act_exp(kind - 1, a + lo * nOut, b, h + lo * nOut, hi - lo, nOut);
    else bias_act(kind, a + lo * nOut, b, h + lo * nOut, hi - lo, nOut);
  }
}

// a, dh, delta: [n].  delta = dh ∘ relu'(a), relu'(0) = 0; dh·0 keeps NaN as NaN, as reference.
// NOTE: written with intrinsics: the model calls it in place (delta = dh), and clang's
// auto-vectorized loop falls back to its scalar version whenever the arrays overlap (5× slower).
EXPORT(relu_backward)
void relu_backward(const float *a, const float *dh, float *delta, int n) {
  int k = 0;
  v128_t z = wasm_f32x4_splat(0.0f);
  for (; k + 4 <= n; k += 4) {
    v128_t av = wasm_v128_load(a + k), dv = wasm_v128_load(dh + k);
    wasm_v128_store(delta + k, wasm_v128_bitselect(dv, wasm_f32x4_mul(dv, z), wasm_f32x4_gt(av, z)));
  }
  for (; k < n; k++) delta[k] = a[k] > 0.0f ? dh[k] : dh[k] * 0.0f;
}

// x: [rows, cols]  out: [cols].  out[j] += x[i, j], row after row
EXPORT(sum_rows)
void sum_rows(const float *x, int rows, int cols, float *out) {
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) out[j] += x[i * cols + j];
}

// two floats ↔ a f64x2 (exact widening; narrowing rounds as a store into a Float32Array does)
// NOTE: clang 14 turns a demote whose upper lanes go unused (a 2-float store, a promote back)
// into two scalar f32.demote_f64 + lane inserts, 6 x86 instructions instead of one cvtpd2ps under
// V8; the empty asm hides the lanes' use from it, so f32x4.demote_zero_f64x2 stays one instruction
static inline v128_t demote2(v128_t v) {
  v128_t r = wasm_f32x4_demote_f64x2_zero(v);
  __asm__("" : "+r"(r));
  return r;
}
#define LD2(p) wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p))
#define ST2(p, v) wasm_v128_store64_lane((p), demote2(v), 0)
#define ROUND2(v) wasm_f64x2_promote_low_f32x4(demote2(v))
// four floats from two f64x2 (lo: entries 0, 1; hi: 2, 3), each rounded once
static inline v128_t narrow4(v128_t lo, v128_t hi) {
  return wasm_i32x4_shuffle(demote2(lo), demote2(hi), 0, 1, 4, 5);
}
// the four floats of v as two f64x2, exactly
#define WIDEN_LO(v) wasm_f64x2_promote_low_f32x4(v)
#define WIDEN_HI(v) wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle((v), (v), 2, 3, 0, 1))

// p, g: [n].  θ −= lr · g (plain SGD) for [lo, hi), in float64 like JavaScript, rounded once to float32
EXPORT(sgd_plain)
void sgd_plain(int lo, int hi, float *p, const float *g, double lr) {
  int k = lo;
  v128_t vlr = wasm_f64x2_splat(lr);
  // four at a time: the same float64 operations per entry as the scalar line below
  for (; k + 4 <= hi; k += 4) {
    v128_t p4 = wasm_v128_load(p + k), g4 = wasm_v128_load(g + k);
    v128_t pl = wasm_f64x2_sub(WIDEN_LO(p4), wasm_f64x2_mul(vlr, WIDEN_LO(g4)));
    v128_t ph = wasm_f64x2_sub(WIDEN_HI(p4), wasm_f64x2_mul(vlr, WIDEN_HI(g4)));
    wasm_v128_store(p + k, narrow4(pl, ph));
  }
  for (; k < hi; k++) p[k] = (float)((double)p[k] - lr * (double)g[k]);
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

// ---- optimizer updates over the flat parameter buffer ------------------------------------------
// Each kernel updates the elements [lo, hi) of its arrays, so a thread can take any block of them;
// every element is computed by the same operations whatever block (or SIMD lane, or scalar tail)
// it falls in, so the result is the same bits for any thread count. The formulas are the
// reference backend's (kernels/backend.ts), in this order of operations:
// - the SGD family (plain, momentum, Nesterov, weight decay) in float64, rounded once per stored
//   value to float32, exactly as JavaScript computes reference.ts: bit-identical to it;
// - Adam/AdamW, RMSprop, Adagrad in float32 like PyTorch's float32 optimizers: a square root and a
//   division per element, which f32x4 does at twice the rate of f64x2. Within a few ulps of the
//   reference (test/kernels/optim.test.ts states the tolerance).
// The caller passes the per-step scalars already folded (bias corrections, 1 − β, 1 − lr·wd).
// NOTE: no contraction of a·b + c into one rounding: the scalar tails must round as the lanes do.
#pragma clang fp contract(off)

// One element of plain/momentum/Nesterov SGD with weight decay, in float64 (JavaScript's arithmetic).
// NOTE: static inline and used by both the f64x2 loop's tail and nothing else: keep the SIMD lanes below in step with it.
static inline void sgd1(float *p, const float *g, float *buf, int k, double lr, double mom, double damp1, int nesterov,
                        double wd, int first) {
  double d = (double)g[k] + wd * (double)p[k];
  if (mom != 0.0) {
    double b = first ? d : mom * (double)buf[k] + damp1 * d;
    float bf = (float)b;
    buf[k] = bf;
    d = nesterov ? d + mom * (double)bf : (double)bf;
  }
  p[k] = (float)((double)p[k] - lr * d);
}

// p, g, buf: [n].  d = g + wd·p; μ ≠ 0: buf = first ? d : μ·buf + (1 − dampening)·d, d = Nesterov ? d + μ·buf : buf;
// p −= lr·d. damp1 = 1 − dampening. buf is unused (may be 0) when μ = 0.
EXPORT(sgd_step)
void sgd_step(int lo, int hi, float *p, const float *g, float *buf, double lr, double mom, double damp1, int nesterov,
              double wd, int first) {
  int k = lo;
  v128_t vlr = wasm_f64x2_splat(lr), vmom = wasm_f64x2_splat(mom), vd1 = wasm_f64x2_splat(damp1), vwd = wasm_f64x2_splat(wd);
  for (; k + 4 <= hi; k += 4) {
    v128_t p4 = wasm_v128_load(p + k), g4 = wasm_v128_load(g + k);
    v128_t pl = wasm_f64x2_promote_low_f32x4(p4), ph = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(p4, p4, 2, 3, 0, 1));
    v128_t gl = wasm_f64x2_promote_low_f32x4(g4), gh = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(g4, g4, 2, 3, 0, 1));
    v128_t dl = wasm_f64x2_add(gl, wasm_f64x2_mul(vwd, pl)), dh = wasm_f64x2_add(gh, wasm_f64x2_mul(vwd, ph));
    if (mom != 0.0) {
      v128_t bl, bh;
      if (first) {
        bl = dl; bh = dh;
      } else {
        v128_t b4 = wasm_v128_load(buf + k);
        v128_t ol = wasm_f64x2_promote_low_f32x4(b4), oh = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(b4, b4, 2, 3, 0, 1));
        bl = wasm_f64x2_add(wasm_f64x2_mul(vmom, ol), wasm_f64x2_mul(vd1, dl));
        bh = wasm_f64x2_add(wasm_f64x2_mul(vmom, oh), wasm_f64x2_mul(vd1, dh));
      }
      // round buf to float32 (it is stored so), and use the rounded value as reference does
      v128_t bf = narrow4(bl, bh);
      wasm_v128_store(buf + k, bf);
      bl = wasm_f64x2_promote_low_f32x4(bf);
      bh = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(bf, bf, 2, 3, 0, 1));
      if (nesterov) {
        dl = wasm_f64x2_add(dl, wasm_f64x2_mul(vmom, bl));
        dh = wasm_f64x2_add(dh, wasm_f64x2_mul(vmom, bh));
      } else {
        dl = bl; dh = bh;
      }
    }
    pl = wasm_f64x2_sub(pl, wasm_f64x2_mul(vlr, dl));
    ph = wasm_f64x2_sub(ph, wasm_f64x2_mul(vlr, dh));
    wasm_v128_store(p + k, narrow4(pl, ph));
  }
  for (; k < hi; k++) sgd1(p, g, buf, k, lr, mom, damp1, nesterov, wd, first);
}

// p, g, m, v: [n].  Adam (decay = 1) or AdamW (decay = 1 − lr·wd, wd = 0), in float32:
//   p *= decay; g' = g + wd·p; m = β1·m + c1·g'; v = β2·v + c2·g'²; p −= (step·m) / (√v · rbc2 + eps)
// with c1 = 1 − β1, c2 = 1 − β2, step = lr / (1 − β1^t), rbc2 = 1 / √(1 − β2^t).
EXPORT(adam_step)
void adam_step(int lo, int hi, float *p, const float *g, float *m, float *v, float step, float b1, float c1, float b2,
               float c2, float eps, float wd, float decay, float rbc2) {
  int k = lo;
  v128_t vs = wasm_f32x4_splat(step), vb1 = wasm_f32x4_splat(b1), vc1 = wasm_f32x4_splat(c1), vb2 = wasm_f32x4_splat(b2);
  v128_t vc2 = wasm_f32x4_splat(c2), ve = wasm_f32x4_splat(eps), vwd = wasm_f32x4_splat(wd), vdec = wasm_f32x4_splat(decay);
  v128_t vr = wasm_f32x4_splat(rbc2);
  for (; k + 4 <= hi; k += 4) {
    v128_t pk = wasm_v128_load(p + k), gk = wasm_v128_load(g + k);
    if (decay != 1.0f) pk = wasm_f32x4_mul(pk, vdec);
    if (wd != 0.0f) gk = wasm_f32x4_add(gk, wasm_f32x4_mul(vwd, pk));
    v128_t mk = wasm_f32x4_add(wasm_f32x4_mul(vb1, wasm_v128_load(m + k)), wasm_f32x4_mul(vc1, gk));
    v128_t vk = wasm_f32x4_add(wasm_f32x4_mul(vb2, wasm_v128_load(v + k)), wasm_f32x4_mul(wasm_f32x4_mul(vc2, gk), gk));
    wasm_v128_store(m + k, mk);
    wasm_v128_store(v + k, vk);
    v128_t den = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sqrt(vk), vr), ve);
    wasm_v128_store(p + k, wasm_f32x4_sub(pk, wasm_f32x4_div(wasm_f32x4_mul(vs, mk), den)));
  }
  for (; k < hi; k++) {
    float pk = p[k], gk = g[k];
    if (decay != 1.0f) pk = pk * decay;
    if (wd != 0.0f) gk = gk + wd * pk;
    float mk = b1 * m[k] + c1 * gk;
    float vk = b2 * v[k] + (c2 * gk) * gk;
    m[k] = mk;
    v[k] = vk;
    p[k] = pk - (step * mk) / (__builtin_sqrtf(vk) * rbc2 + eps);
  }
}

// p, g, s, buf: [n].  RMSprop in float32: g' = g + wd·p; s = α·s + c·g'²; d = g' / (√s + eps);
// μ > 0: buf = μ·buf + d, p −= lr·buf; else p −= lr·d.  c = 1 − α.
EXPORT(rmsprop_step)
void rmsprop_step(int lo, int hi, float *p, const float *g, float *s, float *buf, float lr, float alpha, float c,
                  float eps, float mom, float wd) {
  int k = lo;
  v128_t vlr = wasm_f32x4_splat(lr), va = wasm_f32x4_splat(alpha), vc = wasm_f32x4_splat(c), ve = wasm_f32x4_splat(eps);
  v128_t vm = wasm_f32x4_splat(mom), vwd = wasm_f32x4_splat(wd);
  for (; k + 4 <= hi; k += 4) {
    v128_t pk = wasm_v128_load(p + k), gk = wasm_v128_load(g + k);
    if (wd != 0.0f) gk = wasm_f32x4_add(gk, wasm_f32x4_mul(vwd, pk));
    v128_t sk = wasm_f32x4_add(wasm_f32x4_mul(va, wasm_v128_load(s + k)), wasm_f32x4_mul(wasm_f32x4_mul(vc, gk), gk));
    wasm_v128_store(s + k, sk);
    v128_t d = wasm_f32x4_div(gk, wasm_f32x4_add(wasm_f32x4_sqrt(sk), ve));
    if (mom > 0.0f) {
      d = wasm_f32x4_add(wasm_f32x4_mul(vm, wasm_v128_load(buf + k)), d);
      wasm_v128_store(buf + k, d);
    }
    wasm_v128_store(p + k, wasm_f32x4_sub(pk, wasm_f32x4_mul(vlr, d)));
  }
  for (; k < hi; k++) {
    float pk = p[k], gk = g[k];
    if (wd != 0.0f) gk = gk + wd * pk;
    float sk = alpha * s[k] + (c * gk) * gk;
    s[k] = sk;
    float d = gk / (__builtin_sqrtf(sk) + eps);
    if (mom > 0.0f) {
      d = mom * buf[k] + d;
      buf[k] = d;
    }
    p[k] = pk - lr * d;
  }
}

// p, g, sum: [n].  Adagrad in float32: g' = g + wd·p; sum += g'²; p −= lr·g' / (√sum + eps).
EXPORT(adagrad_step)
void adagrad_step(int lo, int hi, float *p, const float *g, float *sum, float lr, float eps, float wd) {
  int k = lo;
  v128_t vlr = wasm_f32x4_splat(lr), ve = wasm_f32x4_splat(eps), vwd = wasm_f32x4_splat(wd);
  for (; k + 4 <= hi; k += 4) {
    v128_t pk = wasm_v128_load(p + k), gk = wasm_v128_load(g + k);
    if (wd != 0.0f) gk = wasm_f32x4_add(gk, wasm_f32x4_mul(vwd, pk));
    v128_t sk = wasm_f32x4_add(wasm_v128_load(sum + k), wasm_f32x4_mul(gk, gk));
    wasm_v128_store(sum + k, sk);
    v128_t d = wasm_f32x4_div(wasm_f32x4_mul(vlr, gk), wasm_f32x4_add(wasm_f32x4_sqrt(sk), ve));
    wasm_v128_store(p + k, wasm_f32x4_sub(pk, d));
  }
  for (; k < hi; k++) {
    float pk = p[k], gk = g[k];
    if (wd != 0.0f) gk = gk + wd * pk;
    float sk = sum[k] + gk * gk;
    sum[k] = sk;
    p[k] = pk - (lr * gk) / (__builtin_sqrtf(sk) + eps);
  }
}

// x: [n].  x *= s, in float64 and rounded once, as JavaScript does (the clipping scale)
EXPORT(scale_f64)
void scale_f64(int lo, int hi, float *x, double s) {
  int k = lo;
  v128_t vs = wasm_f64x2_splat(s);
  for (; k + 4 <= hi; k += 4) {
    v128_t x4 = wasm_v128_load(x + k);
    wasm_v128_store(x + k, narrow4(wasm_f64x2_mul(WIDEN_LO(x4), vs), wasm_f64x2_mul(WIDEN_HI(x4), vs)));
  }
  for (; k < hi; k++) x[k] = (float)((double)x[k] * s);
}

// x: [n]  out: [n / SQ_CHUNK rounded up].  out[c] = Σ x² over the chunk c (elements c·SQ_CHUNK … ), in float64,
// for the chunks [lo, hi). The caller adds the chunk sums in order: the same bits for any thread count.
#define SQ_CHUNK 4096
EXPORT(sum_squares_chunk)
int sum_squares_chunk(void) { return SQ_CHUNK; }
EXPORT(sum_squares)
void sum_squares(int lo, int hi, const float *x, int n, double *out) {
  for (int c = lo; c < hi; c++) {
    int k = c * SQ_CHUNK, end = k + SQ_CHUNK < n ? k + SQ_CHUNK : n;
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = wasm_f64x2_splat(0.0);
    for (; k + 4 <= end; k += 4) {
      v128_t x4 = wasm_v128_load(x + k);
      v128_t l = wasm_f64x2_promote_low_f32x4(x4), h = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x4, x4, 2, 3, 0, 1));
      a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(l, l));
      a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(h, h));
    }
    a0 = wasm_f64x2_add(a0, a1);
    double s = wasm_f64x2_extract_lane(a0, 0) + wasm_f64x2_extract_lane(a0, 1);
    for (; k < end; k++) s += (double)x[k] * (double)x[k];
    out[c] = s;
  }
}

// ---- the small-network step: one plain-SGD update on one sample ----------------------------------
// kernels/fused.ts is the definition (its sgdStep1, the js backend's); this is the same arithmetic
// statement for statement — float64 sums rounded to float32 where the js code stores into a
// Float32Array — except that tanh and σ are the f32x4 polynomials above, as the wasm backends'
// biasActivate computes them. So a network trained through it gets the same bits as the wasm
// backends' unfused kernels at batch size 1 wherever those run gemm in js (below WASM_MIN_MACS).
// The loss sits between the two halves, in js (lossRef: one definition of every loss), except in
// step1_epoch (below), which has lossRef's arithmetic losses written out and runs a whole epoch.
// NOTE: without weight decay the update is w −= lr g, as the unfused sgdStep computes it.
// Layout (built by src/kernels/wasm.ts): d = [L, n0 … nL, kind1 … kindL] (kinds: S1_*), alpha: [L]
// float64 (leakyRelu's α); params = [W_1 … W_L | b_1 … b_L], W_l: [n_l, n_{l−1}]; work = a_1, h_1,
// …, a_L, h_L, then the rows dh, dhPrev (DenseStack).
#define S1_IDENTITY 0
#define S1_RELU 1
#define S1_TANH 2
#define S1_SIGMOID 3
#define S1_LEAKY 4

// h[0..n) = tanh or σ of a[0..n), 4 lanes at a time; the last 1-3 padded with zeros in registers
// (NOTE: no stack: the lanes are assembled and taken apart with make/extract)
static void s1_act_exp(int kind, const float *a, float *h, int n) {
  int k = 0;
  int ak = kind == S1_TANH ? 1 : 2;
  for (; k + 4 <= n; k += 4) wasm_v128_store(h + k, act4(ak, wasm_v128_load(a + k)));
  if (k < n) {
    int m = n - k;
    v128_t v = wasm_f32x4_make(a[k], m > 1 ? a[k + 1] : 0.0f, m > 2 ? a[k + 2] : 0.0f, 0.0f);
    v128_t y = act4(ak, v);
    h[k] = wasm_f32x4_extract_lane(y, 0);
    if (m > 1) h[k + 1] = wasm_f32x4_extract_lane(y, 1);
    if (m > 2) h[k + 2] = wasm_f32x4_extract_lane(y, 2);
  }
}


// a_j = f32(f32(Σ_q hIn_q·W_jq) + b_j), the sum in float64 in q order (as js adds it)
static inline float s1_dot(const float *hIn, const float *w, float b, int nIn) {
  double s = 0.0;
#pragma clang loop vectorize(disable) unroll(disable)
  for (int q = 0; q < nIn; q++) s += (double)hIn[q] * (double)w[q];
  return (float)((double)(float)s + (double)b);
}

// x: [n0].  The forward pass: a_l = W_l h_{l−1} + b_l, h_l = f_l(a_l) into work; logits = 1: the
// output layer keeps h_L = a_L (bce from the logits).
static void s1_forward(const int *d, const double *alpha, const float *params, float *work, const float *x, int logits) {
  int L = d[0];
  const int *sz = d + 1, *kind = d + 2 + L;
  int wOff = 0, bOff = 0, aOff = 0;
  for (int l = 1; l <= L; l++) bOff += sz[l] * sz[l - 1];
  for (int l = 1; l <= L; l++) {
    int nIn = sz[l - 1], nOut = sz[l], k = kind[l - 1];
    const float *hIn = l == 1 ? x : work + aOff - nIn;
    float *a = work + aOff, *h = a + nOut;
    const float *W = params + wOff, *b = params + bOff;
    int j = 0;
    // four rows at a time: independent float64 sums, each still in q order
    for (; j + 4 <= nOut; j += 4) {
      const float *w0 = W + j * nIn, *w1 = w0 + nIn, *w2 = w1 + nIn, *w3 = w2 + nIn;
      double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
#pragma clang loop vectorize(disable) unroll(disable)
      for (int q = 0; q < nIn; q++) {
        double v = (double)hIn[q];
        s0 += v * (double)w0[q];
        s1 += v * (double)w1[q];
        s2 += v * (double)w2[q];
        s3 += v * (double)w3[q];
      }
      a[j] = (float)((double)(float)s0 + (double)b[j]);
      a[j + 1] = (float)((double)(float)s1 + (double)b[j + 1]);
      a[j + 2] = (float)((double)(float)s2 + (double)b[j + 2]);
      a[j + 3] = (float)((double)(float)s3 + (double)b[j + 3]);
    }
#pragma clang loop vectorize(disable) unroll(disable)
    for (; j < nOut; j++) a[j] = s1_dot(hIn, W + j * nIn, b[j], nIn);
    if (logits && l == L) k = S1_IDENTITY;
    if (k == S1_TANH || k == S1_SIGMOID) s1_act_exp(k, a, h, nOut);
    else if (k == S1_RELU) for (j = 0; j < nOut; j++) h[j] = a[j] > 0.0f ? a[j] : 0.0f;
    else if (k == S1_LEAKY) for (j = 0; j < nOut; j++) h[j] = a[j] > 0.0f ? a[j] : (float)(alpha[l - 1] * (double)a[j]);
    else for (j = 0; j < nOut; j++) h[j] = a[j];
    wOff += nOut * nIn;
    bOff += nOut;
    aOff += 2 * nOut;
  }
}

// The backward pass and the update, from the output layer down, once the loss put ∂ℓ/∂h_L (with
// logits = 1: δ_L) into the row dh of work: δ_l = ∂ℓ/∂h_l ∘ f'(a_l), ∂ℓ/∂h_{l−1} = δ_l W_l (read
// before W_l changes), W_l −= lr (δ_l h_{l−1}ᵀ + wd W_l), b_l −= lr δ_l. The elementwise loops run
// two entries per f64x2: the same float64 operations per entry as the scalar code.
// w[0..4) −= lr (g + wd w) (decay) or lr g, in float64, rounded to float32: the update of four
// weights from their float32 gradients g, on weights already loaded and widened (wl: w[0, 1], wh: w[2, 3])
static inline void s1_upd4w(float *w, v128_t wl, v128_t wh, v128_t g4, v128_t lr2, v128_t wd2, int decay) {
  v128_t gl = WIDEN_LO(g4), gh = WIDEN_HI(g4);
  if (decay) {
    gl = wasm_f64x2_add(gl, wasm_f64x2_mul(wd2, wl));
    gh = wasm_f64x2_add(gh, wasm_f64x2_mul(wd2, wh));
  }
  wasm_v128_store(w, narrow4(wasm_f64x2_sub(wl, wasm_f64x2_mul(lr2, gl)), wasm_f64x2_sub(wh, wasm_f64x2_mul(lr2, gh))));
}

// the same, loading w
static inline void s1_upd4(float *w, v128_t g4, v128_t lr2, v128_t wd2, int decay) {
  v128_t w4 = wasm_v128_load(w);
  s1_upd4w(w, WIDEN_LO(w4), WIDEN_HI(w4), g4, lr2, wd2, decay);
}

// the same for two weights (g in the low two lanes)
static inline void s1_upd2(float *w, v128_t g4, v128_t lr2, v128_t wd2, int decay) {
  v128_t w2 = LD2(w), g2 = wasm_f64x2_promote_low_f32x4(g4);
  if (decay) g2 = wasm_f64x2_add(g2, wasm_f64x2_mul(wd2, w2));
  ST2(w, wasm_f64x2_sub(w2, wasm_f64x2_mul(lr2, g2)));
}

static void s1_backward(const int *d, const double *alpha, float *params, float *work, const float *x, int logits, int dh, int dhPrev,
                        double lr, double wd) {
  int L = d[0];
  const int *sz = d + 1, *kind = d + 2 + L;
  int wOff = 0, bOff = 0, aOff = 0;
  for (int l = 1; l <= L; l++) {
    wOff += sz[l] * sz[l - 1];
    aOff += 2 * sz[l];
  }
  bOff = wOff; // W_1 … W_L, then b_1 … b_L: start past the last bias, as we walk down
  for (int l = 1; l <= L; l++) bOff += sz[l];
  v128_t lr2 = wasm_f64x2_splat(lr), wd2 = wasm_f64x2_splat(wd), one2 = wasm_f64x2_splat(1.0);
  for (int l = L; l >= 1; l--) {
    int nIn = sz[l - 1], nOut = sz[l], k = kind[l - 1];
    wOff -= nOut * nIn;
    bOff -= nOut;
    aOff -= 2 * nOut;
    // ping-pong between the two scratch rows, as fused.ts
    float *cur = work + (l == L ? dh : (L - l) % 2 == 1 ? dhPrev : dh);
    float *below = work + (cur == work + dh ? dhPrev : dh);
    const float *a = work + aOff, *h = a + nOut;
    if (!(logits && l == L)) {
      int j = 0;
      // tanh' = 1 − h², σ' = h(1 − h): two entries per f64x2, one loop per kind
      if (k == S1_TANH) {
#pragma clang loop vectorize(disable) unroll(disable)
        for (; j + 2 <= nOut; j += 2) {
          v128_t h2 = LD2(h + j);
          ST2(cur + j, wasm_f64x2_mul(LD2(cur + j), wasm_f64x2_sub(one2, wasm_f64x2_mul(h2, h2))));
        }
      } else if (k == S1_SIGMOID) {
#pragma clang loop vectorize(disable) unroll(disable)
        for (; j + 2 <= nOut; j += 2) {
          v128_t h2 = LD2(h + j);
          ST2(cur + j, wasm_f64x2_mul(LD2(cur + j), wasm_f64x2_mul(h2, wasm_f64x2_sub(one2, h2))));
        }
      }
#pragma clang loop vectorize(disable) unroll(disable)
      for (; j < nOut; j++) {
        double f = k == S1_TANH ? 1.0 - (double)h[j] * (double)h[j]
          : k == S1_SIGMOID ? (double)h[j] * (1.0 - (double)h[j])
          : k == S1_RELU ? (a[j] > 0.0f ? 1.0 : 0.0)
          : k == S1_LEAKY ? (a[j] > 0.0f ? 1.0 : alpha[l - 1])
          : 1.0;
        cur[j] = (float)((double)cur[j] * f);
      }
    }
    const float *hIn = l == 1 ? x : work + aOff - nIn;
    float *W = params + wOff, *b = params + bOff;
    int n2 = nIn & ~1;
    // ∂ℓ/∂h_{l−1} = δ_l W_l (l > 1), a float32 row updated row by row as js does, in the same pass
    // over W_l as the update: each weight is read (and widened) once, and used for ∂ℓ/∂h_{l−1}
    // before it changes
    if (l > 1)
      for (int q = 0; q < nIn; q++) below[q] = 0.0f;
    // g = δ_j·h_q rounded to float32 (the float32 gradient buffer): the product of two float32s is
    // exact in float64, so f32x4.mul rounds it exactly as the float64 product stored to float32
    // does. Then w −= lr (g + wd w) in float64; NOTE: without weight decay, w −= lr g, as the
    // unfused sgdStep computes it (the same bits for finite w)
    int decay = wd != 0.0;
    int j = 0;
    if (nIn == 2 && l == 1) {
      // two inputs (the 2-D toy datasets): rows j and j + 1 are four consecutive weights
      v128_t h4 = wasm_v128_load64_splat(hIn);
#pragma clang loop vectorize(disable) unroll(disable)
      for (; j + 2 <= nOut; j += 2) {
        v128_t d = wasm_v128_load64_zero(cur + j);
        s1_upd4(W + 2 * j, wasm_f32x4_mul(wasm_i32x4_shuffle(d, d, 0, 0, 1, 1), h4), lr2, wd2, decay);
      }
    }
#pragma clang loop vectorize(disable) unroll(disable)
    for (; j < nOut; j++) {
      v128_t d4 = wasm_f32x4_splat(cur[j]);
      float *wr = W + j * nIn;
      int q = 0;
      if (l > 1) {
        double dj = (double)cur[j];
        v128_t dj2 = wasm_f64x2_splat(dj);
#pragma clang loop vectorize(disable) unroll(disable)
        for (; q + 4 <= nIn; q += 4) {
          v128_t w4 = wasm_v128_load(wr + q);
          v128_t wl = wasm_f64x2_promote_low_f32x4(w4), wh = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(w4, w4, 2, 3, 0, 1));
          ST2(below + q, wasm_f64x2_add(LD2(below + q), wasm_f64x2_mul(dj2, wl)));
          ST2(below + q + 2, wasm_f64x2_add(LD2(below + q + 2), wasm_f64x2_mul(dj2, wh)));
          s1_upd4w(wr + q, wl, wh, wasm_f32x4_mul(d4, wasm_v128_load(hIn + q)), lr2, wd2, decay);
        }
        for (int r = q; r < nIn; r++) below[r] = (float)((double)below[r] + dj * (double)wr[r]); // before wr[r] changes below
      }
#pragma clang loop vectorize(disable) unroll(disable)
      for (; q + 4 <= nIn; q += 4) s1_upd4(wr + q, wasm_f32x4_mul(d4, wasm_v128_load(hIn + q)), lr2, wd2, decay);
      for (; q < n2; q += 2) s1_upd2(wr + q, wasm_f32x4_mul(d4, wasm_v128_load64_zero(hIn + q)), lr2, wd2, decay);
      if (q < nIn) {
        double g = (double)(float)((double)cur[j] * (double)hIn[q]);
        wr[q] = decay ? (float)((double)wr[q] - lr * (g + wd * (double)wr[q])) : (float)((double)wr[q] - lr * g);
      }
    }
    // b −= lr δ, two biases per f64x2
    j = 0;
#pragma clang loop vectorize(disable) unroll(disable)
    for (; j + 2 <= nOut; j += 2) ST2(b + j, wasm_f64x2_sub(LD2(b + j), wasm_f64x2_mul(lr2, LD2(cur + j))));
    if (j < nOut) b[j] = (float)((double)b[j] - lr * (double)cur[j]);
  }
}

EXPORT(step1_forward)
void step1_forward(const int *d, const double *alpha, const float *params, float *work, const float *x, int logits) {
  s1_forward(d, alpha, params, work, x, logits);
}

EXPORT(step1_backward)
void step1_backward(const int *d, const double *alpha, float *params, float *work, const float *x, int logits, int dh, int dhPrev,
                    double lr, double wd) {
  s1_backward(d, alpha, params, work, x, logits, dh, dhPrev, lr, wd);
}

// The losses the whole-epoch loop computes itself: lossRef's formulas (kernels/reference.ts, the
// definition) for one row of m outputs, statement for statement in float64, so ℓ and ∂ℓ/∂h (stored
// to float32, as lossRef stores into work) are its bits. bce needs log and exp: it stays in js.
#define S1_SSE 0
#define S1_MSE 1
#define S1_MAE 2
#define S1_HUBER 3
static double s1_loss(int kind, const float *z, const float *y, float *g, int m) {
  double total = 0.0;
  for (int j = 0; j < m; j++) {
    double dd = (double)z[j] - (double)y[j], l, gr;
    if (kind == S1_SSE) {
      l = 0.5 * dd * dd;
      gr = dd;
    } else if (kind == S1_MSE) {
      l = (dd * dd) / m;
      gr = (2.0 * dd) / m;
    } else if (kind == S1_MAE) {
      l = __builtin_fabs(dd) / m;
      gr = (dd > 0.0 ? 1.0 : dd < 0.0 ? -1.0 : dd) / m; // Math.sign: ±0 and NaN stay themselves
    } else {
      double ad = __builtin_fabs(dd);
      l = (ad <= 1.0 ? 0.5 * dd * dd : ad - 0.5) / m;
      gr = (dd > 1.0 ? 1.0 : dd < -1.0 ? -1.0 : dd) / m; // max(−1, min(1, d)), NaN kept
    }
    total += l;
    g[j] = (float)gr;
  }
  return total;
}

// One epoch of the small-network path (train/loop.ts smallEpoch, which is the definition): for each
// row r = order[b], the forward pass, ℓ and ∂ℓ/∂h_L, the backward pass and the update, with Σℓ
// added in order; stops after a non-finite ℓ. threshold ≥ 0: also counts the right answers as
// metrics.ts countCorrect does (one output: h > threshold ⇔ y > 0.5; several: argmax, first wins).
// x: [*, n0], y: [*, nL], order: [n].  out: [Σℓ, correct, seen, last ℓ] (float64).
EXPORT(step1_epoch)
void step1_epoch(const int *d, const double *alpha, float *params, float *work, const float *x, const float *y, const unsigned *order, int n,
                 int loss, double lr, double wd, int dh, int dhPrev, int outAt, double threshold, double *out) {
  int L = d[0], n0 = d[1], nL = d[1 + L];
  double sum = 0.0, last = 0.0;
  int correct = 0, seen = 0;
  for (int b = 0; b < n; b++) {
    unsigned r = order[b];
    const float *xr = x + r * (unsigned)n0, *yr = y + r * (unsigned)nL;
    s1_forward(d, alpha, params, work, xr, 0);
    last = s1_loss(loss, work + outAt, yr, work + dh, nL);
    s1_backward(d, alpha, params, work, xr, 0, dh, dhPrev, lr, wd);
    seen++;
    if (!(last - last == 0.0)) break; // not finite
    if (threshold >= 0.0) {
      const float *o = work + outAt;
      if (nL == 1) correct += ((double)o[0] > threshold) == (yr[0] > 0.5f);
      else {
        int po = 0, yo = 0;
        for (int j = 1; j < nL; j++) {
          if (o[j] > o[po]) po = j;
          if (yr[j] > yr[yo]) yo = j;
        }
        correct += po == yo;
      }
    }
    sum += last;
  }
  out[0] = sum;
  out[1] = correct;
  out[2] = seen;
  out[3] = last;
}
