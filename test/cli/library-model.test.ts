// A model saved by the library (or exported by the playground) works with eval and predict when it
// carries featureNames: the CLI reads those columns from the CSV. Without names it says so (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MLP, datasets } from '../../src/index.ts';
import { saveModel } from '../../src/node.ts';
import { DATA, mlpkit, tempDir } from './helpers.ts';

test('eval and predict a library-saved model by its featureNames; refuse one without names', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const d = datasets.iris();
    const m = new MLP({ hidden: [8], seed: 1 });
    m.fit(d.x, d.y, { epochs: 60, learningRate: 0.01 });
    m.featureNames = d.featureNames;
    m.targetName = 'label';
    saveModel(m, join(dir, 'lib.json'));
    const ev = await mlpkit(['eval', join(dir, 'lib.json'), join(DATA, 'iris.csv'), '--json'], dir);
    assert.equal(ev.code, 0, ev.stderr);
    assert.ok(Math.abs(JSON.parse(ev.stdout).accuracy - m.score(d.x, d.y)) < 1e-12, ev.stdout);
    const pr = await mlpkit(['predict', join(dir, 'lib.json'), join(DATA, 'iris.csv')], dir);
    assert.equal(pr.code, 0, pr.stderr);
    assert.deepEqual(pr.stdout.trim().split('\n').slice(1).map(Number), m.predict(d.x));
    m.featureNames = null;
    saveModel(m, join(dir, 'nonames.json'));
    const bad = await mlpkit(['predict', join(dir, 'nonames.json'), join(DATA, 'iris.csv')], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /without column names .* set model\.featureNames/);
  } finally {
    cleanup();
  }
});
