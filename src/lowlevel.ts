// mlpkit/lowlevel: the pieces under the MLP facade, for learners who want to drive a network by
// hand and for new backends. Re-exports only; the high-level API is in ./index.ts.

// the network: layers with backward under forward, one flat parameter buffer
export { Network, parameterLayout, type LayerSpec, type ParamSlot, type InitSpec } from './nn/network.ts';
export { Dense } from './nn/dense.ts';
export { initializers, type Initializer } from './nn/init.ts';
// the shared math: activation { f, df } pairs, loss formulas
export { activations, type ActivationPair, type ElementwiseActivation } from './math/activations.ts';
export { isFused } from './math/losses.ts';
// updates
export { Optimizer, clipGradNorm, resolveOptimizer, type OptimizerState } from './optim/optimizer.ts';
export { LrScheduler, type SchedulerState } from './optim/schedule.ts';
export { Rng, type RngState } from './tensor/rng.ts';
export type { DType, FloatArray, Matrix } from './tensor/tensor.ts';
// kernels: the Backend contract, its reference definition, registration, WebAssembly threads (docs/backends.md)
export type { Backend, DenseStack, ForwardLayer, SmallSums } from './kernels/backend.ts';
export { reference } from './kernels/reference.ts';
export { getBackend, registerBackend, listBackends, initBackends, setThreads } from './kernels/select.ts';
export { wasmInfo, waitForWorkers, disposeWasm, type WasmOptions, type WasmFeatures, type WasmName } from './kernels/wasm.ts';
