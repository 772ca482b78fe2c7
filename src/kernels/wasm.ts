// The WebAssembly SIMD backends, "wasm-relaxed" and "wasm-simd": float32 only.
//
// gemm runs in WebAssembly (wasm/sgemm.c: packed, 4×8 register-blocked, 128-bit SIMD; with
// f32x4.relaxed_madd where the runtime has relaxed SIMD), split over worker threads when the
// product is large. The O(rows·cols) kernels that showed up in a W1 step's profile
// (bench/kernels/profile-step.ts: relu bias+activation and its backward, sumRows, gatherRows,
// allFinite) also run in wasm on large arrays, with the js backend's exact arithmetic; so do every
// optimizer update and the clipping norm (the SGD family in float64 lanes: js's bits; Adam,
// RMSprop, Adagrad in float32 lanes), split over the worker threads on large parameter buffers.
// Every other kernel is the `js` backend's: they cost a few percent of a step, and staying in
// TypeScript keeps one definition of every other activation and loss.
//
// Memory: one WebAssembly.Memory holds every array `alloc` returns (parameters, gradients,
// workspaces, training data), so gemm gets pointers (arr.byteOffset) and copies nothing.
// - Where SharedArrayBuffer exists (Node; browsers with cross-origin isolation) the memory is
//   shared: growing it keeps the old Float32Array views valid, and worker threads run gemm on it.
// - Otherwise it is an ordinary memory reserved up front (UNSHARED_BYTES) and never grown, since
//   growing would detach every view handed out. When it is full, alloc returns ordinary arrays
//   and gemm copies them in and out (correct, slower).
// NOTE: a bump allocator: memory is reused only when the caller gives an array back with
// `release(x)` (then a later alloc of exactly that size takes it); otherwise it lives as long as the process.
//
// Threads: gemm splits C into column (or row) blocks, one per thread, each computed whole by one
// thread with the same k-blocking, so results are bit-identical for any thread count. Workers are
// synchronous partners: the main thread writes a job into a control block in shared memory, wakes
// them with Atomics.notify, does its own block, and waits for theirs, so the Backend stays
// synchronous. Workers are unref'd (Node exits without dispose) and `disposeWasm()` ends them.

import type { Backend, DenseStack, ForwardLayer, SmallSums } from './backend.ts';
import { js, gemmJs } from './js.ts';
import { lossRef } from './reference.ts';
import { sgdStep1 as sgdStep1Js, outputOffset } from './fused.ts';
import { allocArray, type DType, type FloatArray } from '../tensor/tensor.ts';
import type { LossName } from '../math/losses.ts';

/** Products below this many multiply-adds stay in TypeScript: the call and packing cost more. */
export const WASM_MIN_MACS = 2048;
/** Products below this many multiply-adds (~70 µs of work) run on one thread: waking a worker costs 5-50 µs, more on a busy machine. */
export const THREAD_MIN_MACS = 1 << 21;
const MR = 4; // micro-tile rows and columns in wasm/sgemm.c: split work on these boundaries
const NR = 8;
/** forward_rows' activation codes (wasm/sgemm.c); other activations run layer by layer. */
const FWD_KINDS: Partial<Record<string, number>> = { identity: 0, relu: 1, tanh: 2, sigmoid: 3, softmax: 4 };
const FWD_MAX_LAYERS = 64;
/** A thread's block of C is at least this many tiles wide (each block re-packs the other operand). */
const MIN_BLOCK_TILES = 4;
const UNSHARED_BYTES = [512, 256, 64].map((m) => m * 1024 * 1024);
const PAGE = 65536;

// ---- feature detection ---------------------------------------------------------------------------

// (module (func (result v128) v128.const 0 … f32x4.add)) and the same with f32x4.relaxed_madd
const probe = (body: number[]) => Uint8Array.of(
  0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // magic, version
  1, 5, 1, 0x60, 0, 1, 0x7b, // type: () → v128
  3, 2, 1, 0, // one function of type 0
  10, body.length + 2, 1, body.length, ...body);
const v128zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
const SIMD_PROBE = probe([0, ...v128zero, ...v128zero, 0xfd, 0xe4, 0x01, 0x0b]);
const RELAXED_PROBE = probe([0, ...v128zero, ...v128zero, ...v128zero, 0xfd, 0x85, 0x02, 0x0b]);

/** What this runtime's WebAssembly offers mlpkit's kernels (detected once, at the first use of a wasm backend). */
export interface WasmFeatures {
  simd: boolean;
  relaxed: boolean;
  /** SharedArrayBuffer and shared WebAssembly memory: worker threads possible. */
  shared: boolean;
}

export function detectFeatures(): WasmFeatures {
  const W = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (!W) return { simd: false, relaxed: false, shared: false };
  const simd = W.validate(SIMD_PROBE);
  let shared = false;
  if (typeof SharedArrayBuffer === 'function') {
    try {
      shared = new W.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
    } catch {
      shared = false;
    }
  }
  let relaxed = simd && W.validate(RELAXED_PROBE);
  if (simd && !relaxed && enableRelaxedInNode()) relaxed = W.validate(RELAXED_PROBE);
  return { simd, relaxed, shared };
}

// Node 20's V8 (11.3) has relaxed SIMD behind --experimental-wasm-relaxed-simd (on by default from
// Node 22). With MLPKIT_RELAXED_SIMD=1 in the environment, turn that V8 flag on at run time.
// NOTE: opt-in, because it changes a process-wide V8 setting.
function enableRelaxedInNode(): boolean {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown } }).process;
  if (p?.env?.MLPKIT_RELAXED_SIMD !== '1' || typeof p.getBuiltinModule !== 'function') return false;
  const v8 = p.getBuiltinModule('node:v8') as { setFlagsFromString?: (flags: string) => void } | undefined;
  if (!v8?.setFlagsFromString) return false;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return true;
}

function decodeBase64(s: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// ---- loading the modules' bytes -----------------------------------------------------------------

// Four builds (src/kernels/wasm-modules/, ~50 KB of base64 each): plain or relaxed SIMD, for a
// shared or an ordinary memory. A runtime compiles one or two of them, and loads them when a wasm
// backend is first asked for, never by importing mlpkit, so a bundle that never trains (or trains
// on "js") does not fetch them. initWasm imports them (a bundler makes one chunk of each, or
// inlines them into a single-file build); initWasmSync requires them where that is synchronous
// (Node, from the package's files: require(esm); no top-level await in them).
// NOTE: the files hold one constant each, so two copies of one (tsx's require and import) are harmless.
type ModuleKey = 'simd_shared' | 'simd_unshared' | 'relaxed_shared' | 'relaxed_unshared';
const loaded: Partial<Record<ModuleKey, string>> = {};

// NOTE: literal import() paths, one per file: that is what lets bundlers split them
const importers: Record<ModuleKey, () => Promise<{ wasm: string }>> = {
  simd_shared: () => import('./wasm-modules/simd_shared.ts'),
  simd_unshared: () => import('./wasm-modules/simd_unshared.ts'),
  relaxed_shared: () => import('./wasm-modules/relaxed_shared.ts'),
  relaxed_unshared: () => import('./wasm-modules/relaxed_unshared.ts'),
};

const moduleKey = (relaxed: boolean, shared: boolean): ModuleKey => `${relaxed ? 'relaxed' : 'simd'}_${shared ? 'shared' : 'unshared'}`;

/** Whether the module can be loaded synchronously here (Node): loads its text, does not decode it. */
function loadableSync(relaxed: boolean, shared: boolean): boolean {
  const key = moduleKey(relaxed, shared);
  if (loaded[key] === undefined) {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const nodeModule = p?.getBuiltinModule?.('node:module') as { createRequire(from: string): (id: string) => unknown } | undefined;
    if (!nodeModule) return false;
    try {
      // NOTE: not a literal `require(…)`: bundlers must not pull the modules in through this path
      const load = nodeModule.createRequire(import.meta.url);
      loaded[key] = (load(`./wasm-modules/${key}.js`) as { wasm: string }).wasm;
    } catch {
      return false; // a bundle without the files beside it: initWasm (async) still works
    }
  }
  return true;
}

/** The module's bytes, loaded synchronously (Node), or null where that cannot be done. */
function moduleBytesSync(relaxed: boolean, shared: boolean): Uint8Array | null {
  return loadableSync(relaxed, shared) ? decodeBase64(loaded[moduleKey(relaxed, shared)]!) : null;
}

async function moduleBytes(relaxed: boolean, shared: boolean): Promise<Uint8Array> {
  const key = moduleKey(relaxed, shared);
  loaded[key] ??= (await importers[key]()).wasm;
  return decodeBase64(loaded[key]!);
}

// ---- the memory ----------------------------------------------------------------------------------

interface Exports {
  gemm(tA: number, tB: number, M: number, N: number, K: number, alpha: number, A: number, B: number, beta: number, C: number, m0: number, m1: number, n0: number, n1: number, scratch: number): void;
  gemm_scratch_floats(): number;
  bias_act(kind: number, a: number, b: number, h: number, rows: number, cols: number): void;
  bias_act_exp(kind: number, a: number, b: number, h: number, rows: number, cols: number): void;
  act_f32(kind: number, x: number, out: number, n: number): void;
  relu_backward(a: number, dh: number, delta: number, n: number): void;
  sum_rows(x: number, rows: number, cols: number, out: number): void;
  sgd_plain(lo: number, hi: number, p: number, g: number, lr: number): void;
  sgd_step(lo: number, hi: number, p: number, g: number, buf: number, lr: number, mom: number, damp1: number, nesterov: number, wd: number, first: number): void;
  adam_step(lo: number, hi: number, p: number, g: number, m: number, v: number, step: number, b1: number, c1: number, b2: number, c2: number, eps: number, wd: number, decay: number, rbc2: number): void;
  rmsprop_step(lo: number, hi: number, p: number, g: number, s: number, buf: number, lr: number, alpha: number, c: number, eps: number, mom: number, wd: number): void;
  adagrad_step(lo: number, hi: number, p: number, g: number, sum: number, lr: number, eps: number, wd: number): void;
  scale_f64(lo: number, hi: number, x: number, s: number): void;
  sum_squares(lo: number, hi: number, x: number, n: number, out: number): void;
  sum_squares_chunk(): number;
  gather_rows(src: number, cols: number, idx: number, count: number, dst: number): void;
  all_finite(x: number, n: number): number;
  step1_forward(d: number, alpha: number, params: number, work: number, x: number, logits: number): void;
  step1_backward(d: number, alpha: number, params: number, work: number, x: number, logits: number, dh: number, dhPrev: number, lr: number, wd: number): void;
  forward_rows(lo: number, hi: number, d: number, scratch: number): void;
  step1_epoch(d: number, alpha: number, params: number, work: number, x: number, y: number, order: number, n: number, loss: number, lr: number, wd: number,
    dh: number, dhPrev: number, outAt: number, threshold: number, out: number): void;
  exp_f64(x: number, out: number, n: number): void;
  __heap_base: WebAssembly.Global;
}

/** Bump allocator over the one memory every wasm instance imports. */
class Heap {
  /** Every ArrayBuffer object the memory has had: a shared memory hands out a new one per grow. */
  private readonly buffers = new Set<ArrayBufferLike>();
  private current: ArrayBufferLike;
  top: number;

  constructor(readonly memory: WebAssembly.Memory, readonly shared: boolean, heapBase: number) {
    this.current = memory.buffer;
    this.buffers.add(this.current);
    this.top = heapBase;
  }

  /** Byte offset of `bytes` new zeroed bytes (64-byte aligned), or -1 when the memory is full (unshared, or at its maximum). */
  allocBytes(bytes: number): number {
    const p = (this.top + 63) & ~63;
    const end = p + bytes;
    if (end > this.memory.buffer.byteLength) {
      if (!this.shared) return -1;
      const have = this.memory.buffer.byteLength;
      // grow by at least a quarter, so that many small allocations do not grow one page at a time
      const pages = Math.ceil(Math.max(end - have, have / 4) / PAGE);
      try {
        this.memory.grow(pages);
      } catch {
        try {
          this.memory.grow(Math.ceil((end - have) / PAGE));
        } catch {
          return -1; // at the maximum (or out of memory): the caller falls back to ordinary arrays
        }
      }
      this.current = this.memory.buffer;
      this.buffers.add(this.current);
    }
    this.top = end;
    return p;
  }

  /** Released blocks by exact byte size, reused by allocBytes of that size (see Backend.release). */
  private readonly free = new Map<number, number[]>();
  /** Blocks handed out by `alloc` and not released: start → bytes. */
  private readonly live = new Map<number, number>();

  /** A block from `alloc` (its start and its whole length), now in use. */
  track(ptr: number, bytes: number): void {
    this.live.set(ptr, bytes);
  }

  /**
   * Give a block back. NOTE: only a whole block that `alloc` handed out counts; a view into one, a
   * second release of the same block, or anything else is ignored, so it can never be handed out twice.
   */
  release(ptr: number, bytes: number): void {
    if (this.live.get(ptr) !== bytes) return;
    this.live.delete(ptr);
    const list = this.free.get(bytes);
    if (!list) this.free.set(bytes, [ptr]);
    else list.push(ptr);
  }

  /** A released block of exactly `bytes`, zeroed, or -1. */
  reuse(bytes: number): number {
    const p = this.free.get(bytes)?.pop();
    if (p === undefined) return -1;
    new Uint8Array(this.memory.buffer, p, bytes).fill(0);
    return p;
  }

  /** Byte offset of arr in the memory, or -1 when it lives elsewhere. */
  ptr(arr: FloatArray): number {
    const b = arr.buffer;
    return b === this.current || this.buffers.has(b) ? arr.byteOffset : -1;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }
}

// ---- worker threads ------------------------------------------------------------------------------

// Control block (int32 slots): the job header, then one record per worker.
// A job is C split into nBlocks blocks of whole columns (byCols) or rows. Every thread, the caller
// included, claims blocks one at a time from NEXT with compare-and-swap, computes them, and adds
// one to DONE; the caller returns when DONE = nBlocks. NEXT holds (job tag << 16 | next block), so
// a worker that wakes late for a finished job fails its claim and never touches the next job.
// Claiming (rather than a fixed share per thread) lets a thread that runs late — on a machine
// whose cores are busy with other work — take fewer blocks instead of holding everyone up.
const H_VARIANT = 0, H_TA = 1, H_TB = 2, H_M = 3, H_N = 4, H_K = 5, H_ALPHA = 6, H_A = 7, H_B = 8, H_BETA = 9, H_C = 10;
const H_BYCOLS = 11, H_BLOCK = 12, H_NBLOCKS = 13, H_WORKERS = 14, H_OP = 15, H_SEQ = 16, H_NEXT = 32, H_DONE = 48;
/** A range job's arguments: MAX_ARGS float64 slots from int32 slot H_ARGS (byte 256, 8-aligned). */
const H_ARGS = 64, MAX_ARGS = 16;
/** Per block, the tag of the job that finished it (so a stalled job recomputes only unfinished blocks). */
const H_FLAGS = 96, MAX_BLOCKS = 64;
const HEADER = H_FLAGS + MAX_BLOCKS; // SEQ, NEXT and DONE each on their own 64-byte line, then the arguments, then the flags
const W_READY = 0;
const PER_WORKER = 16; // 64 bytes: each worker's record on its own cache line
const MAX_WORKERS = 15;
const CTRL_INTS = HEADER + PER_WORKER * MAX_WORKERS;
/** What a threaded job serves: a training step's kernels, or a forward pass outside training (each backs off on its own). */
type JobKind = 'step' | 'infer';
/** Jobs run on the calling thread alone after threaded jobs stopped paying (see Pool.usable). */
const BACKOFF_JOBS = 48;
let adaptive = true;

/**
 * Whether threaded jobs back off to the calling thread when workers keep it waiting (default on).
 * Off: every large enough job is split, as the tests that check the split need.
 */
export function setWasmAdaptive(on: boolean): void {
  adaptive = on;
}
/**
 * The kernels a range job may run (op = index + 1; op 0 is gemm): each exported as
 * f(lo, hi, …args) over the elements (or chunks) [lo, hi), the same bits whatever the split.
 */
const RANGE_OPS = ['sgd_plain', 'sgd_step', 'adam_step', 'rmsprop_step', 'adagrad_step', 'scale_f64', 'sum_squares', 'forward_rows'] as const;
type RangeOp = (typeof RANGE_OPS)[number];
/** forward_rows(lo, hi, descriptor, scratch): the one range op that takes the thread's gemm scratch. */
const FORWARD_OP = RANGE_OPS.indexOf('forward_rows') + 1;

// The worker: instantiates the same modules over the same memory, then serves jobs until SEQ turns
// negative. Plain JS (runs as a Node eval worker or a browser Blob worker).
const WORKER_SOURCE = `
'use strict';
function serve(d) {
  const ex = d.modules.map((m) => m && new WebAssembly.Instance(m, { env: { memory: d.memory } }).exports);
  const h = new Int32Array(d.memory.buffer, d.ctrl, ${CTRL_INTS});
  const f = new Float32Array(d.memory.buffer, d.ctrl, ${CTRL_INTS});
  const a = new Float64Array(d.memory.buffer, d.ctrl + ${4 * H_ARGS}, ${MAX_ARGS});
  const ops = ${JSON.stringify(RANGE_OPS)};
  let last = Atomics.load(h, ${H_SEQ});
  Atomics.store(h, ${HEADER} + d.index * ${PER_WORKER} + ${W_READY}, 1);
  for (;;) {
    let s, spins = 0;
    while ((s = Atomics.load(h, ${H_SEQ})) === last) {
      if (++spins > d.spin) { Atomics.wait(h, ${H_SEQ}, last); spins = 0; }
    }
    if (s < 0) return;
    last = s;
    if (d.index >= h[${H_WORKERS}]) continue; // fewer threads asked for this job
    const e = ex[h[${H_VARIANT}]];
    const op = h[${H_OP}], fn = op > 0 ? e[ops[op - 1]] : null;
    const M = h[${H_M}], N = h[${H_N}], byCols = h[${H_BYCOLS}], block = h[${H_BLOCK}], nBlocks = h[${H_NBLOCKS}];
    for (;;) {
      const v = Atomics.load(h, ${H_NEXT});
      if ((v >>> 16) !== s || (v & 0xffff) >= nBlocks) break;
      if (Atomics.compareExchange(h, ${H_NEXT}, v, v + 1) !== v) continue;
      const lo = (v & 0xffff) * block, hi = Math.min(byCols ? N : M, lo + block);
      if (op === ${FORWARD_OP}) fn(lo, hi, a[0], d.scratch);
      else if (fn) fn(lo, hi, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
      else if (byCols) e.gemm(h[${H_TA}], h[${H_TB}], M, N, h[${H_K}], f[${H_ALPHA}], h[${H_A}], h[${H_B}], f[${H_BETA}], h[${H_C}], 0, M, lo, hi, d.scratch);
      else e.gemm(h[${H_TA}], h[${H_TB}], M, N, h[${H_K}], f[${H_ALPHA}], h[${H_A}], h[${H_B}], f[${H_BETA}], h[${H_C}], lo, hi, 0, N, d.scratch);
      Atomics.store(h, ${H_FLAGS} + (v & 0xffff), s);
      if (Atomics.add(h, ${H_DONE}, 1) + 1 === nBlocks) Atomics.notify(h, ${H_DONE});
    }
  }
}
if (typeof require === 'function') serve(require('node:worker_threads').workerData);
else self.onmessage = (ev) => serve(ev.data);
`;

interface WorkerHandle {
  terminate(): unknown;
}

type NodeWorkerCtor = new (src: string, opts: { eval: boolean; workerData: unknown }) => WorkerHandle & { unref(): void; on(ev: string, f: (e: unknown) => void): void };

function nodeWorkerCtor(): NodeWorkerCtor | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } } }).process;
  if (!p?.versions?.node || typeof p.getBuiltinModule !== 'function') return null;
  const wt = p.getBuiltinModule('node:worker_threads') as { Worker: NodeWorkerCtor } | undefined;
  return wt?.Worker ?? null;
}

/** Logical cores here (the default thread count). */
export function hardwareThreads(): number {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = p?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  if (os) return os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

class Pool {
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  private readonly workers: (WorkerHandle | null)[] = [];
  private seq = 0;
  private readonly ctrl: number;
  /** Whether this thread may block in Atomics.wait (not a browser's main thread). */
  private readonly canBlock: boolean;

  /** Each worker's gemm scratch (released by dispose, so a pool started again reuses them). */
  private readonly scratches: number[] = [];

  constructor(private readonly heap: Heap, private readonly mods: (WebAssembly.Module | null)[], private readonly scratchFloats: number) {
    const ctrl = heap.allocBytes(4 * CTRL_INTS);
    if (ctrl < 0) throw new RangeError('wasm: no memory left for the thread control block');
    this.i32 = new Int32Array(heap.memory.buffer, ctrl, CTRL_INTS);
    this.f32 = new Float32Array(heap.memory.buffer, ctrl, CTRL_INTS);
    this.f64 = new Float64Array(heap.memory.buffer, ctrl + 4 * H_ARGS, MAX_ARGS);
    this.ctrl = ctrl;
    this.canBlock = nodeWorkerCtor() !== null || typeof (globalThis as { document?: unknown }).document === 'undefined';
  }

  /** Start workers up to `n` (they become ready asynchronously; a job uses the ready ones). */
  ensure(n: number): void {
    n = Math.min(n, MAX_WORKERS);
    while (this.workers.length < n) {
      const index = this.workers.length;
      const bytes = 4 * this.scratchFloats;
      let scratch = this.heap.reuse(bytes);
      if (scratch < 0) scratch = this.heap.allocBytes(bytes);
      if (scratch < 0) return; // memory full: fewer workers
      this.heap.track(scratch, bytes);
      this.scratches.push(scratch);
      const data = { modules: this.mods, memory: this.heap.memory, ctrl: this.ctrl, index, scratch, spin: 20000 };
      let w: WorkerHandle | null = null;
      try {
        const NodeWorker = nodeWorkerCtor();
        if (NodeWorker) {
          const nw = new NodeWorker(WORKER_SOURCE, { eval: true, workerData: data });
          nw.unref();
          nw.on('error', () => this.retire(index));
          w = nw;
        } else if (typeof Worker === 'function' && typeof Blob === 'function') {
          const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
          const bw = new Worker(url);
          bw.onerror = () => this.retire(index);
          bw.postMessage(data);
          w = bw;
        }
      } catch {
        w = null;
      }
      this.workers.push(w);
    }
  }

  private retire(index: number): void {
    Atomics.store(this.i32, HEADER + index * PER_WORKER + W_READY, 0);
    this.workers[index]?.terminate();
    this.workers[index] = null;
  }

  /** Workers ready now, among the first n. */
  ready(n: number): number {
    let k = 0;
    for (let i = 0; i < Math.min(n, this.workers.length); i++) {
      if (this.workers[i] && Atomics.load(this.i32, HEADER + i * PER_WORKER + W_READY) === 1) k++;
    }
    return k;
  }

  /**
   * Run one gemm as nBlocks blocks over this thread and the first `workers` workers; returns once
   * every block is done. `run(lo, hi)` computes one block on this thread.
   */
  job(variant: number, tA: number, tB: number, M: number, N: number, K: number, alpha: number, A: number, B: number, beta: number, C: number,
    byCols: boolean, block: number, nBlocks: number, workers: number, run: (lo: number, hi: number) => void): void {
    const h = this.i32;
    const tag = (this.seq = (this.seq % 0x7fff) + 1); // 1 … 32767: fits the 16 high bits of NEXT, never negative
    // NOTE: NEXT first: from here on a late worker still holding the old tag cannot claim anything,
    // so it never reads this job's header half-written.
    Atomics.store(h, H_NEXT, tag << 16);
    Atomics.store(h, H_DONE, 0);
    h[H_VARIANT] = variant; h[H_TA] = tA; h[H_TB] = tB; h[H_M] = M; h[H_N] = N; h[H_K] = K;
    this.f32[H_ALPHA] = alpha; h[H_A] = A; h[H_B] = B; this.f32[H_BETA] = beta; h[H_C] = C;
    h[H_BYCOLS] = byCols ? 1 : 0; h[H_BLOCK] = block; h[H_NBLOCKS] = nBlocks; h[H_WORKERS] = workers; h[H_OP] = 0;
    this.kind = 'step';
    this.start(tag);
    this.claim(byCols ? N : M, block, nBlocks, run);
  }

  /**
   * Run RANGE_OPS[op − 1](lo, hi, …args) over [0, len) as nBlocks blocks of `block` over this thread
   * and the first `workers` workers; `run(lo, hi)` computes one block on this thread.
   */
  rangeJob(variant: number, op: number, args: readonly number[], len: number, block: number, nBlocks: number, workers: number, run: (lo: number, hi: number) => void, kind: JobKind = 'step'): void {
    const h = this.i32;
    const tag = (this.seq = (this.seq % 0x7fff) + 1);
    Atomics.store(h, H_NEXT, tag << 16); // NOTE: first, as in job()
    Atomics.store(h, H_DONE, 0);
    h[H_VARIANT] = variant; h[H_OP] = op; h[H_M] = len; h[H_N] = len; h[H_BYCOLS] = 1;
    h[H_BLOCK] = block; h[H_NBLOCKS] = nBlocks; h[H_WORKERS] = workers;
    if (args.length > MAX_ARGS) throw new RangeError(`wasm: a range job takes at most ${MAX_ARGS} arguments`);
    for (let i = 0; i < args.length; i++) this.f64[i] = args[i];
    this.kind = kind;
    this.start(tag);
    this.claim(len, block, nBlocks, run);
  }

  private start(tag: number): void {
    const h = this.i32;
    Atomics.store(h, H_SEQ, tag); // the release: the header above is visible to whoever reads this
    Atomics.notify(h, H_SEQ);
  }

  /** Claim and run blocks on this thread until none is left, then wait for the workers' blocks. */
  private claim(len: number, block: number, nBlocks: number, run: (lo: number, hi: number) => void): void {
    const h = this.i32;
    const tag = this.seq;
    const tStart = performance.now();
    let mine = 0;
    for (;;) {
      const v = Atomics.load(h, H_NEXT);
      if ((v & 0xffff) >= nBlocks) break;
      if (Atomics.compareExchange(h, H_NEXT, v, v + 1) !== v) continue;
      const lo = (v & 0xffff) * block;
      run(lo, Math.min(len, lo + block));
      Atomics.store(h, H_FLAGS + (v & 0xffff), tag);
      Atomics.add(h, H_DONE, 1);
      mine++;
    }
    // wait for the blocks the workers claimed
    const tMine = performance.now();
    let spins = 0;
    const t0 = Date.now();
    for (;;) {
      const done = Atomics.load(h, H_DONE);
      if (done >= nBlocks) {
        // the job did not pay when this thread waited longer for the workers than it worked itself
        // (a worker descheduled by a busy core), or when no worker took a block in time
        this.observe(performance.now() - tMine > tMine - tStart || mine === nBlocks);
        return;
      }
      if (++spins > 4000) {
        spins = 0;
        if (this.canBlock) Atomics.wait(h, H_DONE, done, 1);
        if (Date.now() - t0 > 10000) {
          // a worker died holding a block: compute the unfinished blocks here (same code, same bits)
          // and stop using workers. NOTE: the dead worker may have written part of its block; gemm
          // with beta = 0 overwrites it, but an update (+=, an optimizer step) is then applied twice there.
          for (let i = 0; i < nBlocks; i++) if (Atomics.load(h, H_FLAGS + i) !== tag) run(i * block, Math.min(len, (i + 1) * block));
          this.dispose();
          return;
        }
      }
    }
  }

  /**
   * Per kind of job: `backoff`, jobs still to run on the calling thread alone after threaded jobs
   * that did not pay; `stalls`, a decaying count of recent threaded jobs that did not pay.
   * NOTE: one record per kind: a training step's many short jobs (~0.1 ms, where a worker waking
   * late shows) say nothing about inference's forward passes (milliseconds each), and a count
   * shared by both kept predict on one thread for dozens of calls after a threaded fit.
   */
  private readonly busy: Record<JobKind, { backoff: number; stalls: number }> = { step: { backoff: 0, stalls: 0 }, infer: { backoff: 0, stalls: 0 } };
  /** The kind of the job under way. */
  private kind: JobKind = 'step';

  /**
   * Workers the next job of this kind may use: the ready ones, or none while backing off. On a
   * machine whose cores are busy with other work, a worker can be descheduled holding a block
   * while the calling thread waits for it; after several such jobs, the next BACKOFF_JOBS of that
   * kind run on the calling thread alone, then threads are tried again. Results are the same bits either way.
   */
  usable(n: number, kind: JobKind = 'step'): number {
    const b = this.busy[kind];
    if (b.backoff > 0 && adaptive) {
      b.backoff--;
      return 0;
    }
    return this.ready(n);
  }

  private observe(stalled: boolean): void {
    const b = this.busy[this.kind];
    b.stalls = 0.75 * b.stalls + (stalled ? 1 : 0);
    if (b.stalls > 2) {
      b.backoff = BACKOFF_JOBS;
      b.stalls = 0;
    }
  }

  dispose(): void {
    Atomics.store(this.i32, H_SEQ, -1);
    Atomics.notify(this.i32, H_SEQ);
    for (let i = 0; i < this.workers.length; i++) {
      this.workers[i]?.terminate();
      this.workers[i] = null;
    }
    // NOTE: the scratches are safe to hand out again (a worker that has not yet seen SEQ = -1 waits
    // on this control block, which is never reused, so it runs no further job); the control block
    // itself stays allocated for that reason (CTRL_INTS int32s per pool started)
    for (const p of this.scratches) this.heap.release(p, 4 * this.scratchFloats);
    this.scratches.length = 0;
  }
}

// ---- the engine: one memory, one or two compiled modules, the pool -----------------------------

/** The WebAssembly backends, by build: index = the build's variant (0 plain SIMD, 1 relaxed SIMD). @internal */
export const WASM_NAMES: readonly WasmName[] = ['wasm-simd', 'wasm-relaxed'];
/** The name of a WebAssembly backend: `"wasm-simd"` (plain 128-bit SIMD) or `"wasm-relaxed"` (relaxed SIMD, fused multiply-add). */
export type WasmName = 'wasm-simd' | 'wasm-relaxed';

/** Options of `initBackends`. */
export interface WasmOptions {
  /** Threads for gemm, the main thread included; default: all logical cores (at most 16). */
  threads?: number;
  /**
   * The WebAssembly builds to compile now; default: the fastest one the runtime runs
   * (`wasm-relaxed` where it has relaxed SIMD, else `wasm-simd`). The other build is compiled when
   * first asked for where that can be done synchronously (Node); in a browser, list it here.
   */
  backends?: WasmName[];
}

class Engine {
  readonly heap: Heap;
  /** Instances on this thread by variant ([plain SIMD, relaxed SIMD]); null = not compiled (yet). */
  readonly ex: (Exports | null)[];
  /** Either compiled build, for what both builds share (heap base, scratch sizes, chunk sizes). */
  private readonly base: Exports;
  readonly scratch: number;
  readonly scratchFloats: number;
  threads = 1;
  /** gemm calls that ran on more than one thread (for tests and benchmarks). */
  threadedCalls = 0;
  pool: Pool | null = null;
  /** Staging for arrays that are not in the memory (only an unshared, full memory makes them). */
  private stageA = { ptr: 0, bytes: 0 };
  private stageB = { ptr: 0, bytes: 0 };
  private stageC = { ptr: 0, bytes: 0 };

  constructor(private readonly mods: (WebAssembly.Module | null)[], readonly shared: boolean, memory: WebAssembly.Memory) {
    this.ex = mods.map((m) => (m ? (new WebAssembly.Instance(m, { env: { memory } }).exports as unknown as Exports) : null));
    const e = this.ex.find((x) => x !== null);
    if (!e) throw new Error('wasm: an engine needs at least one compiled build');
    this.base = e;
    this.heap = new Heap(memory, shared, (e.__heap_base.value as number));
    this.scratchFloats = e.gemm_scratch_floats();
    this.scratch = this.heap.allocBytes(4 * this.scratchFloats);
  }

  /**
   * Add a build compiled after the engine started (see initWasm). Its instance shares the memory;
   * running workers are ended and start again with every build at the next large enough job.
   * NOTE: both builds come from one source with --stack-first and no data segment (heap base
   * 65536): instantiating one more writes nothing into the memory the heap hands out.
   */
  addModule(variant: number, mod: WebAssembly.Module): void {
    if (this.ex[variant]) return;
    const e = new WebAssembly.Instance(mod, { env: { memory: this.heap.memory } }).exports as unknown as Exports;
    if (e.__heap_base.value !== this.base.__heap_base.value) throw new Error('wasm: the two builds disagree on the heap base; rebuild them with npm run build:wasm');
    this.mods[variant] = mod;
    this.ex[variant] = e;
    if (this.pool) {
      this.pool.dispose();
      this.pool = null;
    }
  }

  setThreads(n: number): void {
    this.threads = Math.max(1, Math.min(MAX_WORKERS + 1, Math.floor(n)));
    // workers start at the first gemm large enough to split (a tiny network never starts one)
    if (this.pool) this.startWorkers();
  }

  startWorkers(): void {
    if (this.threads > 1 && this.shared && !this.noPool) {
      try {
        this.pool ??= new Pool(this.heap, this.mods, this.scratchFloats);
        this.pool.ensure(this.threads - 1);
      } catch {
        this.noPool = true; // memory full: stay on one thread
      }
    }
  }

  private noPool = false;

  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
    this.threads = 1;
  }

  alloc(n: number): Float32Array {
    let p = this.heap.reuse(4 * n);
    if (p < 0) p = this.heap.allocBytes(4 * n);
    if (p < 0) return new Float32Array(n);
    this.heap.track(p, 4 * n);
    return this.heap.f32(p, n);
  }

  release(x: FloatArray): void {
    const p = this.heap.ptr(x);
    if (p >= 0 && x instanceof Float32Array && x.length > 0) this.heap.release(p, 4 * x.length);
  }

  private stage(s: { ptr: number; bytes: number }, arr: FloatArray, n: number, copyIn: boolean): number {
    if (s.bytes < 4 * n) {
      const p = this.heap.allocBytes(4 * n);
      if (p < 0) return -1;
      s.ptr = p;
      s.bytes = 4 * n;
    }
    if (copyIn) this.heap.f32(s.ptr, n).set(arr.subarray(0, n));
    return s.ptr;
  }

  gemm(variant: number, tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, A: FloatArray, B: FloatArray, beta: number, C: FloatArray): void {
    const heap = this.heap;
    let pa = heap.ptr(A), pb = heap.ptr(B), pc = heap.ptr(C);
    const copyC = pc < 0;
    if (pa < 0) pa = this.stage(this.stageA, A, M * K, true);
    if (pb < 0) pb = this.stage(this.stageB, B, K * N, true);
    if (pc < 0) pc = this.stage(this.stageC, C, M * N, beta !== 0);
    if (pa < 0 || pb < 0 || pc < 0) {
      gemmJs(tA, tB, M, N, K, alpha, A, B, beta, C);
      return;
    }
    const ta = tA ? 1 : 0, tb = tB ? 1 : 0;
    const pool = this.pool;
    const ex = this.ex[variant]!;
    let nw = 0;
    if (this.threads > 1 && M * N * K >= THREAD_MIN_MACS) {
      if (pool) nw = pool.usable(this.threads - 1);
      else this.startWorkers(); // they start in the background; this gemm runs here
    }
    if (nw === 0) {
      ex.gemm(ta, tb, M, N, K, alpha, pa, pb, beta, pc, 0, M, 0, N, this.scratch);
    } else {
      // blocks of whole columns when C is wider than tall, else of rows, on tile boundaries; about
      // two per thread (so a late thread is covered) but never narrower than MIN_BLOCK tiles
      this.threadedCalls++;
      const byCols = N >= M;
      const len = byCols ? N : M;
      const tile = byCols ? NR : MR;
      const T = nw + 1;
      const tiles = Math.ceil(len / tile);
      const block = tile * Math.max(MIN_BLOCK_TILES, Math.ceil(tiles / (2 * T)));
      const nBlocks = Math.ceil(len / block);
      const scratch = this.scratch;
      const run = byCols
        ? (lo: number, hi: number) => ex.gemm(ta, tb, M, N, K, alpha, pa, pb, beta, pc, 0, M, lo, hi, scratch)
        : (lo: number, hi: number) => ex.gemm(ta, tb, M, N, K, alpha, pa, pb, beta, pc, lo, hi, 0, N, scratch);
      pool!.job(variant, ta, tb, M, N, K, alpha, pa, pb, beta, pc, byCols, block, nBlocks, this.threads - 1, run);
    }
    if (copyC) (C as Float32Array).set(heap.f32(pc, M * N));
  }

  /**
   * RANGE_OPS kernel `op`(lo, hi, …args) over [0, len): on this thread, or split over the ready
   * workers into blocks of whole granules (16 elements, or 1 chunk) when each thread gets at
   * least minPerThread. Every entry is computed by the same code whatever block it falls in.
   */
  range(variant: number, op: RangeOp, args: number[], len: number, minPerThread: number, granule: number): void {
    const fn = this.ex[variant]![op] as unknown as (lo: number, hi: number, ...a: number[]) => void;
    let nw = 0;
    if (this.threads > 1 && len >= 2 * minPerThread) {
      if (this.pool) nw = this.pool.usable(this.threads - 1);
      else this.startWorkers(); // they start in the background; this call runs here
    }
    if (nw === 0) {
      fn(0, len, ...args);
      return;
    }
    this.threadedCalls++;
    const T = Math.min(nw + 1, Math.floor(len / minPerThread));
    // about two blocks per thread, so a thread that runs late is covered
    const block = granule * Math.ceil(len / (2 * T) / granule);
    const nBlocks = Math.ceil(len / block);
    this.pool!.rangeJob(variant, RANGE_OPS.indexOf(op) + 1, args, len, block, nBlocks, this.threads - 1, (lo, hi) => fn(lo, hi, ...args));
  }

  /** The forward_rows descriptor: [L, B, check, nonfinite, then 8 ints per layer] (wasm/sgemm.c), made at the first use. */
  private fwd = { ptr: -1, view: new Int32Array(0) };

  /**
   * Backend.forwardRows: the whole stack over B rows, the rows split into blocks (whole micro-tile
   * rows, about two per thread) that each thread runs through every layer (wasm/sgemm.c,
   * forward_rows). Only where the layer-by-layer pass would run every gemm and bias in wasm (so
   * the bits are the same) and where threads would split it; 'skipped' otherwise, nothing written.
   * With checkX, the blocks' input rows are tested for NaN and ±Infinity in the same job.
   */
  forwardRows(variant: number, layers: readonly ForwardLayer[], x: FloatArray, B: number, checkX: boolean): 'done' | 'nonfinite' | 'skipped' {
    const L = layers.length;
    if (this.threads < 2 || L > FWD_MAX_LAYERS || B < 2 * MR) return 'skipped';
    let macs = 0;
    for (const l of layers) {
      const m = B * l.nIn * l.nOut;
      if (m < WASM_MIN_MACS || FWD_KINDS[l.kind] === undefined) return 'skipped';
      macs += m;
    }
    if (macs < THREAD_MIN_MACS) return 'skipped';
    if (!this.pool) {
      this.startWorkers(); // they start in the background; this pass runs layer by layer
      return 'skipped';
    }
    const heap = this.heap;
    const px = heap.ptr(x);
    if (px < 0 || !(x instanceof Float32Array)) return 'skipped';
    const ints = 4 + 8 * FWD_MAX_LAYERS;
    if (this.fwd.ptr < 0) this.fwd.ptr = heap.allocBytes(4 * ints);
    if (this.fwd.ptr < 0) return 'skipped';
    // NOTE: a view made per call: the memory may have grown since the last one
    if (this.fwd.view.buffer !== heap.memory.buffer) this.fwd.view = new Int32Array(heap.memory.buffer, this.fwd.ptr, ints);
    const d = this.fwd.view;
    d[0] = L;
    d[1] = B;
    d[2] = checkX ? 1 : 0;
    d[3] = 0;
    let pIn = px;
    for (let l = 0; l < L; l++) {
      const y = layers[l];
      const pw = heap.ptr(y.W), pb = heap.ptr(y.b), pa = heap.ptr(y.a), ph = heap.ptr(y.h);
      if (pw < 0 || pb < 0 || pa < 0 || ph < 0 || !(y.W instanceof Float32Array)) return 'skipped';
      d.set([y.nIn, y.nOut, FWD_KINDS[y.kind]!, pw, pb, pIn, pa, ph], 4 + 8 * l);
      pIn = ph;
    }
    const nw = this.pool.usable(this.threads - 1, 'infer');
    if (nw === 0) return 'skipped';
    this.threadedCalls++;
    const ex = this.ex[variant]!;
    const desc = this.fwd.ptr, scratch = this.scratch;
    const block = MR * Math.ceil(B / (2 * (nw + 1)) / MR);
    this.pool.rangeJob(variant, FORWARD_OP, [desc], B, block, Math.ceil(B / block), this.threads - 1, (lo, hi) => ex.forward_rows(lo, hi, desc, scratch), 'infer');
    // the flag any thread set is visible here: the job's end (the DONE count) is read with Atomics
    return Atomics.load(d, 3) === 0 ? 'done' : 'nonfinite';
  }

  private readonly backends: (Backend | undefined)[] = [];

  /** The backend over build `variant` (compiled): one object per build, made on first request. */
  backend(variant: number): Backend {
    return (this.backends[variant] ??= makeBackend(WASM_NAMES[variant], variant, this));
  }

  /** float64 scratch for sum_squares' chunk sums (grown on demand). */
  private sq = { ptr: 0, cap: 0, view: new Float64Array(0) };

  /** Σ x² over x: [n] at byte offset px, or −1 when no scratch memory is left. */
  sumSquares(variant: number, px: number, n: number): number {
    const chunk = this.sqChunk;
    const chunks = Math.ceil(n / chunk);
    const sq = this.sq;
    if (chunks > sq.cap) {
      const p = this.heap.allocBytes(8 * chunks);
      if (p < 0) return -1; // memory full: the caller sums in js
      sq.ptr = p;
      sq.cap = chunks;
    }
    // NOTE: a view made after the call: the memory may have grown since the last one
    this.range(variant, 'sum_squares', [px, n, sq.ptr], chunks, OPTIMIZER_THREAD_MIN / chunk, 1);
    if (sq.view.buffer !== this.heap.memory.buffer || sq.view.byteOffset !== sq.ptr || sq.view.length < chunks) sq.view = new Float64Array(this.heap.memory.buffer, sq.ptr, sq.cap);
    let s = 0;
    for (let c = 0; c < chunks; c++) s += sq.view[c]; // in order: the same sum for any thread count
    return s;
  }

  get sqChunk(): number {
    return (this._sqChunk ||= this.base.sum_squares_chunk());
  }
  private _sqChunk = 0;
}

let engine: Engine | null = null;
let features: WasmFeatures | null = null;
let requestedThreads: number | null = null;

function memoryFor(shared: boolean): WebAssembly.Memory {
  if (shared) {
    for (const maxPages of [65536, 16384, 4096]) {
      try {
        return new WebAssembly.Memory({ initial: 256, maximum: maxPages, shared: true });
      } catch { /* try a smaller reservation */ }
    }
  }
  for (const bytes of UNSHARED_BYTES) {
    try {
      return new WebAssembly.Memory({ initial: bytes / PAGE });
    } catch { /* try a smaller reservation */ }
  }
  throw new Error('wasm: could not reserve a WebAssembly memory');
}

function defaultThreads(): number {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const env = p?.env?.MLPKIT_THREADS;
  if (env !== undefined && Number.isFinite(Number(env)) && Number(env) >= 1) return Number(env);
  return Math.min(hardwareThreads(), MAX_WORKERS + 1);
}

function startEngine(mods: (WebAssembly.Module | null)[], shared: boolean): Engine {
  const e = new Engine(mods, shared, memoryFor(shared));
  e.setThreads(requestedThreads ?? defaultThreads());
  return e;
}

/** The variants (0 plain, 1 relaxed) this runtime runs; the fastest, the one compiled first, last. */
function runnable(f: WasmFeatures): number[] {
  return f.relaxed ? [0, 1] : [0];
}

/**
 * Compile and start the wasm engine synchronously (Node running the package's files; anywhere
 * once `initWasm` has loaded the modules), with the fastest build only (the other one is compiled
 * by `wasmBackendSync` when asked for). Returns null where WebAssembly SIMD is missing, where the
 * modules cannot be loaded synchronously (browsers, bundles: use `initWasm`), or where
 * synchronous compilation is refused (a browser's main thread refuses modules over 4 KiB).
 * @internal (not in the package's declarations: they would need the WebAssembly types of lib "dom")
 */
export function initWasmSync(): Engine | null {
  if (engine) return engine;
  features ??= detectFeatures();
  if (!features.simd) return null;
  const best = runnable(features).at(-1)!;
  const bytes = moduleBytesSync(best === 1, features.shared);
  if (!bytes) return null;
  try {
    const mods: (WebAssembly.Module | null)[] = [null, null];
    mods[best] = new WebAssembly.Module(bytes as BufferSource);
    engine = startEngine(mods, features.shared);
  } catch {
    return null;
  }
  return engine;
}

/**
 * Compile and start the wasm engine asynchronously (works everywhere, a browser's main thread too),
 * with the builds `options.backends` names (default: the fastest the runtime runs). A second call
 * adds builds to the running engine.
 * @internal
 */
export async function initWasm(options: WasmOptions = {}): Promise<Engine | null> {
  if (options.threads !== undefined) requestedThreads = options.threads;
  features ??= detectFeatures();
  if (!features.simd) return null;
  const can = runnable(features);
  const want = options.backends ? options.backends.map((n) => WASM_NAMES.indexOf(n)).filter((v) => can.includes(v)) : [can.at(-1)!];
  if (want.length === 0 && !engine) want.push(can.at(-1)!);
  const compiled: [number, WebAssembly.Module][] = [];
  for (const v of want) {
    if (!engine?.ex[v]) compiled.push([v, await WebAssembly.compile(await moduleBytes(v === 1, features.shared) as BufferSource)]);
  }
  if (!engine) {
    const mods: (WebAssembly.Module | null)[] = [null, null];
    for (const [v, m] of compiled) mods[v] = m;
    engine = startEngine(mods, features.shared);
  } else {
    for (const [v, m] of compiled) engine.addModule(v, m);
  }
  if (options.threads !== undefined) engine.setThreads(options.threads);
  return engine;
}

/**
 * The backend `name` ("wasm-simd" or "wasm-relaxed") where the runtime runs it: compiled now if it
 * was not (synchronously: Node), registered by the caller. `null` where the runtime lacks it;
 * `'async'` where it needs `initWasm({ backends: [name] })` first (a browser, a bundle).
 * @internal
 */
export function wasmBackendSync(name: string): Backend | null | 'async' {
  const v = WASM_NAMES.indexOf(name as WasmName);
  if (v < 0) return null;
  features ??= detectFeatures();
  if (!features.simd || !runnable(features).includes(v)) return null;
  const eng = engine ?? initWasmSync();
  if (!eng) return 'async';
  if (!eng.ex[v]) {
    const bytes = moduleBytesSync(v === 1, features.shared);
    if (!bytes) return 'async';
    try {
      eng.addModule(v, new WebAssembly.Module(bytes as BufferSource));
    } catch {
      return 'async'; // synchronous compilation refused (a browser's main thread)
    }
  }
  return eng.backend(v);
}

/** The wasm backends the runtime runs but has not compiled, that `wasmBackendSync` can compile here. @internal */
export function wasmBackendsLoadable(): string[] {
  if (!engine || !features) return [];
  // NOTE: listBackends calls this: it checks the module can be loaded, without decoding ~50 KB of base64
  return runnable(features).filter((v) => !engine!.ex[v] && loadableSync(v === 1, features!.shared)).map((v) => WASM_NAMES[v]);
}

/** What the wasm engine runs with here (null before it started or where it cannot). */
export function wasmInfo(): (WasmFeatures & { compiled: WasmName[]; threads: number; readyWorkers: number; threadedCalls: number; memoryBytes: number; heapTop: number }) | null {
  if (!engine || !features) return null;
  const ready = engine.pool ? engine.pool.ready(MAX_WORKERS) : 0;
  // memoryBytes: the WebAssembly memory's size; heapTop: how far the bump allocator has handed it
  // out (released blocks are reused below it), what memory tests watch
  // compiled: the builds instantiated so far (the fastest at start, the other on request)
  const compiled = WASM_NAMES.filter((_, v) => engine!.ex[v] !== null);
  return { ...features, compiled, threads: engine.threads, readyWorkers: ready, threadedCalls: engine.threadedCalls, memoryBytes: engine.heap.memory.buffer.byteLength, heapTop: engine.heap.top };
}

/**
 * Resolves when the requested worker threads have started (they start in the background and gemm
 * uses whichever are ready, with the same results either way), or after timeoutMs.
 */
export async function waitForWorkers(timeoutMs = 5000): Promise<number> {
  engine?.startWorkers();
  const t0 = Date.now();
  for (;;) {
    const info = wasmInfo();
    const want = info ? (info.shared ? info.threads - 1 : 0) : 0;
    const have = info?.readyWorkers ?? 0;
    if (have >= want || Date.now() - t0 > timeoutMs) return have;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Set the gemm thread count (1 = no workers). Works before or after the engine starts. */
export function setWasmThreads(n: number): void {
  requestedThreads = n;
  engine?.setThreads(n);
}

/** End the worker threads (the engine keeps working on one thread). */
export function disposeWasm(): void {
  engine?.dispose();
  requestedThreads = 1;
}

/** Elementwise work below this many entries stays in TypeScript (a wasm call costs more). */
const WASM_MIN_ELEMENTS = 256;
/**
 * An optimizer update (or the clipping norm) is split over threads when each thread gets at least
 * this many parameters (~20-40 µs of work), as a wake-up costs 5-50 µs.
 */
export const OPTIMIZER_THREAD_MIN = 1 << 15;

function makeBackend(name: string, variant: number, eng: Engine): Backend {
  const ex = eng.ex[variant]!;
  const heap = eng.heap;
  // the js kernels for small arrays, held directly: a tiny network calls them ~25 times per update
  const { biasActivate: jsBiasActivate, activationBackward: jsActivationBackward, sumRows: jsSumRows, sgdStep: jsSgdStep, gatherRows: jsGatherRows, allFinite: jsAllFinite } = js;
  const { adamStep: jsAdamStep, rmspropStep: jsRmspropStep, adagradStep: jsAdagradStep, scale: jsScale, sumSquares: jsSumSquares } = js;
  const T_MIN = OPTIMIZER_THREAD_MIN;
  // the small-network step's stack (the last one seen: one per fit call), laid out for wasm/sgemm.c
  // in a descriptor area of the memory made once: [L, n0 … nL, kind1 … kindL] int32, then α float64
  const S1_KINDS: Record<string, number> = { identity: 0, relu: 1, tanh: 2, sigmoid: 3, leakyRelu: 4 };
  const S1_MAX_LAYERS = 30;
  // the losses step1_epoch computes (bce, which needs log and exp, stays in js)
  const S1_LOSSES: Partial<Record<LossName, number>> = { sse: 0, mse: 1, mae: 2, huber: 3 };
  const s1 = {
    net: null as DenseStack | null, ok: false, area: -1, desc: 0, alpha: 0, out: 0, params: 0, work: 0, nL: 0, outA: 0,
    squash: null as ((kind: 'tanh' | 'sigmoid', aOff: number, hOff: number, n: number) => void) | null,
  };
  const s1Prepare = (net: DenseStack): void => {
    s1.net = net;
    s1.ok = false;
    const pp = heap.ptr(net.params), pw = heap.ptr(net.work);
    // fused.ts with the polynomials, wherever the work row is in the memory
    s1.squash = pw >= 0 ? (kind, aOff, hOff, n) => ex.act_f32(kind === 'tanh' ? 1 : 2, pw + 4 * aOff, pw + 4 * hOff, n) : null;
    const L = net.sizes.length - 1;
    if (pp < 0 || pw < 0 || L > S1_MAX_LAYERS || !net.kinds.every((k) => k in S1_KINDS)) return;
    if (s1.area < 0) s1.area = heap.allocBytes(8 * 64 + 8 * S1_MAX_LAYERS + 8 * 4);
    if (s1.area < 0) return;
    s1.desc = s1.area;
    s1.alpha = s1.area + 8 * 64;
    s1.out = s1.alpha + 8 * S1_MAX_LAYERS; // step1_epoch's four sums
    const d = new Int32Array(heap.memory.buffer, s1.desc, 64);
    const al = new Float64Array(heap.memory.buffer, s1.alpha, S1_MAX_LAYERS);
    d[0] = L;
    for (let l = 0; l <= L; l++) d[1 + l] = net.sizes[l];
    for (let l = 0; l < L; l++) {
      d[2 + L + l] = S1_KINDS[net.kinds[l]];
      al[l] = net.alphas[l];
    }
    s1.params = pp;
    s1.work = pw;
    s1.nL = net.sizes[L];
    s1.outA = outputOffset(net.sizes);
    s1.ok = true;
  };
  // the row indices of one gather, copied into the memory (the caller's idx is an ordinary array)
  let idxCap = 0;
  let idxPtr = 0;
  let idxView = new Uint32Array(0);
  /** idx[start … start + count) copied into the memory: its pointer, or −1 when the memory is full. */
  const idxInMemory = (idx: Uint32Array, start: number, count: number): number => {
    if (count > idxCap) {
      const p = heap.allocBytes(4 * count);
      if (p < 0) return -1;
      idxPtr = p;
      idxCap = count;
    }
    // NOTE: a view made per call: the memory may have grown since the last one
    if (idxView.buffer !== heap.memory.buffer || idxView.byteOffset !== idxPtr || idxView.length < count) idxView = new Uint32Array(heap.memory.buffer, idxPtr, idxCap);
    idxView.set(idx.subarray(start, start + count));
    return idxPtr;
  };
  return {
    ...js,
    name,
    supports: (dtype: DType) => dtype === 'float32',
    alloc: (n: number, dtype: DType) => (dtype === 'float32' ? eng.alloc(n) : allocArray(n, dtype)),
    release: (x: FloatArray) => eng.release(x),

    // C: [M, N] = alpha · op(A): [M, K] · op(B): [K, N] + beta · C
    gemm(transA, transB, M, N, K, alpha, A, B, beta, C) {
      if (M * N * K < WASM_MIN_MACS || !(C instanceof Float32Array)) gemmJs(transA, transB, M, N, K, alpha, A, B, beta, C);
      else eng.gemm(variant, transA, transB, M, N, K, alpha, A, B, beta, C);
    },

    // a: [rows, cols]  b: [cols]  h: [rows, cols]; relu and identity in wasm from 256 entries; tanh
    // and sigmoid in wasm at every size, with float32 polynomials (docs/backends.md states their
    // error): the same function for a batch of one as for a large batch (and the fused small-network
    // step below); the rest in js
    biasActivate(kind, alpha, a, b, h, rows, cols) {
      const exp = kind === 'tanh' || kind === 'sigmoid';
      if (exp || ((kind === 'relu' || kind === 'identity') && rows * cols >= WASM_MIN_ELEMENTS)) {
        const pa = heap.ptr(a), pb = heap.ptr(b), ph = heap.ptr(h);
        if (pa >= 0 && pb >= 0 && ph >= 0) {
          if (exp) ex.bias_act_exp(kind === 'tanh' ? 1 : 2, pa, pb, ph, rows, cols);
          else ex.bias_act(kind === 'relu' ? 1 : 0, pa, pb, ph, rows, cols);
          return;
        }
      }
      jsBiasActivate(kind, alpha, a, b, h, rows, cols);
    },

    // a, h, dh, delta: [n]
    activationBackward(kind, alpha, a, h, dh, delta, n) {
      if (kind === 'relu' && n >= WASM_MIN_ELEMENTS) {
        const pa = heap.ptr(a), pd = heap.ptr(dh), po = heap.ptr(delta);
        if (pa >= 0 && pd >= 0 && po >= 0) {
          ex.relu_backward(pa, pd, po, n);
          return;
        }
      }
      jsActivationBackward(kind, alpha, a, h, dh, delta, n);
    },

    // x: [rows, cols]  out: [cols]
    sumRows(x, rows, cols, out) {
      if (rows * cols >= WASM_MIN_ELEMENTS) {
        const px = heap.ptr(x), po = heap.ptr(out);
        if (px >= 0 && po >= 0) {
          ex.sum_rows(px, rows, cols, po);
          return;
        }
      }
      jsSumRows(x, rows, cols, out);
    },

    // src: [*, cols]  dst: [count, cols]
    gatherRows(src, cols, idx, start, count, dst) {
      if (cols >= 16 && count * cols >= WASM_MIN_ELEMENTS) {
        const ps = heap.ptr(src), pd = heap.ptr(dst);
        if (ps >= 0 && pd >= 0) {
          const pi = idxInMemory(idx, start, count);
          if (pi >= 0) {
            ex.gather_rows(ps, cols, pi, count, pd);
            return;
          }
        }
      }
      jsGatherRows(src, cols, idx, start, count, dst);
    },

    allFinite(x, n) {
      if (n >= WASM_MIN_ELEMENTS) {
        const px = heap.ptr(x);
        if (px >= 0 && x instanceof Float32Array) return ex.all_finite(px, n) === 1;
      }
      return jsAllFinite(x, n);
    },

    // The small-network step (batch 1, plain SGD): kernels/fused.ts's arithmetic with the forward
    // pass and the backward pass + update each one wasm call (wasm/sgemm.c, step1_*), the loss
    // between them in js (lossRef, as fused.ts). Other activations, arrays outside the memory and
    // very deep stacks take fused.ts itself, with tanh/σ by the polynomials.
    sgdStep1(net, x, xOff, y, yOff, loss, lr, wd) {
      if (net !== s1.net) s1Prepare(net);
      const px = s1.ok ? heap.ptr(x) : -1;
      if (px < 0) return sgdStep1Js(net, x, xOff, y, yOff, loss, lr, wd, s1.squash ?? undefined);
      const logits = loss === 'bce' ? 1 : 0;
      ex.step1_forward(s1.desc, s1.alpha, s1.params, s1.work, px + 4 * xOff, logits);
      const nL = s1.nL;
      const ell = lossRef(loss, net.work, y, net.work, 1, nL, 1, logits ? s1.outA : s1.outA + nL, yOff, net.dh);
      ex.step1_backward(s1.desc, s1.alpha, s1.params, s1.work, px + 4 * xOff, logits, net.dh, net.dhPrev, lr, wd);
      return ell;
    },

    // layers: as ForwardLayer  x: [B, nIn of the first]; all the layers over row blocks, on the threads
    forwardRows(layers, x, B, checkX = false) {
      return eng.forwardRows(variant, layers, x, B, checkX);
    },

    // A whole epoch of the step in one call (wasm/sgemm.c step1_epoch, with lossRef's formulas for
    // sse, mse, mae and huber): the same bits as the loop over sgdStep1 above, without a js↔wasm
    // round trip and a lossRef call per sample.
    sgdEpoch1(net, x, y, order, n, loss, lr, wd, threshold, outAt): SmallSums | null {
      const lk = S1_LOSSES[loss];
      if (lk === undefined) return null;
      if (net !== s1.net) s1Prepare(net);
      const px = s1.ok ? heap.ptr(x) : -1, py = s1.ok ? heap.ptr(y) : -1;
      if (px < 0 || py < 0 || !(x instanceof Float32Array) || !(y instanceof Float32Array)) return null;
      const po = idxInMemory(order, 0, n);
      if (po < 0) return null;
      ex.step1_epoch(s1.desc, s1.alpha, s1.params, s1.work, px, py, po, n, lk, lr, wd, net.dh, net.dhPrev, outAt, threshold, s1.out);
      const o = new Float64Array(heap.memory.buffer, s1.out, 4);
      return { loss: o[0], correct: o[1], seen: o[2], last: o[3] };
    },

    // ---- optimizer updates: p, g and the state buffers are [n] ----
    // The SGD family is computed in float64 as js does (the same bits, so small arrays stay in js);
    // Adam, RMSprop and Adagrad in float32 SIMD at every size (one arithmetic per model), with the
    // js (float64) formula only for arrays outside the memory.

    sgdStep(p, g, buf, n, lr, momentum, dampening, nesterov, wd, first) {
      if (n >= WASM_MIN_ELEMENTS) {
        const mom = buf ? momentum : 0; // as reference: no buffer, no momentum
        const pp = heap.ptr(p), pg = heap.ptr(g), pb = mom !== 0 ? heap.ptr(buf!) : 0;
        if (pp >= 0 && pg >= 0 && pb >= 0) {
          if (mom === 0 && wd === 0) eng.range(variant, 'sgd_plain', [pp, pg, lr], n, T_MIN, 16);
          else eng.range(variant, 'sgd_step', [pp, pg, pb, lr, mom, 1 - dampening, nesterov ? 1 : 0, wd, first ? 1 : 0], n, T_MIN, 16);
          return;
        }
      }
      jsSgdStep(p, g, buf, n, lr, momentum, dampening, nesterov, wd, first);
    },

    adamStep(p, g, m, v, n, lr, beta1, beta2, eps, wd, decoupled, t) {
      const pp = heap.ptr(p), pg = heap.ptr(g), pm = heap.ptr(m), pv = heap.ptr(v);
      if (pp < 0 || pg < 0 || pm < 0 || pv < 0) return jsAdamStep(p, g, m, v, n, lr, beta1, beta2, eps, wd, decoupled, t);
      const step = lr / (1 - Math.pow(beta1, t));
      const rbc2 = 1 / Math.sqrt(1 - Math.pow(beta2, t));
      eng.range(variant, 'adam_step', [pp, pg, pm, pv, step, beta1, 1 - beta1, beta2, 1 - beta2, eps, decoupled ? 0 : wd, decoupled ? 1 - lr * wd : 1, rbc2], n, T_MIN, 16);
    },

    rmspropStep(p, g, s, buf, n, lr, rho, eps, momentum, wd) {
      const mom = buf ? momentum : 0;
      const pp = heap.ptr(p), pg = heap.ptr(g), ps = heap.ptr(s), pb = mom > 0 ? heap.ptr(buf!) : 0;
      if (pp < 0 || pg < 0 || ps < 0 || pb < 0) return jsRmspropStep(p, g, s, buf, n, lr, rho, eps, momentum, wd);
      eng.range(variant, 'rmsprop_step', [pp, pg, ps, pb, lr, rho, 1 - rho, eps, mom, wd], n, T_MIN, 16);
    },

    adagradStep(p, g, sum, n, lr, eps, wd) {
      const pp = heap.ptr(p), pg = heap.ptr(g), ps = heap.ptr(sum);
      if (pp < 0 || pg < 0 || ps < 0) return jsAdagradStep(p, g, sum, n, lr, eps, wd);
      eng.range(variant, 'adagrad_step', [pp, pg, ps, lr, eps, wd], n, T_MIN, 16);
    },

    // x: [n].  x *= s in float64, rounded once (js's bits)
    scale(x, s, n) {
      const px = n >= WASM_MIN_ELEMENTS && x instanceof Float32Array ? heap.ptr(x) : -1;
      if (px >= 0) eng.range(variant, 'scale_f64', [px, s], n, T_MIN, 16);
      else jsScale(x, s, n);
    },

    // x: [n].  Σ x² in float64, summed in fixed chunks (the same bits for any thread count)
    sumSquares(x, n) {
      const px = n >= WASM_MIN_ELEMENTS && x instanceof Float32Array ? heap.ptr(x) : -1;
      if (px >= 0) {
        const s = eng.sumSquares(variant, px, n);
        if (s !== -1) return s;
      }
      return jsSumSquares(x, n);
    },
  };
}

/**
 * out[0..n) = exp, tanh or σ of x[0..n) by the wasm kernels' float32 polynomials (wasm/sgemm.c),
 * for measuring their error; x and out must come from a wasm backend's alloc. False when the
 * engine is not running here or an array lies outside its memory.
 */
export function wasmFastMath(fn: 'exp' | 'tanh' | 'sigmoid', x: Float32Array, out: Float32Array, n: number): boolean {
  const eng = initWasmSync();
  if (!eng) return false;
  const px = eng.heap.ptr(x), po = eng.heap.ptr(out);
  if (px < 0 || po < 0) return false;
  if (!eng.ex[0]) wasmBackendSync('wasm-simd'); // the plain build's polynomials: the ones the error table states
  if (!eng.ex[0]) return false;
  eng.ex[0].act_f32(fn === 'exp' ? 0 : fn === 'tanh' ? 1 : 2, px, po, n);
  return true;
}

/**
 * exp(x) of every entry by the float64 exp the wasm softmax uses (wasm/sgemm.c, exp_js: fdlibm's,
 * as V8's Math.exp), for the test that it equals Math.exp bit for bit; null where the engine does
 * not run here. @internal
 */
export function wasmExp64(x: Float64Array): Float64Array | null {
  const eng = initWasmSync();
  const ex = eng?.ex.find((e) => e !== null);
  if (!eng || !ex) return null;
  const n = x.length;
  const bx = eng.alloc(2 * n), bo = eng.alloc(2 * n); // float32 blocks holding n float64 each
  const px = eng.heap.ptr(bx), po = eng.heap.ptr(bo);
  if (px < 0 || po < 0) return null;
  new Float64Array(eng.heap.memory.buffer, px, n).set(x);
  ex.exp_f64(px, po, n);
  const out = new Float64Array(eng.heap.memory.buffer, po, n).slice();
  eng.release(bx);
  eng.release(bo);
  return out;
}

/** The wasm backends the engine has compiled, fastest first. @internal */
export function wasmBackends(eng: Engine): Backend[] {
  const list: Backend[] = [];
  for (let v = eng.ex.length - 1; v >= 0; v--) if (eng.ex[v]) list.push(eng.backend(v));
  return list;
}
