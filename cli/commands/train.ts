// mlpkit train: a CSV file (or a bundled data set) → a trained, saved model.
// The CLI makes its own seeded validation split and passes it as validationData, so the model's
// generator serves only initialization and shuffling: a run resumed from a checkpoint draws the
// same numbers an uninterrupted run would, and ends with the same weights.

import { resolve as resolvePath } from 'node:path';
import { MLP, MlpError, validationSplit, trace, defaultLearningRate, parseDelimiter, fromJSON, toJSON, type EpochLog, type Evaluation, type History, type Label, type ModelDocument } from '../../src/index.ts';
import { setThreads } from '../../src/lowlevel.ts';
import { loadModel, saveModel, writeFileAtomic } from '../../src/node.ts';
import { EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../errors.ts';
import { loadTable, type Source } from '../data/sources.ts';
import type { Table } from '../../src/index.ts';
import { describeTargets, encodeFeatures, encodeLabelSets, encodeTargets, fitSchema, selectColumns, summarize, type Schema, type Selection } from '../data/schema.ts';
import { META_KEY, cliMeta, historyRow, modelSummary, type CliMeta } from '../meta.ts';
import { STRUCTURE_FLAGS, checkMultiLabelFlags, fitConfig, modelConfig, type ColumnFlags, type FitFlags, type GlobalOptions, type ModelFlags } from '../options.ts';
import { Progress, type ProgressMode } from '../progress.ts';
import { duration, fixed, int, table } from '../format.ts';
import { writeReport } from '../report.ts';

export interface TrainOptions extends ModelFlags, FitFlags, ColumnFlags {
  valSplit?: number;
  out?: string;
  report?: string;
  checkpointEvery?: number;
  checkpoint?: string;
  resume?: string;
  classWeight?: 'balanced' | Record<string, number>;
  sampleWeight?: string;
}

/** One target per row: labels or numbers, label sets (multi-label), or rows of 0/1. */
type TargetList = Label[] | string[][] | number[][];

/** model.json → model.ckpt.json */
export function checkpointPathFor(out: string): string {
  const m = /^(.*?)(\.json|\.mlpk)?$/.exec(out)!;
  return `${m[1]}.ckpt${m[2] ?? '.json'}`;
}

function saveDoc(doc: ModelDocument, path: string): void {
  if (path.endsWith('.mlpk')) saveModel(fromJSON(doc), path);
  else writeFileAtomic(path, JSON.stringify(doc));
}

/** Rows `idx` of a row-major matrix. */
function rowsOf(x: { data: Float64Array; shape: [number, number] }, idx: Uint32Array): { data: Float64Array; shape: [number, number] } {
  const d = x.shape[1];
  const out = new Float64Array(idx.length * d);
  for (let r = 0; r < idx.length; r++) out.set(x.data.subarray(idx[r] * d, (idx[r] + 1) * d), r * d);
  return { data: out, shape: [idx.length, d] };
}

/** The numbers of a weight column: every cell a number ≥ 0. */
function weightsOf(tbl: Table, name: string): Float64Array {
  const j = tbl.index.get(name);
  if (j === undefined) throw new UsageError(`--sample-weight: unknown column ${JSON.stringify(name)}; ${tbl.source} has columns ${tbl.names.map((n) => JSON.stringify(n)).join(', ')}`);
  const col = tbl.columns[j];
  if (col.kind !== 'numeric') throw new UsageError(`--sample-weight: column ${JSON.stringify(name)} holds text (${JSON.stringify(col.levels[0])} …); weights must be numbers ≥ 0`);
  for (let r = 0; r < tbl.rows; r++) {
    const v = col.values[r];
    if (!(v >= 0) || !Number.isFinite(v)) throw new UsageError(`--sample-weight: ${tbl.source} line ${tbl.line(r)}, column ${JSON.stringify(name)}: ${Number.isNaN(v) ? 'a missing value' : v} is not a weight; weights must be numbers ≥ 0`);
  }
  return col.values;
}

export function evaluationRow(name: string, rows: number, ev: Evaluation): (string | number)[] {
  if (ev.task === 'regression') return [name, rows, fixed(ev.loss), ev.mse, ev.mae, fixed(ev.r2)];
  if (ev.multiLabel) return [name, rows, fixed(ev.loss), fixed(ev.micro.f1), fixed(ev.macro.f1), fixed(ev.hammingLoss), fixed(ev.subsetAccuracy)];
  return [name, rows, fixed(ev.loss), fixed(ev.accuracy), fixed(ev.macro.f1)];
}

export function evaluationHeaders(task: string, multiLabel = false): string[] {
  if (task !== 'classification') return ['', 'rows', 'loss', 'MSE', 'MAE', 'R²'];
  return multiLabel ? ['', 'rows', 'loss', 'micro F1', 'macro F1', 'Hamming loss', 'subset accuracy'] : ['', 'rows', 'loss', 'accuracy', 'macro F1'];
}

export async function train(file: string | undefined, o: TrainOptions, g: GlobalOptions): Promise<number> {
  if (o.threads !== undefined) setThreads(o.threads);
  const started = new Date();
  const t0 = performance.now();
  const log = (s: string) => {
    if (!g.quiet && !g.json) process.stdout.write(s + '\n');
  };
  const delimiter = parseDelimiter(o.delimiter, '--delimiter');

  // ---- the model, new or resumed ------------------------------------------------------------
  let model: MLP;
  let prior: CliMeta | null = null;
  if (o.resume) {
    for (const [k, flag] of STRUCTURE_FLAGS) {
      if ((o as Record<string, unknown>)[k] !== undefined) throw new UsageError(`${flag} cannot change when resuming: the checkpoint fixes the network, the columns and the validation split; leave it out, or start a new run without --resume`);
    }
    model = loadModel(o.resume);
    prior = cliMeta(model, o.resume);
  } else {
    model = new MLP(modelConfig(o));
  }

  // ---- data ---------------------------------------------------------------------------------
  const src: Source = prior && !file && !o.dataset
    ? { file: prior.data.file, dataset: prior.data.dataset, delimiter: delimiter ?? prior.data.delimiter }
    : { file, dataset: o.dataset, delimiter };
  const tbl = await loadTable(src, 'train');
  const weightColumn = prior ? prior.data.sampleWeight : o.sampleWeight;
  const classWeight = prior ? prior.data.classWeight : o.classWeight;
  const rowWeights = weightColumn ? weightsOf(tbl, weightColumn) : null;
  // the weight column is never a feature
  const sel: Selection = prior ? prior.data.selection : selectColumns(tbl, { target: o.target ?? (o.dataset ? 'label' : undefined), features: o.features, ignore: weightColumn ? [...(o.ignore ?? []), weightColumn] : o.ignore });
  if (weightColumn && (sel.targets.includes(weightColumn) || sel.features.includes(weightColumn))) throw new UsageError(`--sample-weight: column ${JSON.stringify(weightColumn)} is ${sel.targets.includes(weightColumn) ? (sel.targets.length > 1 ? 'one of the targets' : 'the target') : 'a feature'}; weights need a column of their own`, { field: '--sample-weight', column: weightColumn, expected: 'a column that is neither target nor feature', received: weightColumn });
  // several targets: multi-label classification, one sigmoid output per label
  const multiLabel = sel.targets.length > 1;
  if (!prior) checkMultiLabelFlags(sel.targets, { ...o, classWeight });
  const N = tbl.rows;

  // the validation split: the CLI's own generator, seeded with the model's seed
  const valSplit = prior ? prior.data.valSplit : (o.valSplit ?? model.config.validationSplit);
  let trainRows: Uint32Array | null = null;
  let valRows: Uint32Array | null = null;
  if (valSplit > 0) {
    // the library's split (the one fit's validationSplit makes), its rows in file order
    let split: ReturnType<typeof validationSplit>;
    try {
      split = validationSplit(N, valSplit, model.config.seed);
    } catch (e) {
      throw new UsageError(`--val-split: ${(e as Error).message.replace(/^fit: /, '')}`);
    }
    trainRows = split.train.slice().sort();
    valRows = split.validation.slice().sort();
  }
  const schema: Schema = prior ? prior.schema : fitSchema(tbl, sel, { impute: o.impute, categorical: o.categorical, rows: trainRows });
  const X = encodeFeatures(tbl, schema);
  // multi-label: label sets (the names of the label columns that hold 1), what fit takes
  const Y: TargetList = multiLabel ? encodeLabelSets(tbl, schema) : encodeTargets(tbl, schema, prior ? model.preprocessing?.classes : undefined);
  const pick = (idx: Uint32Array | null) => ({ x: idx ? rowsOf(X, idx) : X, y: (idx ? Array.from(idx, (r) => Y[r]) : Y) as TargetList });
  const trn = pick(trainRows);
  const trnWeights = rowWeights ? (trainRows ? Array.from(trainRows, (r) => rowWeights[r]) : Array.from(rowWeights)) : undefined;
  const val = valRows ? pick(valRows) : null;
  const columns = summarize(tbl, sel, schema);

  if (!g.quiet && !g.json) {
    log(`data: ${tbl.source}, ${int(N)} rows; ${multiLabel ? `targets ${describeTargets(sel.targets)} (multi-label)` : `target ${JSON.stringify(sel.targets[0])}`}; ${sel.features.length} feature column${sel.features.length > 1 ? 's' : ''} → ${schema.inputs.length} inputs${sel.ignored.length ? `; ignored ${sel.ignored.join(', ')}` : ''}`);
    if (columns.length <= 20) log(table(['column', 'role', 'type', 'missing', 'values'], columns.map((c) => [c.name, c.role, c.type, c.missing, c.detail]), ['l', 'l', 'l', 'r', 'l']));
    log(val ? `split: ${int(trn.y.length)} training rows, ${int(val.y.length)} validation rows (--val-split ${valSplit})` : `no validation split (set one with --val-split 0.2)`);
  }

  // ---- training -----------------------------------------------------------------------------
  // --epochs (or a resumed run's total): exactly that many; neither: until the loss stops
  // improving (the library's plateau rule), at most maxEpochs
  const exact = o.epochs ?? (prior ? prior.run.epochs : model.config.epochs);
  const totalEpochs = exact ?? model.epochsTrained + model.config.maxEpochs;
  const remaining = totalEpochs - model.epochsTrained;
  if (remaining < 1) throw new UsageError(`${o.resume} has trained ${model.epochsTrained} epochs already and the run asks for ${totalEpochs}; pass --epochs with a larger total to train on`);
  const out = o.out ?? prior?.run.out ?? 'model.json';
  const ckptPath = o.checkpoint ?? checkpointPathFor(out);
  const meta: CliMeta = {
    schema,
    data: {
      ...(src.file ? { file: resolvePath(src.file) } : { dataset: src.dataset }),
      ...(src.delimiter ? { delimiter: src.delimiter } : {}),
      rows: N, selection: sel,
      ...(o.categorical ?? prior?.data.categorical ? { categorical: o.categorical ?? prior?.data.categorical } : {}),
      ...(schema.impute ? { impute: schema.impute } : {}),
      valSplit,
      ...(weightColumn ? { sampleWeight: weightColumn } : {}),
      ...(classWeight ? { classWeight } : {}),
    },
    history: prior ? prior.history.filter((h) => h.epoch <= model.epochsTrained) : [],
    run: { backend: model.backendName, started: started.toISOString(), seconds: prior?.run.seconds ?? 0, epochs: totalEpochs, out },
  };
  model.metadata[META_KEY] = meta;
  model.featureNames = schema.inputs.slice();
  // a multi-label model's target columns are its labels (model.preprocessing.classes)
  if (!multiLabel) model.targetName = sel.targets[0];

  const mode: ProgressMode = g.quiet ? 'none' : process.stderr.isTTY ? 'bar' : 'lines';
  const metricName = () => (model.task === 'regression' ? 'R²' : multiLabel ? 'subset_accuracy' : 'accuracy');
  const progress = new Progress(mode, remaining, model.epochsTrained, metricName);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) {
      progress.stop();
      process.stderr.write('interrupted again: quitting without saving\n');
      process.exit(EXIT_INTERRUPTED);
    }
    controller.abort();
    progress.note('Ctrl-C: stopping after the current batch (press Ctrl-C again to quit without saving)');
  };
  process.on('SIGINT', onSigint);

  let announced = false;
  let latest: ModelDocument | null = null;
  let best: { doc: ModelDocument; epoch: number; loss: number } | null = null;
  const secondsBefore = meta.run.seconds;
  const epochsBefore = model.epochsTrained;
  let history: History;
  try {
    history = await model.fitAsync(trn.x, trn.y, {
      ...fitConfig(o),
      ...(exact !== undefined ? { epochs: remaining } : {}),
      ...(trnWeights ? { sampleWeight: trnWeights } : {}),
      ...(classWeight ? { classWeight } : {}),
      ...(val ? { validationData: val } : {}),
      signal: controller.signal,
      onBatchEnd: (e) => {
        if (!announced) {
          announced = true;
          const s = modelSummary(model);
          const shape = s.layers.map((l) => l.units).join(' → ');
          if (!g.quiet && !g.json) log(`model: ${s.task}${s.classes ? ` (${s.multiLabel ? `multi-label, ${s.classes.length} labels` : `${s.classes.length} classes`})` : ''}, ${shape}, ${int(s.totalParams)} parameters, loss ${s.loss}, backend ${s.backend}; ${remaining} epoch${remaining > 1 ? 's' : ''} of ${e.batches} batches`);
        }
        progress.batch(e);
      },
      onEpochEnd: (e: EpochLog) => {
        progress.epoch(e);
        if (controller.signal.aborted) return; // a partial epoch: neither a checkpoint nor a best
        meta.history.push(historyRow(e));
        meta.run.seconds = secondsBefore + (performance.now() - t0) / 1000;
        latest = toJSON(model);
        const monitored = e.valLoss ?? e.loss;
        if (!best || monitored < best.loss) best = { doc: latest, epoch: e.epoch, loss: monitored };
        if (o.checkpointEvery && e.epoch % o.checkpointEvery === 0) saveDoc(latest, ckptPath);
      },
    });
  } catch (e) {
    // a column the scaler cannot hold: named as the user's column, not as input number j
    if (e instanceof MlpError && e.code === 'E_NONFINITE' && typeof e.column === 'number' && /^fit: (input|target) column/.test(e.message)) {
      const name = e.message.startsWith('fit: input') ? schema.inputs[e.column] : sel.targets[e.column] ?? sel.targets[0];
      throw new UsageError(`${tbl.source}, column ${JSON.stringify(name)}: ${e.message.replace(/^fit: \w+ column \d+: /, '')}`);
    }
    throw e;
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
  }
  meta.run.seconds = secondsBefore + (performance.now() - t0) / 1000;
  meta.run.stopReason = history.stopReason;

  // ---- saving -------------------------------------------------------------------------------
  const aborted = history.stopReason === 'aborted';
  let savedNote: string;
  if (aborted) {
    const last = history.epochs[history.epochs.length - 1];
    const b = best as { doc: ModelDocument; epoch: number; loss: number } | null;
    if (b) {
      (b.doc.metadata as unknown as { mlpkit: CliMeta }).mlpkit.run.stopReason = 'aborted';
      saveDoc(b.doc, out);
      // the results below describe the model that was saved
      model = fromJSON(b.doc);
      saveDoc(latest!, ckptPath);
      savedNote = `interrupted in epoch ${last?.epoch ?? model.epochsTrained}: saved the best model so far (epoch ${b.epoch}, ${val ? 'validation' : 'training'} loss ${fixed(b.loss)}) to ${out}, and epoch ${(latest as ModelDocument | null)?.training?.epochs} to ${ckptPath}; continue with: mlpkit train --resume ${ckptPath}`;
    } else {
      // NOTE: the model counts the interrupted epoch; the file must not, or a resume would skip
      // the rest of it. Saved as trained for the epochs that finished, run again on --resume.
      const doc = toJSON(model);
      if (doc.training) doc.training.epochs = epochsBefore;
      (doc.metadata as unknown as { mlpkit: CliMeta }).mlpkit.run.stopReason = 'aborted';
      saveDoc(doc, out);
      savedNote = `interrupted before the first epoch ended: saved the partly trained model to ${out} (as ${epochsBefore} epochs trained; --resume runs epoch ${epochsBefore + 1} again)`;
    }
  } else {
    saveModel(model, out);
    if (o.checkpointEvery) saveModel(model, ckptPath);
    savedNote = `saved ${out}`;
  }

  // ---- results ------------------------------------------------------------------------------
  const results: Record<string, Evaluation & { rows: number }> = {};
  const evalOn = (name: string, x: typeof trn.x, y: TargetList) => {
    results[name] = { ...model.evaluate(x, y), rows: y.length };
  };
  evalOn('training', trn.x, trn.y);
  if (val) evalOn('validation', val.x, val.y);
  if (src.dataset === 'mnist') {
    const test = await loadTable(src, 'test');
    evalOn('test', encodeFeatures(test, schema), encodeTargets(test, schema, model.preprocessing?.classes));
  }
  const task = model.task!;
  const seconds = (performance.now() - t0) / 1000;
  if (o.report) {
    const shown = results.test ?? results.validation ?? results.training;
    const shownName = results.test ? 'test' : results.validation ? 'validation' : 'training';
    const scatter = task === 'regression' ? scatterPoints(model, shownName === 'validation' ? val! : shownName === 'test' ? null : trn) : null;
    writeReport(o.report, {
      title: `mlpkit: ${src.file ?? `dataset ${src.dataset}`}`,
      task, history: meta.history, evaluation: shown, evaluationOn: shownName, scatter,
      summary: modelSummary(model), columns, stopReason: history.stopReason,
      trace: { row: 1, trace: trace(model, Array.from(trn.x.data.subarray(0, trn.x.shape[1])), multiLabel ? (encodeTargets(tbl, schema, model.preprocessing?.classes) as number[][])[trainRows ? trainRows[0] : 0] : trn.y[0] as Label) },
      options: reportOptions(o, model, { valSplit, out, seconds: meta.run.seconds, source: tbl.source, rows: N }),
    });
  }

  if (g.json) {
    process.stdout.write(JSON.stringify({
      command: 'train', model: out, ...(aborted ? { checkpoint: ckptPath } : {}), task,
      ...(model.preprocessing?.classes ? { classes: model.preprocessing.classes } : {}),
      ...(multiLabel ? { multiLabel: true, targets: sel.targets } : {}),
      epochs: model.epochsTrained, stopReason: history.stopReason,
      seconds, backend: model.backendName, inputs: schema.inputs, history: meta.history, results,
      ...(o.report ? { report: o.report } : {}),
    }) + '\n');
  } else if (!g.quiet) {
    const what = history.stopReason === 'earlyStopping' ? `stopped early at epoch ${model.epochsTrained}, kept the weights of epoch ${history.bestEpoch}`
      : history.stopReason === 'converged' ? `converged: the ${val ? 'validation' : 'training'} loss stopped improving; kept the weights of epoch ${history.bestEpoch}`
      : history.stopReason === 'maxEpochs' ? `reached maxEpochs before the loss stopped improving; kept the weights of epoch ${history.bestEpoch}; pass --epochs to train longer`
      : history.stopReason;
    log(`trained ${history.epochs.length} epoch${history.epochs.length === 1 ? '' : 's'} in ${duration(seconds)} (${what})`);
    log(table(evaluationHeaders(task, multiLabel), Object.entries(results).map(([k, ev]) => evaluationRow(k, ev.rows, ev))));
    log(savedNote);
    if (o.report) log(`report: ${o.report}`);
  } else if (aborted) {
    process.stderr.write(savedNote + '\n');
  }
  if (aborted && g.json) process.stderr.write(savedNote + '\n');
  return aborted ? EXIT_INTERRUPTED : EXIT_OK;
}

/** Predicted vs actual for the regression scatter: at most 2,000 points. */
function scatterPoints(model: MLP, part: { x: { data: Float64Array; shape: [number, number] }; y: readonly unknown[] } | null): { actual: number[]; predicted: number[] } | null {
  if (!part) return null;
  const n = Math.min(2000, part.y.length);
  const d = part.x.shape[1];
  const x = { data: part.x.data.subarray(0, n * d), shape: [n, d] as [number, number] };
  const pred = model.predict(x) as number[];
  return { actual: part.y.slice(0, n) as number[], predicted: pred.map((p) => (Array.isArray(p) ? p[0] : p)) };
}

function reportOptions(o: TrainOptions, model: MLP, extra: { valSplit: number; out: string; seconds: number; source: string; rows: number }): Record<string, string> {
  const c = model.config;
  return {
    data: `${extra.source} (${int(extra.rows)} rows)`,
    'hidden layers': c.hidden.join(', ') || 'none',
    activation: Array.isArray(c.activation) ? c.activation.join(', ') : c.activation,
    optimizer: c.optimizer,
    'learning rate': c.learningRate !== undefined ? String(c.learningRate) : `${defaultLearningRate(c.optimizer)} (${c.optimizer} default)`,
    epochs: String(model.epochsTrained),
    'batch size': String(o.batchSize ?? c.batchSize),
    'validation split': String(extra.valSplit),
    'early stopping': c.earlyStopping ? `patience ${c.earlyStopping.patience}` : 'off',
    seed: String(c.seed),
    dtype: c.dtype,
    backend: model.backendName,
    'training time': duration(extra.seconds),
    'model file': extra.out,
  };
}
