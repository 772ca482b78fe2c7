// Bundled by browser.test.ts for Chromium: compiles the wasm backends asynchronously (as a page's
// main thread must), then checks gemm against the float64 reference on every transpose, and, where
// the page is cross-origin isolated, that 2 threads (Web Workers) give the same bits as 1.
import { initBackends, listBackends, getBackend, setThreads } from '../../src/kernels/select.ts';
import { reference } from '../../src/kernels/reference.ts';
import { waitForWorkers, wasmInfo } from '../../src/kernels/wasm.ts';
import { Rng } from '../../src/tensor/rng.ts';

async function run(): Promise<unknown> {
  const before = listBackends();
  // the default: the fastest build only (one chunk fetched); the other by name needs initBackends
  const first = await initBackends({ threads: 2 });
  let lateCode = '';
  try {
    getBackend('wasm-simd');
  } catch (e) {
    lateCode = (e as { code?: string }).code ?? String(e);
  }
  const rng = new Rng(3);
  // workers started with the first build, then the second build added: the pool starts again
  // with both (a job of the new build on the old workers would find no instance)
  const firstWorkers = await waitForWorkers(10000);
  const W = getBackend(first[0]);
  const X = W.alloc(130 * 300, 'float32').fill(1), Y = W.alloc(300 * 200, 'float32').fill(1), Z = W.alloc(130 * 200, 'float32');
  W.gemm(false, false, 130, 200, 300, 1, X, Y, 0, Z);
  const after = await initBackends({ backends: ['wasm-relaxed', 'wasm-simd'] });
  const workers = await waitForWorkers(10000);
  const failures: string[] = [];
  let checked = 0;
  let threadedSame = true;
  for (const name of after.filter((n) => n.startsWith('wasm'))) {
    const be = getBackend(name);
    for (const [M, N, K] of [[1, 1, 1], [5, 9, 257], [33, 9, 513], [130, 200, 300]]) {
      for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]]) {
        const A = be.alloc(M * K, 'float32'), B = be.alloc(K * N, 'float32');
        for (let i = 0; i < A.length; i++) A[i] = rng.normal(0, 1);
        for (let i = 0; i < B.length; i++) B[i] = rng.normal(0, 1);
        const want = new Float64Array(M * N), bound = new Float64Array(M * N);
        reference.gemm(tA, tB, M, N, K, 1, Float64Array.from(A), Float64Array.from(B), 0, want);
        reference.gemm(tA, tB, M, N, K, 1, Float64Array.from(A, Math.abs), Float64Array.from(B, Math.abs), 0, bound);
        const C1 = be.alloc(M * N, 'float32').fill(NaN), C2 = be.alloc(M * N, 'float32').fill(NaN);
        setThreads(1);
        be.gemm(tA, tB, M, N, K, 1, A, B, 0, C1);
        setThreads(2);
        be.gemm(tA, tB, M, N, K, 1, A, B, 0, C2);
        for (let i = 0; i < M * N; i++) {
          if (!(Math.abs(C1[i] - want[i]) <= 2 ** -22 * (K + 2) * bound[i])) {
            failures.push(`${name} ${M}x${N}x${K} ${tA}/${tB} entry ${i}: ${C1[i]} vs ${want[i]}`);
            break;
          }
          if (C1[i] !== C2[i]) threadedSame = false;
        }
        checked++;
      }
    }
  }
  return { before, first, lateCode, firstWorkers, after, workers, info: wasmInfo(), isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true, checked, failures, threadedSame };
}

(globalThis as { kernelsCheck?: () => Promise<unknown> }).kernelsCheck = run;
