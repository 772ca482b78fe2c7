// End to end: train → eval → predict on real CSV files (iris, digits, a regression file with
// categorical features and missing values), the CLI run as a subprocess.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { DATA, FIXTURES, mlpkit, tempDir, usageMessage } from './helpers.ts';

const iris = join(DATA, 'iris.csv');
const digits = join(DATA, 'digits.csv');
const houses = join(FIXTURES, 'houses.csv');

function csvRows(text: string): Record<string, string>[] {
  return Papa.parse<Record<string, string>>(text.trim(), { header: true }).data;
}

describe('mlpkit train → eval → predict', () => {
  const tmp = tempDir();
  const at = (f: string) => join(tmp.dir, f);
  after(tmp.cleanup);

  test('iris: train prints the result, eval reports the same accuracy, predict agrees with it', async () => {
    const t = await mlpkit(['train', iris, '--target', 'label', '--epochs', '60', '--out', at('iris.json'), '--json'], tmp.dir);
    assert.equal(t.code, 0, t.stderr);
    const trained = JSON.parse(t.stdout);
    assert.equal(trained.task, 'classification');
    assert.deepEqual(trained.classes, [0, 1, 2]);
    assert.equal(trained.epochs, 60);
    assert.equal(trained.history.length, 60);
    // one progress line per epoch on stderr when it is not a terminal
    assert.equal(t.stderr.split('\n').filter((l) => /^epoch +\d+\/60 {2}loss/.test(l)).length, 60);
    const trainAcc = trained.results.training.accuracy;
    assert.ok(trainAcc >= 0.9, `iris training accuracy ${trainAcc} < 0.9`);

    const e = await mlpkit(['eval', at('iris.json'), iris, '--json'], tmp.dir);
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout);
    assert.equal(ev.rows, 150);
    assert.equal(ev.accuracy, trainAcc, 'eval on the training file gives the accuracy train reported');
    assert.equal(ev.confusion.flat().reduce((a: number, b: number) => a + b, 0), 150);

    const p = await mlpkit(['predict', at('iris.json'), iris], tmp.dir);
    assert.equal(p.code, 0, p.stderr);
    const pred = csvRows(p.stdout);
    const truth = csvRows(readFileSync(iris, 'utf8'));
    assert.equal(pred.length, 150);
    const correct = pred.filter((r, i) => r.label === truth[i].label).length;
    assert.equal(correct / 150, ev.accuracy, 'predictions match the labels as often as eval says');

    // the human-readable eval prints the same figure
    const h = await mlpkit(['eval', at('iris.json'), iris], tmp.dir);
    assert.match(h.stdout, new RegExp(`accuracy ${ev.accuracy.toFixed(4)} +\\(${correct} of 150 correct\\)`));
    assert.match(h.stdout, /confusion matrix/);
  });

  test('predict: columns in any order, no target column, --proba, --out; a missing column is named', async () => {
    // iris with the columns reversed and the target dropped
    const rows = csvRows(readFileSync(iris, 'utf8'));
    const cols = ['petal_width_cm', 'petal_length_cm', 'sepal_width_cm', 'sepal_length_cm'];
    writeFileSync(at('shuffled.csv'), [cols.join(','), ...rows.map((r) => cols.map((c) => r[c]).join(','))].join('\n') + '\n');
    const a = await mlpkit(['predict', at('iris.json'), iris, '--proba'], tmp.dir);
    const b = await mlpkit(['predict', at('iris.json'), at('shuffled.csv'), '--proba', '--out', at('pred.csv')], tmp.dir);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(readFileSync(at('pred.csv'), 'utf8'), a.stdout, 'same predictions whatever the column order');
    const first = csvRows(a.stdout)[0];
    assert.deepEqual(Object.keys(first), ['label', 'p_0', 'p_1', 'p_2']);
    const sum = Number(first.p_0) + Number(first.p_1) + Number(first.p_2);
    assert.ok(Math.abs(sum - 1) < 1e-6, `probabilities sum to ${sum}`);

    writeFileSync(at('missing-col.csv'), 'petal_width_cm,sepal_width_cm,sepal_length_cm\n0.2,3.5,5.1\n');
    const m = usageMessage(await mlpkit(['predict', at('iris.json'), at('missing-col.csv')], tmp.dir));
    assert.match(m, /has no column "petal_length_cm", which the model was trained on/);
    // eval needs the target
    const t = usageMessage(await mlpkit(['eval', at('iris.json'), at('shuffled.csv')], tmp.dir));
    assert.match(t, /has no column "label"/);
  });

  test('info, gradcheck and trace read the saved model', async () => {
    const i = await mlpkit(['info', at('iris.json')], tmp.dir);
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stdout, /dense_1 +\[N, 64\] +relu +320/);
    assert.match(i.stdout, /dense_2 \(output\) +\[N, 3\] +softmax +195/);
    assert.match(i.stdout, /total parameters: 515/);
    assert.match(i.stdout, /backend here: \S+ \(trained on \S+\)/);
    const g = await mlpkit(['gradcheck', at('iris.json'), iris, '--json'], tmp.dir);
    assert.equal(g.code, 0, g.stderr);
    const report = JSON.parse(g.stdout);
    assert.equal(report.passed, true);
    assert.equal(report.entries.length, 4); // W and b of two layers
    const tr = await mlpkit(['trace', at('iris.json'), iris, '--row', '3', '--json'], tmp.dir);
    assert.equal(tr.code, 0, tr.stderr);
    const trace = JSON.parse(tr.stdout);
    assert.equal(trace.line, 4);
    assert.equal(trace.layers.length, 2);
    // δ = ∂L/∂h ∘ f'(a) in the hidden layer, as the table shows it
    const l1 = trace.layers[0];
    l1.delta.forEach((d: number, j: number) => assert.ok(Math.abs(d - l1.dLdh[j] * l1.fprime[j]) <= 1e-12, `unit ${j}: δ ${d} vs ∂L/∂h·f' ${l1.dLdh[j] * l1.fprime[j]}`));
    const text = await mlpkit(['trace', at('iris.json'), iris, '--row', '3'], tmp.dir);
    assert.match(text.stdout, /layer 1: relu, 4 → 64/);
    assert.match(text.stdout, /unit +a +h = f\(a\) +f'\(a\) +∂L\/∂h +δ = ∂L\/∂a +∂L\/∂b/);
  });

  test('digits: a validation split, and a resumed run ends with the same weights as an uninterrupted one', async () => {
    const full = await mlpkit(['train', digits, '--epochs', '4', '--val-split', '0.2', '--out', at('full.json'), '--quiet'], tmp.dir);
    assert.equal(full.code, 0, full.stderr);
    const part = await mlpkit(['train', digits, '--epochs', '2', '--val-split', '0.2', '--checkpoint-every', '1', '--out', at('part.json'), '--quiet'], tmp.dir);
    assert.equal(part.code, 0, part.stderr);
    const resumed = await mlpkit(['train', '--resume', at('part.ckpt.json'), '--epochs', '4', '--out', at('resumed.json'), '--json'], tmp.dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    const out = JSON.parse(resumed.stdout);
    assert.ok(out.results.validation.accuracy > 0.9, `digits validation accuracy ${out.results.validation.accuracy} ≤ 0.9`);
    assert.equal(out.results.validation.rows, 359);
    const a = JSON.parse(readFileSync(at('full.json'), 'utf8'));
    const b = JSON.parse(readFileSync(at('resumed.json'), 'utf8'));
    assert.deepEqual(b.weights, a.weights, 'bit-identical weights');
    assert.deepEqual(b.training, a.training, 'same optimizer and generator state');
    assert.deepEqual(b.metadata.mlpkit.history.map((h: { loss: number }) => h.loss), a.metadata.mlpkit.history.map((h: { loss: number }) => h.loss));
    // changing what the network is on resume is refused
    const bad = usageMessage(await mlpkit(['train', '--resume', at('part.ckpt.json'), '--hidden', '8'], tmp.dir));
    assert.match(bad, /--hidden cannot change when resuming/);
    // the old name still works, and is refused the same way
    assert.match(usageMessage(await mlpkit(['train', '--resume', at('part.ckpt.json'), '--layers', '8'], tmp.dir)), /--layers cannot change when resuming/);
  });

  test('regression with categorical features and missing values: an error naming them, or --impute', async () => {
    const m = usageMessage(await mlpkit(['train', houses, '--target', 'price_k'], tmp.dir));
    assert.match(m, /missing values: column "area_m2" at lines 7, 44, 81, 118, 155, … \(8 cells\); column "city" at lines 13, 66, 119, 172, 225, … \(6 cells\)/);
    assert.match(m, /--impute mean\|median\|mode/);

    const t = await mlpkit(['train', houses, '--target', 'price_k', '--impute', 'median', '--val-split', '0.2', '--hidden', '32', '--lr', '0.01', '--epochs', '150', '--out', at('houses.json'), '--json'], tmp.dir);
    assert.equal(t.code, 0, t.stderr);
    const r = JSON.parse(t.stdout);
    assert.equal(r.task, 'regression');
    // one-hot: 2 numeric + 4 cities (a quoted one with a comma, one with a non-ASCII letter) + 2 garden values
    assert.deepEqual(r.inputs, ['area_m2', 'rooms', 'city=Lyon', 'city=Nice', 'city=Paris, centre', 'city=Saint-Étienne', 'garden=no', 'garden=yes']);
    assert.ok(r.results.validation.r2 > 0.85, `validation R² ${r.results.validation.r2} ≤ 0.85`);

    const e = JSON.parse((await mlpkit(['eval', at('houses.json'), houses, '--json'], tmp.dir)).stdout);
    assert.equal(e.task, 'regression');
    const p = await mlpkit(['predict', at('houses.json'), houses], tmp.dir);
    const pred = csvRows(p.stdout).map((row) => Number(row.price_k));
    const truth = csvRows(readFileSync(houses, 'utf8').replace(/^\uFEFF/, '')).map((row) => Number(row.price_k));
    const mae = pred.reduce((s, v, i) => s + Math.abs(v - truth[i]), 0) / truth.length;
    // eval compares with the targets as the network holds them (scaled, in float32, and back), so
    // the two agree to float32 precision: relative 1e-6
    assert.ok(Math.abs(mae - e.mae) <= 1e-6 * e.mae, `MAE from predictions ${mae} vs eval ${e.mae}`);

    // a category the model never saw is named, with the line
    writeFileSync(at('new-city.csv'), 'city,garden,rooms,area_m2\nMarseille,no,3,70\n');
    const u = usageMessage(await mlpkit(['predict', at('houses.json'), at('new-city.csv')], tmp.dir));
    assert.match(u, /line 2, column "city": category "Marseille" was not in the training data/);
    // missing cells are imputed with the values fitted in training
    writeFileSync(at('gaps.csv'), 'city,garden,rooms,area_m2\nNA,no,3,\n');
    const g = await mlpkit(['predict', at('houses.json'), at('gaps.csv')], tmp.dir);
    assert.equal(g.code, 0, g.stderr);
    assert.ok(Number.isFinite(Number(csvRows(g.stdout)[0].price_k)));
  });

  test('a BOM, CRLF line ends, a semicolon delimiter and quoted fields are read as a person means them', async () => {
    const text = readFileSync(iris, 'utf8').trim().split('\n');
    const body = text.map((l, i) => (i === 0 ? l.replace(/,/g, ';').replace('label', '"the ""label"""') : l.replace(/,/g, ';')));
    writeFileSync(at('bom.csv'), '\uFEFF' + body.join('\r\n') + '\r\n');
    const r = await mlpkit(['train', at('bom.csv'), '--delimiter', ';', '--epochs', '2', '--out', at('bom.json'), '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.inputs, ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm']);
    const info = JSON.parse((await mlpkit(['info', at('bom.json'), '--json'], tmp.dir)).stdout);
    assert.equal(info.schema.target.name, 'the "label"');
  });
});
