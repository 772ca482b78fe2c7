// Bench child: TensorFlow.js (layers API: sequential + compile + fit), backend "cpu" or "wasm".
// The wasm backend's .wasm files are loaded from node_modules by file path (no network).

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadData, readTask, report, peakRssMiB, nowSec, rateFromMarks, oneHot, argmaxAccuracy, xorScore, type PeerResult, xorResult, medianSeconds } from '../protocol.ts';
import type { WorkloadSpec } from '../workloads.ts';

const require = createRequire(import.meta.url);
// tfjs prints a "use tfjs-node" banner on import in Node; it is advice, not an error
const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');

interface WasmModule {
  setWasmPaths(prefix: string | Record<string, string>, usePlatformFetch?: boolean): void;
  setThreadsCount?(n: number): void;
  getThreadsCount?(): number;
}

async function setBackend(variant: string, threads: number | null): Promise<{ threads: number | null; notes: string[] }> {
  const notes: string[] = [];
  if (variant === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as WasmModule;
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    wasm.setWasmPaths(dist);
    if (threads !== null && wasm.setThreadsCount) wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    notes.push(`simd=${simd} multithread=${mt}`);
    const used = wasm.getThreadsCount ? wasm.getThreadsCount() : null;
    return { threads: mt ? used : 1, notes };
  }
  if (!(await tf.setBackend(variant))) throw new Error(`tfjs: backend ${variant} failed to initialise`);
  await tf.ready();
  return { threads: 1, notes };
}

function build(spec: WorkloadSpec): import('@tensorflow/tfjs').Sequential {
  const s = spec.sizes;
  const layers = [];
  for (let l = 1; l < s.length; l++) {
    const last = l === s.length - 1;
    layers.push(tf.layers.dense({
      ...(l === 1 ? { inputShape: [s[0]] } : {}),
      units: s[l],
      activation: last ? spec.outputActivation : spec.hiddenActivation,
    }));
  }
  const model = tf.sequential({ layers });
  model.compile({ optimizer: tf.train.sgd(spec.learningRate), loss: spec.loss === 'mse' ? 'meanSquaredError' : 'categoricalCrossentropy' });
  return model;
}

async function run(spec: WorkloadSpec, variant: string, threads: number | null, dataDir: string): Promise<PeerResult> {
  const be = await setBackend(variant, threads);
  const data = loadData(dataDir, spec);
  const d = spec.sizes[0];
  const k = spec.sizes[spec.sizes.length - 1];
  const n = spec.nTrain;
  const model = build(spec);
  const base = { peer: 'tfjs', variant, version: tf.version.tfjs, workload: spec.name, threads: be.threads, notes: be.notes };

  if (spec.name === 'W1' || spec.name === 'W2') {
    const xs = tf.tensor2d(data.xTrain, [n, d]);
    const ys = tf.tensor2d(oneHot(data.yTrain as Uint8Array, k), [n, k]);
    if (spec.name === 'W1') {
      const hw = await model.fit(xs, ys, { epochs: spec.warmupEpochs, batchSize: spec.batchSize, shuffle: true, verbose: 0 });
      const marks = [nowSec()];
      const h = await model.fit(xs, ys, {
        epochs: spec.timedEpochs, batchSize: spec.batchSize, shuffle: true, verbose: 0,
        callbacks: { onEpochEnd: async () => { marks.push(nowSec()); if (spec.maxSeconds !== undefined && marks[marks.length - 1] - marks[0] > spec.maxSeconds) model.stopTraining = true; } },
      });
      const rate = rateFromMarks(marks, n);
      const nTest = spec.nTest;
      const xt = tf.tensor2d(data.xTest!, [nTest, d]);
      const pt = (model.predict(xt) as import('@tensorflow/tfjs').Tensor).dataSync();
      const B = spec.inferenceBatch!;
      const xi = tf.tensor2d(data.xTest!.subarray(0, B * d), [B, d]);
      const infer = () => tf.tidy(() => model.predict(xi) as import('@tensorflow/tfjs').Tensor).dataSync();
      const inferSeconds = medianSeconds(infer, spec.inferenceRepeats!);
      const lossW = hw.history.loss as number[];
      const loss = h.history.loss as number[];
      return {
        ...base, trainPerSec: rate.perSec, inferPerSec: B / inferSeconds,
        peakRssMiB: peakRssMiB(), lossFirst: lossW[0], lossFinal: loss[loss.length - 1],
        accuracy: argmaxAccuracy(pt, data.yTest!, k), samplesTimed: rate.samples, secondsTimed: rate.seconds,
      };
    }
    // W2: timed over batches after the first, up to maxSeconds
    const marks: number[] = [];
    const losses: number[] = [];
    await model.fit(xs, ys, {
      epochs: spec.timedEpochs, batchSize: spec.batchSize, shuffle: true, verbose: 0,
      callbacks: {
        onBatchEnd: async (_b: number, logs?: Record<string, number>) => {
          marks.push(nowSec());
          losses.push(Number(logs?.loss));
          if (marks.length > 1 && marks[marks.length - 1] - marks[0] > spec.maxSeconds!) model.stopTraining = true;
        },
      },
    });
    const rate = rateFromMarks(marks, spec.batchSize);
    const sps = rate.perSec;
    let p = 0;
    for (let l = 1; l < spec.sizes.length; l++) p += spec.sizes[l] * spec.sizes[l - 1] + spec.sizes[l];
    return {
      ...base, trainPerSec: sps, gflops: (6 * p * sps) / 1e9, peakRssMiB: peakRssMiB(),
      lossFirst: losses[0], lossFinal: losses.slice(-4).reduce((a, b) => a + b, 0) / Math.min(4, losses.length),
      samplesTimed: rate.samples, secondsTimed: rate.seconds,
    };
  }

  // W3: batch 1 on XOR
  const score = () => xorScore((p) => (model.predict(tf.tensor2d([p], [1, 2])) as import('@tensorflow/tfjs').Tensor).dataSync()[0]);
  const s0 = score();
  const wr = spec.warmupRows!;
  await model.fit(tf.tensor2d(data.xTrain.subarray(0, wr * 2), [wr, 2]), tf.tensor2d(data.yTrain.subarray(0, wr), [wr, 1]), { epochs: 1, batchSize: 1, shuffle: true, verbose: 0 });
  // chunk by chunk (a per-batch callback would add a sync per update to tfjs's loop)
  const chunk = spec.chunk!;
  const xs = tf.tensor2d(data.xTrain.subarray(0, chunk * 2), [chunk, 2]);
  const ys = tf.tensor2d(data.yTrain.subarray(0, chunk), [chunk, 1]);
  let updates = 0;
  const t = nowSec();
  while (updates < spec.timedEpochs * n && nowSec() - t <= spec.maxSeconds!) {
    await model.fit(xs, ys, { epochs: 1, batchSize: 1, shuffle: true, verbose: 0 });
    updates += chunk;
  }
  const seconds = nowSec() - t;
  const s = score();
  return xorResult(base, updates, seconds, s0, s);
}

const task = readTask();
for (const spec of task.specs) report(await run(spec, task.variant, task.threads, task.dataDir));
process.exit(0);
