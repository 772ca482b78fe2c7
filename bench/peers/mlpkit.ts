// Bench child: mlpkit through its public API (MLP, fit, predict), one backend per process.
// `--list` prints the registered backends (after any async initialisation the library offers)
// and whether each takes a thread count, so new backends are benchmarked with no change here.
//
// Thread-count contract looked for, in this order (whichever the backend author chose):
//   1. backend.setThreads(n)                 — a method on the Backend object
//   2. a `threads` key in `defaults`         — a model config option, passed as MLP({ threads: n })
//   3. a library-wide setThreads(n) export   — for the backends that have a numeric `threads`
//      field, or (NOTE: a name rule, until they do) whose name starts with "wasm"
// The thread count actually used is read back from backend.threads, else wasmInfo().threads.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as index from '../../src/index.ts';
import * as lowlevel from '../../src/lowlevel.ts';
import { MLP, defaults } from '../../src/index.ts';
import { getBackend, listBackends, type Backend } from '../../src/lowlevel.ts';

// the public entry points: the model API and the backend controls (initBackends, setThreads,
// wasmInfo, waitForWorkers live in mlpkit/lowlevel)
const api = { ...index, ...lowlevel };
import { loadData, readTask, report, peakRssMiB, nowSec, rateFromMarks, xorScore, type PeerResult, xorResult, medianSeconds } from '../protocol.ts';
import type { WorkloadSpec } from '../workloads.ts';

type Threaded = Backend & { setThreads?: (n: number) => unknown; threads?: number; maxThreads?: number };

/** Await whatever async set-up the library exports (compiling a WebAssembly module, starting workers). */
async function initLibrary(): Promise<void> {
  const a = api as unknown as Record<string, unknown>;
  for (const name of ['ready', 'init', 'initBackends', 'loadBackends']) {
    if (typeof a[name] === 'function') await (a[name] as () => unknown)();
  }
}

interface WasmInfo { threads: number; shared?: boolean; readyWorkers?: number }
const lib = api as unknown as { setThreads?: (n: number) => void; wasmInfo?: () => WasmInfo | null; waitForWorkers?: () => Promise<number> };

function takesThreads(be: Threaded): boolean {
  if (typeof be.setThreads === 'function' || 'threads' in (defaults as object)) return true;
  return typeof lib.setThreads === 'function' && (typeof be.threads === 'number' || be.name.startsWith('wasm'));
}

/** Set the thread count by whichever route the backend offers; returns extra MLP config. */
function applyThreads(be: Threaded, n: number): Record<string, unknown> {
  if (typeof be.setThreads === 'function') be.setThreads(n);
  else if ('threads' in (defaults as object)) return { threads: n };
  else if (takesThreads(be)) lib.setThreads!(n);
  return {};
}

/** Threads the backend reports it uses, when it can say: for wasm, the main thread + the workers that started. */
function reportedThreads(be: Threaded): number | undefined {
  if (typeof be.threads === 'number') return be.threads;
  if (be.name.startsWith('wasm') && typeof lib.wasmInfo === 'function') {
    const info = lib.wasmInfo();
    if (!info) return undefined;
    if (info.shared === false) return 1;
    return info.readyWorkers === undefined ? info.threads : Math.min(info.threads, 1 + info.readyWorkers);
  }
  return undefined;
}

// the runner starts children in the repository root (this file may run bundled from bench/.build)
const version = (): string => (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;

function modelFor(spec: WorkloadSpec, backend: string, threads: number | null): MLP {
  const be = getBackend(backend) as Threaded;
  const extra = threads !== null ? applyThreads(be, threads) : {};
  return new MLP({
    task: spec.loss === 'mse' ? 'regression' : 'classification',
    hidden: spec.sizes.slice(1, -1),
    activation: spec.hiddenActivation,
    outputActivation: spec.outputActivation,
    loss: spec.loss,
    optimizer: spec.optimizer ?? 'sgd',
    learningRate: spec.learningRate,
    batchSize: spec.batchSize,
    scaleInputs: 'none',
    scaleTargets: 'none',
    shuffle: true,
    backend,
    seed: spec.seed,
    ...extra,
  });
}

async function run(spec: WorkloadSpec, backend: string, threads: number | null, dataDir: string): Promise<PeerResult> {
  const started = nowSec();
  const data = loadData(dataDir, spec);
  const d = spec.sizes[0];
  const n = spec.nTrain;
  const model = modelFor(spec, backend, threads);
  // worker threads start in the background: have them all before the warm-up, not during it
  if (typeof lib.waitForWorkers === 'function') await lib.waitForWorkers();
  const be = getBackend(backend) as Threaded;
  const base = { peer: 'mlpkit', variant: backend, version: version(), workload: spec.name, notes: [] as string[] };
  const usedThreads = (): number | null => reportedThreads(be) ?? threads ?? (takesThreads(be) ? null : 1);

  if (spec.name === 'W1') {
    const X = { data: data.xTrain, shape: [n, d] as [number, number] };
    const y = Array.from(data.yTrain);
    const ends: number[] = [];
    const h = model.fit(X, y, {
      epochs: spec.warmupEpochs + spec.timedEpochs,
      onEpochEnd: () => {
        ends.push(nowSec());
        const timed = ends.length - spec.warmupEpochs;
        return !(timed >= 1 && spec.maxSeconds !== undefined && ends[ends.length - 1] - ends[spec.warmupEpochs - 1] > spec.maxSeconds);
      },
    });
    const rate = rateFromMarks(ends.slice(spec.warmupEpochs - 1), n);
    const nTest = spec.nTest;
    const ev = model.evaluate({ data: data.xTest!, shape: [nTest, d] }, Array.from(data.yTest!));
    const B = spec.inferenceBatch!;
    const Xi = { data: data.xTest!.subarray(0, B * d), shape: [B, d] as [number, number] };
    const inferSeconds = medianSeconds(() => model.predict(Xi), spec.inferenceRepeats!);
    return {
      ...base, threads: usedThreads(),
      trainPerSec: rate.perSec, inferPerSec: B / inferSeconds,
      peakRssMiB: peakRssMiB(), lossFirst: h.epochs[0].loss, lossFinal: h.epochs[h.epochs.length - 1].loss,
      accuracy: ev.task === 'classification' ? ev.accuracy : undefined,
      samplesTimed: rate.samples, secondsTimed: rate.seconds,
    };
  }

  if (spec.name === 'A1' || spec.name === 'T1') {
    // the process's first fit (cold), then the timed fit of all the epochs on a new model
    const X = { data: data.xTrain, shape: [n, d] as [number, number] };
    const y = Array.from(data.yTrain);
    const h0 = model.fit(X, y, { epochs: spec.warmupEpochs });
    const firstSeconds = initSeconds + nowSec() - started;
    const timed = modelFor(spec, backend, threads);
    const t = nowSec();
    const h = timed.fit(X, y, { epochs: spec.timedEpochs });
    const seconds = nowSec() - t;
    const ev = timed.evaluate({ data: data.xTest!, shape: [spec.nTest, d] }, Array.from(data.yTest!));
    return {
      ...base, threads: usedThreads(),
      trainPerSec: (n * spec.timedEpochs) / seconds, firstSeconds,
      peakRssMiB: peakRssMiB(), lossFirst: h0.epochs[0].loss, lossFinal: h.epochs[h.epochs.length - 1].loss,
      accuracy: ev.task === 'classification' ? ev.accuracy : undefined,
      samplesTimed: n * spec.timedEpochs, secondsTimed: seconds,
    };
  }

  if (spec.name === 'W2') {
    const X = { data: data.xTrain, shape: [n, d] as [number, number] };
    const y = Array.from(data.yTrain);
    const marks: number[] = [];
    const losses: number[] = [];
    model.fit(X, y, {
      epochs: spec.timedEpochs,
      onBatchEnd: (e) => {
        marks.push(nowSec());
        losses.push(e.loss);
        return !(marks.length > 1 && marks[marks.length - 1] - marks[0] > spec.maxSeconds!);
      },
    });
    const rate = rateFromMarks(marks, spec.batchSize);
    const sps = rate.perSec;
    return {
      ...base, threads: usedThreads(),
      trainPerSec: sps, gflops: (6 * paramCountOf(spec) * sps) / 1e9,
      peakRssMiB: peakRssMiB(), lossFirst: losses[0], lossFinal: mean(losses.slice(-4)),
      samplesTimed: rate.samples, secondsTimed: rate.seconds,
    };
  }

  // W3: batch-1 updates on XOR
  const rows = (k: number) => ({ data: data.xTrain.subarray(0, k * 2), shape: [k, 2] as [number, number] });
  const ys = (k: number) => ({ data: data.yTrain.subarray(0, k), shape: [k, 1] as [number, number] });
  const wr = spec.warmupRows!;
  model.build(2, 1, 'regression');
  const s0 = xorScore((p) => (model.predict([p]) as number[])[0]);
  model.fit(rows(wr), ys(wr), { epochs: 1 });
  // the 5,000-row chunk (the 4 points tiled) for n / chunk epochs = n updates, so the time cap can
  // act at epoch ends. NOTE: no onBatchEnd here: a per-batch listener turns off mlpkit's fused
  // batch-1 path (src/train/train.ts), which is what W3 measures
  const chunk = spec.chunk!;
  let updates = 0;
  const t = nowSec();
  model.fit(rows(chunk), ys(chunk), {
    epochs: Math.ceil((spec.timedEpochs * n) / chunk),
    onEpochEnd: () => {
      updates += chunk;
      return nowSec() - t <= spec.maxSeconds!;
    },
  });
  const seconds = nowSec() - t;
  const s = xorScore((p) => (model.predict([p]) as number[])[0]);
  return xorResult({ ...base, threads: usedThreads() }, updates, seconds, s0, s);
}

function paramCountOf(spec: WorkloadSpec): number {
  let p = 0;
  for (let l = 1; l < spec.sizes.length; l++) p += spec.sizes[l] * spec.sizes[l - 1] + spec.sizes[l];
  return p;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

const t0 = nowSec();
await initLibrary();
/** The library's asynchronous initialisation (compiling WebAssembly), part of A1's first-call latency. */
const initSeconds = nowSec() - t0;
if (process.argv[2] === '--list') {
  const out = listBackends().map((name) => ({ name, threads: takesThreads(getBackend(name) as Threaded) }));
  process.stdout.write(JSON.stringify(out) + '\n');
} else {
  const task = readTask();
  for (const spec of task.specs) report(await run(spec, task.variant, task.threads, task.dataDir));
}
// worker threads a backend started must not keep the child alive
process.exit(0);
