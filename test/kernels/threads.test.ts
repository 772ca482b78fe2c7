// The threaded wasm gemm and end-to-end training on every backend.
// - threads: gemm split over worker threads gives the very same bits as one thread (each C entry is
//   computed whole by one thread with the same k-blocking), and the split path really ran;
// - training: each backend's loss curve stays within 1e-3 (relative) of the reference backend's,
//   and the same seed twice on one backend and thread count gives bit-identical weights.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { MLP } from '../../src/index.ts';
import { getBackend, listBackends, setThreads } from '../../src/kernels/select.ts';
import { disposeWasm, setWasmAdaptive, waitForWorkers, wasmInfo, THREAD_MIN_MACS } from '../../src/kernels/wasm.ts';
import { Network, type LayerSpec } from '../../src/nn/network.ts';
import { Rng } from '../../src/tensor/rng.ts';

// every large enough job split, even on a busy machine (the tests check that the split ran)
setWasmAdaptive(false);
after(() => disposeWasm());

test('wasm gemm on 2 threads is bit-identical to 1 thread, for every transpose', async () => {
  const be = getBackend('wasm-simd');
  setThreads(2);
  const ready = await waitForWorkers(10000);
  assert.equal(ready, 1, 'expected the one worker thread to start');
  const rng = new Rng(1);
  for (const [M, N, K] of [[130, 200, 300], [300, 70, 257], [64, 1100, 40]]) {
    for (const [tA, tB] of [[false, true], [true, false], [false, false], [true, true]]) {
      const A = be.alloc(M * K, 'float32'), B = be.alloc(K * N, 'float32');
      for (let i = 0; i < A.length; i++) A[i] = rng.normal(0, 1);
      for (let i = 0; i < B.length; i++) B[i] = rng.normal(0, 1);
      const C1 = be.alloc(M * N, 'float32'), C2 = be.alloc(M * N, 'float32');
      C1.fill(0.5); C2.fill(0.5);
      setThreads(1);
      be.gemm(tA, tB, M, N, K, 0.75, A, B, 0.5, C1);
      setThreads(2);
      const before = wasmInfo()!.threadedCalls;
      be.gemm(tA, tB, M, N, K, 0.75, A, B, 0.5, C2);
      assert.equal(wasmInfo()!.threadedCalls, before + 1, 'expected the gemm to be split over threads');
      for (let i = 0; i < M * N; i++) if (C1[i] !== C2[i]) assert.fail(`M=${M} N=${N} K=${K} ${tA}/${tB}: entry ${i} differs: ${C1[i]} vs ${C2[i]}`);
    }
  }
});

test('300 back-to-back threaded gemms of changing shapes: each equals its 1-thread result bit for bit', async () => {
  // a race in the job hand-over (a late worker reading the next job's header, a block done twice
  // or not at all) would show as a wrong or NaN entry here
  const be = getBackend('wasm-simd');
  setThreads(2);
  await waitForWorkers(10000);
  const rng = new Rng(4);
  const shapes = [[64, 512, 72], [96, 48, 480], [40, 1000, 56], [520, 64, 64]];
  const jobs = shapes.map(([M, N, K]) => {
    const A = be.alloc(M * K, 'float32'), B = be.alloc(K * N, 'float32');
    for (let i = 0; i < A.length; i++) A[i] = rng.normal(0, 1);
    for (let i = 0; i < B.length; i++) B[i] = rng.normal(0, 1);
    const want = be.alloc(M * N, 'float32');
    setThreads(1);
    be.gemm(false, true, M, N, K, 1, A, B, 0, want);
    setThreads(2);
    return { M, N, K, A, B, want, C: be.alloc(M * N, 'float32') };
  });
  const before = wasmInfo()!.threadedCalls;
  for (let r = 0; r < 300; r++) {
    const j = jobs[(r * 7) % jobs.length];
    j.C.fill(NaN);
    be.gemm(false, true, j.M, j.N, j.K, 1, j.A, j.B, 0, j.C);
    for (let i = 0; i < j.C.length; i++) if (j.C[i] !== j.want[i]) assert.fail(`round ${r} ${j.M}×${j.N}×${j.K}: entry ${i} is ${j.C[i]}, want ${j.want[i]}`);
  }
  assert.equal(wasmInfo()!.threadedCalls, before + 300);
});

function data(n: number, d: number): { x: number[][]; y: number[] } {
  const rng = new Rng(9);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: d }, () => rng.normal(0, 1));
    x.push(row);
    y.push((row[0] + row[1] * row[2] > 0 ? 1 : 0) + (row[3] > 0.5 ? 1 : 0));
  }
  return { x, y };
}

// tanh + Adam runs the js elementwise kernels; relu + plain SGD the wasm ones (bias_act, relu_backward, sgd_plain)
const configs = [
  { activation: 'tanh', optimizer: 'adam', learningRate: 0.003 },
  { activation: 'relu', optimizer: 'sgd', learningRate: 0.05 },
] as const;

function train(backend: string, threads: number, c: (typeof configs)[number] = configs[0]): { losses: number[]; weights: Float32Array | Float64Array } {
  setThreads(threads);
  const { x, y } = data(256, 300); // 64×128×300 ≥ THREAD_MIN_MACS: the first layer is split
  const m = new MLP({ task: 'classification', hidden: [128, 32], activation: c.activation, backend, seed: 3 });
  const h = m.fit(x, y, { epochs: 4, batchSize: 64, optimizer: c.optimizer, learningRate: c.learningRate });
  assert.equal(m.backendName, backend);
  return { losses: h.epochs.map((e) => e.loss), weights: m.parameters() };
}

test('training on every backend follows the reference loss curve; same seed, same bits', async () => {
  setThreads(2);
  await waitForWorkers(10000);
  for (const c of configs) {
    const ref = train('reference', 1, c);
    for (const name of listBackends().filter((n) => n !== 'reference')) {
      for (const threads of name.startsWith('wasm') ? [1, 2] : [1]) {
        const a = train(name, threads, c);
        for (let e = 0; e < ref.losses.length; e++) {
          assert.ok(Math.abs(a.losses[e] - ref.losses[e]) <= 1e-3 * ref.losses[e], `${name} ×${threads} ${c.activation}: epoch ${e + 1} loss ${a.losses[e]}, reference ${ref.losses[e]}`);
        }
        const b = train(name, threads, c);
        assert.deepEqual(b.losses, a.losses, `${name} ×${threads} ${c.activation}: same seed, different losses`);
        assert.ok(a.weights.every((w, i) => w === b.weights[i]), `${name} ×${threads} ${c.activation}: same seed, different weights`);
      }
    }
  }
  // the thread count does not change the result either
  const w1 = train('wasm-simd', 1).weights;
  const split = wasmInfo()!.threadedCalls;
  const w2 = train('wasm-simd', 2).weights;
  assert.ok(wasmInfo()!.threadedCalls > split, 'expected training on 2 threads to split some gemm calls');
  assert.ok(w1.every((w, i) => w === w2[i]), 'wasm-simd: 1 and 2 threads give different weights');
});

test('inference on 2 threads runs every layer as one split job (forwardRows): the same bits as layer by layer and as 1 thread', async () => {
  const rng = new Rng(5);
  const stacks: { d: number; specs: LayerSpec[]; big?: boolean }[] = [
    { d: 300, specs: [{ units: 96, activation: 'relu' }, { units: 40, activation: 'relu' }, { units: 10, activation: 'softmax' }] },
    { d: 77, specs: [{ units: 50, activation: 'tanh' }, { units: 19, activation: 'sigmoid' }, { units: 3, activation: 'identity' }] },
    { d: 64, specs: [{ units: 33, activation: 'relu', bias: false }, { units: 1, activation: 'sigmoid' }] },
    // large logits (weights × 30) and rows of NaN and ±Infinity: softmax's exp over a wide range, NaN kept
    { d: 200, specs: [{ units: 24, activation: 'tanh' }, { units: 7, activation: 'softmax' }], big: true },
  ];
  const names = listBackends().filter((n) => n.startsWith('wasm'));
  assert.ok(names.length > 0, 'expected a wasm backend here');
  for (const name of names) {
    const be = getBackend(name); // starts the engine, or adds this build to it (the workers then start again)
    setThreads(2);
    assert.equal(await waitForWorkers(10000), 1, 'expected the one worker thread to start');
    for (const { d, specs, big } of stacks) {
      for (const B of [1001, 256, 12]) {
        const net = new Network(be, 'float32', d, specs);
        net.initialize(rng);
        if (big) net.output.W.forEach((w, i, W) => (W[i] = 30 * w));
        const x = be.alloc(B * d, 'float32');
        for (let i = 0; i < x.length; i++) x[i] = i % 7 === 0 ? 0 : rng.normal(0, 1); // zeros: gemm's sparse path too
        if (big) [NaN, Infinity, -Infinity].forEach((v, r) => (x[(r + 1) * d + r] = v));
        const snap = () => net.layers.flatMap((l) => [l.a.slice(0, B * l.nOut), l.h.slice(0, B * l.nOut)]);
        const what = `${name} ${d}-${specs.map((s) => `${s.units}${s.activation}`).join('-')} B=${B}`;
        setThreads(1);
        net.forward(x, B);
        const layered = snap();
        const one = net.infer(x, B);
        assert.deepEqual(snap(), layered, `${what}: infer on 1 thread differs from forward`);
        assert.equal(one, net.output.h);
        setThreads(2);
        for (const l of net.layers) { l.a.fill(NaN); l.h.fill(NaN); }
        const before = wasmInfo()!.threadedCalls;
        net.infer(x, B);
        const split = B * specs.reduce((s, l, i) => s + l.units * (i ? specs[i - 1].units : d), 0) >= THREAD_MIN_MACS;
        assert.equal(wasmInfo()!.threadedCalls - before, split ? 1 : 0, `${what}: expected ${split ? 'one split job' : 'no split'}`);
        const two = snap();
        for (let k = 0; k < two.length; k++) {
          for (let i = 0; i < two[k].length; i++) if (!Object.is(two[k][i], layered[k][i])) assert.fail(`${what}: layer ${k >> 1} ${k & 1 ? 'h' : 'a'}[${i}] is ${two[k][i]} on 2 threads, ${layered[k][i]} layer by layer`);
        }
        net.dispose();
        be.release(x);
      }
    }
  }
});

test('predictProba after training on 2 threads: the same bits as on 1 thread, the forward pass split', async () => {
  const { x, y } = data(1200, 300);
  const m = new MLP({ task: 'classification', hidden: [64], activation: 'relu', backend: 'wasm-simd', seed: 2 });
  setThreads(2);
  await waitForWorkers(10000);
  m.fit(x, y, { epochs: 1, batchSize: 64 });
  const before = wasmInfo()!.threadedCalls;
  const p2 = m.predictProba(x);
  assert.ok(wasmInfo()!.threadedCalls > before, 'expected predictProba to split its forward pass');
  setThreads(1);
  const p1 = m.predictProba(x);
  assert.deepEqual(p2, p1);
});

test('predict on 2 threads finds NaN and ±Infinity in its input inside the split forward pass: the same error as on 1 thread', async () => {
  const { x, y } = data(1200, 300);
  const m = new MLP({ task: 'classification', hidden: [64], activation: 'relu', backend: 'wasm-simd', seed: 2 });
  m.fit(x, y, { epochs: 1, batchSize: 64 });
  const flat = Float32Array.from(x.flat());
  for (const [row, v] of [[777, NaN], [1100, -Infinity], [3, Infinity]] as const) {
    const bad = flat.slice();
    bad[row * 300 + 17] = v;
    const errorOn = (threads: number) => {
      setThreads(threads);
      try {
        m.predict({ data: bad, shape: [1200, 300] });
      } catch (e) {
        return e as { code?: string; row?: number; message: string };
      }
      return null;
    };
    await waitForWorkers(10000);
    const before = wasmInfo()!.threadedCalls;
    const e2 = errorOn(2);
    assert.ok(wasmInfo()!.threadedCalls > before, 'expected the forward pass to be split');
    const e1 = errorOn(1);
    assert.ok(e1 && e2, `expected an error for ${v} in row ${row}`);
    assert.deepEqual([e2.code, e2.row, e2.message], [e1.code, e1.row, e1.message]);
    assert.equal(e2.row, row);
  }
  setThreads(2);
  assert.deepEqual(m.predict({ data: flat, shape: [1200, 300] }), (setThreads(1), m.predict({ data: flat, shape: [1200, 300] })));
});
