// The training report: one self-contained HTML file (no network needed to open it) with
// Chart.js inlined from its UMD build: loss and metric curves per epoch, the confusion matrix as
// a heat map (classification) or predicted vs actual (regression), the model and data summaries
// and the options used.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Evaluation } from '../src/index.ts';
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
  return `<table class="confusion">${head}${body}</table>`;
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
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.card{background:#fff;border:1px solid #e3e5e8;border-radius:8px;padding:16px;overflow:auto}
.wide{grid-column:1/-1}
.chart{position:relative;height:280px}.chart.square{height:420px}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;text-align:left;border-bottom:1px solid #eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}
table.confusion td.cell{text-align:center;min-width:34px;border:1px solid #fff;font-variant-numeric:tabular-nums}
table.confusion th.corner{font-weight:normal;color:#666;font-size:12px}
.headline{font-size:16px;font-weight:600}
.split{display:grid;grid-template-columns:auto 1fr;gap:24px;align-items:start}
summary{cursor:pointer;color:#2563eb;margin-bottom:8px}
@media (max-width:800px){.grid{grid-template-columns:1fr}}
</style></head>
<body><main>
<h1>${esc(r.title)}</h1>
<div class="sub">${esc(s.task)} · ${s.epochsTrained} epochs (${esc(r.stopReason)}) · ${s.totalParams} parameters · backend ${esc(s.backend)}</div>
<div class="grid">
<div class="card"><h2>Loss per epoch</h2><div class="chart"><canvas id="loss"></canvas></div></div>
<div class="card"><h2>${esc(metricName)} per epoch</h2><div class="chart"><canvas id="metric"></canvas></div></div>
<div class="card wide"><h2>Results on the ${esc(r.evaluationOn)} data (${ev.rows} rows)</h2><p class="headline">${esc(headline)}</p>${results}</div>
<div class="card"><h2>Model</h2>${htmlTable(['layer', 'output shape', 'activation', 'parameters'], s.layers.map((l) => [l.name, l.shape, l.activation, l.params]))}
<p>Total parameters: ${s.totalParams} · loss ${esc(s.loss)} · ${esc(s.dtype)} · scaling: ${esc(s.scaling)}${s.optimizer ? ` · optimizer ${esc(s.optimizer)}` : ''}${s.classes ? `<br>classes: ${esc(s.classes.join(', '))}` : ''}</p></div>
<div class="card"><h2>Options</h2>${htmlTable(['option', 'value'], Object.entries(r.options))}</div>
<div class="card wide"><h2>Data</h2>${dataSection(r.columns)}</div>
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
  new Chart(document.getElementById('loss'), { type: 'line', data: { labels: epochs, datasets: lossSets },
    options: { scales: { x: { title: { display: true, text: 'epoch' } }, y: { title: { display: true, text: 'loss' } } } } });
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
