// mlpkit/interop: models to and from ONNX, PyTorch (safetensors) and TensorFlow.js, as bytes or
// in-memory files (browser and Node alike). Re-exports only; kept out of the core entry so the
// protobuf library loads only for those who import this one (docs/interop.md).

export { toONNX, fromONNX, type OnnxImportOptions } from './io/onnx.ts';
export { toSafetensors, fromSafetensors, toPyTorch, type SafetensorsImportOptions } from './io/safetensors.ts';
export { toTFJS, fromTFJS, type TFJSFiles } from './io/tfjs.ts';
export { MAX_IMPORT_BYTES, type ImportOptions } from './io/sequential.ts';
export { InteropError, type InteropWhere } from './errors.ts';
