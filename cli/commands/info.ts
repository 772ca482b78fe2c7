// mlpkit info: a summary of a saved model, like Keras' model.summary(): layers, shapes,
// activations, parameter counts, preprocessing, classes, and how it was trained.

import { loadModel } from '../../src/node.ts';
import { defaultLearningRate } from '../../src/index.ts';
import { EXIT_OK } from '../errors.ts';
import { fixed, duration, num, quoteIfComma, table } from '../format.ts';
import { META_KEY, checkCliMeta, modelSummary, multiLabels } from '../meta.ts';
import { describeTargets } from '../data/schema.ts';
import type { GlobalOptions } from '../options.ts';

export async function info(modelPath: string, g: GlobalOptions): Promise<number> {
  const model = loadModel(modelPath);
  const s = modelSummary(model);
  const meta = model.metadata[META_KEY] === undefined ? undefined : checkCliMeta(model.metadata[META_KEY], modelPath, model.inputs!, multiLabels(model));
  if (g.json) {
    process.stdout.write(JSON.stringify({ command: 'info', model: modelPath, ...s, ...(meta ? { schema: meta.schema, data: meta.data, run: meta.run, history: meta.history } : {}) }) + '\n');
    return EXIT_OK;
  }
  const c = model.config;
  const out: string[] = [];
  out.push(`${modelPath}: mlpkit model, ${s.multiLabel ? 'multi-label ' : ''}${s.task}${s.classes ? ` with ${s.classes.length} ${s.multiLabel ? 'labels' : 'classes'} (${s.classes.join(', ')})` : ''}`, '');
  out.push(table(['layer', 'output shape', 'activation', 'parameters'], s.layers.map((l) => [l.name, l.shape, l.activation, l.params || (l.name === 'input' ? '' : 0)]), ['l', 'l', 'l', 'r']));
  out.push(`total parameters: ${s.totalParams} (all trainable)`, '');
  out.push(`loss ${s.loss} · ${s.dtype} · backend here: ${s.backend}${meta ? ` (trained on ${meta.run.backend})` : ''} · scaling: ${s.scaling}`);
  if (meta) {
    const sc = meta.schema;
    const target = sc.target.type === 'labels' ? `targets ${describeTargets(sc.target.names)}, one 0/1 column per label` : `target ${JSON.stringify(sc.target.name)}, ${sc.target.type === 'numeric' ? 'numbers' : 'text'}`;
    out.push('', `columns (${sc.features.length} features → ${sc.inputs.length} inputs; ${target}):`);
    out.push(table(['column', 'type', 'encoding', 'missing values'], sc.features.map((f) => [
      f.name, f.type,
      f.type === 'numeric' ? 'as is' : `one-hot: ${f.categories.slice(0, 8).map(quoteIfComma).join(', ')}${f.categories.length > 8 ? `, … (${f.categories.length})` : ''}`,
      f.impute === undefined ? 'an error' : `→ ${typeof f.impute === 'number' ? num(f.impute) : f.impute} (${f.type === 'numeric' ? sc.impute : 'most frequent'})`,
    ]), ['l', 'l', 'l', 'l']));
    const d = meta.data;
    const lr = c.learningRate ?? defaultLearningRate(c.optimizer);
    const last = meta.history[meta.history.length - 1];
    out.push('', `training: ${s.epochsTrained} epochs (${meta.run.stopReason ?? 'unfinished'}) in ${duration(meta.run.seconds)}, started ${meta.run.started}`);
    out.push(`  data ${d.file ?? `dataset ${d.dataset}`}, ${d.rows} rows${d.valSplit ? `, validation split ${d.valSplit}` : ''}`);
    out.push(`  optimizer ${s.optimizer ?? c.optimizer}, learning rate ${lr}, batch size ${c.batchSize}, seed ${c.seed}${c.earlyStopping ? `, early stopping patience ${c.earlyStopping.patience}` : ''}`);
    if (last) out.push(`  last epoch: loss ${fixed(last.loss)}${last.accuracy !== undefined ? `, ${s.multiLabel ? 'subset accuracy' : 'accuracy'} ${fixed(last.accuracy)}` : ''}${last.valLoss !== undefined ? `, validation loss ${fixed(last.valLoss)}, validation ${s.task === 'classification' ? (s.multiLabel ? 'subset accuracy' : 'accuracy') : 'R²'} ${fixed(last.valMetric)}` : ''}`);
  } else {
    out.push('', 'no CLI metadata: this model was saved by the library, not by `mlpkit train`');
  }
  process.stdout.write(out.join('\n') + '\n');
  return EXIT_OK;
}
