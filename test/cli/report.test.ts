// The HTML report renders in headless Chromium: no console errors, every chart canvas drawn.
// MLPKIT_REPORT_SCREENSHOT=docs/report.png also saves a screenshot of the classification report.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { DATA, FIXTURES, mlpkit, tempDir } from './helpers.ts';

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

  async function render(file: string, screenshot?: string): Promise<{ errors: string[]; canvases: { id: string; painted: number }[]; text: string }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
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
    await page.close();
    return { errors, canvases, text };
  }

  test('classification: curves, confusion heat map, per-class chart, summaries', async () => {
    const r = await mlpkit(['train', join(DATA, 'iris.csv'), '--epochs', '40', '--val-split', '0.2', '--layers', '16', '--report', 'iris.html', '--quiet'], tmp.dir);
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
