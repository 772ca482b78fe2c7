// mlpkit eval: loss and the task's metrics of a saved model on a labelled CSV.
// Multi-label (trained with --target a,b,c): per label precision, recall, F1 and support, their
// micro and macro averages, the Hamming loss and the subset accuracy.

import { describeTargets, encodeFeatures, encodeTargets, targetNames } from '../data/schema.ts';
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
  const targets = targetNames(meta.schema);
  const lines: string[] = [`${tbl.source}: ${tbl.rows} rows, ${targets.length > 1 ? `targets ${describeTargets(targets)} (multi-label)` : `target ${JSON.stringify(targets[0])}`}`];
  if (ev.task === 'classification' && ev.multiLabel) {
    // the labels in the order of --target (the model keeps them sorted)
    const names = ev.classes.map(String);
    const order = targets.length === names.length && targets.every((t) => names.includes(t)) ? targets.map((t) => names.indexOf(t)) : names.map((_, i) => i);
    lines.push(`loss ${fixed(ev.loss)}  micro F1 ${fixed(ev.micro.f1)}  macro F1 ${fixed(ev.macro.f1)}  Hamming loss ${fixed(ev.hammingLoss)}  subset accuracy ${fixed(ev.subsetAccuracy)}  (${Math.round(ev.subsetAccuracy * tbl.rows)} of ${tbl.rows} rows with every label right)`, '');
    lines.push(table(['label', 'precision', 'recall', 'F1', 'support'], [
      ...order.map((i) => [names[i], fixed(ev.perLabel[i].precision), fixed(ev.perLabel[i].recall), fixed(ev.perLabel[i].f1), ev.perLabel[i].support]),
      ['micro avg', fixed(ev.micro.precision), fixed(ev.micro.recall), fixed(ev.micro.f1), ev.perLabel.reduce((a, r) => a + r.support, 0)],
      ['macro avg', fixed(ev.macro.precision), fixed(ev.macro.recall), fixed(ev.macro.f1), ev.perLabel.reduce((a, r) => a + r.support, 0)],
    ], ['l', 'r', 'r', 'r', 'r']), '');
    lines.push('support: rows with the label; Hamming loss: the fraction of (row, label) decisions that are wrong; subset accuracy: rows whose whole label set is right');
  } else if (ev.task === 'classification') {
    const names = ev.classes.map(String);
    lines.push(`loss ${fixed(ev.loss)}  accuracy ${fixed(ev.accuracy)}  (${Math.round(ev.accuracy * tbl.rows)} of ${tbl.rows} correct)`, '');
    lines.push(table(['class', 'precision', 'recall', 'F1', 'support'], [
      ...ev.perClass.map((c, i) => [names[i], fixed(c.precision), fixed(c.recall), fixed(c.f1), c.support]),
      ['macro avg', fixed(ev.macro.precision), fixed(ev.macro.recall), fixed(ev.macro.f1), tbl.rows],
    ], ['l', 'r', 'r', 'r', 'r']), '');
    lines.push('confusion matrix (rows: true class, columns: predicted)');
    lines.push(table(['', ...names], ev.confusion.map((r, i) => [names[i], ...r]), ['l', ...names.map(() => 'r' as const)]));
  } else {
    lines.push(`loss ${fixed(ev.loss)}  MSE ${ev.mse.toPrecision(5)}  MAE ${ev.mae.toPrecision(5)}  R² ${fixed(ev.r2)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return EXIT_OK;
}
