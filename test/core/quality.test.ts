// Learning quality with the default initializers: the two-spiral protocol of issue 10 (the one
// scikit-learn and PyTorch reach ~0.96 / ~0.97 on): 500 points, stratified 70/30 split, 2-64-64-1
// ReLU, Adam 1e-3, batch 32, 200 epochs, standardized inputs. Threshold (stated): ≥ 0.93 test
// accuracy for each seed, on datasets.spirals and on the classic noisy two-spiral set.
// (He weights with zero biases, the old default, reach ~0.62 on the classic set: docs/initialization.md.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLP } from '../../src/index.ts';
import { spiralSplit, SPIRAL_PROTOCOL, type SpiralSet } from '../../bench/quality/spirals.ts';

for (const set of ['mlpkit', 'classic'] as SpiralSet[]) {
  for (const seed of [0, 1]) {
    test(`two spirals (${set} set, seed ${seed}): the scikit-learn protocol reaches ≥ 0.93 test accuracy with default initializers`, () => {
      const { train, test: held } = spiralSplit(set, seed);
      const m = new MLP({ hidden: [...SPIRAL_PROTOCOL.hidden], activation: 'relu', seed, backend: 'js' });
      m.fit(train.x, train.y, { epochs: 200, batchSize: 32, optimizer: 'adam', learningRate: 1e-3 });
      const acc = m.score(held.x, held.y);
      assert.ok(acc >= 0.93, `test accuracy ${acc} < 0.93`);
    });
  }
}
