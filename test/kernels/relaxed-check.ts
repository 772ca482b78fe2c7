// Run by relaxed.test.ts in a child Node started with --experimental-wasm-relaxed-simd (Node 20's
// V8 has relaxed SIMD behind that flag): the relaxed-SIMD gemm against a float64 reference, on the
// same shapes and with the same error bound as conformance.test.ts. Prints one JSON line.
import { getBackend, listBackends } from '../../src/kernels/select.ts';
import { reference } from '../../src/kernels/reference.ts';
import { Rng } from '../../src/tensor/rng.ts';

const out = { backends: listBackends(), checked: 0, failures: [] as string[] };
if (out.backends.includes('wasm-relaxed')) {
  const be = getBackend('wasm-relaxed');
  const rng = new Rng(7);
  for (const [M, N, K] of [[1, 1, 1], [3, 5, 7], [5, 9, 257], [33, 9, 513], [64, 70, 129], [7, 1100, 20]]) {
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]]) {
      for (const [alpha, beta] of [[1, 0], [-1.5, 0.25]]) {
        const A = be.alloc(M * K, 'float32'), B = be.alloc(K * N, 'float32'), C = be.alloc(M * N, 'float32');
        for (let i = 0; i < A.length; i++) A[i] = rng.normal(0, 1);
        for (let i = 0; i < B.length; i++) B[i] = rng.normal(0, 1);
        for (let i = 0; i < C.length; i++) C[i] = rng.normal(0, 1);
        const want = Float64Array.from(C), bound = new Float64Array(M * N);
        reference.gemm(tA, tB, M, N, K, alpha, Float64Array.from(A), Float64Array.from(B), beta, want);
        reference.gemm(tA, tB, M, N, K, Math.abs(alpha), Float64Array.from(A, Math.abs), Float64Array.from(B, Math.abs), 0, bound);
        const C0 = Float64Array.from(C);
        if (beta === 0) C.fill(NaN);
        be.gemm(tA, tB, M, N, K, alpha, A, B, beta, C);
        for (let i = 0; i < M * N; i++) {
          const tol = 2 ** -22 * (K + 2) * (bound[i] + Math.abs(beta * C0[i]));
          if (!(Math.abs(C[i] - want[i]) <= tol)) {
            out.failures.push(`M=${M} N=${N} K=${K} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} entry ${i}: ${C[i]} vs ${want[i]}`);
            break;
          }
        }
        out.checked++;
      }
    }
  }
}
console.log(JSON.stringify(out));
process.exit(0);
