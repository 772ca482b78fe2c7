// Bench child: ConvNetJS 0.3.0 (Karpathy; plain JS, Float64Array weights). Its SGDTrainer runs
// forward/backward one sample at a time and applies the batch's mean gradient every batch_size
// samples, so batch 128 SGD is the same update rule as the others' (computed sample by sample).
//
// What ConvNetJS cannot express, so the nearest setting is used and recorded in `notes`:
// - its "softmax" and "regression" loss layers insert their own fully connected layer, so W1/W2
//   are input → fc(hidden, relu)… → softmax(10) as specified, but W3's sigmoid output + MSE is
//   written as fc(8, tanh) ×2 → regression(1): identity output with ½·squared error;
// - no shuffling in the library: samples are visited in a permutation drawn per epoch here
//   (seeded), like the others; weights drawn with Math.random (unseeded).

import { createRequire } from 'node:module';
import { Rng } from '../../src/tensor/rng.ts';
import { loadData, readTask, report, peakRssMiB, nowSec, rateFromMarks, argmaxAccuracy, xorScore, type PeerResult, xorResult, medianSeconds } from '../protocol.ts';
import type { WorkloadSpec } from '../workloads.ts';

const require = createRequire(import.meta.url);
interface Vol { w: Float64Array }
interface Net { makeLayers(defs: Record<string, unknown>[]): void; forward(v: Vol, training?: boolean): Vol }
interface Trainer { train(v: Vol, y: number | number[]): { cost_loss: number } }
const cnn = require('convnetjs') as {
  Net: new () => Net;
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
  SGDTrainer: new (net: Net, o: Record<string, unknown>) => Trainer;
};
const version = (require('convnetjs/package.json') as { version: string }).version;

async function run(spec: WorkloadSpec, dataDir: string): Promise<PeerResult> {
  const data = loadData(dataDir, spec);
  const d = spec.sizes[0];
  const k = spec.sizes[spec.sizes.length - 1];
  const n = spec.nTrain;
  const w3 = spec.name === 'W3';
  const defs: Record<string, unknown>[] = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: d }];
  for (const units of spec.sizes.slice(1, -1)) defs.push({ type: 'fc', num_neurons: units, activation: spec.hiddenActivation });
  defs.push(w3 ? { type: 'regression', num_neurons: 1 } : { type: 'softmax', num_classes: k });
  const net = new cnn.Net();
  net.makeLayers(defs);
  const trainer = new cnn.SGDTrainer(net, { method: 'sgd', learning_rate: spec.learningRate, batch_size: spec.batchSize, momentum: 0, l2_decay: 0 });
  const notes = w3 ? ['identity output with ½·squared error (regression layer), not sigmoid + MSE'] : [];
  const base = { peer: 'convnetjs', variant: 'SGDTrainer', version, workload: spec.name, threads: 1, notes };
  const v = new cnn.Vol(1, 1, d, 0);
  const rng = new Rng(spec.seed);
  const sample = (i: number) => {
    v.w.set(data.xTrain.subarray(i * d, (i + 1) * d));
    return v;
  };
  const target = (i: number): number | number[] => (w3 ? [(data.yTrain as Float32Array)[i]] : (data.yTrain as Uint8Array)[i]);
  /** One shuffled pass over rows [0, rows); returns the mean loss. */
  const epoch = (rows: number, onSample?: (done: number) => boolean): number => {
    const order = rng.permutation(rows);
    let sum = 0;
    for (let j = 0; j < rows; j++) {
      sum += trainer.train(sample(order[j]), target(order[j])).cost_loss;
      if (onSample && !onSample(j + 1)) return sum / (j + 1);
    }
    return sum / rows;
  };
  const predictRow = (x: Float32Array, i: number): Float64Array => {
    v.w.set(x.subarray(i * d, (i + 1) * d));
    return net.forward(v).w;
  };

  if (spec.name === 'W1') {
    const first = epoch(n);
    const marks = [nowSec()];
    let last = first;
    while (marks.length <= spec.timedEpochs) {
      last = epoch(n);
      marks.push(nowSec());
      if (spec.maxSeconds !== undefined && marks[marks.length - 1] - marks[0] > spec.maxSeconds) break;
    }
    const rate = rateFromMarks(marks, n);
    const pt = new Float64Array(spec.nTest * k);
    for (let i = 0; i < spec.nTest; i++) pt.set(predictRow(data.xTest!, i), i * k);
    const B = spec.inferenceBatch!;
    const infer = () => { for (let i = 0; i < B; i++) predictRow(data.xTest!, i); };
    const inferSeconds = medianSeconds(infer, spec.inferenceRepeats!);
    return {
      ...base, trainPerSec: rate.perSec, inferPerSec: B / inferSeconds, peakRssMiB: peakRssMiB(),
      lossFirst: first, lossFinal: last, accuracy: argmaxAccuracy(pt, data.yTest!, k),
      samplesTimed: rate.samples, secondsTimed: rate.seconds,
    };
  }

  if (spec.name === 'W2') {
    // marks every 32 samples (an update happens every batchSize samples); the first 32 are the warm-up
    const marks: number[] = [];
    const losses: number[] = [];
    let sum = 0;
    const step = 32;
    for (let e = 0; e < spec.timedEpochs; e++) {
      let stopped = false;
      const order = rng.permutation(n);
      for (let j = 0; j < n; j++) {
        sum += trainer.train(sample(order[j]), target(order[j])).cost_loss;
        if ((j + 1) % step === 0) {
          marks.push(nowSec());
          losses.push(sum / step);
          sum = 0;
          if (marks.length > 1 && marks[marks.length - 1] - marks[0] > spec.maxSeconds!) { stopped = true; break; }
        }
      }
      if (stopped) break;
    }
    const rate = rateFromMarks(marks, step);
    let p = 0;
    for (let l = 1; l < spec.sizes.length; l++) p += spec.sizes[l] * spec.sizes[l - 1] + spec.sizes[l];
    return {
      ...base, trainPerSec: rate.perSec, gflops: (6 * p * rate.perSec) / 1e9, peakRssMiB: peakRssMiB(),
      lossFirst: losses[0], lossFinal: losses.slice(-4).reduce((a, b) => a + b, 0) / Math.min(4, losses.length),
      samplesTimed: rate.samples, secondsTimed: rate.seconds,
    };
  }

  // W3: XOR, batch 1
  const score = () => xorScore((p) => { v.w[0] = p[0]; v.w[1] = p[1]; return net.forward(v).w[0]; });
  const s0 = score();
  epoch(spec.warmupRows!);
  let updates = 0;
  const t = nowSec();
  epoch(n, (done) => {
    updates = done;
    return done % spec.chunk! !== 0 || nowSec() - t <= spec.maxSeconds!;
  });
  const seconds = nowSec() - t;
  const s = score();
  return xorResult(base, updates, seconds, s0, s);
}

const task = readTask();
for (const spec of task.specs) report(await run(spec, task.dataDir));
process.exit(0);
