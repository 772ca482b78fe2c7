// Inputs the way JavaScript data arrives: records (arrays of objects), named columns, typed-array
// rows; read by name, checked value by value, with errors that name the row and field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, ShapeError } from '../../src/index.ts';
import { featureNamesOf, splitTarget, toMatrix } from '../../src/data/input.ts';

const recs = [{ a: 1, b: 2, label: 'x' }, { b: 4, a: 3, label: 'y' }];

test('records: fields in the first record\'s order, each row read by name', () => {
  const { x, y } = splitTarget(recs, 'label', 'fit');
  assert.deepEqual(y, ['x', 'y']);
  assert.deepEqual(featureNamesOf(x), ['a', 'b']);
  const m = toMatrix(x, 'fit');
  assert.deepEqual(m.shape, [2, 2]);
  assert.deepEqual(Array.from(m.data), [1, 2, 3, 4]);
  // a fitted model's names pick the fields, whatever their order, and ignore extra ones
  assert.deepEqual(Array.from(toMatrix([{ b: 9, a: 8, extra: 'z' }], 'predict', 2, ['a', 'b']).data), [8, 9]);
});

test('named columns and typed arrays', () => {
  const cols = { a: Float32Array.from([1, 3]), b: [2, 4], label: [0, 1] };
  const { x, y } = splitTarget(cols, 'label', 'fit');
  assert.deepEqual(y, [0, 1]);
  assert.deepEqual(featureNamesOf(x), ['a', 'b']);
  assert.deepEqual(Array.from(toMatrix(x, 'fit').data), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(toMatrix({ b: [2], a: [1] }, 'predict', 2, ['a', 'b']).data), [1, 2]);
  const rows = [Float64Array.from([1, 2]), Float32Array.from([3, 4])];
  assert.equal(featureNamesOf(rows), null);
  assert.deepEqual(Array.from(toMatrix(rows, 'fit').data), [1, 2, 3, 4]);
  // a matrix stays a matrix
  assert.equal(featureNamesOf({ data: [1, 2], shape: [1, 2] }), null);
});

test('bad records and columns name the row and the field', () => {
  const throwsWith = (f: () => unknown, cls: new (...a: any[]) => Error, re: RegExp, props: Record<string, unknown> = {}) =>
    assert.throws(f, (e: any): boolean => e instanceof cls && re.test(e.message) && Object.entries(props).every(([k, v]) => (e as any)[k] === v));
  throwsWith(() => toMatrix([{ a: 1, b: 2 }, { a: 3 }], 'fit'), DataError, /fit: row 1 has no field "b" \(row 0 has it\)/, { row: 1, field: 'b' });
  throwsWith(() => toMatrix([{ a: 1 }, { a: 'big' }], 'fit'), DataError, /row 1, field "a" is "big", expected a finite number; encode text as numbers first/, { row: 1, column: 'a' });
  throwsWith(() => toMatrix([{ a: NaN }], 'fit'), DataError, /row 0, field "a" is NaN/);
  throwsWith(() => toMatrix([{ a: 1 }, 5 as never], 'fit'), ShapeError, /row 1 is 5, expected an object with fields like row 0 \(a\)/);
  throwsWith(() => toMatrix([{ b: 1 }], 'predict', 1, ['a']), DataError, /row 0 has no field "a", which the model was trained on/);
  throwsWith(() => toMatrix({ a: [1, 2], b: [1] }, 'fit'), ShapeError, /column "b" has 1 values, column "a" has 2/);
  throwsWith(() => toMatrix({ a: [1] }, 'predict', 2, ['a', 'b']), DataError, /no column "b", which the model was trained on; columns given: a/);
  throwsWith(() => toMatrix({ a: 3 as never }, 'fit'), ShapeError, /column "a" is 3, expected an array of numbers/);
  throwsWith(() => toMatrix({}, 'fit'), DataError, /expected at least one feature column, received \{\}/);
  throwsWith(() => toMatrix([Float32Array.from([1, 2]), Float32Array.from([1])], 'fit'), ShapeError, /ragged rows: row 1 has 1 values, expected 2/);
  throwsWith(() => toMatrix([Float32Array.from([1, NaN])], 'fit'), DataError, /row 0, column 1 is NaN/);
  throwsWith(() => splitTarget(recs, 'species', 'fit'), DataError, /the target field "species" is not in row 0 \(fields: a, b, label\)/);
  throwsWith(() => splitTarget([{ a: 1, t: 1 }, { a: 2 }], 't', 'fit'), DataError, /target "t" of row 1 is undefined/);
  throwsWith(() => splitTarget([[1, 2]], 'label', 'fit'), ShapeError, /a target given by name \("label"\) needs records or named columns as x/);
});

test('multi-label metrics: by hand on a 4-row, 3-label case (micro/macro F1, Hamming loss)', async () => {
  const { multiLabelMetrics } = await import('../../src/train/metrics.ts');
  // truth / pred rows: [1,0,1]/[1,0,0], [0,1,0]/[0,1,0], [1,1,0]/[1,0,1], [0,0,1]/[0,0,1]
  const t = [1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1];
  const p = [1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1];
  const m = multiLabelMetrics(t, p, 4, 3);
  // label 0: tp 2 fp 0 fn 0; label 1: tp 1 fp 0 fn 1; label 2: tp 1 fp 1 fn 1
  assert.deepEqual(m.perLabel.map((r) => r.support), [2, 2, 2]);
  assert.equal(m.perLabel[1].recall, 0.5);
  assert.equal(m.perLabel[2].precision, 0.5);
  const f1 = [1, 2 / 3, 0.5];
  assert.ok(Math.abs(m.macro.f1 - (f1[0] + f1[1] + f1[2]) / 3) < 1e-15);
  // micro: tp 4, fp 1, fn 2 → P 0.8, R 4/6, F1 = 2·0.8·(2/3)/(0.8 + 2/3)
  assert.ok(Math.abs(m.micro.f1 - (2 * 0.8 * (2 / 3)) / (0.8 + 2 / 3)) < 1e-15);
  assert.equal(m.hammingLoss, 3 / 12);
  assert.equal(m.subsetAccuracy, 0.5);
});

test('MLP on records: fit(records, "label") names the features; predict reads records by name, columns too', async () => {
  const { MLP, datasets } = await import('../../src/index.ts');
  const iris = datasets.iris();
  const names = iris.featureNames!;
  const records = iris.x.map((r, i) => ({ ...Object.fromEntries(names.map((n, j) => [n, r[j]])), species: iris.classNames![iris.y[i]] }));
  const m = new MLP({ hidden: [16], seed: 1, learningRate: 0.01, epochs: 60 });
  m.fit(records, 'species');
  assert.deepEqual(m.featureNames, names);
  assert.equal(m.targetName, 'species');
  assert.ok(m.score(records.map(({ species: _, ...r }) => r), iris.y.map((c) => iris.classNames![c])) >= 0.95);
  // fields in another order, extra fields ignored: the same predictions as rows in featureNames order
  const shuffled = records.map((r) => ({ species: r.species, ...Object.fromEntries([...names].reverse().map((n) => [n, (r as Record<string, unknown>)[n]])) }));
  assert.deepEqual(m.predict(shuffled), m.predict(iris.x));
  const columns = Object.fromEntries(names.map((n, j) => [n, Float64Array.from(iris.x, (r) => r[j])]));
  assert.deepEqual(m.predict(columns), m.predict(iris.x));
  assert.throws(() => m.predict([{ [names[0]]: 1 }]), /row 0 has no field "petal|row 0 has no field "sepal/);
  // typed-array rows and evaluate with sample weights (weighted loss and accuracy)
  assert.deepEqual(m.predict(iris.x.map((r) => Float32Array.from(r))), m.predict(iris.x.map((r) => Float32Array.from(r))));
  const y = iris.y.map((c) => iris.classNames![c]);
  const plain = m.evaluate(iris.x, y);
  const ones = m.evaluate(iris.x, y, { sampleWeight: iris.y.map(() => 1) });
  assert.ok(Math.abs(ones.loss - plain.loss) < 1e-6);
  const dup = m.evaluate([...iris.x, iris.x[0]], [...y, y[0]]);
  const w = iris.y.map((_, i) => (i === 0 ? 2 : 1));
  assert.ok(Math.abs(m.evaluate(iris.x, y, { sampleWeight: w }).loss - dup.loss) < 1e-6, 'a weight of 2 counts the row twice');
  assert.throws(() => m.evaluate(iris.x, y, { weights: w } as never), /evaluate: unknown option "weights"; the one option is sampleWeight/);
});
