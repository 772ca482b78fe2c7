// Data it ships: iris and digits (see data/README.md for origin and licence), and seeded
// generators for the classic 2-D toy problems (XOR, two spirals, moons, circles, gaussian blobs)
// and for the lecture's own 1-D network (`lecture`, `lectureNetwork`).
// Every generator takes a seed or an Rng: the same seed gives the same points everywhere.

import { irisCsv } from './bundled/iris.ts';
import { digitsCsv } from './bundled/digits.ts';
import { Rng } from '../tensor/rng.ts';
import { ConfigError } from '../errors.ts';

/** A small data set: rows x [n][features], targets y [n], and the names of the features (and of the classes, where they have names). */
export interface Dataset<Y = number> {
  x: number[][];
  y: Y[];
  featureNames: string[];
  /** Class names for integer labels, when known. */
  classNames?: string[];
}

function parseNumericCsv(csv: string): { header: string[]; rows: number[][] } {
  const lines = csv.split('\n');
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',').map(Number)) };
}

function fromCsv(csv: string): Dataset {
  const { header, rows } = parseNumericCsv(csv);
  return { x: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]), featureNames: header.slice(0, -1) };
}

/**
 * Fisher's iris: 150 × 4, labels 0 setosa, 1 versicolor, 2 virginica.
 *
 * @example
 * ```ts
 * import { MLP, iris } from 'mlpkit'; // or datasets.iris(); by name, a bundle keeps only the data sets it calls
 * const { x, y, featureNames, classNames } = iris();
 * console.log(x.length, featureNames, classNames); // 150, the four measurements, setosa/versicolor/virginica
 * new MLP({ hidden: [8], epochs: 10, seed: 0 }).fit(x, y);
 * ```
 */
export function iris(): Dataset {
  return { ...fromCsv(irisCsv), classNames: ['setosa', 'versicolor', 'virginica'] };
}

/**
 * UCI optical digits (scikit-learn's copy): 1797 × 64 pixel counts 0..16, labels 0..9.
 *
 * @example
 * ```ts
 * import { MLP, digits, trainTestSplit } from 'mlpkit';
 * const { x, y } = digits(); // 1797 images of 8 × 8 pixels, values 0..16
 * const { train, test } = trainTestSplit(x, y, { testSize: 0.2, seed: 0, stratify: true });
 * const model = new MLP({ hidden: [32], epochs: 3, seed: 0 });
 * model.fit(train.x, train.y);
 * console.log(model.score(test.x, test.y)); // about 0.85 after 3 epochs
 * ```
 */
export function digits(): Dataset {
  return fromCsv(digitsCsv);
}

/** Size, noise and seed of a generated data set. */
export interface GeneratorOptions {
  /** number of points (default 200) */
  n?: number;
  /** noise: standard deviation of gaussian jitter, in the units of each generator (default 0.1) */
  noise?: number;
  seed?: number | Rng;
}

const rngOf = (s: number | Rng | undefined) => (s instanceof Rng ? s : new Rng(s ?? 0));

function sizes(o: GeneratorOptions, where: string): { n: number; noise: number; rng: Rng } {
  const n = o.n ?? 200;
  const noise = o.noise ?? 0.1;
  if (!Number.isInteger(n) || n < 2) throw new ConfigError('E_CONFIG', `${where}: expected n to be an integer ≥ 2, received ${n}`);
  if (!(noise >= 0 && Number.isFinite(noise))) throw new ConfigError('E_CONFIG', `${where}: expected noise ≥ 0, received ${noise}`);
  return { n, noise, rng: rngOf(o.seed) };
}

/**
 * XOR: points uniform in [−1, 1]², label 1 when x1·x2 < 0 (the lecture's classic).
 *
 * @example
 * ```ts
 * import { MLP, datasets } from 'mlpkit';
 * const { x, y } = datasets.xor({ n: 200, noise: 0.05, seed: 1 }); // the same points for the same seed, everywhere
 * const model = new MLP({ hidden: [8], activation: 'tanh', epochs: 50, learningRate: 0.05, seed: 1 });
 * model.fit(x, y);
 * console.log(model.score(x, y)); // ≈ 0.97
 * ```
 */
export function xor(o: GeneratorOptions = {}): Dataset {
  const { n, noise, rng } = sizes(o, 'xor');
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.range(-1, 1);
    const b = rng.range(-1, 1);
    y.push(a * b < 0 ? 1 : 0);
    x.push([a + rng.normal(0, noise), b + rng.normal(0, noise)]);
  }
  return { x, y, featureNames: ['x1', 'x2'] };
}

/** The four XOR corners exactly: [[0,0],[0,1],[1,0],[1,1]] → [0,1,1,0]. */
export function xorTable(): Dataset {
  return { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0], featureNames: ['x1', 'x2'] };
}

/** Two interleaved spirals (Lang & Witbrock 1988), each turning `turns` times (default 1.5). */
export function spirals(o: GeneratorOptions & { turns?: number } = {}): Dataset {
  const { n, noise, rng } = sizes(o, 'spirals');
  const turns = o.turns ?? 1.5;
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = (Math.floor(i / 2) / Math.ceil(n / 2)) * turns * 2 * Math.PI;
    const r = t / (turns * 2 * Math.PI) * 5 + 0.2;
    const ang = t + c * Math.PI;
    x.push([r * Math.sin(ang) + rng.normal(0, noise), r * Math.cos(ang) + rng.normal(0, noise)]);
    y.push(c);
  }
  return { x, y, featureNames: ['x1', 'x2'] };
}

/** Two interleaving half circles (as scikit-learn's make_moons). */
export function moons(o: GeneratorOptions = {}): Dataset {
  const { n, noise, rng } = sizes(o, 'moons');
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = rng.range(0, Math.PI);
    const p = c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    x.push([p[0] + rng.normal(0, noise), p[1] + rng.normal(0, noise)]);
    y.push(c);
  }
  return { x, y, featureNames: ['x1', 'x2'] };
}

/** A disc (label 1) inside a ring (label 0), as TensorFlow Playground's "circle". */
export function circles(o: GeneratorOptions = {}): Dataset {
  const { n, noise, rng } = sizes(o, 'circles');
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const r = c === 1 ? rng.range(0, 0.5) : rng.range(0.7, 1);
    const ang = rng.range(0, 2 * Math.PI);
    x.push([r * Math.sin(ang) + rng.normal(0, noise), r * Math.cos(ang) + rng.normal(0, noise)]);
    y.push(c);
  }
  return { x, y, featureNames: ['x1', 'x2'] };
}

/** Gaussian blobs around `centers` points (default 3) spread on a circle of radius 1, std = noise (default 0.2). */
export function blobs(o: GeneratorOptions & { centers?: number } = {}): Dataset {
  const { n, rng } = sizes(o, 'blobs');
  const noise = o.noise ?? 0.2;
  const k = o.centers ?? 3;
  if (!Number.isInteger(k) || k < 2) throw new ConfigError('E_CONFIG', `blobs: expected centers to be an integer ≥ 2, received ${k}`);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % k;
    const ang = (2 * Math.PI * c) / k;
    x.push([Math.cos(ang) + rng.normal(0, noise), Math.sin(ang) + rng.normal(0, noise)]);
    y.push(c);
  }
  return { x, y, featureNames: ['x1', 'x2'] };
}

/** The lecture's network: θ = {w1, b1, w2, w3}, ŷ = f3(w3·f2(w2·f1(w1·x + b1))), f = σ. */
export interface LectureTheta {
  w1: number;
  b1: number;
  w2: number;
  w3: number;
}

/** The parameters that made `lecture()`'s data (a decreasing step from ≈0.92 to ≈0.5 around x ≈ −⅓). */
export const LECTURE_THETA: LectureTheta = { w1: 1.5, b1: 0.5, w2: -8, w3: 5 };

/**
 * The network of the lecture this project grew from, "a function of FOUR parameters and FOUR
 * layers", as MLP options: one input, two hidden layers of one sigmoid unit, a sigmoid output, the
 * L2 loss L = ½(y − ŷ)² (the library's `sse`), no scaling (the numbers are the lecture's), plain
 * SGD on one sample at a time, and a bias in the first layer only (`bias: [true, false, false]`):
 * four parameters, w1, b1, w2, w3. `new MLP(datasets.lectureNetwork)`; see docs/from-slides-to-code.md.
 */
export const lectureNetwork = {
  task: 'regression' as const,
  hidden: [1, 1],
  activation: 'sigmoid' as const,
  outputActivation: 'sigmoid' as const,
  bias: [true, false, false],
  loss: 'sse' as const,
  scaleInputs: 'none' as const,
  scaleTargets: 'none' as const,
  optimizer: 'sgd' as const,
  batchSize: 1,
  learningRate: 1,
};

/**
 * Samples {x_i, y_i} for the lecture's network: x uniform in [−3, 3], y the network's output with
 * the parameters `theta` (default LECTURE_THETA) plus gaussian noise (default 0.02), so training
 * estimates known parameters. One input column, a target in (0, 1).
 *   const { x, y } = datasets.lecture();  new MLP(datasets.lectureNetwork).fit(x, y, { epochs: 50 });
 */
export function lecture(o: GeneratorOptions & { theta?: LectureTheta } = {}): Dataset & { theta: LectureTheta } {
  const { n, rng } = sizes({ noise: 0.02, ...o }, 'lecture');
  const noise = o.noise ?? 0.02;
  const t = o.theta ?? LECTURE_THETA;
  for (const k of ['w1', 'b1', 'w2', 'w3'] as const) {
    if (!Number.isFinite(t[k])) throw new ConfigError('E_CONFIG', `lecture: expected theta.${k} to be a finite number, received ${t[k]}`);
  }
  const s = (a: number) => 1 / (1 + Math.exp(-a));
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = rng.range(-3, 3);
    x.push([v]);
    y.push(s(t.w3 * s(t.w2 * s(t.w1 * v + t.b1))) + rng.normal(0, noise));
  }
  return { x, y, featureNames: ['x'], theta: { ...t } };
}

/**
 * Split rows into train and test, shuffled with a seeded generator.
 *
 * @example
 * ```ts
 * import { trainTestSplit, iris } from 'mlpkit';
 * const { x, y } = iris();
 * const { train, test } = trainTestSplit(x, y, { testSize: 0.3, seed: 0, stratify: true });
 * console.log(train.x.length, test.x.length); // 105 45, each class in both in its proportion
 * ```
 */
export function trainTestSplit<Y>(x: readonly (readonly number[])[], y: readonly Y[], options: { testSize?: number; seed?: number | Rng; stratify?: boolean } = {}): { train: { x: number[][]; y: Y[] }; test: { x: number[][]; y: Y[] } } {
  const testSize = options.testSize ?? 0.25;
  if (!(testSize > 0 && testSize < 1)) throw new ConfigError('E_CONFIG', `trainTestSplit: expected testSize in (0, 1), received ${testSize}`);
  if (x.length !== y.length) throw new ConfigError('E_CONFIG', `trainTestSplit: x has ${x.length} rows but y has ${y.length}`);
  const rng = rngOf(options.seed);
  const n = x.length;
  let testIdx: number[];
  if (options.stratify) {
    // per class, the same fraction goes to test
    const byClass = new Map<Y, number[]>();
    y.forEach((v, i) => (byClass.get(v) ?? byClass.set(v, []).get(v)!).push(i));
    testIdx = [];
    for (const idx of byClass.values()) {
      const p = rng.permutation(idx.length);
      const k = Math.round(idx.length * testSize);
      for (let i = 0; i < k; i++) testIdx.push(idx[p[i]]);
    }
  } else {
    const p = rng.permutation(n);
    testIdx = Array.from(p.subarray(0, Math.round(n * testSize)));
  }
  const isTest = new Uint8Array(n);
  for (const i of testIdx) isTest[i] = 1;
  const order = rng.permutation(n);
  const train = { x: [] as number[][], y: [] as Y[] };
  const test = { x: [] as number[][], y: [] as Y[] };
  for (const i of order) (isTest[i] ? test : train).x.push(x[i].slice()), (isTest[i] ? test : train).y.push(y[i]);
  return { train, test };
}
