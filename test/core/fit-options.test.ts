// Training options of issue 10 through MLP.fit: the plateau rule and exact epochs, unknown options,
// sample and class weights, dropout and bias in the config. Fixed seeds, stated thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DataError, MLP, datasets, trainTestSplit } from '../../src/index.ts';
import { Rng } from '../../src/lowlevel.ts';

const iris = datasets.iris();

test('unknown options are refused, naming the option and the nearest known one', () => {
  const fit = (o: object) => () => new MLP({ hidden: [4] }).fit(iris.x, iris.y, o as never);
  assert.throws(fit({ epoch: 3 }), (e: any) => e instanceof ConfigError && e.code === 'E_CONFIG' && e.field === 'epoch' && e.expected === 'epochs' && /fit: unknown option "epoch"; did you mean "epochs"\?/.test(e.message));
  assert.throws(fit({ learningrate: 0.1 }), /did you mean "learningRate"\?/);
  assert.throws(fit({ sampleWeights: [] }), /did you mean "sampleWeight"\?/);
  assert.throws(fit({ zzz: 1 }), (e: any) => /unknown option "zzz" Known options: epochs, maxEpochs/.test(e.message) && !/did you mean/.test(e.message));
  assert.throws(() => new MLP({ hiden: [3] } as never), (e: any) => e instanceof ConfigError && e.field === 'hiden' && /MLP: unknown option "hiden"; did you mean "hidden"\?/.test(e.message));
});

test('epochs given means exactly that many; left out, the plateau rule stops and keeps the best weights', () => {
  const { train, test: val } = trainTestSplit(iris.x, iris.y, { testSize: 0.3, seed: 0, stratify: true });
  const exact = new MLP({ hidden: [16], seed: 1 }).fit(train.x, train.y, { epochs: 7 });
  assert.equal(exact.epochs.length, 7);
  assert.equal(exact.stopReason, 'completed');
  const m = new MLP({ hidden: [16], seed: 1, learningRate: 0.01 });
  const h = m.fit(train.x, train.y, { validationData: val });
  assert.equal(h.stopReason, 'converged');
  assert.ok(h.epochs.length < m.config.maxEpochs, `${h.epochs.length} epochs`);
  // stopped nIterNoChange epochs after the last epoch that improved by tol
  assert.ok(h.epochs.length - h.bestEpoch >= m.config.nIterNoChange, `best ${h.bestEpoch} of ${h.epochs.length}`);
  // the weights of the best epoch are restored: their validation loss is the best one logged (float32: 1e-6)
  const best = h.epochs[h.bestEpoch - 1].valLoss!;
  assert.equal(best, Math.min(...h.epochs.map((e) => e.valLoss!)));
  assert.ok(Math.abs(m.evaluate(val.x, val.y).loss - best) <= 1e-6 * Math.max(1, best), `restored ${m.evaluate(val.x, val.y).loss} vs best ${best}`);
  // the cap
  const capped = new MLP({ hidden: [16], seed: 1, maxEpochs: 5 }).fit(train.x, train.y);
  assert.equal(capped.epochs.length, 5);
  assert.equal(capped.stopReason, 'maxEpochs');
  assert.throws(() => new MLP({ maxEpochs: 0 }), /expected maxEpochs to be an integer ≥ 1, received 0/);
  assert.throws(() => new MLP({ nIterNoChange: 1.5 }), /expected nIterNoChange to be an integer ≥ 1/);
  assert.throws(() => new MLP({ tol: -1 }), /expected tol ≥ 0, received -1/);
});

test('a sample weight of 2 equals duplicating the row: the weights after full-batch SGD agree within 1e-12 (float64)', () => {
  const rng = new Rng(3);
  const x = Array.from({ length: 12 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const y = x.map((r) => (r[0] + r[1] > 0 ? 'a' : 'b'));
  const w = x.map((_, i) => (i % 4 === 1 ? 2 : 1));
  const dupX = x.flatMap((r, i) => (w[i] === 2 ? [r, r] : [r]));
  const dupY = y.flatMap((v, i) => (w[i] === 2 ? [v, v] : [v]));
  // no fitted scaling (the duplicate would move the mean) and no shuffle: one full batch per epoch
  const cfg = { hidden: [5], seed: 4, dtype: 'float64' as const, backend: 'js', scaleInputs: 'none' as const };
  const fit = { epochs: 5, batchSize: 100, optimizer: 'sgd' as const, learningRate: 0.1, shuffle: false };
  const a = new MLP(cfg);
  a.fit(x, y, { ...fit, sampleWeight: w });
  const b = new MLP(cfg);
  b.fit(dupX, dupY, fit);
  const pa = a.parameters();
  const pb = b.parameters();
  pa.forEach((v, k) => assert.ok(Math.abs(v - pb[k]) <= 1e-12, `param ${k}: ${v} vs ${pb[k]}`));
});

test('classWeight "balanced" raises minority recall on a 1:20 imbalanced set by at least 0.25', () => {
  // two overlapping Gaussian blobs 1.5σ apart, 20:1; the test set has the same mix
  const make = (seed: number) => {
    const rng = new Rng(seed);
    const x: number[][] = [];
    const y: string[] = [];
    for (let i = 0; i < 1050; i++) {
      const minority = i % 21 === 0;
      x.push([rng.normal(minority ? 1.5 : 0, 1), rng.normal(0, 1)]);
      y.push(minority ? 'rare' : 'common');
    }
    return { x, y };
  };
  const train = make(1);
  const held = make(2);
  const recall = (m: MLP) => {
    const ev = m.evaluate(held.x, held.y);
    if (ev.task !== 'classification') throw new Error('classification expected');
    return ev.perClass[ev.classes.indexOf('rare')].recall;
  };
  const plain = new MLP({ hidden: [8], seed: 1, epochs: 30 });
  plain.fit(train.x, train.y);
  const balanced = new MLP({ hidden: [8], seed: 1, epochs: 30, classWeight: 'balanced' });
  balanced.fit(train.x, train.y);
  const r0 = recall(plain);
  const r1 = recall(balanced);
  assert.ok(r1 - r0 >= 0.25, `minority recall ${r0} → ${r1}`);
  // a map works the same way; and in fit options
  const mapped = new MLP({ hidden: [8], seed: 1, epochs: 30 });
  mapped.fit(train.x, train.y, { classWeight: { rare: 20 } });
  assert.ok(recall(mapped) - r0 >= 0.25, `map: ${recall(mapped)}`);
});

test('bad sample and class weights are refused before training, naming the row or class', () => {
  const fit = (o: object, y: unknown[] = iris.y) => () => new MLP({ hidden: [4], epochs: 1 }).fit(iris.x, y as never, o as never);
  const w = iris.y.map(() => 1);
  assert.throws(fit({ sampleWeight: w.slice(1) }), (e: any) => e instanceof DataError && /sampleWeight has 149 values for 150 rows/.test(e.message));
  assert.throws(fit({ sampleWeight: w.map((v, i) => (i === 7 ? -1 : v)) }), (e: any) => e.row === 7 && /sampleWeight\[7\] is -1, expected a finite number ≥ 0/.test(e.message));
  assert.throws(fit({ sampleWeight: w.map((v, i) => (i === 3 ? NaN : v)) }), /sampleWeight\[3\] is NaN/);
  assert.throws(fit({ sampleWeight: w.map(() => 0) }), /every sample weight is 0/);
  assert.throws(fit({ sampleWeight: 3 }), /expected sampleWeight to be an array of one number per row, received 3/);
  assert.throws(fit({ classWeight: { 7: 2 } }), (e: any) => e.code === 'E_LABEL' && /classWeight names class "7", which is not among the labels \(0, 1, 2\)/.test(e.message));
  assert.throws(fit({ classWeight: { 1: -2 } }), /classWeight for "1" is -2, expected a finite number ≥ 0/);
  assert.throws(fit({ classWeight: 'even' }), /expected classWeight to be "balanced" or an object of label → weight/);
  assert.throws(fit({ classWeight: 'balanced' }, iris.x.map((r) => r[0] * 1.1)), /classWeight applies to classification/);
});

test('dropout and bias in the config: rate 0 is no dropout bit for bit; dropout trains, and is off at inference', () => {
  const base = { hidden: [16, 16], seed: 3, epochs: 20, learningRate: 0.01 };
  const p0 = new MLP(base);
  p0.fit(iris.x, iris.y);
  const pz = new MLP({ ...base, dropout: 0 });
  pz.fit(iris.x, iris.y);
  assert.deepEqual(Array.from(pz.parameters()), Array.from(p0.parameters()));
  const d = new MLP({ ...base, dropout: [0.3, 0], epochs: 60 });
  d.fit(iris.x, iris.y);
  assert.ok(d.score(iris.x, iris.y) >= 0.9, `accuracy with dropout ${d.score(iris.x, iris.y)}`);
  assert.deepEqual(d.predictProba(iris.x), d.predictProba(iris.x), 'inference is deterministic');
  const same = new MLP({ ...base, epochs: 60 });
  same.fit(iris.x, iris.y);
  assert.notDeepEqual(Array.from(d.parameters()), Array.from(same.parameters()), 'dropout changed the training');
  const nb = new MLP({ hidden: [8], bias: [true, false], seed: 1, epochs: 5 });
  nb.fit(iris.x, iris.y);
  assert.equal(nb.parameters().length, 4 * 8 + 8 + 8 * 3, 'W1, b1, W2 and no b2');
  assert.throws(() => new MLP({ hidden: [8], bias: [true] }), /expected bias to be true, false, or one boolean per layer \(2: the hidden layers, then the output\)/);
  assert.throws(() => new MLP({ hidden: [8], dropout: 1 }), /expected dropout to be a rate in \[0, 1\)/);
  assert.throws(() => new MLP({ hidden: [8], dropout: [0.1, 0.1] }), /one per hidden layer \(1\)/);
  assert.throws(() => new MLP({ hidden: [8], init: ['heNormal'] }), /expected init to be one initializer or one per layer \(2/);
  assert.throws(() => new MLP({ biasInit: 'ones' as never }), /MLP: biasInit: unknown initializer "ones"/);
});

test('a bias-less model (a bias only in the first layer) loads, trains, saves and reloads bit-exactly', async () => {
  const { toJSON, fromJSON, toBytes, fromBytes } = await import('../../src/index.ts');
  const m = new MLP({ hidden: [6, 4], bias: [true, false, false], seed: 2, epochs: 5, learningRate: 0.01 });
  m.fit(iris.x, iris.y);
  const doc = toJSON(m);
  assert.equal(doc.layers[1].bias, false);
  assert.equal(doc.layers[0].bias, undefined);
  assert.equal((doc.weights.layers[2] as Record<string, unknown>).b, undefined, 'no b for a bias-less layer');
  const back = fromJSON(JSON.parse(JSON.stringify(doc)));
  assert.deepEqual(Array.from(back.parameters()), Array.from(m.parameters()));
  assert.deepEqual(back.layers.map((l) => l.bias), [true, false, false]);
  // training continues identically from the file (optimizer and generator state saved)
  m.fit(iris.x, iris.y, { epochs: 3 });
  back.fit(iris.x, iris.y, { epochs: 3 });
  assert.deepEqual(Array.from(back.parameters()), Array.from(m.parameters()));
  const again = fromBytes(toBytes(back));
  assert.deepEqual(Array.from(again.parameters()), Array.from(m.parameters()));
  assert.deepEqual(toJSON(again), toJSON(back));
  // a b for a bias-less layer is refused, naming the field
  const bad = JSON.parse(JSON.stringify(toJSON(m, { weights: 'nested' })));
  bad.weights.layers[1].b = [0, 0, 0, 0];
  assert.throws(() => fromJSON(bad), /weights\.layers\[1\]\.b.*bias: false/);
});
