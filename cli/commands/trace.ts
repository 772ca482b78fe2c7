// mlpkit trace --row N: every factor of the chain rule for one sample, layer by layer:
//   a = W x + b,  h = f(a),  δ = ∂L/∂a = ∂L/∂h ∘ f'(a),  ∂L/∂W = δ xᵀ,  ∂L/∂b = δ,  ∂L/∂x = Wᵀ δ

import { trace } from '../../src/index.ts';
import { encodeFeatures, encodeTargets } from '../data/schema.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { table } from '../format.ts';
import type { GlobalOptions } from '../options.ts';
import { modelAndData, type DataFlags } from './common.ts';

export interface TraceFlags extends DataFlags {
  row?: number;
}

const g6 = (v: number) => (Number.isFinite(v) ? (Math.abs(v) < 1e-4 && v !== 0 ? v.toExponential(3) : v.toFixed(5)) : String(v));
const vec = (v: number[], max = 10) => `[${v.slice(0, max).map(g6).join(', ')}${v.length > max ? `, … (${v.length})` : ''}]`;

export async function traceRow(modelPath: string, file: string | undefined, o: TraceFlags, g: GlobalOptions): Promise<number> {
  const { model, meta, table: tbl } = await modelAndData(modelPath, file, o);
  const row = o.row ?? 1;
  if (row < 1 || row > tbl.rows) throw new UsageError(`--row: expected a data row from 1 to ${tbl.rows} (1 = the first row after the header), received ${row}`);
  const X = encodeFeatures(tbl, meta.schema);
  const Y = encodeTargets(tbl, meta.schema, model.preprocessing?.classes);
  const d = X.shape[1];
  const x = Array.from(X.data.subarray((row - 1) * d, row * d));
  const t = trace(model, x, Y[row - 1]);
  if (g.json) {
    process.stdout.write(JSON.stringify({ command: 'trace', model: modelPath, data: tbl.source, row, line: tbl.line(row - 1), target: Y[row - 1], ...t }) + '\n');
    return EXIT_OK;
  }
  const out: string[] = [];
  // multi-label: the row's label set, by name
  const target = model.preprocessing?.multiLabel ? `labels {${(model.preprocessing.classes ?? []).filter((_c, k) => (Y[row - 1] as number[])[k] === 1).join(', ')}}` : `target ${JSON.stringify(Y[row - 1])}`;
  out.push(`row ${row} of ${tbl.source} (line ${tbl.line(row - 1)}), ${target}`);
  out.push(`x (scaled, as the network sees it) = ${vec(t.x)}`);
  out.push(`y (encoded) = ${vec(t.y)};  ŷ = ${vec(t.yhat)}`);
  out.push(`loss ${t.loss}: L = ${g6(t.L)}${t.fused ? ' (fused with the output activation: δ_L computed from the logits)' : ''}`);
  for (const l of t.layers) {
    out.push('', `layer ${l.layer}: ${l.activation}, ${l.x.length} → ${l.a.length}   a = W x + b,  h = f(a),  δ = ∂L/∂h ∘ f'(a)`);
    out.push(table(
      ['unit', 'a', 'h = f(a)', "f'(a)", '∂L/∂h', 'δ = ∂L/∂a', '∂L/∂b'],
      l.a.map((a, j) => [String(j + 1), g6(a), g6(l.h[j]), l.fprime ? g6(l.fprime[j]) : 'softmax', g6(l.dLdh[j]), g6(l.delta[j]), l.db.length ? g6(l.db[j]) : '— (no bias)']),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ));
    let big = 0;
    let at = [0, 0];
    let sq = 0;
    l.dW.forEach((r, i) => r.forEach((v, k) => {
      sq += v * v;
      if (Math.abs(v) > Math.abs(big)) [big, at] = [v, [i + 1, k + 1]];
    }));
    out.push(`∂L/∂W = δ xᵀ: [${l.dW.length}, ${l.x.length}], norm ${g6(Math.sqrt(sq))}, largest ${g6(big)} at [${at.join(', ')}]${l.jacobian ? '; softmax: ∂h/∂a = diag(h) − h hᵀ (see --json)' : ''}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  return EXIT_OK;
}
