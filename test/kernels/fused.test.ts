// The small-network path (kernels/fused.ts) against the unfused kernels it stands for: the same
// model trained at batch size 1 with plain SGD, once fused (fit with no per-batch callback) and
// once unfused (a per-batch callback forces the kernel-by-kernel path).
// Stated: the weights after 200 updates are the same bits, and so are the epoch losses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP, DivergenceError, type ActivationName, type LossName } from '../../src/index.ts';
import { Rng, setThreads } from '../../src/lowlevel.ts';

const rng = new Rng(3);
const x = Array.from({ length: 40 }, () => [rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1)]);
const labels = x.map(([a, b]) => (a * b > 0 ? 1 : 0));
const targets = x.map(([a, b, c]) => [a + b, b * c]);

// the fifth entry: weight decay (0: W3's case, θ −= η g without the decay term)
const cases: [ActivationName[], ActivationName, LossName, 'classification' | 'regression', number?][] = [
  [['tanh', 'tanh'], 'sigmoid', 'mse', 'classification'],
  [['tanh', 'tanh'], 'sigmoid', 'bce', 'classification'],
  [['relu', 'sigmoid'], 'identity', 'sse', 'regression'],
  [['leakyRelu'], 'identity', 'huber', 'regression'],
  [['elu', 'gelu'], 'tanh', 'mae', 'regression'],
  [['softplus'], 'identity', 'mse', 'regression'],
  [['tanh', 'tanh'], 'sigmoid', 'mse', 'regression', 0],
  [['tanh'], 'identity', 'mae', 'regression'],
];

for (const backend of ['js', 'auto']) {
  for (const [hidden, out, loss, task, weightDecay = 0.01] of cases) {
    test(`fused batch-1 SGD step = unfused kernels (${backend}): hidden ${hidden.join('/')}, ${out} + ${loss}, weight decay ${weightDecay}`, () => {
      const make = () => new MLP({ task, hidden: hidden.map(() => 6), activation: hidden, outputActivation: out, loss, seed: 5, backend });
      const y = task === 'classification' ? labels : targets;
      const fit = { epochs: 5, batchSize: 1, optimizer: 'sgd' as const, learningRate: 0.05, weightDecay };
      const fused = make();
      const hf = fused.fit(x, y, fit);
      const plain = make();
      const hp = plain.fit(x, y, { ...fit, onBatchEnd: () => {} });
      assert.deepEqual(hf.epochs.map((e) => e.loss), hp.epochs.map((e) => e.loss));
      const a = fused.parameters();
      const b = plain.parameters();
      for (let k = 0; k < a.length; k++) assert.ok(Object.is(a[k], b[k]), `param ${k}: fused ${a[k]} vs unfused ${b[k]}`);
      assert.equal(fused.snapshot().training!.optimizer!.t, plain.snapshot().training!.optimizer!.t);
      if (task === 'classification') assert.deepEqual(hf.epochs.map((e) => e.accuracy), hp.epochs.map((e) => e.accuracy));
    });
  }
}

// three classes with sigmoid outputs and mse: accuracy by argmax, which the wasm whole-epoch kernel
// (step1_epoch) counts itself
const labels3 = x.map(([a, b]) => (a + b > 0.5 ? 2 : a + b > -0.5 ? 1 : 0));
for (const backend of ['js', 'auto']) {
  test(`fused batch-1 SGD step = unfused kernels (${backend}): three classes, sigmoid + mse, accuracy by argmax`, () => {
    const make = () => new MLP({ task: 'classification', hidden: [6], activation: 'tanh', outputActivation: 'sigmoid', loss: 'mse', seed: 4, backend });
    const fit = { epochs: 5, batchSize: 1, optimizer: 'sgd' as const, learningRate: 0.1 };
    const fused = make();
    const hf = fused.fit(x, labels3, fit);
    const plain = make();
    const hp = plain.fit(x, labels3, { ...fit, onBatchEnd: () => {} });
    assert.deepEqual(hf.epochs.map((e) => [e.loss, e.accuracy]), hp.epochs.map((e) => [e.loss, e.accuracy]));
    assert.ok(hf.epochs[4].accuracy! > 0.5, `accuracy ${hf.epochs[4].accuracy}`);
    assert.deepEqual(Array.from(fused.parameters()), Array.from(plain.parameters()));
  });
}

test('the fused path is bit-identical run to run (same seed, same backend)', () => {
  const run = () => {
    const m = new MLP({ task: 'classification', hidden: [8, 8], activation: 'tanh', outputActivation: 'sigmoid', loss: 'mse', seed: 1 });
    m.fit(x, labels, { epochs: 3, batchSize: 1, optimizer: 'sgd', learningRate: 0.1 });
    return Array.from(m.parameters());
  };
  assert.deepEqual(run(), run());
});

// The wasm backends' fused step (wasm/sgemm.c step1_*) against the definition: the reference
// backend's unfused kernels. They differ only where tanh/σ do (the float32 polynomials, within
// 2 and 3 ulps, docs/backends.md), and SGD carries those differences along: stated, after 200
// updates of a 3-6-6-1 net (lr 0.05), every parameter within 1e-6 of reference's and every epoch
// loss within 1e-6 relative (measured: 6e-8 to 9e-8 and 2e-9 to 5e-8).
for (const backend of ['wasm-simd', 'wasm-relaxed']) {
  for (const [hidden, out, loss] of [[['tanh', 'tanh'], 'sigmoid', 'mse'], [['tanh', 'relu'], 'sigmoid', 'bce'], [['leakyRelu', 'sigmoid'], 'identity', 'huber']] as [ActivationName[], ActivationName, LossName][]) {
    test(`${backend} fused batch-1 step agrees with reference: hidden ${hidden.join('/')}, ${out} + ${loss}`, (t) => {
      const make = (b: string) => new MLP({ task: 'classification', hidden: [6, 6], activation: hidden, outputActivation: out, loss, seed: 7, backend: b });
      let fused: MLP;
      try {
        fused = make(backend);
      } catch {
        t.skip(`${backend} is not available here`);
        return;
      }
      const fit = { epochs: 5, batchSize: 1, optimizer: 'sgd' as const, learningRate: 0.05, weightDecay: 0.001 };
      const hf = fused.fit(x, labels, fit);
      const ref = make('reference');
      const hr = ref.fit(x, labels, fit);
      for (let e = 0; e < hr.epochs.length; e++) {
        assert.ok(Math.abs(hf.epochs[e].loss - hr.epochs[e].loss) <= 1e-6 * hr.epochs[e].loss, `epoch ${e + 1}: loss ${hf.epochs[e].loss} vs reference ${hr.epochs[e].loss}`);
      }
      const a = fused.parameters();
      const b = ref.parameters();
      let max = 0;
      for (let k = 0; k < a.length; k++) max = Math.max(max, Math.abs(a[k] - b[k]));
      assert.ok(max <= 1e-6, `max |Δθ| = ${max}`);
      // and it is bit-identical to itself, whatever the worker thread count
      const again = make(backend);
      setThreads(2);
      try {
        again.fit(x, labels, fit);
      } finally {
        setThreads(1);
      }
      const c = again.parameters();
      for (let k = 0; k < a.length; k++) assert.ok(Object.is(a[k], c[k]), `param ${k}: ${a[k]} then ${c[k]}`);
    });
  }
}

test('the fused path diverges where the unfused one does: same epoch, batch, message and restored weights', () => {
  for (const backend of ['js', 'auto']) {
    const make = () => new MLP({ task: 'regression', hidden: [6], activation: 'relu', outputActivation: 'identity', loss: 'mse', seed: 2, backend });
    const big = targets.map(([a, b]) => [a * 1e18, b * 1e18]);
    const fit = { epochs: 3, batchSize: 1, optimizer: 'sgd' as const, learningRate: 10 };
    const catchIt = (m: MLP, opts: object): DivergenceError => {
      try {
        m.fit(x, big, { ...fit, ...opts });
      } catch (e) {
        if (e instanceof DivergenceError) return e;
        throw e;
      }
      assert.fail(`${backend}: expected a DivergenceError`);
    };
    const a = make(), b = make();
    const ea = catchIt(a, {});
    const eb = catchIt(b, { onBatchEnd: () => {} });
    assert.equal(ea.message, eb.message);
    assert.deepEqual([ea.epoch, ea.batch], [eb.epoch, eb.batch]);
    assert.deepEqual(Array.from(a.parameters()), Array.from(b.parameters()));
  }
});
