// mlpkit gradcheck: the core's gradient check (backprop against central finite differences, in
// float64) on a few rows of a CSV, as a table. Exit code 1 when a gradient fails.

import { gradCheck } from '../../src/index.ts';
import { encodeFeatures, encodeTargets } from '../data/schema.ts';
import { EXIT_FAILED, EXIT_OK } from '../errors.ts';
import { table } from '../format.ts';
import type { GlobalOptions } from '../options.ts';
import { modelAndData, type DataFlags } from './common.ts';

export interface GradCheckFlags extends DataFlags {
  rows?: number;
  eps?: number;
  tolerance?: number;
  maxPerTensor?: number;
}

/** Rows checked when --rows is not given: enough for a real batch gradient, few enough to be quick. */
const ROWS = 8;

export async function gradcheck(modelPath: string, file: string | undefined, o: GradCheckFlags, g: GlobalOptions): Promise<number> {
  const { model, meta, table: tbl } = await modelAndData(modelPath, file, o);
  const X = encodeFeatures(tbl, meta.schema);
  const Y = encodeTargets(tbl, meta.schema, model.preprocessing?.classes);
  const n = Math.min(o.rows ?? ROWS, tbl.rows);
  const d = X.shape[1];
  const x = { data: X.data.subarray(0, n * d), shape: [n, d] as [number, number] };
  const r = gradCheck(model, x, Y.slice(0, n), {
    ...(o.eps !== undefined ? { eps: o.eps } : {}),
    ...(o.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
    ...(o.maxPerTensor !== undefined ? { maxPerTensor: o.maxPerTensor } : {}),
  });
  if (g.json) {
    process.stdout.write(JSON.stringify({ command: 'gradcheck', model: modelPath, data: tbl.source, rows: n, ...r }) + '\n');
  } else {
    const e = (v: number) => v.toExponential(2);
    process.stdout.write([
      `gradient check on the first ${n} rows of ${tbl.source}: backprop vs 4th-order central differences, float64`,
      `loss L = ${r.loss.toPrecision(6)}; relative error |g − n| / max(|g|, |n|, ${r.floor}) must be < ${r.tolerance}; step h = ${r.eps}`,
      '',
      table(['layer', 'param', 'checked', 'max abs error', 'max rel error', 'worst at', 'result'], r.entries.map((x) => [
        String(x.layer), x.param, x.checked, e(x.maxAbsError), e(x.maxRelError), `[${x.worst.join(', ')}]`, x.passed ? 'ok' : 'FAILED',
      ]), ['r', 'l', 'r', 'r', 'r', 'l', 'l']),
      '',
      `model's own backend (${model.config.dtype}) vs float64 backprop: max relative error ${e(r.backendMaxRelError)}`,
      r.passed ? 'passed: every gradient matches its finite difference' : 'FAILED: some gradients do not match (a kink of relu near a sample can do this; try --eps 1e-6 or other rows)',
    ].join('\n') + '\n');
  }
  return r.passed ? EXIT_OK : EXIT_FAILED;
}
