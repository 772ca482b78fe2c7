// Where a training step's time goes, kernel by kernel: wraps a backend so that every call is
// timed, trains W1-shaped (784-128-64-10 ReLU, softmax + cross-entropy, batch 128, SGD) or
// W3-shaped networks (2-8-8-1 tanh, sigmoid, MSE, batch 1) through MLP.fit, and prints each
// kernel's share of the kernel time and the share of fit's time spent outside the kernels.
// or A1-shaped (MNIST 8k, 784-128-10 ReLU, softmax + cross-entropy, batch 64, Adam 1e-3).
// or T1-shaped (40-64-64-4 ReLU on 20,000 random rows, batch 256, Adam 1e-3, 20 epochs).
// Usage: node --import tsx bench/kernels/profile-step.ts [w1|w3|a1|t1] [backend] [threads]
import { MLP } from '../../src/index.ts';
import { Rng } from '../../src/lowlevel.ts';
import { mnist } from '../../src/node.ts';
import { getBackend, registerBackend, setThreads } from '../../src/kernels/select.ts';
import { disposeWasm, waitForWorkers } from '../../src/kernels/wasm.ts';
import type { Backend } from '../../src/kernels/backend.ts';

const work = process.argv[2] ?? 'w1';
const inner = getBackend(process.argv[3] ?? 'auto', 'float32');
setThreads(Number(process.argv[4] ?? 1));
await waitForWorkers(10000);

const time: Record<string, number> = {};
const calls: Record<string, number> = {};
const timed = { ...inner, name: 'timed' } as Record<string, unknown>;
for (const [k, f] of Object.entries(inner)) {
  if (typeof f !== 'function' || k === 'alloc' || k === 'supports') continue;
  time[k] = 0;
  calls[k] = 0;
  timed[k] = (...args: unknown[]) => {
    const t0 = performance.now();
    const r = (f as (...a: unknown[]) => unknown)(...args);
    time[k] += performance.now() - t0;
    calls[k]++;
    return r;
  };
}
registerBackend(timed as unknown as Backend, 99);

let fitMs = 0;
if (work === 'w1') {
  const n = 4096, d = 784, rng = new Rng(1);
  const X = new Float32Array(n * d);
  for (let i = 0; i < X.length; i++) X[i] = rng.uniform() < 0.2 ? rng.uniform() : 0;
  const y = Array.from({ length: n }, (_, i) => i % 10);
  const m = new MLP({ task: 'classification', hidden: [128, 64], activation: 'relu', backend: 'timed', scaleInputs: 'none' });
  m.fit({ data: X, shape: [n, d] }, y, { epochs: 1, batchSize: 128, optimizer: 'sgd', learningRate: 0.05 });
  for (const k of Object.keys(time)) { time[k] = 0; calls[k] = 0; }
  const t0 = performance.now();
  m.fit({ data: X, shape: [n, d] }, y, { epochs: 2, batchSize: 128, optimizer: 'sgd', learningRate: 0.05 });
  fitMs = performance.now() - t0;
} else if (work === 'a1') {
  const { train } = mnist({ train: 8000, test: 0, seed: 1 });
  const m = new MLP({ task: 'classification', hidden: [128], activation: 'relu', backend: 'timed', seed: 1 });
  m.fit(train.x, train.y, { epochs: 1, batchSize: 64, optimizer: 'adam', learningRate: 1e-3 });
  for (const k of Object.keys(time)) { time[k] = 0; calls[k] = 0; }
  const t0 = performance.now();
  m.fit(train.x, train.y, { epochs: 10, batchSize: 64, optimizer: 'adam', learningRate: 1e-3 });
  fitMs = performance.now() - t0;
} else if (work === 't1') {
  const n = 20000, d = 40, rng = new Rng(4);
  const X = new Float32Array(n * d);
  for (let i = 0; i < X.length; i++) X[i] = rng.normal();
  const y = Array.from({ length: n }, (_, i) => (X[i * d] + X[i * d + 1] * X[i * d + 2] > 0 ? 1 : 0) + (X[i * d + 3] > 0.5 ? 2 : 0));
  const m = new MLP({ task: 'classification', hidden: [64, 64], activation: 'relu', backend: 'timed', scaleInputs: 'none', seed: 1 });
  m.fit({ data: X, shape: [n, d] }, y, { epochs: 1, batchSize: 256, optimizer: 'adam', learningRate: 1e-3 });
  for (const k of Object.keys(time)) { time[k] = 0; calls[k] = 0; }
  const t0 = performance.now();
  m.fit({ data: X, shape: [n, d] }, y, { epochs: 20, batchSize: 256, optimizer: 'adam', learningRate: 1e-3 });
  fitMs = performance.now() - t0;
} else {
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]], y = [[0], [1], [1], [0]];
  const m = new MLP({ task: 'regression', hidden: [8, 8], activation: 'tanh', outputActivation: 'sigmoid', loss: 'mse', backend: 'timed', scaleInputs: 'none', scaleTargets: 'none' });
  m.fit(x, y, { epochs: 100, batchSize: 1, optimizer: 'sgd', learningRate: 0.1 });
  for (const k of Object.keys(time)) { time[k] = 0; calls[k] = 0; }
  const t0 = performance.now();
  m.fit(x, y, { epochs: 2500, batchSize: 1, optimizer: 'sgd', learningRate: 0.1 });
  fitMs = performance.now() - t0;
}
const total = Object.values(time).reduce((a, b) => a + b, 0);
console.log(`# ${work} on ${inner.name}: fit ${fitMs.toFixed(0)} ms, in kernels ${total.toFixed(0)} ms (${(100 * total / fitMs).toFixed(0)}%; timing adds ~0.1 µs per call)`);
console.log('| kernel | calls | ms | share of kernel time |');
console.log('|---|---|---|---|');
for (const [k, v] of Object.entries(time).sort((a, b) => b[1] - a[1])) {
  if (calls[k] === 0) continue;
  console.log(`| ${k} | ${calls[k]} | ${v.toFixed(1)} | ${(100 * v / total).toFixed(1)}% |`);
}
disposeWasm();
