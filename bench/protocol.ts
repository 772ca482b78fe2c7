// What the bench runner and its child processes say to each other. The parent starts one child per
// (peer, variant, workload) so each child's peak RSS is that workload's alone, passes it a
// ChildTask as JSON in argv, and reads back one line `@@RESULT {json}` (a PeerResult) on stdout.
// The Python peers (bench/peers/*.py) speak the same protocol.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkloadName, WorkloadSpec } from './workloads.ts';

export const RESULT_PREFIX = '@@RESULT ';

export interface ChildTask {
  /** Variant of the peer, e.g. the mlpkit backend name, "cpu"/"wasm" for tfjs. */
  variant: string;
  /** Thread count to set, or null for the library's default ("as installed"). */
  threads: number | null;
  dataDir: string;
  specs: WorkloadSpec[];
}

export interface PeerResult {
  /** "mlpkit", "tfjs", "brain.js", "pytorch", "numpy". */
  peer: string;
  variant: string;
  /** Threads the library reports it used (null when it cannot say). */
  threads: number | null;
  version: string;
  workload: WorkloadName | 'sgemm';
  /** W1/W2: samples per second; W3: updates per second (batch 1). */
  trainPerSec: number;
  /** W2: 6 × params × samples/s / 1e9; sgemm: 2·n³/s / 1e9. */
  gflops?: number;
  /** W1: samples per second predicting one batch of inferenceBatch rows (median of repeats). */
  inferPerSec?: number;
  /** ru_maxrss of the child process, MiB. */
  peakRssMiB: number;
  /** Mean training loss of the first epoch (W1: the warm-up epoch; W2: first batch; W3: warm-up pass). */
  lossFirst: number;
  /** Mean training loss of the last timed epoch (W2: last timed batch); W3: MSE on the 4 XOR points after training. */
  lossFinal: number;
  /** A1: seconds of the process's first fit (1 epoch on its own model, cold: for mlpkit including the library's initialisation, WebAssembly compile and worker start). */
  firstSeconds?: number;
  /** W1, A1: test accuracy; W3: fraction of the 4 XOR points right (threshold 0.5). */
  accuracy?: number;
  samplesTimed: number;
  secondsTimed: number;
  /** Deviations from the spec this peer cannot avoid (e.g. brain.js has no softmax). */
  notes: string[];
  /** sgemm only: one entry per size and thread count. */
  sgemm?: { n: number; threads: number; gflops: number }[];
  /** sgemm only: which BLAS kernel ran (threadpoolctl). */
  blas?: string;
}

/** A workload's data as the Node peers see it: float32 features, labels or float targets. */
export interface LoadedData {
  xTrain: Float32Array;
  yTrain: Uint8Array | Float32Array;
  xTest?: Float32Array;
  yTest?: Uint8Array;
}

function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function loadData(dir: string, spec: WorkloadSpec): LoadedData {
  const f = spec.files;
  return {
    xTrain: readF32(join(dir, f.xTrain)),
    yTrain: spec.targets === 'labels' ? new Uint8Array(readFileSync(join(dir, f.yTrain))) : readF32(join(dir, f.yTrain)),
    ...(f.xTest ? { xTest: readF32(join(dir, f.xTest)), yTest: new Uint8Array(readFileSync(join(dir, f.yTest!))) } : {}),
  };
}

export function readTask(): ChildTask {
  const arg = process.argv[2];
  if (!arg) throw new Error('bench child: expected a JSON task as the first argument; run bench/run.ts instead');
  return JSON.parse(arg) as ChildTask;
}

export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function report(r: PeerResult): void {
  process.stdout.write(RESULT_PREFIX + JSON.stringify(r) + '\n');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const nowSec = (): number => performance.now() / 1000;

/**
 * Rate from timestamps: marks[0] is the end of the warm-up, marks[i] the end of the i-th timed
 * epoch (W1) or batch (W2), each of `perInterval` samples. The median interval is used, so one
 * interval slowed by another process on the machine does not move the figure.
 */
export function rateFromMarks(marks: number[], perInterval: number): { perSec: number; samples: number; seconds: number } {
  const d: number[] = [];
  for (let i = 1; i < marks.length; i++) d.push(marks[i] - marks[i - 1]);
  return { perSec: perInterval / median(d), samples: d.length * perInterval, seconds: marks[marks.length - 1] - marks[0] };
}

/** One-hot float32 rows [n, k] from labels. */
export function oneHot(y: Uint8Array, k: number): Float32Array {
  const out = new Float32Array(y.length * k);
  for (let i = 0; i < y.length; i++) out[i * k + y[i]] = 1;
  return out;
}

/** Fraction of rows whose argmax over k columns equals the label. */
export function argmaxAccuracy(p: ArrayLike<number>, y: Uint8Array, k: number): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
    if (best === y[i]) right++;
  }
  return right / y.length;
}

/** MSE of the 2-8-8-1 XOR net on the 4 points, and how many it gets right. */
export function xorScore(predict: (x: [number, number]) => number): { mse: number; accuracy: number } {
  const pts: [number, number, number][] = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]];
  let se = 0;
  let right = 0;
  for (const [a, b, t] of pts) {
    const p = predict([a, b]);
    se += (p - t) ** 2;
    if ((p > 0.5 ? 1 : 0) === t) right++;
  }
  return { mse: se / 4, accuracy: right / 4 };
}

/** The W3 row every peer reports: updates/s over the timed updates, XOR scores before and after. */
export function xorResult<B extends object>(base: B, updates: number, seconds: number, before: { mse: number }, after: { mse: number; accuracy: number }) {
  return {
    ...base, trainPerSec: updates / seconds, peakRssMiB: peakRssMiB(),
    lossFirst: before.mse, lossFinal: after.mse, accuracy: after.accuracy, samplesTimed: updates, secondsTimed: seconds,
  };
}

/** Median seconds of `repeats` timed calls of fn, after one untimed warm-up call (W1 inference). */
export function medianSeconds(fn: () => unknown, repeats: number): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = nowSec();
    fn();
    times.push(nowSec() - t0);
  }
  return median(times);
}
