// mlpkit/infer: a saved model, loaded for prediction only (predict, predictProba) on the js
// backend, in a few kilobytes: no training code, optimizers, WebAssembly loader or datasets come
// along (docs: README "Inference only"). Re-exports only.

export { fromJSON, fromBytes, InferenceModel, type InferenceOptions } from './io/inference.ts';
export type { Features, FeatureRecord, Label } from './data/input.ts';
export { MlpError, ShapeError, DataError, ConfigError, SerializationError, type ErrorCode, type ErrorDetails } from './errors.ts';
