// How much the relaxed-SIMD path (f32x4.relaxed_madd: one rounding per multiply-add where the CPU
// has FMA) changes results against the plain-SIMD path (a multiply and an add, two roundings):
// gemm errors of both against a float64 reference, and the same training run (A1: MNIST 8k,
// 784-128-10, Adam 1e-3, batch 64; W1-like: 784-128-64-10, SGD 0.05, batch 128) on both backends.
// Needs a runtime with relaxed SIMD (Node ≥ 22; Node 20 with --experimental-wasm-relaxed-simd).
// Usage: node --import tsx bench/kernels/relaxed-diff.ts
import { MLP } from '../../src/index.ts';
import { mnist } from '../../src/node.ts';
import { getBackend, listBackends, setThreads } from '../../src/kernels/select.ts';
import { reference } from '../../src/kernels/reference.ts';
import { Rng } from '../../src/tensor/rng.ts';

if (!listBackends().includes('wasm-relaxed')) {
  console.log('no wasm-relaxed here (Node 20: add --experimental-wasm-relaxed-simd)');
  process.exit(0);
}
setThreads(1);
const rng = new Rng(1);
console.log(`# relaxed vs plain SIMD, node ${process.version}`);
console.log('| gemm shape | max relative error, plain | max relative error, relaxed | entries that differ |');
console.log('|---|---|---|---|');
for (const [M, N, K] of [[64, 128, 784], [128, 784, 64], [256, 1024, 1024]]) {
  const A = Float64Array.from({ length: M * K }, () => rng.normal(0, 1)), B = Float64Array.from({ length: N * K }, () => rng.normal(0, 1));
  const want = new Float64Array(M * N), bound = new Float64Array(M * N);
  reference.gemm(false, true, M, N, K, 1, A, B, 0, want);
  reference.gemm(false, true, M, N, K, 1, A.map(Math.abs), B.map(Math.abs), 0, bound);
  const out: Float32Array[] = [];
  let line = `| NT ${M}×${N}×${K} |`;
  for (const name of ['wasm-simd', 'wasm-relaxed']) {
    const be = getBackend(name);
    const a = be.alloc(M * K, 'float32'), b = be.alloc(N * K, 'float32'), c = be.alloc(M * N, 'float32') as Float32Array;
    a.set(A); b.set(B);
    be.gemm(false, true, M, N, K, 1, a, b, 0, c);
    let worst = 0;
    for (let i = 0; i < M * N; i++) worst = Math.max(worst, Math.abs(c[i] - want[i]) / bound[i]);
    line += ` ${worst.toExponential(2)} |`;
    out.push(c);
  }
  let diff = 0;
  for (let i = 0; i < M * N; i++) if (out[0][i] !== out[1][i]) diff++;
  console.log(`${line} ${((100 * diff) / (M * N)).toFixed(1)}% |`);
}

const { train, test } = mnist({ train: 8000, test: 2000, seed: 1 });
const X = new Float32Array(train.x.flat() as number[]);
console.log('\n| run | backend | final training loss | test accuracy | max \\|Δθ\\| vs the other | mean \\|Δθ\\| |');
console.log('|---|---|---|---|---|---|');
for (const run of [
  { name: 'A1 Adam 10 epochs', hidden: [128], optimizer: 'adam', learningRate: 1e-3, batchSize: 64, epochs: 10 },
  { name: 'W1 SGD 5 epochs', hidden: [128, 64], optimizer: 'sgd', learningRate: 0.05, batchSize: 128, epochs: 5 },
] as const) {
  const res = ['wasm-simd', 'wasm-relaxed'].map((backend) => {
    const m = new MLP({ task: 'classification', hidden: [...run.hidden], activation: 'relu', backend, seed: 1, scaleInputs: 'none', optimizer: run.optimizer, learningRate: run.learningRate, batchSize: run.batchSize });
    const h = m.fit({ data: X, shape: [8000, 784] }, train.y as number[], { epochs: run.epochs });
    const ev = m.evaluate(test.x, test.y) as { accuracy: number };
    return { backend, loss: h.epochs[h.epochs.length - 1].loss, acc: ev.accuracy, w: m.parameters() };
  });
  let max = 0, sum = 0;
  for (let i = 0; i < res[0].w.length; i++) {
    const d = Math.abs(res[0].w[i] - res[1].w[i]);
    max = Math.max(max, d);
    sum += d;
  }
  for (const r of res) console.log(`| ${run.name} | ${r.backend} | ${r.loss.toFixed(6)} | ${(100 * r.acc).toFixed(2)}% | ${max.toExponential(2)} | ${(sum / res[0].w.length).toExponential(2)} |`);
}
