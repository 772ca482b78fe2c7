// mlpkit's public API: re-exports only. Browser-safe; Node-only helpers (files, MNIST) are in ./node.ts.

// the model
export { MLP, Trainer, type FitOptions, type FitHooks, type Evaluation, type Preprocessing } from './model.ts';
export { defaults, defaultLearningRate, type Config, type ModelConfig, type FitConfig, type Task, type EarlyStopping } from './config.ts';
export type { History, EpochLog, BatchEvent, StopReason } from './train/train.ts';

// save and load
export { toJSON, fromJSON, toBytes, fromBytes, FORMAT, VERSION, type ModelDocument, type SaveOptions } from './io/format.ts';

// seeing and verifying the gradients
export { gradients, gradCheck, jacobian, trace, type Gradients, type GradCheckReport, type GradCheckEntry, type GradCheckOptions, type Trace, type TraceLayer } from './inspect/inspect.ts';

// data
export * as datasets from './data/datasets.ts';
export { trainTestSplit, type Dataset } from './data/datasets.ts';
export type { Features, Targets, Label } from './data/input.ts';
export { parseCsv, parseDelimiter, guessDelimiter, type CsvInput, type CsvChunk, type CsvOptions } from './data/csv.ts';
export { parseNumber, MISSING, type Table, type Column, type NumericColumn, type TextColumn, type CellLog } from './data/table.ts';
export { accuracy, classificationMetrics, regressionMetrics, type ClassificationMetrics, type RegressionMetrics } from './train/metrics.ts';

// model selection
export { crossValidate, type CrossValidateOptions, type CrossValidation, type FoldResult, type Scorer } from './select/cross-validate.ts';
export { gridSearch, randomSearch, type Grid, type Space, type Range, type Search, type SearchOptions, type RandomSearchOptions, type SearchResult } from './select/search.ts';
export { permutationImportance, type ImportanceOptions, type Importance, type FeatureImportance } from './select/importance.ts';

// errors
export { MlpError, ShapeError, DataError, ConfigError, SerializationError, DivergenceError, type ErrorCode } from './errors.ts';

// low-level pieces, for learners and for new backends
export { Network, type LayerSpec } from './nn/network.ts';
export { Dense } from './nn/dense.ts';
export { activations, ACTIVATIONS, type ActivationName, type ActivationPair } from './nn/activations.ts';
export { lossInfo, LOSSES, type LossName } from './loss/losses.ts';
export { Optimizer, OPTIMIZERS, clipGradNorm, type OptimizerName, type OptimizerOptions } from './optim/optimizer.ts';
export { LrScheduler, type Schedule } from './optim/schedule.ts';
export { initializers, INITS, type InitName } from './nn/init.ts';
export { Rng } from './tensor/rng.ts';
export type { Backend } from './kernels/backend.ts';
export { reference } from './kernels/reference.ts';
export { getBackend, registerBackend, listBackends } from './kernels/select.ts';
// fast kernels: WebAssembly SIMD backends and their gemm threads (docs/backends.md)
export { initBackends, setThreads } from './kernels/select.ts';
export { wasmInfo, waitForWorkers, disposeWasm, type WasmOptions } from './kernels/wasm.ts';
export type { DType, FloatArray, Matrix } from './tensor/tensor.ts';
