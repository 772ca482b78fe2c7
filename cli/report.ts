// The training report: one self-contained HTML file (no network needed to open it) with
// Chart.js inlined from its UMD build: loss and metric curves per epoch (log scale on demand, the
// best epoch marked), the confusion matrix as a heat map (classification) or predicted vs actual
// (regression), the model and data summaries, the options used, the notation and one training
// row's chain rule. Formulas are typeset with KaTeX at write time (katex.renderToString): the file
// carries the HTML and KaTeX's stylesheet with its fonts inlined (cli/katex.ts), no KaTeX script.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Evaluation, Trace } from '../src/index.ts';
import { katex, katexCss } from './katex.ts';
import { writeFileAtomic } from '../src/node.ts';
import type { HistoryRow, ModelSummary } from './meta.ts';
import type { ColumnSummary } from './data/schema.ts';

export interface ReportData {
  title: string;
  task: 'classification' | 'regression';
  history: HistoryRow[];
  evaluation: Evaluation & { rows: number };
  evaluationOn: string;
  scatter: { actual: number[]; predicted: number[] } | null;
  summary: ModelSummary;
  columns: ColumnSummary[];
  options: Record<string, string>;
  stopReason: string;
  /** the epoch to mark as best; default: the lowest monitored loss (validation when there is some) */
  bestEpoch?: number;
  /** one training row's chain rule (the library's trace), for the trace section */
  trace?: { row: number; trace: Trace };
}

/** A formula, typeset now (inline or display). */
export function texHtml(src: string, display = false): string {
  return katex().renderToString(src, { displayMode: display, throwOnError: true, strict: 'error', output: 'htmlAndMathml' });
}

const NOTATION: [string, string, string][] = [
  ['x', '[n_{in}]', 'a layer\'s input: the sample for layer 1, h_{l−1} after'],
  ['W', '[n_{out}, n_{in}]', 'weights: row i holds the weights into unit i'],
  ['b', '[n_{out}]', 'biases'],
  ['a = W x + b', '[n_{out}]', 'pre-activation (over a batch A = X Wᵀ + b)'],
  ['h = f(a)', '[n_{out}]', 'activation output; ŷ = h_L'],
  ["f'(a)", '[n_{out}]', 'the derivative, elementwise: ∂h/∂a = diag(f′(a)), never built'],
  ['L', '', 'the loss averaged over the batch, L = (1/B) Σ ℓ(ŷ_i, y_i)'],
  ['\\delta = \\frac{\\partial L}{\\partial a} = \\frac{\\partial L}{\\partial h} \\circ f\'(a)', '[n_{out}]', 'what backpropagation carries down'],
  ['\\frac{\\partial L}{\\partial W} = \\delta\\, x^\\top', '[n_{out}, n_{in}]', 'the weights\' gradient'],
  ['\\frac{\\partial L}{\\partial b} = \\delta', '[n_{out}]', 'the biases\' gradient'],
  ['\\frac{\\partial L}{\\partial x} = W^\\top \\delta', '[n_{in}]', 'the layer below\'s ∂L/∂h: the factor re-used (propagated)'],
  ['\\theta \\leftarrow \\theta - \\eta\\, \\nabla_\\theta L', '', 'the update (plain SGD; the optimizer refines it)'],
];

function notationSection(): string {
  const rows = NOTATION.map(([sym, shape, meaning]) => `<tr><td>${texHtml(sym)}</td><td>${shape ? texHtml(shape) : ''}</td><td>${esc(meaning)}</td></tr>`).join('');
  const backprop = texHtml('\\begin{aligned} \\delta_L &= \\frac{\\partial L}{\\partial a_L} \\\\ \\frac{\\partial L}{\\partial W_l} &= \\delta_l\\, h_{l-1}^\\top, \\quad \\frac{\\partial L}{\\partial b_l} = \\delta_l \\\\ \\delta_{l-1} &= (W_l^\\top \\delta_l) \\circ f\'_{l-1}(a_{l-1}) \\quad \\text{(the factor } \\delta_l \\text{ is re-used: backpropagation)} \\end{aligned}', true);
  return `<table class="notation"><thead><tr><th>symbol</th><th>shape</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table><p>Backpropagation, for l = L … 1:</p>${backprop}`;
}

const g6 = (v: number) => (Number.isFinite(v) ? (Math.abs(v) < 1e-4 && v !== 0 ? v.toExponential(3) : v.toFixed(5)) : String(v));

function traceSection(t: Trace, row: number): string {
  const MAX = 10;
  const vec = (v: number[]) => `[${v.slice(0, MAX).map(g6).join(', ')}${v.length > MAX ? `, … (${v.length})` : ''}]`;
  const parts: string[] = [];
  parts.push(`<p>Training row ${row}, in float64 on the saved weights (<code>mlpkit trace</code> prints the same). x as the network sees it (scaled) = ${esc(vec(t.x))}; target y = ${esc(vec(t.y))}; ŷ = ${esc(vec(t.yhat))}; loss ${esc(t.loss)}: L = ${g6(t.L)}${t.fused ? ' (fused with the output activation: δ_L from the logits)' : ''}.</p>`);
  for (const l of t.layers) {
    const k = l.layer;
    const formula = texHtml(`a_{${k}} = W_{${k}}\\, h_{${k - 1}} + b_{${k}}, \\quad h_{${k}} = f(a_{${k}}), \\quad \\delta_{${k}} = \\frac{\\partial L}{\\partial h_{${k}}} \\circ f'(a_{${k}}), \\quad \\frac{\\partial L}{\\partial W_{${k}}} = \\delta_{${k}}\\, h_{${k - 1}}^\\top`, true);
    const n = Math.min(MAX, l.a.length);
    const rows = Array.from({ length: n }, (_, j) => [String(j + 1), g6(l.a[j]), g6(l.h[j]), l.fprime ? g6(l.fprime[j]) : 'softmax', g6(l.dLdh[j]), g6(l.delta[j]), g6(l.db[j])]);
    parts.push(`<h3>Layer ${k}: ${esc(l.activation)}, ${l.x.length} → ${l.a.length}</h3>${formula}${htmlTable(['unit', 'a', 'h = f(a)', "f'(a)", '∂L/∂h', 'δ = ∂L/∂a', '∂L/∂b'], rows)}${l.a.length > MAX ? `<p class="sub">first ${MAX} of ${l.a.length} units</p>` : ''}`);
  }
  return parts.join('');
}

/** The epoch with the lowest monitored loss (validation when there is some). */
function bestOf(history: HistoryRow[]): number | undefined {
  let best: HistoryRow | undefined;
  for (const h of history) {
    const v = h.valLoss ?? h.loss;
    if (Number.isFinite(v) && (!best || v < (best.valLoss ?? best.loss))) best = h;
  }
  return best?.epoch;
}

let chartJs: string | null = null;
function chartSource(): string {
  if (chartJs === null) {
    // the package build copies Chart.js's UMD build beside the compiled CLI (dist/cli/vendor);
    // from the sources, it is read from the chart.js devDependency (its "exports" do not list it)
    const copied = new URL('./vendor/chart.umd.js', import.meta.url);
    const file = existsSync(copied) ? copied : join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
    chartJs = readFileSync(file, 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return chartJs;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function htmlTable(headers: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td${typeof c === 'number' ? ' class="n"' : ''}>${esc(String(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function confusionHtml(ev: Evaluation): string {
  if (ev.task !== 'classification' || ev.multiLabel) return '';
  const classes = ev.classes.map(String);
  const max = Math.max(1, ...ev.confusion.flat());
  const head = `<tr><th class="corner">true ↓ / predicted →</th>${classes.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const body = ev.confusion
    .map((row, t) => {
      const cells = row.map((v, p) => {
        const a = v / max;
        const color = t === p ? `rgba(22,163,74,${(0.08 + 0.85 * a).toFixed(3)})` : `rgba(220,38,38,${(v ? 0.12 + 0.85 * a : 0).toFixed(3)})`;
        return `<td class="cell" style="background:${color};color:${a > 0.55 ? '#fff' : '#111'}" title="true ${esc(classes[t])}, predicted ${esc(classes[p])}: ${v}">${v}</td>`;
      });
      return `<tr><th>${esc(classes[t])}</th>${cells.join('')}</tr>`;
    })
    .join('');
  // wide matrices scroll inside their box; the hint shows only when they do (script below)
  return `<div class="scroll-x" id="confusion-wrap"><table class="confusion">${head}${body}</table></div><p class="hint" id="confusion-hint" hidden>The matrix is wider than this card: scroll it sideways →</p>`;
}

function dataSection(columns: ColumnSummary[]): string {
  const roles = (k: string) => columns.filter((c) => c.role === k).length;
  const line = `<p>${columns.length} columns: ${roles('feature')} features, target ${esc(columns.find((c) => c.role === 'target')?.name ?? '')}${roles('ignored') ? `, ${roles('ignored')} ignored` : ''}; ${columns.reduce((a, c) => a + c.missing, 0)} missing cells</p>`;
  const tbl = htmlTable(['column', 'role', 'type', 'missing', 'values'], columns.map((c) => [c.name, c.role, c.type, c.missing, c.detail]));
  // many columns (images): folded, so the page stays about training
  return columns.length > 20 ? `${line}<details><summary>show all ${columns.length} columns</summary>${tbl}</details>` : line + tbl;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4));

export function reportHtml(r: ReportData): string {
  const ev = r.evaluation;
  const metricName = r.task === 'classification' ? 'accuracy' : 'R²';
  const headline = ev.task === 'classification'
    ? `accuracy ${fmt(ev.accuracy)} · macro F1 ${fmt(ev.macro.f1)} · loss ${fmt(ev.loss)}`
    : `R² ${fmt(ev.r2)} · MSE ${ev.mse.toPrecision(4)} · MAE ${ev.mae.toPrecision(4)} · loss ${fmt(ev.loss)}`;
  const data = {
    task: r.task,
    metricName,
    history: r.history,
    bestEpoch: r.bestEpoch ?? bestOf(r.history) ?? null,
    perClass: ev.task === 'classification' ? { classes: ev.classes.map(String), rows: ev.perClass } : null,
    scatter: r.scatter,
  };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const s = r.summary;
  const results = ev.task === 'classification'
    ? `<div class="split"><div>${confusionHtml(ev)}</div><div class="chart"><canvas id="perclass"></canvas></div></div>`
    : `<div class="chart square"><canvas id="scatter"></canvas></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#111;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 12px}
.sub{color:#555;margin-bottom:16px}
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
.card{background:#fff;border:1px solid #e3e5e8;border-radius:8px;padding:16px;overflow:auto}
.wide{grid-column:1/-1}
.chart{position:relative;height:280px}.chart.square{height:420px}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;text-align:left;border-bottom:1px solid #eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}
table.confusion td.cell{text-align:center;min-width:34px;border:1px solid #fff;font-variant-numeric:tabular-nums}
table.confusion th.corner{font-weight:normal;color:#666;font-size:12px}
.headline{font-size:16px;font-weight:600}
.split{display:grid;grid-template-columns:minmax(0,auto) 1fr;gap:24px;align-items:start}
.scroll-x{overflow-x:auto;max-width:100%}
.hint{color:#b45309;font-size:12px;margin:4px 0 0}
.controls{font-size:13px;color:#444;margin:6px 0 0;display:flex;gap:12px;flex-wrap:wrap;align-items:center}
.note{font-size:13px;margin:6px 0 0;color:#444}
.note.warn{color:#9a3412}
table.notation td{vertical-align:middle}
h3{font-size:14px;margin:14px 0 4px}
.katex-display{overflow-x:auto;overflow-y:hidden}
summary{cursor:pointer;color:#2563eb;margin-bottom:8px}
@media (max-width:800px){.grid{grid-template-columns:minmax(0,1fr)}.split{grid-template-columns:minmax(0,1fr)}}
</style>
<style>${katexCss()}</style></head>
<body><main>
<h1>${esc(r.title)}</h1>
<div class="sub">${esc(s.task)} · ${s.epochsTrained} epochs (${esc(r.stopReason)}) · ${s.totalParams} parameters · backend ${esc(s.backend)}</div>
<div class="grid">
<div class="card"><h2>Loss per epoch</h2><div class="chart"><canvas id="loss"></canvas></div>
<div class="controls"><label><input type="checkbox" id="log-scale"> log scale</label></div><p class="note" id="best-note"></p></div>
<div class="card"><h2>${esc(metricName)} per epoch</h2><div class="chart"><canvas id="metric"></canvas></div></div>
<div class="card wide"><h2>Results on the ${esc(r.evaluationOn)} data (${ev.rows} rows)</h2><p class="headline">${esc(headline)}</p>${results}</div>
<div class="card"><h2>Model</h2>${htmlTable(['layer', 'output shape', 'activation', 'parameters'], s.layers.map((l) => [l.name, l.shape, l.activation, l.params]))}
<p>Total parameters: ${s.totalParams} · loss ${esc(s.loss)} · ${esc(s.dtype)} · scaling: ${esc(s.scaling)}${s.optimizer ? ` · optimizer ${esc(s.optimizer)}` : ''}${s.classes ? `<br>classes: ${esc(s.classes.join(', '))}` : ''}</p></div>
<div class="card"><h2>Options</h2>${htmlTable(['option', 'value'], Object.entries(r.options))}</div>
<div class="card wide"><h2>Data</h2>${dataSection(r.columns)}</div>
<div class="card wide"><h2>Notation</h2>${notationSection()}</div>
${r.trace ? `<div class="card wide"><h2>The chain rule for one training row</h2>${traceSection(r.trace.trace, r.trace.row)}</div>` : ''}
</div>
</main>
<script>${chartSource()}</script>
<script type="application/json" id="report-data">${json}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var epochs = d.history.map(function (h) { return h.epoch; });
  var hasVal = d.history.some(function (h) { return h.valLoss !== undefined; });
  function line(label, values, color) {
    return { label: label, data: values, borderColor: color, backgroundColor: color, pointRadius: values.length > 60 ? 0 : 2, borderWidth: 2, tension: 0.1 };
  }
  var lossSets = [line('training', d.history.map(function (h) { return h.loss; }), '#2563eb')];
  if (hasVal) lossSets.push(line('validation', d.history.map(function (h) { return h.valLoss; }), '#ea580c'));
  // the best epoch: a dashed vertical line (a validation loss that rises after it is overfitting)
  var bestIndex = d.bestEpoch === null ? -1 : epochs.indexOf(d.bestEpoch);
  var bestLine = { id: 'bestEpoch', afterDatasetsDraw: function (chart) {
    if (bestIndex < 0) return;
    var x = chart.scales.x.getPixelForValue(bestIndex), a = chart.chartArea, c = chart.ctx;
    c.save(); c.strokeStyle = '#16a34a'; c.lineWidth = 1.5; c.setLineDash([5, 4]);
    c.beginPath(); c.moveTo(x, a.top); c.lineTo(x, a.bottom); c.stroke();
    c.fillStyle = '#16a34a'; c.font = '12px system-ui, sans-serif'; c.textAlign = x > (a.left + a.right) / 2 ? 'right' : 'left';
    c.fillText('best epoch ' + d.bestEpoch, x + (c.textAlign === 'right' ? -4 : 4), a.top + 12); c.restore();
  } };
  var monitored = d.history.map(function (h) { return hasVal ? h.valLoss : h.loss; });
  var positive = monitored.concat(d.history.map(function (h) { return h.loss; })).filter(function (v) { return v > 0 && isFinite(v); });
  var spread = positive.length ? Math.max.apply(null, positive) / Math.min.apply(null, positive) : 1;
  var logBox = document.getElementById('log-scale');
  // losses that span two decades read better on a log axis; then a late rise stays visible
  logBox.checked = spread > 100;
  var lossChart = new Chart(document.getElementById('loss'), { type: 'line', data: { labels: epochs, datasets: lossSets }, plugins: [bestLine],
    options: { scales: { x: { title: { display: true, text: 'epoch' } }, y: { type: logBox.checked ? 'logarithmic' : 'linear', title: { display: true, text: 'loss' } } } } });
  logBox.addEventListener('change', function () {
    lossChart.options.scales.y.type = logBox.checked ? 'logarithmic' : 'linear';
    lossChart.update();
  });
  if (bestIndex >= 0) {
    var bestV = monitored[bestIndex], lastV = monitored[monitored.length - 1];
    var note = 'Best epoch ' + d.bestEpoch + ': ' + (hasVal ? 'validation' : 'training') + ' loss ' + bestV.toPrecision(4) + '.';
    var el = document.getElementById('best-note');
    if (hasVal && lastV > bestV * 1.05 && bestIndex < monitored.length - 1) {
      note += ' The validation loss rose ' + Math.round((lastV / bestV - 1) * 100) + '% after it (to ' + lastV.toPrecision(4) + ' at epoch ' + epochs[epochs.length - 1] + '): the model began to overfit; early stopping (--early-stopping) keeps the best weights.';
      el.className = 'note warn';
    }
    el.textContent = note;
  }
  var metricSets = [];
  if (d.task === 'classification') metricSets.push(line('training (running, during the epoch)', d.history.map(function (h) { return h.accuracy; }), '#2563eb'));
  if (hasVal) metricSets.push(line('validation', d.history.map(function (h) { return h.valMetric; }), '#ea580c'));
  if (!metricSets.length) metricSets.push(line('learning rate', d.history.map(function (h) { return h.lr; }), '#6b7280'));
  new Chart(document.getElementById('metric'), { type: 'line', data: { labels: epochs, datasets: metricSets },
    options: { scales: { x: { title: { display: true, text: 'epoch' } }, y: { title: { display: true, text: metricSets[0].label === 'learning rate' ? 'learning rate (no validation data for R²)' : d.metricName } } } } });
  if (d.perClass) {
    var ks = ['precision', 'recall', 'f1'], colors = ['#2563eb', '#16a34a', '#9333ea'];
    new Chart(document.getElementById('perclass'), { type: 'bar', data: { labels: d.perClass.classes,
      datasets: ks.map(function (k, i) { return { label: k, data: d.perClass.rows.map(function (r) { return r[k]; }), backgroundColor: colors[i] }; }) },
      options: { scales: { y: { min: 0, max: 1 } }, plugins: { title: { display: true, text: 'per class' } } } });
  }
  // the confusion matrix: say so when it scrolls sideways
  var wrap = document.getElementById('confusion-wrap'), hint = document.getElementById('confusion-hint');
  function scrollHint() { if (wrap && hint) hint.hidden = wrap.scrollWidth <= wrap.clientWidth + 1; }
  scrollHint();
  addEventListener('resize', scrollHint);
  if (d.scatter) {
    var pts = d.scatter.actual.map(function (a, i) { return { x: a, y: d.scatter.predicted[i] }; });
    var lo = Math.min.apply(null, d.scatter.actual.concat(d.scatter.predicted)), hi = Math.max.apply(null, d.scatter.actual.concat(d.scatter.predicted));
    new Chart(document.getElementById('scatter'), { type: 'scatter', data: { datasets: [
      { label: 'rows', data: pts, backgroundColor: 'rgba(37,99,235,0.55)', pointRadius: 3 },
      { label: 'predicted = actual', type: 'line', data: [{ x: lo, y: lo }, { x: hi, y: hi }], borderColor: '#9ca3af', borderDash: [6, 4], pointRadius: 0 } ] },
      options: { scales: { x: { title: { display: true, text: 'actual' } }, y: { title: { display: true, text: 'predicted' } } } } });
  }
})();
</script>
</body></html>
`;
}

export function writeReport(path: string, r: ReportData): void {
  writeFileAtomic(path, reportHtml(r));
}
