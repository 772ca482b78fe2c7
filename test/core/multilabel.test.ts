// Multi-label classification: label sets or multi-hot rows → one sigmoid per label with binary
// cross-entropy; metrics per label, micro/macro F1, Hamming loss. Fixed seeds, stated thresholds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, MLP } from '../../src/index.ts';
import { Rng } from '../../src/lowlevel.ts';

function tags(seed: number, n: number) {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const sets: string[][] = [];
  for (let i = 0; i < n; i++) {
    const p = [rng.normal(), rng.normal()];
    x.push(p);
    const s: string[] = [];
    if (p[0] > 0) s.push('east');
    if (p[1] > 0) s.push('north');
    if (p[0] + p[1] > 1) s.push('far');
    sets.push(s);
  }
  return { x, sets };
}

test('multi-label from label sets: sigmoid outputs, micro F1 ≥ 0.9 and Hamming loss ≤ 0.08 on held-out rows', () => {
  const train = tags(1, 600);
  const held = tags(2, 300);
  const m = new MLP({ hidden: [16], seed: 1, learningRate: 0.01, epochs: 60 });
  const h = m.fit(train.x, train.sets);
  assert.deepEqual(m.classes, ['east', 'far', 'north'], 'labels sorted, as scikit-learn\'s MultiLabelBinarizer');
  assert.equal(m.loss, 'bce');
  assert.equal(m.layers.at(-1)!.activation, 'sigmoid');
  assert.equal(m.layers.at(-1)!.units, 3);
  assert.ok(h.epochs.at(-1)!.accuracy! > 0.8, `training subset accuracy ${h.epochs.at(-1)!.accuracy}`);
  // evaluate takes multi-hot rows in the order of m.classes
  const rows = held.sets.map((s) => m.classes!.map((c) => (s.includes(c as string) ? 1 : 0)));
  const ev = m.evaluate(held.x, rows);
  assert.ok(ev.task === 'classification' && ev.multiLabel);
  if (!(ev.task === 'classification' && ev.multiLabel)) return;
  assert.ok(ev.micro.f1 >= 0.9, `micro F1 ${ev.micro.f1}`);
  assert.ok(ev.hammingLoss <= 0.08, `Hamming loss ${ev.hammingLoss}`);
  assert.equal(ev.perLabel.length, 3);
  assert.ok(ev.perLabel.every((r) => r.f1 >= 0.8), JSON.stringify(ev.perLabel));
  assert.ok(ev.macro.f1 >= 0.85);
  // label sets in and out: evaluate takes them, predict answers them, predictProba one probability per label
  const ev2 = m.evaluate(held.x, held.sets);
  assert.ok(ev2.task === 'classification' && ev2.multiLabel && ev2.micro.f1 === ev.micro.f1);
  const sets = m.predict(held.x) as unknown as string[][];
  const right = sets.filter((s, i) => [...s].sort().join() === [...held.sets[i]].sort().join()).length / sets.length;
  assert.ok(Math.abs(right - ev.subsetAccuracy) < 1e-12, `subset accuracy ${right} vs ${ev.subsetAccuracy}`);
  const p = m.predictProba(held.x);
  assert.ok(p.every((r) => r.length === 3 && r.every((v) => v >= 0 && v <= 1)));
  assert.deepEqual(sets[0], m.classes!.filter((_c, j) => p[0][j] > 0.5));
});

test('multi-hot rows are multi-label too; one-hot rows stay single-label', () => {
  const { x, sets } = tags(3, 200);
  const rows = sets.map((s) => ['east', 'north', 'far'].map((c) => (s.includes(c) ? 1 : 0)));
  const m = new MLP({ hidden: [8], seed: 1, epochs: 3 });
  m.fit(x, rows);
  assert.equal(m.loss, 'bce');
  assert.equal(m.preprocessing!.multiLabel, true);
  const oneHot = x.map((p) => (p[0] > 0 ? [1, 0] : [0, 1]));
  const s = new MLP({ hidden: [8], seed: 1, epochs: 3 });
  s.fit(x, oneHot);
  assert.equal(s.loss, 'crossentropy');
});

test('bad label sets name the row', () => {
  const { x, sets } = tags(4, 20);
  assert.throws(() => new MLP({ epochs: 1 }).fit(x, sets.map(() => [])), (e: any) => e instanceof DataError && /every label set is empty/.test(e.message));
  const m = new MLP({ hidden: [4], epochs: 1 });
  m.fit(x, sets);
  assert.throws(() => m.fit(x, sets.map((s, i) => (i === 5 ? [...s, 'west'] : s))), (e: any) => e.row === 5 && /target 5 has label "west", which the model was not trained on/.test(e.message));
});

test('a multi-label model saves and loads: label sets out, bit for bit', async () => {
  const { toJSON, fromJSON } = await import('../../src/index.ts');
  const { x, sets } = tags(5, 200);
  const m = new MLP({ hidden: [8], seed: 2, epochs: 5 });
  m.fit(x, sets);
  const doc = JSON.parse(JSON.stringify(toJSON(m)));
  assert.equal(doc.preprocessing.multiLabel, true);
  const back = fromJSON(doc);
  assert.deepEqual(back.predict(x), m.predict(x));
  assert.deepEqual(back.predictProba(x), m.predictProba(x));
  doc.preprocessing.multiLabel = 'yes';
  assert.throws(() => fromJSON(doc), /preprocessing\.multiLabel": expected true or false, received "yes"/);
});
