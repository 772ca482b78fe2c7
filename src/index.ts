// mlpkit's public API: re-exports only. Browser-safe. Node-only helpers (files, MNIST) are in
// ./node.ts (`mlpkit/node`); the low-level pieces (Network, Dense, backends, threads) in
// ./lowlevel.ts (`mlpkit/lowlevel`).

// the model
export { MLP, type ModelSnapshot, type LayerInfo, type FitOptions, type FitHooks, type Evaluation, type Preprocessing, type Trainer } from './model.ts';
export { defaults, defaultLearningRate, type Config, type ModelConfig, type FitConfig, type Task, type EarlyStopping } from './config/defaults.ts';
export type { History, EpochLog, BatchEvent, StopReason } from './train/loop.ts';
// the vocabulary of the config
export { ACTIVATIONS, type ActivationName } from './math/activations.ts';
export { lossInfo, LOSSES, type LossName, type LossInfo } from './math/losses.ts';
export { OPTIMIZERS, type OptimizerName, type OptimizerOptions } from './optim/optimizer.ts';
export type { Schedule } from './optim/schedule.ts';
export { INITS, type InitName } from './nn/init.ts';
export type { ScaleMethod, Scaler } from './data/preprocess.ts';

// save and load
export { toJSON, fromJSON, toBytes, fromBytes, FORMAT, VERSION, type ModelDocument, type SaveOptions, type EncodedArray, type JsonValue } from './io/format.ts';

// seeing and verifying the gradients
export { gradients, gradCheck, jacobian, trace, type Gradients, type LayerGradients, type GradCheckReport, type GradCheckEntry, type GradCheckOptions, type Trace, type TraceLayer } from './inspect/inspect.ts';

// data
/**
 * Bundled data sets (iris, digits) and seeded generators of the classic toy problems (XOR, spirals, moons, circles, blobs).
 * NOTE: esbuild keeps every member of this namespace in a bundle that uses it (the 266 KB of digits
 * with `datasets.iris()`); the named exports {@link iris} and {@link digits} bundle only what is called.
 */
export * as datasets from './data/datasets.ts';
export { iris, digits, trainTestSplit, type Dataset } from './data/datasets.ts';
export { validationSplit } from './data/split.ts';
export { inferTask, MAX_AUTO_CLASSES, type TaskKind } from './data/task.ts';
export type { Features, Targets, Label, FeatureRecord } from './data/input.ts';
export type { ClassWeight } from './data/weights.ts';
export { parseCsv, parseDelimiter, guessDelimiter, type CsvInput, type CsvChunk, type CsvOptions } from './data/csv.ts';
export { parseNumber, MISSING, type Table, type Column, type NumericColumn, type TextColumn, type CellLog } from './data/table.ts';
export { accuracy, classificationMetrics, regressionMetrics, type ClassificationMetrics, type RegressionMetrics, type ClassReport, type MultiLabelMetrics } from './train/metrics.ts';

// model selection
export { crossValidate, type CrossValidateOptions, type CrossValidation, type FoldResult, type Scorer } from './select/cross-validate.ts';
export { gridSearch, randomSearch, type Grid, type Space, type Range, type Search, type SearchOptions, type RandomSearchOptions, type SearchResult } from './select/search.ts';
export { permutationImportance, type ImportanceOptions, type Importance, type FeatureImportance } from './select/importance.ts';

// errors
export { MlpError, ShapeError, DataError, ConfigError, SerializationError, DivergenceError, type ErrorCode, type ErrorDetails } from './errors.ts';
// the nearest known name for a misspelt one, as unknown-option errors suggest it (the CLI does the same for columns)
export { nearestName } from './config/resolve.ts';
