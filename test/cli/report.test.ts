// The HTML report renders in headless Chromium: no console errors, every chart canvas drawn.
// MLPKIT_REPORT_SCREENSHOT=docs/report.png also saves a screenshot of the classification report.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { DATA, FIXTURES, mlpkit, tempDir } from './helpers.ts';
import { MLP, datasets } from '../../src/index.ts';
import { reportHtml } from '../../cli/report.ts';
import { modelSummary } from '../../cli/meta.ts';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

describe('mlpkit train --report', () => {
  const tmp = tempDir();
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  });
  after(async () => {
    await browser?.close();
    tmp.cleanup();
  });

  async function render(file: string, screenshot?: string, width = 1200, inspect?: (page: import('playwright-core').Page) => Promise<void>): Promise<{ errors: string[]; canvases: { id: string; painted: number }[]; text: string }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    // no network: the report must be self-contained
    await page.route(/^(?!file:)/, (route) => {
      errors.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto('file://' + file);
    const canvases = await page.evaluate(() =>
      Array.from(document.querySelectorAll('canvas'), (c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let k = 3; k < data.length; k += 4) if (data[k] !== 0) painted++;
        return { id: c.id, painted };
      }),
    );
    const text = await page.evaluate(() => document.body.innerText);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    await inspect?.(page);
    await page.close();
    return { errors, canvases, text };
  }

  test('classification: curves, confusion heat map, per-class chart, summaries', async () => {
    const r = await mlpkit(['train', join(DATA, 'iris.csv'), '--epochs', '40', '--val-split', '0.2', '--hidden', '16', '--report', 'iris.html', '--quiet'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(join(tmp.dir, 'iris.html'), 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=/, 'no external scripts');
    const { errors, canvases, text } = await render(join(tmp.dir, 'iris.html'), process.env.MLPKIT_REPORT_SCREENSHOT);
    assert.deepEqual(errors, []);
    assert.deepEqual(canvases.map((c) => c.id), ['loss', 'metric', 'perclass']);
    for (const c of canvases) assert.ok(c.painted > 1000, `canvas ${c.id}: ${c.painted} painted pixels`);
    assert.match(text, /Results on the validation data \(30 rows\)/);
    assert.match(text, /true ↓ \/ predicted →/);
    assert.match(text, /dense_1\s+\[N, 16\]\s+relu\s+80/);
    assert.match(text, /petal_width_cm\s+feature\s+numeric/);
    assert.match(text, /validation split\s+0\.2/);
    // typeset formulas (KaTeX, pre-rendered; its fonts inlined: no request left the file, see render)
    assert.match(text, /Notation/);
    assert.match(text, /The chain rule for one training row/);
    assert.ok((html.match(/class="katex"/g) ?? []).length >= 15, 'the notation and trace formulas are typeset');
    assert.doesNotMatch(html, /url\(fonts\//, 'KaTeX fonts inlined, none fetched');
    assert.match(text, /Best epoch \d+: validation loss/);
    console.log(`# report size: ${(html.length / 1024).toFixed(0)} KB`);
  });

  test('the loss chart: log scale on demand, the best epoch marked, a rising validation loss named', async () => {
    // a real model and evaluation; a history whose validation loss falls to epoch 30, then rises
    const { x, y } = datasets.iris();
    const model = new MLP({ hidden: [8], seed: 1 });
    model.fit(x, y, { epochs: 5 });
    const history = Array.from({ length: 60 }, (_, k) => {
      const e = k + 1;
      const fall = (t: number) => 1.1 * Math.exp(-t / 8) + 0.02;
      return { epoch: e, loss: 1.1 * Math.exp(-e / 8) + 0.001, valLoss: e <= 30 ? fall(e) : fall(30) + (e - 30) * 0.004, lr: 0.001, seconds: 0.01 };
    });
    const file = join(tmp.dir, 'overfit.html');
    writeFileSync(file, reportHtml({
      title: 'overfit', task: 'classification', history, evaluation: { ...model.evaluate(x, y), rows: 150 }, evaluationOn: 'training',
      scatter: null, summary: modelSummary(model), columns: [], options: {}, stopReason: 'completed',
    }));
    let yType = '';
    let yTypeAfter = '';
    const { errors, text } = await render(file, undefined, 1200, async (page) => {
      const type = () => page.evaluate(() => (window as unknown as { Chart: { getChart(id: string): { options: { scales: { y: { type: string } } } } } }).Chart.getChart('loss').options.scales.y.type);
      yType = await type();
      await page.click('#log-scale');
      yTypeAfter = await type();
    });
    assert.deepEqual(errors, []);
    assert.equal(yType, 'logarithmic', 'losses spanning two decades start on a log axis');
    assert.equal(yTypeAfter, 'linear', 'the checkbox switches the axis');
    assert.match(text, /Best epoch 30: validation loss/);
    assert.match(text, /validation loss rose \d+% after it/);
  });

  test('a wide confusion matrix scrolls inside its card and says so', async () => {
    const r = await mlpkit(['train', join(DATA, 'digits.csv'), '--epochs', '2', '--val-split', '0.2', '--report', 'digits.html', '--quiet'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    let hint = { visible: false, overflow: false, page: 0 };
    const { errors } = await render(join(tmp.dir, 'digits.html'), undefined, 380, async (page) => {
      hint = await page.evaluate(() => {
        const w = document.getElementById('confusion-wrap')!;
        return { visible: !document.getElementById('confusion-hint')!.hidden, overflow: w.scrollWidth > w.clientWidth, page: document.documentElement.scrollWidth };
      });
    });
    assert.deepEqual(errors, []);
    assert.ok(hint.overflow, 'ten classes are wider than a 380 px screen');
    assert.ok(hint.visible, 'the scroll hint shows');
    const wide = { visible: true };
    await render(join(tmp.dir, 'digits.html'), undefined, 1400, async (page) => {
      wide.visible = await page.evaluate(() => !document.getElementById('confusion-hint')!.hidden);
    });
    assert.equal(wide.visible, false, 'no hint when the matrix fits');
  });

  test('regression: predicted vs actual scatter', async () => {
    const r = await mlpkit(['train', join(FIXTURES, 'houses.csv'), '--impute', 'mean', '--epochs', '20', '--val-split', '0.2', '--report', 'houses.html', '--quiet'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const { errors, canvases, text } = await render(join(tmp.dir, 'houses.html'));
    assert.deepEqual(errors, []);
    assert.deepEqual(canvases.map((c) => c.id), ['loss', 'metric', 'scatter']);
    for (const c of canvases) assert.ok(c.painted > 1000, `canvas ${c.id}: ${c.painted} painted pixels`);
    assert.match(text, /R² -?[\d.]+ · MSE/);
    assert.match(text, /city\s+feature\s+categorical \(4\)/);
  });
});
