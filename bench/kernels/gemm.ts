// gemm micro-benchmark: GFLOP/s (2·M·N·K / s) of each float32 backend on the shapes the MLP
// workloads run, after checking each result against the float64 reference.
//   W1 784-128-64-10, batch 128:  NT 128×128×784 (a = x·Wᵀ), TN 128×784×128 (dW += δᵀ·x), NN 128×128×64 (dx = δ·W)
//   A1 784-128-10, batch 64:  NT 64×128×784, TN 128×784×64
//   W2 1024-1024-1024-10, batch 256:  NT 256×1024×1024, TN 1024×1024×256, NN 256×1024×1024
// Usage: node --import tsx bench/kernels/gemm.ts [--threads 1,2] [--backends wasm-simd,js] [--ms 1000] [--rounds 10]
//   (add --experimental-wasm-relaxed-simd before --import on Node 20 to include wasm-relaxed)
// Reports the best of `rounds` runs of ms/rounds each: wall-clock GFLOP/s, and for one thread also
// CPU-time GFLOP/s (steadier on a busy machine).
import { getBackend, listBackends, setThreads } from '../../src/kernels/select.ts';
import { reference } from '../../src/kernels/reference.ts';
import { disposeWasm, waitForWorkers, wasmInfo } from '../../src/kernels/wasm.ts';
import { Rng } from '../../src/tensor/rng.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const threadList = arg('threads', '1,2').split(',').map(Number);
const ms = Number(arg('ms', '1000'));
const rounds = Number(arg('rounds', '10'));
const backends = arg('backends', listBackends().filter((b) => b !== 'reference').join(',')).split(',');

const shapes: [string, boolean, boolean, number, number, number][] = [
  ['W1 NT a=x·Wᵀ', false, true, 128, 128, 784],
  ['W1 TN dW+=δᵀx', true, false, 128, 784, 128],
  ['W1 NN dx=δ·W', false, false, 128, 128, 64],
  ['A1 NT a=x·Wᵀ', false, true, 64, 128, 784],
  ['A1 TN dW+=δᵀx', true, false, 128, 784, 64],
  ['W2 NT', false, true, 256, 1024, 1024],
  ['W2 TN', true, false, 1024, 1024, 256],
  ['W2 NN', false, false, 256, 1024, 1024],
];

const rng = new Rng(1);
console.log(`# gemm GFLOP/s; node ${process.version}; wasm ${JSON.stringify(wasmInfo())}`);
console.log('| backend | threads | shape | M×N×K | GFLOP/s (wall, best run) | GFLOP/s (CPU time, 1 thread, best run) |');
console.log('|---|---|---|---|---|---|');
for (const name of backends) {
  const be = getBackend(name, 'float32');
  for (const threads of name.startsWith('wasm') ? threadList : [1]) {
    setThreads(threads);
    await waitForWorkers(10000);
    for (const [label, tA, tB, M, N, K] of shapes) {
      if (name === 'js' && M * N * K > 50e6) continue; // minutes per shape; the W1 shapes tell enough
      const A = be.alloc(M * K, 'float32'), B = be.alloc(K * N, 'float32'), C = be.alloc(M * N, 'float32');
      for (let i = 0; i < A.length; i++) A[i] = rng.normal(0, 1);
      for (let i = 0; i < B.length; i++) B[i] = rng.normal(0, 1);
      // validate a few entries against float64
      be.gemm(tA, tB, M, N, K, 1, A, B, 0, C);
      const want = new Float64Array(M * N);
      if (M * N * K < 50e6) {
        reference.gemm(tA, tB, M, N, K, 1, Float64Array.from(A), Float64Array.from(B), 0, want);
        for (let i = 0; i < M * N; i += 97) if (Math.abs(C[i] - want[i]) > 1e-3 * Math.sqrt(K)) throw new Error(`${name} ${label}: entry ${i} ${C[i]} vs ${want[i]}`);
      }
      for (let i = 0; i < 2; i++) be.gemm(tA, tB, M, N, K, 1, A, B, 0, C); // burn-in
      // best of `rounds` short runs: on a shared machine the best run is the one least disturbed
      let bestWall = 0, bestCpu = 0;
      for (let round = 0; round < rounds; round++) {
        let reps = 0;
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        while (performance.now() - t0 < ms / rounds) {
          be.gemm(tA, tB, M, N, K, 1, A, B, 0, C);
          reps++;
        }
        const wall = (performance.now() - t0) / 1000;
        const cu = process.cpuUsage(c0);
        const flop = 2 * M * N * K * reps;
        bestWall = Math.max(bestWall, flop / wall / 1e9);
        bestCpu = Math.max(bestCpu, flop / ((cu.user + cu.system) / 1e6) / 1e9);
      }
      const cpu = threads === 1 ? bestCpu.toFixed(1) : '';
      console.log(`| ${name} | ${threads} | ${label} | ${M}×${N}×${K} | ${bestWall.toFixed(1)} | ${cpu} |`);
    }
  }
}
disposeWasm();
