// mlpkit predict: one prediction per row, in the user's labels or units, as CSV on stdout (so
// it pipes) or in --out. --proba adds one probability column per class.
// Multi-label (--target a,b,c): one 0/1 column per label, named and ordered as the target
// columns were in training (so the output reads like the training file), and with --proba one
// p_<label> column each.
// NOTE: output is written in blocks of rows as it is computed, never built whole: 20,000 rows ×
// 10,000 classes of probabilities is 200 million numbers.

import { openFileAtomic } from '../../src/node.ts';
import type { Label, MLP } from '../../src/index.ts';
import { encodeFeatures, targetNames } from '../data/schema.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { csvCell } from '../format.ts';
import type { GlobalOptions } from '../options.ts';
import { modelAndData, type DataFlags } from './common.ts';

export interface PredictOptions extends DataFlags {
  proba?: boolean;
  out?: string;
}

/** Output values per block: rows × (1 + classes) kept near a million. */
const BLOCK_VALUES = 1 << 20;

/** Where the text goes: stdout (waiting for the pipe to drain), or a file written atomically. */
interface Sink {
  write(text: string): Promise<void>;
  commit(): void;
  abort(): void;
}

function stdoutSink(): Sink {
  return {
    write: (text) => new Promise<void>((done, fail) => {
      const ok = process.stdout.write(text, (e) => e && fail(e));
      if (ok) done();
      else process.stdout.once('drain', done);
    }),
    commit: () => {},
    abort: () => {},
  };
}

function fileSink(path: string): Sink {
  const f = openFileAtomic(path);
  return { write: async (text) => f.write(text), commit: () => f.commit(), abort: () => f.abort() };
}

export async function predict(modelPath: string, file: string | undefined, o: PredictOptions, g: GlobalOptions): Promise<number> {
  const { model, meta, table: tbl } = await modelAndData(modelPath, file, o);
  if (o.proba && model.task !== 'classification') throw new UsageError(`--proba: ${modelPath} does regression; probabilities exist only for classifiers`);
  const x = encodeFeatures(tbl, meta.schema);
  const [N, d] = x.shape;
  const classes = model.preprocessing?.classes ?? [];
  // multi-label: the label columns in the order of --target, each at its index among the model's classes
  const labels = model.preprocessing?.multiLabel ? targetNames(meta.schema) : null;
  const labelAt = labels ? labels.map((n) => classes.findIndex((c) => String(c) === n)) : null;
  if (labelAt && labelAt.some((k) => k < 0)) throw new UsageError(`${modelPath}: the model's labels (${classes.join(', ')}) are not its schema's target columns (${labels!.join(', ')}); the file was edited or damaged`);
  const target = labels ?? targetNames(meta.schema);
  // a classifier's forward pass makes one value per class, and --proba as many again
  const block = Math.max(1, Math.floor(BLOCK_VALUES / (1 + classes.length * (o.proba ? 2 : 1))));
  /** Rows [from, from + block) of the encoded features. */
  const rows = (from: number) => {
    const to = Math.min(N, from + block);
    return { data: x.data.subarray(from * d, to * d), shape: [to - from, d] as [number, number] };
  };

  const sink = o.out ? fileSink(o.out) : stdoutSink();
  try {
    if (g.json && !o.out) await writeJson(sink, model, modelPath, tbl.source, N, block, rows, o.proba ? classes : null);
    else if (labelAt) await writeLabelsCsv(sink, model, target, labelAt, N, block, rows, o.proba === true);
    else await writeCsv(sink, model, target[0], N, block, rows, o.proba ? classes : null);
    sink.commit();
  } catch (e) {
    sink.abort();
    throw e;
  }
  if (o.out) {
    if (g.json) process.stdout.write(JSON.stringify({ command: 'predict', model: modelPath, data: tbl.source, rows: N, out: o.out }) + '\n');
    else if (!g.quiet) process.stderr.write(`wrote ${N} predictions to ${o.out}\n`);
  }
  return EXIT_OK;
}

type Rows = (from: number) => { data: Float64Array; shape: [number, number] };

async function writeCsv(sink: Sink, model: MLP, target: string, N: number, block: number, rows: Rows, classes: Label[] | null): Promise<void> {
  for (let from = 0; from < N; from += block) {
    const xs = rows(from);
    const pred = model.predict(xs) as (Label | number[])[];
    const proba = classes ? model.predictProba(xs) : null;
    const lines: string[] = [];
    if (from === 0) {
      const header = [...(Array.isArray(pred[0]) ? (pred[0] as number[]).map((_, k) => `${target}_${k + 1}`) : [target]), ...(classes ? classes.map((c) => `p_${c}`) : [])];
      lines.push(header.map(csvCell).join(','));
    }
    for (let i = 0; i < pred.length; i++) {
      const p = pred[i];
      const row = Array.isArray(p) ? p.map(csvCell) : [csvCell(p)];
      if (proba) for (const v of proba[i]) row.push(String(v));
      lines.push(row.join(','));
    }
    await sink.write(lines.join('\n') + '\n');
  }
}

/** Multi-label: one 0/1 column per label (the target columns' names), then p_<label> columns with --proba. */
async function writeLabelsCsv(sink: Sink, model: MLP, labels: string[], at: number[], N: number, block: number, rows: Rows, proba: boolean): Promise<void> {
  for (let from = 0; from < N; from += block) {
    // the probabilities say every label's decision (on above ½, as predict decides)
    const p = model.predictProba(rows(from));
    const lines: string[] = [];
    if (from === 0) lines.push([...labels, ...(proba ? labels.map((l) => `p_${l}`) : [])].map(csvCell).join(','));
    for (const row of p) {
      const cells: string[] = at.map((k) => (row[k] > 0.5 ? '1' : '0'));
      if (proba) for (const k of at) cells.push(String(row[k]));
      lines.push(cells.join(','));
    }
    await sink.write(lines.join('\n') + '\n');
  }
}

/** The --json answer, streamed: predictions in one pass, then probabilities in a second. */
async function writeJson(sink: Sink, model: MLP, modelPath: string, source: string, N: number, block: number, rows: Rows, classes: Label[] | null): Promise<void> {
  const head = JSON.stringify({ command: 'predict', model: modelPath, data: source, rows: N });
  await sink.write(`${head.slice(0, -1)},"predictions":[`);
  for (let from = 0; from < N; from += block) {
    const pred = model.predict(rows(from));
    await sink.write((from ? ',' : '') + JSON.stringify(pred).slice(1, -1));
  }
  await sink.write(']');
  if (classes) {
    await sink.write(`,"classes":${JSON.stringify(classes)},"probabilities":[`);
    for (let from = 0; from < N; from += block) {
      await sink.write((from ? ',' : '') + JSON.stringify(model.predictProba(rows(from))).slice(1, -1));
    }
    await sink.write(']');
  }
  await sink.write('}\n');
}
