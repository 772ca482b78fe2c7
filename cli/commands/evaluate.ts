// mlpkit eval: loss and the task's metrics of a saved model on a labelled CSV.

import { encodeFeatures, encodeTargets } from '../data/schema.ts';
import { fixed, table } from '../format.ts';
import { EXIT_OK } from '../errors.ts';
import type { GlobalOptions } from '../options.ts';
import { modelAndData, type DataFlags } from './common.ts';

export async function evaluate(modelPath: string, file: string | undefined, o: DataFlags, g: GlobalOptions): Promise<number> {
  const { model, meta, table: tbl } = await modelAndData(modelPath, file, o);
  const x = encodeFeatures(tbl, meta.schema);
  const y = encodeTargets(tbl, meta.schema, model.preprocessing?.classes);
  const ev = model.evaluate(x, y);
  if (g.json) {
    process.stdout.write(JSON.stringify({ command: 'eval', model: modelPath, data: tbl.source, rows: tbl.rows, ...ev }) + '\n');
    return EXIT_OK;
  }
  const lines: string[] = [`${tbl.source}: ${tbl.rows} rows, target ${JSON.stringify(meta.schema.target.name)}`];
  if (ev.task === 'classification') {
    const names = ev.classes.map(String);
    lines.push(`loss ${fixed(ev.loss)}  accuracy ${fixed(ev.accuracy)}  (${Math.round(ev.accuracy * tbl.rows)} of ${tbl.rows} correct)`, '');
    lines.push(table(['class', 'precision', 'recall', 'F1', 'support'], [
      ...ev.perClass.map((c, i) => [names[i], fixed(c.precision), fixed(c.recall), fixed(c.f1), c.support]),
      ['macro avg', fixed(ev.macro.precision), fixed(ev.macro.recall), fixed(ev.macro.f1), tbl.rows],
    ], ['l', 'r', 'r', 'r', 'r']), '');
    if (ev.multiLabel) {
      lines.push(`multi-label: micro F1 ${fixed(ev.micro.f1)}  macro F1 ${fixed(ev.macro.f1)}  Hamming loss ${fixed(ev.hammingLoss)}  (accuracy: rows with every label right)`);
    } else {
      lines.push('confusion matrix (rows: true class, columns: predicted)');
      lines.push(table(['', ...names], ev.confusion.map((r, i) => [names[i], ...r]), ['l', ...names.map(() => 'r' as const)]));
    }
  } else {
    lines.push(`loss ${fixed(ev.loss)}  MSE ${ev.mse.toPrecision(5)}  MAE ${ev.mae.toPrecision(5)}  R² ${fixed(ev.r2)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return EXIT_OK;
}
