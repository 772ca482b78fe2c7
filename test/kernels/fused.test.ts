// The small-network path (kernels/fused.ts) against the unfused kernels it stands for: the same
// model trained at batch size 1 with plain SGD, once fused (fit with no per-batch callback) and
// once unfused (a per-batch callback forces the kernel-by-kernel path).
// Stated: the weights after 200 updates are the same bits, and so are the epoch losses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP, type ActivationName, type LossName } from '../../src/index.ts';
import { Rng } from '../../src/lowlevel.ts';

const rng = new Rng(3);
const x = Array.from({ length: 40 }, () => [rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1)]);
const labels = x.map(([a, b]) => (a * b > 0 ? 1 : 0));
const targets = x.map(([a, b, c]) => [a + b, b * c]);

const cases: [ActivationName[], ActivationName, LossName, 'classification' | 'regression'][] = [
  [['tanh', 'tanh'], 'sigmoid', 'mse', 'classification'],
  [['tanh', 'tanh'], 'sigmoid', 'bce', 'classification'],
  [['relu', 'sigmoid'], 'identity', 'sse', 'regression'],
  [['leakyRelu'], 'identity', 'huber', 'regression'],
  [['elu', 'gelu'], 'tanh', 'mae', 'regression'],
  [['softplus'], 'identity', 'mse', 'regression'],
];

for (const backend of ['js', 'auto']) {
  for (const [hidden, out, loss, task] of cases) {
    test(`fused batch-1 SGD step = unfused kernels (${backend}): hidden ${hidden.join('/')}, ${out} + ${loss}`, () => {
      const make = () => new MLP({ task, hidden: hidden.map(() => 6), activation: hidden, outputActivation: out, loss, seed: 5, backend });
      const y = task === 'classification' ? labels : targets;
      const fit = { epochs: 5, batchSize: 1, optimizer: 'sgd' as const, learningRate: 0.05, weightDecay: 0.01 };
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

test('the fused path is bit-identical run to run (same seed, same backend)', () => {
  const run = () => {
    const m = new MLP({ task: 'classification', hidden: [8, 8], activation: 'tanh', outputActivation: 'sigmoid', loss: 'mse', seed: 1 });
    m.fit(x, labels, { epochs: 3, batchSize: 1, optimizer: 'sgd', learningRate: 0.1 });
    return Array.from(m.parameters());
  };
  assert.deepEqual(run(), run());
});
