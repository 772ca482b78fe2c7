// Bench child: brain.js NeuralNetwork (CPU, plain JS loops, one sample per update).
// brain.js 1.6.1 depends on gpu.js 1.10.4, which is pure JavaScript (acorn only): it installs and
// loads with install scripts off. (gpu.js 2, used by brain.js 2.0 betas, needs the native `gl`.)
//
// What brain.js cannot express, so the nearest setting is used and recorded in `notes`:
// - one activation for every layer, output included, and no softmax: its loss is always the
//   squared error of the output (delta = (t − y)·f'(a)); W1/W2 use sigmoid everywhere (brain.js's
//   default: a ReLU output unit that dies stays dead, seen on W1 and W2), W3 tanh everywhere;
// - updates are per sample (batch 1): `batchSize` has no equivalent;
// - momentum must lie in (0, 1): 1e-9 (effectively plain SGD); errorThresh must be > 0: 1e-9;
// - no shuffling: samples are visited in the data's order (which is already shuffled for W1, W2);
// - weights drawn with Math.random (unseeded).

import { createRequire } from 'node:module';
import { loadData, readTask, report, peakRssMiB, nowSec, rateFromMarks, argmaxAccuracy, xorScore, type PeerResult, xorResult, medianSeconds } from '../protocol.ts';
import type { WorkloadSpec } from '../workloads.ts';

const require = createRequire(import.meta.url);
interface Net {
  train(data: { input: Float32Array | number[]; output: Float32Array | number[] }[], opts: Record<string, unknown>): { error: number; iterations: number };
  run(input: Float32Array | number[]): Float32Array | number[];
}
const brain = require('brain.js') as { NeuralNetwork: new (o: Record<string, unknown>) => Net };
const version = (require('brain.js/package.json') as { version: string }).version;

async function run(spec: WorkloadSpec, dataDir: string): Promise<PeerResult> {
  const data = loadData(dataDir, spec);
  const d = spec.sizes[0];
  const k = spec.sizes[spec.sizes.length - 1];
  const n = spec.nTrain;
  const activation = spec.name === 'W3' ? 'tanh' : 'sigmoid';
  const net = new brain.NeuralNetwork({ hiddenLayers: spec.sizes.slice(1, -1), activation });
  const notes = [
    `${activation} on every layer incl. output, squared-error loss (no ${spec.outputActivation}/${spec.loss}), batch 1, no shuffle`,
  ];
  const opts = (iterations: number) => ({ iterations, errorThresh: 1e-9, learningRate: spec.learningRate, momentum: 1e-9, log: false });
  const rows = (x: Float32Array, from: number, to: number, target: (i: number) => number[]) => {
    const out = [];
    for (let i = from; i < to; i++) out.push({ input: x.subarray(i * d, (i + 1) * d), output: target(i) });
    return out;
  };
  const labelTarget = (i: number) => { const t = new Array<number>(k).fill(0); t[(data.yTrain as Uint8Array)[i]] = 1; return t; };
  const base = { peer: 'brain.js', variant: 'NeuralNetwork', version, workload: spec.name, threads: 1, notes };

  if (spec.name === 'W1') {
    const all = rows(data.xTrain, 0, n, labelTarget);
    const hw = net.train(all, opts(spec.warmupEpochs));
    const marks = [nowSec()];
    let h = hw;
    // one epoch per call, so the time cap applies between epochs
    while (marks.length <= spec.timedEpochs) {
      h = net.train(all, opts(1));
      marks.push(nowSec());
      if (spec.maxSeconds !== undefined && marks[marks.length - 1] - marks[0] > spec.maxSeconds) break;
    }
    const rate = rateFromMarks(marks, n);
    const nTest = spec.nTest;
    const pt = new Float32Array(nTest * k);
    for (let i = 0; i < nTest; i++) pt.set(net.run(data.xTest!.subarray(i * d, (i + 1) * d)), i * k);
    const B = spec.inferenceBatch!;
    const infer = () => { for (let i = 0; i < B; i++) net.run(data.xTest!.subarray(i * d, (i + 1) * d)); };
    const inferSeconds = medianSeconds(infer, spec.inferenceRepeats!);
    notes.push('loss: brain.js training error (mean squared error over outputs), not cross-entropy');
    return {
      ...base, trainPerSec: rate.perSec, inferPerSec: B / inferSeconds, peakRssMiB: peakRssMiB(),
      lossFirst: hw.error, lossFinal: h.error, accuracy: argmaxAccuracy(pt, data.yTest!, k),
      samplesTimed: rate.samples, secondsTimed: rate.seconds,
    };
  }

  if (spec.name === 'W2') {
    // chunks of 32 samples (brain.js has no batches; ~3 s each at its speed): the first is the
    // warm-up, then as many as fit in maxSeconds
    const chunk = Math.min(32, spec.batchSize);
    const losses: number[] = [];
    const marks: number[] = [];
    const over = () => marks.length > 1 && marks[marks.length - 1] - marks[0] > spec.maxSeconds!;
    for (let e = 0; e < spec.timedEpochs; e++) {
      for (let s = 0; s < n; s += chunk) {
        const r = net.train(rows(data.xTrain, s, Math.min(n, s + chunk), labelTarget), opts(1));
        marks.push(nowSec());
        losses.push(r.error);
        if (over()) break;
      }
      if (over()) break;
    }
    const rate = rateFromMarks(marks, chunk);
    const sps = rate.perSec;
    let p = 0;
    for (let l = 1; l < spec.sizes.length; l++) p += spec.sizes[l] * spec.sizes[l - 1] + spec.sizes[l];
    notes.push('loss: brain.js training error (MSE), not cross-entropy');
    return {
      ...base, trainPerSec: sps, gflops: (6 * p * sps) / 1e9, peakRssMiB: peakRssMiB(),
      lossFirst: losses[0], lossFinal: losses.slice(-4).reduce((a, b) => a + b, 0) / Math.min(4, losses.length),
      samplesTimed: rate.samples, secondsTimed: rate.seconds,
    };
  }

  // W3
  const y = data.yTrain as Float32Array;
  const xorRows = (from: number, to: number) => rows(data.xTrain, from, to, (i) => [y[i]]);
  const warm = xorRows(0, spec.warmupRows!);
  net.train(warm.slice(0, 4), opts(1)); // builds the network so it can be scored untrained
  const s0 = xorScore((p) => net.run(p)[0]);
  net.train(warm, opts(1));
  const chunk = xorRows(0, spec.chunk!);
  let updates = 0;
  const t = nowSec();
  while (updates < spec.timedEpochs * n && nowSec() - t <= spec.maxSeconds!) {
    net.train(chunk, opts(1));
    updates += chunk.length;
  }
  const seconds = nowSec() - t;
  const s = xorScore((p) => net.run(p)[0]);
  return xorResult(base, updates, seconds, s0, s);
}

const task = readTask();
for (const spec of task.specs) report(await run(spec, task.dataDir));
process.exit(0);
