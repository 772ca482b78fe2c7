// Choosing a backend: by name, or "auto" for the fastest registered one that runs the dtype.
// Backends register themselves here; a typed object per backend, no string-keyed kernel registry.

import type { Backend } from './backend.ts';
import { reference } from './reference.ts';
import { js } from './js.ts';
import { ConfigError } from '../errors.ts';
import type { DType } from '../tensor/tensor.ts';

/** Registered backends, fastest first. */
const registry: Backend[] = [js, reference];

/** Add a backend (e.g. a WebAssembly one once its module is compiled). Earlier priority = preferred by "auto". */
export function registerBackend(backend: Backend, priority = 0): void {
  const i = registry.findIndex((b) => b.name === backend.name);
  if (i >= 0) registry.splice(i, 1);
  registry.splice(Math.max(0, Math.min(priority, registry.length)), 0, backend);
}

export function listBackends(): string[] {
  return registry.map((b) => b.name);
}

/** A backend by name; "auto" picks the first registered one that supports the dtype. */
export function getBackend(name: string = 'auto', dtype: DType = 'float32'): Backend {
  if (name === 'auto') {
    const b = registry.find((b) => b.supports(dtype));
    if (b) return b;
  }
  const b = registry.find((b) => b.name === name);
  if (!b) throw new ConfigError('E_CONFIG', `backend: unknown backend ${JSON.stringify(name)}; expected "auto" or one of ${listBackends().join(', ')}`);
  if (!b.supports(dtype)) throw new ConfigError('E_CONFIG', `backend: "${name}" does not run ${dtype}; use "auto", "js" or "reference"`);
  return b;
}
