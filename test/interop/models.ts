// Three small trained models with input scaling (the scaler is fitted: shift ≠ 0, scale ≠ 1), for
// every interop route: an iris classifier (softmax), a moons binary classifier (one sigmoid unit,
// string labels) and an iris regressor (petal width from the other three, target scaled too).
// Fixed seeds; a few epochs are enough: the tests compare answers, not accuracy.

import assert from 'node:assert/strict';
import { MLP, datasets, toJSON } from '../../src/index.ts';

export interface Case {
  name: string;
  model: MLP;
  x: number[][];
  /** predictProba (classification) or predict (regression) as rows */
  expected: number[][];
}

function expectedOf(model: MLP, x: number[][]): number[][] {
  if (model.task === 'classification') return model.predictProba(x);
  return (model.predict(x) as number[]).map((v) => [v]);
}

let cached: Case[] | null = null;

export function cases(): Case[] {
  if (cached) return cached;
  const iris = datasets.iris();
  const clf = new MLP({ hidden: [8, 6], activation: 'tanh', seed: 1 });
  clf.fit(iris.x, iris.y.map((c) => iris.classNames![c as number]), { epochs: 30 });
  clf.featureNames = iris.featureNames!.slice();
  clf.targetName = 'species';

  const moons = datasets.moons({ n: 200, seed: 3 });
  const bin = new MLP({ hidden: [10], activation: 'relu', seed: 2 });
  bin.fit(moons.x.map(([a, b]) => [a * 10 + 3, b - 2]), moons.y.map((c) => (c ? 'upper' : 'lower')), { epochs: 30 });
  assert.equal(toJSON(bin).layers.at(-1)!.units, 1, 'the binary case has one sigmoid unit');

  const reg = new MLP({ hidden: [6], activation: 'elu', seed: 3 });
  const rx = iris.x.map((r) => r.slice(0, 3));
  reg.fit(rx, iris.x.map((r) => r[3]), { epochs: 30 });
  reg.featureNames = iris.featureNames!.slice(0, 3);
  reg.targetName = 'petal_width_cm';

  const bx = moons.x.slice(0, 40).map(([a, b]) => [a * 10 + 3, b - 2]);
  cached = [
    { name: 'classifier (softmax)', model: clf, x: iris.x.slice(0, 150), expected: expectedOf(clf, iris.x) },
    { name: 'binary (sigmoid)', model: bin, x: bx, expected: expectedOf(bin, bx) },
    { name: 'regressor', model: reg, x: rx, expected: expectedOf(reg, rx) },
  ];
  for (const c of cached) assert.ok(toJSON(c.model).preprocessing.inputs.shift.some((s) => s !== 0), `${c.name}: input scaling is on`);
  return cached;
}

/**
 * Largest relative difference |got − want| / max(|want|, 1e-6) over all entries; the floor keeps
 * a probability of 1e-9 from asking for 1e-14 absolute. Tests require it ≤ 1e-5.
 */
export function maxRel(got: ArrayLike<number>, want: number[][]): number {
  const flat = want.flat();
  assert.equal(got.length, flat.length, 'as many answers as expected');
  let worst = 0;
  for (let i = 0; i < flat.length; i++) {
    assert.ok(Number.isFinite(got[i]), `answer ${i} is finite`);
    worst = Math.max(worst, Math.abs(got[i] - flat[i]) / Math.max(Math.abs(flat[i]), 1e-6));
  }
  return worst;
}

/** The model's float32 parameters (from its document), W and b layer by layer, for bit-exact comparisons. */
export function weightsOf(model: MLP): Float32Array[] {
  const doc = toJSON(model, { weights: 'nested', training: false });
  return doc.weights.layers.flatMap((l) => [Float32Array.from((l.W as number[][]).flat()), Float32Array.from(l.b as number[])]);
}

export const TOL = 1e-5;
