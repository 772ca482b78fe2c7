// Choosing a backend: by name, or "auto" for the fastest registered one that runs the dtype.
// Backends register themselves here; a typed object per backend, no string-keyed kernel registry.
//
// The WebAssembly backends ("wasm-relaxed", "wasm-simd"; float32) register on first use where the
// modules load and compile synchronously (Node). In browsers and bundled apps the modules are a
// separate chunk, fetched and compiled asynchronously: `await initBackends()` once before building
// models there (until then "auto" is the js backend). Only the fastest build is compiled at first
// (relaxed SIMD where the runtime has it): a page fetches one ~16 KB chunk, not two; the other
// build is compiled when asked for by name (Node), or listed in initBackends' `backends`.

import type { Backend } from './backend.ts';
import { reference } from './reference.ts';
import { js } from './js.ts';
import { initWasm, initWasmSync, setWasmThreads, wasmBackends, wasmBackendSync, wasmBackendsLoadable, type WasmOptions } from './wasm.ts';
import { ConfigError } from '../errors.ts';
import type { DType } from '../tensor/tensor.ts';

/** Every kernel a Backend must have (sgdStep1 is optional). */
const REQUIRED_KERNELS = ['supports', 'alloc', 'release', 'gemm', 'biasActivate', 'activationBackward', 'sumRows', 'softmaxRows', 'softmaxBackward', 'loss', 'gatherRows', 'fill', 'copy', 'scale', 'sumSquares', 'allFinite', 'sgdStep', 'adamStep', 'rmspropStep', 'adagradStep'] as const;

/** Registered backends, fastest first. */
const registry: Backend[] = [js, reference];
let wasmTried = false;

/** Add a backend (e.g. a WebAssembly one once its module is compiled). Earlier priority = preferred by "auto". */
export function registerBackend(backend: Backend, priority = 0): void {
  const missing = REQUIRED_KERNELS.filter((k) => typeof (backend as unknown as Record<string, unknown>)?.[k] !== 'function');
  if (typeof backend?.name !== 'string' || missing.length) {
    throw new ConfigError('E_CONFIG', `registerBackend: expected a Backend with a name and the kernels of kernels/backend.ts, ${missing.length ? `missing ${missing.join(', ')}` : 'received no name'}; spread the reference backend ({ ...reference, name, … }) and override what you speed up`, { field: 'backend', expected: 'a Backend', received: missing.length ? `missing ${missing.join(', ')}` : backend?.name });
  }
  const i = registry.findIndex((b) => b.name === backend.name);
  if (i >= 0) registry.splice(i, 1);
  registry.splice(Math.max(0, Math.min(priority, registry.length)), 0, backend);
}

function registerWasm(eng: Parameters<typeof wasmBackends>[0] | null): void {
  if (!eng) return;
  const list = wasmBackends(eng);
  // fastest first: the wasm backends go in front of js, in their own order
  for (let i = list.length - 1; i >= 0; i--) registerBackend(list[i], 0);
}

// NOTE: synchronous and idempotent; a failure (no SIMD, a browser main thread) leaves js first.
function ensureWasm(): void {
  if (wasmTried) return;
  wasmTried = true;
  registerWasm(initWasmSync());
}

/**
 * Compile and register the WebAssembly backends (asynchronously: works on a browser's main
 * thread), and set the thread count for gemm (default: all logical cores; 1 = no workers).
 * `backends` names the builds to compile (default: the fastest the runtime runs; a page that wants
 * both `wasm-relaxed` and `wasm-simd` lists both). Resolves to the registered backends' names,
 * fastest first.
 */
export async function initBackends(options: WasmOptions = {}): Promise<string[]> {
  wasmTried = true;
  registerWasm(await initWasm(options));
  return listBackends();
}

/** Threads the WebAssembly gemm uses (the main thread included). Results do not depend on it. */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError('E_CONFIG', `setThreads: expected a positive integer, received ${n}; use 1 for no worker threads`);
  setWasmThreads(n);
}

/**
 * The backends' names, fastest first (what "auto" tries in order): the registered ones, and a wasm
 * build this runtime can still compile on request (after the compiled ones).
 */
export function listBackends(): string[] {
  ensureWasm();
  const names = registry.map((b) => b.name);
  const later = wasmBackendsLoadable().filter((n) => !names.includes(n));
  names.splice(afterWasm(names), 0, ...later);
  return names;
}

/** The index after the last wasm backend in `names` (0 when there is none). */
function afterWasm(names: string[]): number {
  let at = 0;
  names.forEach((n, i) => {
    if (n.startsWith('wasm-')) at = i + 1;
  });
  return at;
}

// A wasm build not compiled yet: compiled now where that is synchronous, registered after the
// compiled wasm backends; an E_CONFIG error with the fix where it needs initBackends (a browser).
function lateWasm(name: string): Backend | undefined {
  const b = wasmBackendSync(name);
  if (b === null) return undefined;
  if (b === 'async') throw new ConfigError('E_CONFIG', `backend: "${name}" is not compiled yet (a page compiles only the fastest WebAssembly build at first); call await initBackends({ backends: ['${name}'] }) before building the model, or use "auto"`, { field: 'backend', expected: 'a compiled backend', received: name });
  registerBackend(b, afterWasm(registry.map((r) => r.name)));
  return b;
}

/** A backend by name; "auto" picks the first registered one that supports the dtype. */
export function getBackend(name: string = 'auto', dtype: DType = 'float32'): Backend {
  ensureWasm();
  if (name === 'auto') {
    const b = registry.find((b) => b.supports(dtype));
    if (b) return b;
  }
  const b = registry.find((b) => b.name === name) ?? lateWasm(name);
  if (!b) throw new ConfigError('E_CONFIG', `backend: unknown backend ${JSON.stringify(name)}; expected "auto" or one of ${listBackends().join(', ')}`);
  if (!b.supports(dtype)) throw new ConfigError('E_CONFIG', `backend: "${name}" does not run ${dtype}; use "auto", "js" or "reference"`);
  return b;
}
