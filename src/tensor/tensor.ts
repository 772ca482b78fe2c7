// Tensors are flat row-major typed arrays with their shape. An MLP needs only matrices:
// a batch X is [B, nIn], a weight W is [nOut, nIn], a bias b is [nOut].

/** The float type a network computes in. */
export type DType = 'float32' | 'float64';
/** A typed array of the network's dtype. */
export type FloatArray = Float32Array | Float64Array;

/** A row-major matrix: element (i, j) is data[i * cols + j]. */
export interface Matrix {
  data: FloatArray;
  shape: [rows: number, cols: number];
}

export function allocArray(n: number, dtype: DType): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

export function matrix(data: FloatArray, rows: number, cols: number): Matrix {
  return { data, shape: [rows, cols] };
}

/** Nested rows → number[][] (for JSON and for people). */
export function toRows(data: ArrayLike<number>, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) out.push(Array.from({ length: cols }, (_, j) => data[i * cols + j]));
  return out;
}
