// Model selection: folds, crossValidate, grid and random search, permutation importance, and their
// bad-input errors. Real data (iris), fixed seeds, stated thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, MLP, datasets, crossValidate, gridSearch, randomSearch, permutationImportance } from '../../src/index.ts';
import { Rng } from '../../src/lowlevel.ts';
import { kFold, stratifiedKFold } from '../../src/select/folds.ts';

const iris = datasets.iris();
const quick = { hidden: [16], seed: 1, learningRate: 0.01, epochs: 60 };

test('folds: every row tested exactly once, sizes within one, stratified folds keep the class mix', () => {
  const plain = kFold(23, 5, new Rng(1));
  assert.deepEqual(plain.map((f) => f.length), [5, 5, 5, 4, 4]);
  assert.deepEqual(plain.flatMap((f) => Array.from(f)).sort((a, b) => a - b), Array.from({ length: 23 }, (_, i) => i));
  const strat = stratifiedKFold(iris.y, 5, new Rng(1));
  for (const f of strat) {
    assert.equal(f.length, 30);
    for (const c of new Set(iris.y)) assert.equal(Array.from(f).filter((i) => iris.y[i] === c).length, 10, `class ${c} in a fold`);
  }
  assert.deepEqual(strat.flatMap((f) => Array.from(f)).sort((a, b) => a - b), Array.from({ length: 150 }, (_, i) => i));
});

test('crossValidate: 5-fold stratified on iris, mean accuracy ≥ 0.93, deterministic for a seed', () => {
  const r = crossValidate(quick, iris.x, iris.y, { folds: 5, seed: 3 });
  assert.equal(r.stratified, true);
  assert.equal(r.scores.length, 5);
  assert.ok(r.mean >= 0.93, `mean ${r.mean}`);
  assert.ok(r.folds.every((f) => f.trainRows === 120 && f.testRows === 30 && f.epochs === 60));
  assert.ok(r.std >= 0 && r.std < 0.1, `std ${r.std}`);
  assert.deepEqual(crossValidate(quick, iris.x, iris.y, { folds: 5, seed: 3 }).scores, r.scores);
  // regression targets: plain folds, R²
  const { x, y } = datasets.moons({ n: 120, noise: 0.1, seed: 2 });
  const reg = crossValidate({ ...quick, task: 'regression' }, x, x.map((row) => row[0] + 2 * row[1]), { folds: 3 });
  assert.equal(reg.stratified, false);
  assert.ok(reg.mean > 0.95, `R² ${reg.mean}`);
  void y;
});

test('crossValidate refuses bad input before training, naming the option', () => {
  const e = (f: () => unknown, re: RegExp) => assert.throws(f, (err: unknown) => err instanceof ConfigError && err.code === 'E_CONFIG' && re.test(err.message));
  e(() => crossValidate(quick, iris.x, iris.y, { folds: 1 }), /expected folds to be an integer ≥ 2, received 1/);
  e(() => crossValidate(quick, iris.x.slice(0, 3), iris.y.slice(0, 3), { folds: 4, stratify: false }), /4 folds need at least 4 rows, received 3/);
  e(() => crossValidate(quick, iris.x.slice(0, 52), iris.y.slice(0, 52), { folds: 5 }), /class 1 has 2 rows, fewer than the 5 folds.*use folds: 2 or stratify: false/);
  e(() => crossValidate(quick, iris.x, iris.y, { fold: 3 } as never), /unknown option "fold"; did you mean "folds"\?/);
  e(() => crossValidate({ ...quick, hiden: [3] } as never, iris.x, iris.y), /unknown option "hiden"/);
  assert.throws(() => crossValidate(quick, iris.x, iris.y.slice(1)), /x has 150 rows but y has 149/);
});

test('gridSearch: every combination, best first; a learning rate that cannot learn in 30 epochs loses', () => {
  const s = gridSearch({ learningRate: [1e-6, 0.01], hidden: [[4], [16]] }, iris.x, iris.y, { folds: 3, seed: 1, base: { seed: 1, epochs: 30 } });
  assert.equal(s.results.length, 4);
  assert.equal(s.best.params.learningRate, 0.01);
  assert.ok(s.best.mean >= 0.85, `best ${s.best.mean}`);
  assert.ok(s.results.every((r, i) => i === 0 || r.mean <= s.results[i - 1].mean), 'sorted best first');
  assert.ok(s.results.filter((r) => r.params.learningRate === 1e-6).every((r) => r.mean < 0.8));
  assert.throws(() => gridSearch({}, iris.x, iris.y), /expected at least one option to search/);
  assert.throws(() => gridSearch({ learningRate: [] }, iris.x, iris.y), /option "learningRate": expected a non-empty array/);
  assert.throws(() => gridSearch({ learningRate: [-1] }, iris.x, iris.y), /learningRate/);
  assert.throws(() => gridSearch({ learningRate: [0.01] }, iris.x, iris.y, { bse: {} } as never), /unknown option "bse"; did you mean "base"\?/);
});

test('randomSearch: draws from lists and (log) ranges, seeded', () => {
  const opts = { folds: 3, seed: 4, iterations: 3, base: { seed: 1, epochs: 20, hidden: [8] } };
  const s = randomSearch({ learningRate: { min: 1e-3, max: 3e-2, log: true }, batchSize: [16, 32] }, iris.x, iris.y, opts);
  assert.equal(s.results.length, 3);
  for (const r of s.results) {
    assert.ok(r.params.learningRate! >= 1e-3 && r.params.learningRate! <= 3e-2);
    assert.ok([16, 32].includes(r.params.batchSize!));
  }
  assert.deepEqual(randomSearch({ learningRate: { min: 1e-3, max: 3e-2, log: true }, batchSize: [16, 32] }, iris.x, iris.y, opts).results.map((r) => r.params), s.results.map((r) => r.params));
  assert.throws(() => randomSearch({ learningRate: { min: 0, max: 1, log: true } }, iris.x, iris.y), /expected a range \{ min, max \} with min ≤ max and min > 0 for log/);
  assert.throws(() => randomSearch({ learningRate: [0.01] }, iris.x, iris.y, { iterations: 0 }), /expected iterations to be an integer ≥ 1, received 0/);
});

test('permutationImportance: the column the target depends on matters, the noise columns do not', () => {
  const rng = new Rng(5);
  const x = Array.from({ length: 300 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const y = x.map((r) => (r[1] > 0 ? 'yes' : 'no'));
  const model = new MLP({ hidden: [16], seed: 2, learningRate: 0.01, epochs: 60 });
  model.fit(x, y);
  const imp = permutationImportance(model, x, y, { repeats: 5, seed: 1, featureNames: ['noise a', 'signal', 'noise b'] });
  assert.ok(imp.baseline >= 0.97, `baseline ${imp.baseline}`);
  assert.equal(imp.features[0].feature, 'signal');
  assert.ok(imp.features[0].importance >= 0.3, `signal ${imp.features[0].importance}`);
  for (const f of imp.features.slice(1)) assert.ok(Math.abs(f.importance) <= 0.05, `${f.feature}: ${f.importance}`);
  // names default to the model's featureNames, else x1..xd
  assert.deepEqual(permutationImportance(model, x, y, { repeats: 1 }).features.map((f) => f.feature).sort(), ['x1', 'x2', 'x3']);
  assert.throws(() => permutationImportance(new MLP(), x, y), /call fit\(x, y\) first/);
  assert.throws(() => permutationImportance(model, x, y, { repeats: 0 }), /expected repeats to be an integer ≥ 1, received 0/);
  assert.throws(() => permutationImportance(model, x, y, { featureNames: ['a'] }), /1 feature names for 3 columns/);
  assert.throws(() => permutationImportance(model, x, y, { repeat: 2 } as never), /unknown option "repeat"; did you mean "repeats"\?/);
});
