// The second WebAssembly build is compiled only when asked for. Where the runtime has relaxed SIMD
// (Node 22+ by default, Node 20 through the flag the engine sets), "auto" compiles the relaxed build
// alone; `wasm-simd` by name compiles the plain one then, in the same memory, and a running worker
// pool starts again with both builds (a job of the new build on the old workers would have no
// instance to run). Its own file: the engine must be fresh (node --test runs each file in a process).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { getBackend, listBackends, setThreads } from '../../src/kernels/select.ts';
import { disposeWasm, setWasmAdaptive, waitForWorkers, wasmInfo } from '../../src/kernels/wasm.ts';
import { Rng } from '../../src/tensor/rng.ts';

setWasmAdaptive(false);
after(() => disposeWasm());

test('the fastest build is compiled first; wasm-simd by name adds the plain build and restarts the workers with both', async (t) => {
  const auto = getBackend('auto');
  const info0 = wasmInfo();
  if (!info0?.relaxed) return t.skip('no relaxed SIMD here: one build only');
  assert.equal(auto.name, 'wasm-relaxed');
  assert.deepEqual(info0.compiled, ['wasm-relaxed']);
  // listed (it can be compiled here), not compiled by listing
  assert.deepEqual(listBackends().slice(0, 2), ['wasm-relaxed', 'wasm-simd']);
  assert.deepEqual(wasmInfo()!.compiled, ['wasm-relaxed']);

  const rng = new Rng(7);
  const [M, N, K] = [130, 200, 300];
  const fill = (be: ReturnType<typeof getBackend>, src: Float32Array): Float32Array => {
    const x = be.alloc(src.length, 'float32') as Float32Array;
    x.set(src);
    return x;
  };
  const a = Float32Array.from({ length: M * K }, () => rng.normal(0, 1));
  const b = Float32Array.from({ length: K * N }, () => rng.normal(0, 1));

  // workers start with the relaxed build and run a job
  setThreads(2);
  assert.equal(await waitForWorkers(10000), 1);
  const A = fill(auto, a), B = fill(auto, b), C = auto.alloc(M * N, 'float32');
  const calls0 = wasmInfo()!.threadedCalls;
  auto.gemm(false, true, M, N, K, 1, A, B, 0, C);
  assert.equal(wasmInfo()!.threadedCalls, calls0 + 1);

  // the plain build, compiled now; the pool ended, and started again at the next job
  const plain = getBackend('wasm-simd');
  assert.equal(plain.name, 'wasm-simd');
  assert.deepEqual(wasmInfo()!.compiled, ['wasm-simd', 'wasm-relaxed']);
  assert.equal(getBackend('wasm-simd'), plain, 'one backend object per build');
  assert.deepEqual(listBackends().slice(0, 3), ['wasm-relaxed', 'wasm-simd', 'js']);
  const top = wasmInfo()!.heapTop;
  assert.equal(await waitForWorkers(10000), 1);
  const P = fill(plain, a), Q = fill(plain, b), R1 = plain.alloc(M * N, 'float32'), R2 = plain.alloc(M * N, 'float32');
  setThreads(1);
  plain.gemm(false, true, M, N, K, 1, P, Q, 0, R1);
  setThreads(2);
  const calls1 = wasmInfo()!.threadedCalls;
  plain.gemm(false, true, M, N, K, 1, P, Q, 0, R2);
  assert.equal(wasmInfo()!.threadedCalls, calls1 + 1, 'the plain build ran on the restarted workers');
  for (let i = 0; i < M * N; i++) if (R1[i] !== R2[i]) assert.fail(`entry ${i}: 1 thread ${R1[i]}, 2 threads ${R2[i]}`);
  // and the relaxed build still runs on them
  auto.gemm(false, true, M, N, K, 1, A, B, 0, C);
  assert.equal(wasmInfo()!.threadedCalls, calls1 + 2);
  // the restarted pool reused the old workers' scratch (released by the pool's dispose): the heap
  // grew only by the arrays above and one control block (4 KiB at most)
  const arrays = 4 * (2 * M * K + 2 * K * N + 2 * M * N) + 64 * 6;
  assert.ok(wasmInfo()!.heapTop - top <= arrays + 4096 + 64, `heap grew by ${wasmInfo()!.heapTop - top} bytes`);
  for (const x of [A, B, C]) auto.release(x);
  for (const x of [P, Q, R1, R2]) plain.release(x);
});
