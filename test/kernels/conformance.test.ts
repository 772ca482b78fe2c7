// Kernel conformance: every float32 backend against the reference backend, on seeded random data
// and awkward shapes (1, odd sizes, not multiples of the 4×8 tile or the 256-deep k block, every
// transpose), plus arrays that live outside the WebAssembly memory (the copy path).
//
// Tolerances: gemm is compared with a float64 reference, and each entry may differ by
//   |got − want| ≤ 2⁻²² · (K + 2) · (|alpha| Σ_k |a_ik b_kj| + |beta c_ij|)
// (float32 accumulation error bound, with a factor 2 to spare). Elementwise kernels use the same
// formulas as reference: they must agree to 1 ulp of float32 (relative 2⁻²³) or better; except
// tanh and sigmoid on the wasm backends, whose float32 polynomials are within a few ulps (relative
// 2⁻²¹ here; test/kernels/fastmath.test.ts and docs/backends.md give the bounds), so their
// derivatives 1 − h² and h(1 − h), which cancel near saturation, may differ by 2⁻²⁰·|dh|.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reference } from '../../src/kernels/reference.ts';
import { js } from '../../src/kernels/js.ts';
import { getBackend, listBackends } from '../../src/kernels/select.ts';
import { wasmInfo } from '../../src/kernels/wasm.ts';
import type { Backend } from '../../src/kernels/backend.ts';
import { Rng } from '../../src/tensor/rng.ts';
import type { ElementwiseActivation } from '../../src/math/activations.ts';
import { LOSSES } from '../../src/math/losses.ts';

const names = listBackends().filter((n) => n !== 'reference');
const backends: Backend[] = names.map((n) => getBackend(n, 'float32'));

test('the wasm backends are registered and "auto" picks one for float32, js for float64', () => {
  assert.ok(names.includes('wasm-simd'), `expected wasm-simd among ${names.join(', ')}`);
  assert.match(getBackend('auto', 'float32').name, /^wasm-/);
  assert.equal(getBackend('auto', 'float64').name, 'js');
  assert.equal(getBackend('wasm-simd').supports('float64'), false);
});

function randn(rng: Rng, a: Float32Array, scale = 1): void {
  for (let i = 0; i < a.length; i++) a[i] = rng.normal(0, scale);
}

function fill(be: Backend, src: Float32Array, inWasm: boolean): Float32Array {
  const a = inWasm ? (be.alloc(src.length, 'float32') as Float32Array) : new Float32Array(src.length);
  a.set(src);
  return a;
}

/**
 * op(A)·op(B) with the zeros of `sparse` as +0 (which the wasm gemm may skip) and as −0 (never
 * skipped: the dense kernel) give the same bits, within the float64 bound 2⁻²²·(K+2)·|A|·|B|.
 */
function sparseMatchesDense(be: Backend, tA: boolean, tB: boolean, M: number, N: number, K: number, A0: Float32Array, B0: Float32Array, sparse: 'A' | 'B'): void {
  const neg = (x: Float32Array) => Float32Array.from(x, (v) => (v === 0 ? -0 : v));
  const want = new Float64Array(M * N), bound = new Float64Array(M * N);
  reference.gemm(tA, tB, M, N, K, 1, Float64Array.from(A0), Float64Array.from(B0), 0, want);
  reference.gemm(tA, tB, M, N, K, 1, Float64Array.from(A0, Math.abs), Float64Array.from(B0, Math.abs), 0, bound);
  const bufs = [fill(be, A0, true), fill(be, B0, true), fill(be, sparse === 'A' ? neg(A0) : A0, true), fill(be, sparse === 'B' ? neg(B0) : B0, true)];
  const C = be.alloc(M * N, 'float32') as Float32Array, Cd = be.alloc(M * N, 'float32') as Float32Array;
  try {
    be.gemm(tA, tB, M, N, K, 1, bufs[0], bufs[1], 0, C);
    be.gemm(tA, tB, M, N, K, 1, bufs[2], bufs[3], 0, Cd);
    const kind = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
    for (let i = 0; i < M * N; i++) {
      assert.ok(Object.is(C[i], Cd[i]), `${be.name} ${kind} ${M}×${N}×${K} entry ${i}: sparse ${C[i]}, dense ${Cd[i]}`);
      assert.ok(Math.abs(C[i] - want[i]) <= 2 ** -22 * (K + 2) * bound[i], `${be.name} ${kind} entry ${i}: ${C[i]} vs ${want[i]}`);
    }
  } finally {
    for (const b of [...bufs, C, Cd]) be.release(b);
  }
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [1, 8, 2], [2, 1, 8], [3, 5, 7], [4, 8, 16], [5, 9, 257], [13, 17, 300],
  [33, 9, 513], [64, 70, 129], [7, 1100, 20], [130, 3, 1],
];
const scalars: [number, number][] = [[1, 0], [0.5, 1], [-1.5, 0.25]];

for (const be of backends) {
  test(`${be.name}: gemm NN, NT, TN, TT on awkward shapes against a float64 reference`, () => {
    const rng = new Rng(7);
    for (const [M, N, K] of shapes) {
      for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]]) {
        for (const [alpha, beta] of scalars) {
          const A0 = new Float32Array(M * K), B0 = new Float32Array(K * N), C0 = new Float32Array(M * N);
          randn(rng, A0); randn(rng, B0); randn(rng, C0);
          const want = new Float64Array(C0), bound = new Float64Array(M * N);
          reference.gemm(tA, tB, M, N, K, alpha, Float64Array.from(A0), Float64Array.from(B0), beta, want);
          reference.gemm(tA, tB, M, N, K, Math.abs(alpha), Float64Array.from(A0, Math.abs), Float64Array.from(B0, Math.abs), 0, bound);
          for (const inWasm of [true, false]) {
            const A = fill(be, A0, inWasm), B = fill(be, B0, inWasm), C = fill(be, C0, inWasm);
            // NOTE: beta = 0 must overwrite whatever C held, NaN included
            if (beta === 0) C.fill(NaN);
            be.gemm(tA, tB, M, N, K, alpha, A, B, beta, C);
            for (let i = 0; i < M * N; i++) {
              const tol = 2 ** -22 * (K + 2) * (bound[i] + Math.abs(beta * C0[i]));
              const err = Math.abs(C[i] - want[i]);
              if (!(err <= tol)) {
                assert.fail(`${be.name} gemm ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} M=${M} N=${N} K=${K} alpha=${alpha} beta=${beta} ${inWasm ? '' : '(plain arrays) '}entry ${i}: got ${C[i]}, want ${want[i]}, |err| ${err} > tol ${tol}`);
              }
            }
          }
        }
      }
    }
  });

  // Sparse inputs (wasm/sgemm.c skips the k at which a 4-row panel of A is all +0): the result is
  // the dense kernel's bit for bit (the same A with −0, which is never skipped, gives the dense
  // path), within the float64 bound above, and ±Infinity or NaN in B still turns 0·b into NaN.
  test(`${be.name}: gemm NT/NN with mostly-zero rows of A: same bits as dense, NaN from 0·Infinity kept`, () => {
    const rng = new Rng(11);
    for (const [M, N, K] of [[16, 24, 300], [37, 19, 784], [8, 8, 40], [130, 64, 257]] as [number, number, number][]) {
      for (const tB of [true, false]) {
        const A0 = new Float32Array(M * K), B0 = new Float32Array(K * N);
        randn(rng, A0); randn(rng, B0);
        // zero runs shared by all rows (MNIST's border) and scattered zeros (80% of entries)
        for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) if (k % 7 < 3 || rng.uniform() < 0.8) A0[i * K + k] = 0;
        sparseMatchesDense(be, false, tB, M, N, K, A0, B0, 'A');
        // one Infinity in B, in a k where every row of A is 0: every entry of its column is NaN
        const kz = 0, col = N - 1;
        const Binf = new Float32Array(B0);
        Binf[tB ? col * K + kz : kz * N + col] = Infinity;
        const Ci = be.alloc(M * N, 'float32');
        be.gemm(false, tB, M, N, K, 1, fill(be, A0, true), fill(be, Binf, true), 0, Ci);
        for (let i = 0; i < M; i++) assert.ok(Number.isNaN(Ci[i * N + col]), `${be.name} ${tB ? 'NT' : 'NN'} row ${i}: 0·Infinity gave ${Ci[i * N + col]}`);
      }
    }
  });

  // the other way (dW = δᵀ·x: x's zeros are B's): TN with mostly-zero rows of B
  test(`${be.name}: gemm TN with mostly-zero rows of B: same bits as dense, NaN from Infinity·0 kept`, () => {
    const rng = new Rng(13);
    for (const [M, N, K] of [[16, 24, 300], [128, 784, 64], [8, 8, 40], [37, 130, 257]] as [number, number, number][]) {
      const A0 = new Float32Array(K * M), B0 = new Float32Array(K * N);
      randn(rng, A0); randn(rng, B0);
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) if (j % 9 < 4 || k % 5 === 0 || rng.uniform() < 0.8) B0[k * N + j] = 0;
      sparseMatchesDense(be, true, false, M, N, K, A0, B0, 'B');
      // NaN in A at k = 0, where every entry of B is 0: its row of C is NaN
      const Anan = new Float32Array(A0);
      Anan[0 * M + 1] = NaN;
      const Ci = be.alloc(M * N, 'float32');
      be.gemm(true, false, M, N, K, 1, fill(be, Anan, true), fill(be, B0, true), 0, Ci);
      for (let j = 0; j < N; j++) assert.ok(Number.isNaN(Ci[1 * N + j]), `${be.name} TN column ${j}: NaN·0 gave ${Ci[1 * N + j]}`);
    }
  });

  test(`${be.name}: gemm with K = 0 gives beta·C`, () => {
    const C = fill(be, Float32Array.of(1, 2, 3, 4), true);
    be.gemm(false, true, 2, 2, 0, 1, fill(be, new Float32Array(0), true), fill(be, new Float32Array(0), true), 0.5, C);
    assert.deepEqual(Array.from(C), [0.5, 1, 1.5, 2]);
  });

  test(`${be.name}: biasActivate and activationBackward agree with reference, |a| up to 300`, () => {
    const rng = new Rng(3);
    const kinds: ElementwiseActivation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'softplus', 'gelu'];
    for (const kind of kinds) {
      // 9×40 = 360 entries takes the wasm path of relu and identity (≥ 256); tanh and sigmoid take it at every size
      for (const [rows, cols, scale] of [[1, 1, 1], [3, 7, 3], [5, 33, 300], [9, 40, 300]] as const) {
        const a0 = new Float32Array(rows * cols), b0 = new Float32Array(cols), dh0 = new Float32Array(rows * cols);
        randn(rng, a0, scale); randn(rng, b0, scale); randn(rng, dh0);
        a0[0] = 0; // f'(0) is a convention (0 for relu); check it is the same one
        const alpha = kind === 'elu' ? 1 : 0.01;
        const ar = new Float32Array(a0), hr = new Float32Array(a0.length), dr = new Float32Array(a0.length);
        reference.biasActivate(kind, alpha, ar, b0, hr, rows, cols);
        reference.activationBackward(kind, alpha, ar, hr, dh0, dr, rows * cols);
        const a = fill(be, a0, true), h = be.alloc(a0.length, 'float32'), d = fill(be, dh0, true);
        be.biasActivate(kind, alpha, a, fill(be, b0, true), h, rows, cols);
        be.activationBackward(kind, alpha, a, h, d, d, rows * cols); // in place: delta may be dh
        const poly = be.name.startsWith('wasm') && (kind === 'tanh' || kind === 'sigmoid'); // the polynomials, at every size
        for (let i = 0; i < a0.length; i++) {
          assert.equal(a[i], ar[i], `${be.name} ${kind}: a[${i}]`);
          assert.ok(Math.abs(h[i] - hr[i]) <= (poly ? 2 ** -21 : 2 ** -23) * Math.abs(hr[i]), `${be.name} ${kind}: h[${i}] = ${h[i]}, reference ${hr[i]}`);
          assert.ok(Math.abs(d[i] - dr[i]) <= 2 ** -23 * Math.abs(dr[i]) + (poly ? 2 ** -20 * Math.abs(dh0[i]) : 0), `${be.name} ${kind}: delta[${i}] = ${d[i]}, reference ${dr[i]}`);
          assert.ok(Number.isFinite(h[i]) && Number.isFinite(d[i]), `${be.name} ${kind}: non-finite at |a| = ${Math.abs(a0[i])}`);
        }
      }
    }
  });

  test(`${be.name}: sumRows, softmax, losses, gatherRows, optimizer steps agree with reference`, () => {
    const rng = new Rng(5);
    const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 2 ** -20) => {
      for (let i = 0; i < want.length; i++) {
        assert.ok(Math.abs(got[i] - want[i]) <= rel * (1 + Math.abs(want[i])), `${be.name} ${what}[${i}]: got ${got[i]}, want ${want[i]}`);
      }
    };
    for (const [rows, cols] of [[1, 1], [1, 8], [7, 3], [33, 10]] as const) {
      const x0 = new Float32Array(rows * cols);
      randn(rng, x0, 50);
      // sumRows accumulates
      const out = fill(be, Float32Array.from({ length: cols }, (_, j) => j), true), outR = Float32Array.from({ length: cols }, (_, j) => j);
      be.sumRows(fill(be, x0, true), rows, cols, out);
      reference.sumRows(x0, rows, cols, outR);
      close(out, outR, 'sumRows', 1e-6);
      // softmax forward and backward, logits in the hundreds
      const p = be.alloc(x0.length, 'float32'), pR = new Float32Array(x0.length);
      be.softmaxRows(fill(be, x0, true), p, rows, cols);
      reference.softmaxRows(x0, pR, rows, cols);
      close(p, pR, 'softmaxRows');
      const dh0 = new Float32Array(x0.length);
      randn(rng, dh0);
      const d = fill(be, dh0, true), dR = new Float32Array(x0.length);
      be.softmaxBackward(p, d, d, rows, cols);
      reference.softmaxBackward(pR, dh0, dR, rows, cols);
      close(d, dR, 'softmaxBackward');
      // every loss, value and gradient
      const y0 = new Float32Array(x0.length);
      for (let i = 0; i < rows; i++) y0[i * cols + (i % cols)] = 1;
      for (const loss of LOSSES) {
        const g = be.alloc(x0.length, 'float32'), gR = new Float32Array(x0.length);
        const v = be.loss(loss, fill(be, x0, true), fill(be, y0, true), g, rows, cols, 1 / rows);
        const vR = reference.loss(loss, x0, y0, gR, rows, cols, 1 / rows);
        assert.ok(Math.abs(v - vR) <= 1e-6 * (1 + Math.abs(vR)), `${be.name} loss ${loss}: ${v} vs ${vR}`);
        close(g, gR, `loss ${loss} grad`);
      }
      // gatherRows
      const idx = Uint32Array.from({ length: rows }, (_, i) => (i * 5 + 1) % rows);
      const dst = be.alloc(x0.length, 'float32'), dstR = new Float32Array(x0.length);
      be.gatherRows(fill(be, x0, true), cols, idx, 0, rows, dst);
      reference.gatherRows(x0, cols, idx, 0, rows, dstR);
      assert.deepEqual(Array.from(dst), Array.from(dstR), `${be.name} gatherRows`);
    }
    // long rows take the memcpy path
    const src0 = new Float32Array(5 * 40);
    randn(rng, src0);
    const idx = Uint32Array.of(4, 0, 3);
    const dst = be.alloc(3 * 40, 'float32'), dstR = new Float32Array(3 * 40);
    be.gatherRows(fill(be, src0, true), 40, idx, 0, 3, dst);
    reference.gatherRows(src0, 40, idx, 0, 3, dstR);
    assert.deepEqual(Array.from(dst), Array.from(dstR), `${be.name} gatherRows (long rows)`);
    // optimizer steps: sgd plain and with momentum + weight decay, adam
    for (const n of [37, 300]) {
      const p0 = new Float32Array(n), g0 = new Float32Array(n);
      randn(rng, p0); randn(rng, g0);
      for (const [mom, wd] of [[0, 0], [0.9, 0.01]]) {
        const p = fill(be, p0, true), buf = be.alloc(n, 'float32'), pR = new Float32Array(p0), bufR = new Float32Array(n);
        for (let t = 0; t < 3; t++) {
          be.sgdStep(p, fill(be, g0, true), buf, n, 0.1, mom, 0, false, wd, t === 0);
          reference.sgdStep(pR, g0, bufR, n, 0.1, mom, 0, false, wd, t === 0);
        }
        close(p, pR, `sgdStep n=${n} μ=${mom}`, 1e-6);
      }
      const p = fill(be, p0, true), m = be.alloc(n, 'float32'), v = be.alloc(n, 'float32');
      const pR = new Float32Array(p0), mR = new Float32Array(n), vR = new Float32Array(n);
      be.adamStep(p, fill(be, g0, true), m, v, n, 0.01, 0.9, 0.999, 1e-8, 0, false, 1);
      reference.adamStep(pR, g0, mR, vR, n, 0.01, 0.9, 0.999, 1e-8, 0, false, 1);
      close(p, pR, 'adamStep', 1e-6);
    }
  });
}

for (const be of backends) {
  test(`${be.name}: allFinite finds one NaN or ±Infinity anywhere, short and long arrays`, () => {
    for (const n of [5, 300, 1001]) {
      const x = be.alloc(n, 'float32');
      for (let i = 0; i < n; i++) x[i] = (i % 7) - 3 + 1e30 * (i % 2);
      assert.equal(be.allFinite(x, n), true, `${be.name} n=${n}: all finite`);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, n - 1, n >> 1]) {
          const old = x[at];
          x[at] = bad;
          assert.equal(be.allFinite(x, n), false, `${be.name} n=${n}: ${bad} at ${at}`);
          assert.equal(be.allFinite(x, at), true, `${be.name} n=${n}: only the first ${at} entries`);
          x[at] = old;
        }
      }
      x[n - 1] = 3.4e38; // the largest float32 values are finite
      assert.equal(be.allFinite(x, n), true);
    }
  });
}

test('js runs float64 and agrees with reference to 1e-12', () => {
  const rng = new Rng(11);
  for (const [M, N, K] of shapes) {
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]]) {
      const A = Float64Array.from({ length: M * K }, () => rng.normal(0, 1));
      const B = Float64Array.from({ length: K * N }, () => rng.normal(0, 1));
      const C = new Float64Array(M * N).fill(NaN), want = new Float64Array(M * N);
      js.gemm(tA, tB, M, N, K, 1, A, B, 0, C);
      reference.gemm(tA, tB, M, N, K, 1, A, B, 0, want);
      for (let i = 0; i < M * N; i++) assert.ok(Math.abs(C[i] - want[i]) <= 1e-12 * K, `js f64 gemm M=${M} N=${N} K=${K} entry ${i}: ${C[i]} vs ${want[i]}`);
    }
  }
});

test('wasm release: a released array is reused, zeroed, by the next alloc of its size (once)', () => {
  const be = getBackend('wasm-simd');
  assert.equal(typeof be.release, 'function');
  const a = be.alloc(1000, 'float32');
  a.fill(7);
  be.release!(a);
  be.release!(a); // ignored: the block must not be handed out twice
  const b = be.alloc(1000, 'float32');
  assert.equal(b.byteOffset, a.byteOffset);
  assert.ok(b.every((v) => v === 0), 'a reused block comes back zeroed');
  const c = be.alloc(1000, 'float32');
  assert.notEqual(c.byteOffset, b.byteOffset);
  const d = be.alloc(999, 'float32');
  assert.notEqual(d.byteOffset, a.byteOffset);
});

for (const name of ['reference', ...names]) {
  test(`${name}: release is part of the contract: alloc/release cycles of every size stay flat, reused arrays come back zeroed`, () => {
    const be = getBackend(name, 'float32');
    assert.equal(typeof be.release, 'function', 'every backend has release (a no-op where memory is garbage-collected)');
    const sizes = [1, 7, 64, 1000, 4096];
    const cycle = () => {
      for (const n of sizes) {
        const a = be.alloc(n, 'float32');
        assert.equal(a.length, n);
        assert.ok(a.every((v) => v === 0), `alloc(${n}) must be zero-filled`);
        a.fill(3);
        be.release(a);
      }
    };
    cycle();
    const top = wasmInfo()?.heapTop ?? 0;
    for (let i = 0; i < 1000; i++) cycle();
    if (name.startsWith('wasm')) assert.equal(wasmInfo()!.heapTop, top, 'released blocks are reused: the heap does not grow');
    // a view is ignored, not an error, and never makes its memory allocatable twice
    const whole = be.alloc(5, 'float32');
    be.release(whole.subarray(1));
    const next = be.alloc(4, 'float32');
    if (name.startsWith('wasm')) assert.ok(next.byteOffset >= whole.byteOffset + whole.byteLength || next.byteOffset + next.byteLength <= whole.byteOffset, 'a released view must not be handed out while its array lives');
    be.release(next);
    be.release(whole);
  });
}
