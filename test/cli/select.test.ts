// mlpkit cv, search and importance on real files, and their usage errors.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DATA, mlpkit, tempDir } from './helpers.ts';

const iris = join(DATA, 'iris.csv');

describe('mlpkit cv / search / importance', { concurrency: 3 }, () => {
  const tmp = tempDir();
  after(tmp.cleanup);

  test('cv: 5 stratified folds on iris, mean accuracy ≥ 0.9', async () => {
    const r = await mlpkit(['cv', iris, '--target', 'label', '--hidden', '16', '--lr', '0.01', '--epochs', '50', '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.folds.length, 5);
    assert.equal(o.stratified, true);
    assert.ok(o.mean >= 0.9, `mean ${o.mean}`);
    const text = await mlpkit(['cv', '--dataset', 'iris', '--folds', '3', '--epochs', '5'], tmp.dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /3-fold stratified cross-validation/);
    assert.match(text.stdout, /mean \d\.\d{4} ± \d\.\d{4}/);
  });

  test('search: every --grid combination, best first', async () => {
    const r = await mlpkit(['search', iris, '--target', 'label', '--grid', 'lr=0.000001|0.01', '--grid', 'hidden=8|16,8', '--folds', '3', '--epochs', '30', '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.results.length, 4);
    assert.equal(o.best.params.learningRate, 0.01);
    assert.ok(o.results.some((c: { params: { hidden: number[] } }) => c.params.hidden.join() === '16,8'));
    const bad = await mlpkit(['search', iris, '--grid', 'speed=3'], tmp.dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--grid: expected FLAG=V1\|V2\|… with FLAG one of lr, hidden/);
    const none = await mlpkit(['search', iris], tmp.dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /expected at least one --grid/);
  });

  test('importance: one row per CSV column, in its name; petal columns matter most on iris', async () => {
    const model = join(tmp.dir, 'iris.json');
    const t = await mlpkit(['train', iris, '--target', 'label', '--hidden', '16', '--lr', '0.01', '--epochs', '100', '-q', '-o', model], tmp.dir);
    assert.equal(t.code, 0, t.stderr);
    const r = await mlpkit(['importance', model, iris, '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.deepEqual(o.features.map((f: { feature: string }) => f.feature).sort(), ['petal_length_cm', 'petal_width_cm', 'sepal_length_cm', 'sepal_width_cm']);
    assert.match(o.features[0].feature, /^petal_/);
    assert.ok(o.features[0].importance > 0.1, `top importance ${o.features[0].importance}`);
    const missing = await mlpkit(['importance', join(tmp.dir, 'nope.json'), iris], tmp.dir);
    assert.equal(missing.code, 2);
  });
});
