// mlpkit predict: one prediction per row, in the user's labels or units, as CSV on stdout (so
// it pipes) or in --out. --proba adds one probability column per class.

import { writeFileAtomic } from '../../src/node.ts';
import type { Label } from '../../src/index.ts';
import { encodeFeatures } from '../data/schema.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import type { GlobalOptions } from '../options.ts';
import { modelAndData, type DataFlags } from './common.ts';

export interface PredictOptions extends DataFlags {
  proba?: boolean;
  out?: string;
}

/** A CSV cell: quoted when it holds a delimiter, a quote or a line break. */
function cell(v: Label | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function predict(modelPath: string, file: string | undefined, o: PredictOptions, g: GlobalOptions): Promise<number> {
  const { model, meta, table: tbl } = await modelAndData(modelPath, file, o);
  if (o.proba && model.task !== 'classification') throw new UsageError(`--proba: ${modelPath} does regression; probabilities exist only for classifiers`);
  const x = encodeFeatures(tbl, meta.schema);
  const pred = model.predict(x) as (Label | number[])[];
  const target = meta.schema.target.name;
  const classes = model.preprocessing?.classes ?? [];
  const proba = o.proba ? model.predictProba(x) : null;
  const header = [
    ...(Array.isArray(pred[0]) ? (pred[0] as number[]).map((_, k) => `${target}_${k + 1}`) : [target]),
    ...(proba ? classes.map((c) => `p_${c}`) : []),
  ];
  const lines = [header.map(cell).join(',')];
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i];
    const row = Array.isArray(p) ? p.map(cell) : [cell(p)];
    if (proba) for (const v of proba[i]) row.push(String(v));
    lines.push(row.join(','));
  }
  const csv = lines.join('\n') + '\n';
  if (o.out) {
    writeFileAtomic(o.out, csv);
    if (g.json) process.stdout.write(JSON.stringify({ command: 'predict', model: modelPath, data: tbl.source, rows: pred.length, out: o.out }) + '\n');
    else if (!g.quiet) process.stderr.write(`wrote ${pred.length} predictions to ${o.out}\n`);
  } else if (g.json) {
    process.stdout.write(JSON.stringify({ command: 'predict', model: modelPath, data: tbl.source, rows: pred.length, predictions: pred, ...(proba ? { classes, probabilities: proba } : {}) }) + '\n');
  } else {
    process.stdout.write(csv);
  }
  return EXIT_OK;
}
