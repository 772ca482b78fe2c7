// In a browser (Chromium, headless): the interop entry bundles without Node built-ins, writes the
// same bytes as in Node and reads them back; the core entry's bundle holds no protobuf library.
// Skipped where /usr/bin/chromium is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { toJSON } from '../../src/index.ts';
import { toONNX, toSafetensors, toTFJS } from '../../src/interop.ts';
import { cases } from './models.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const have = existsSync(CHROMIUM);

let server: Server;
let browser: Browser;
let base = '';

before(async () => {
  if (!have) return;
  const out = await build({ entryPoints: [fileURLToPath(new URL('./browser-entry.ts', import.meta.url))], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'error' });
  const js = out.outputFiles[0].text;
  server = createServer((req, res) => {
    if (req.url?.endsWith('bundle.js')) res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script src="bundle.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the core entry (mlpkit) bundles without protobufjs; mlpkit/interop bundles for the browser', async () => {
  const core = await build({ entryPoints: [fileURLToPath(new URL('../../src/index.ts', import.meta.url))], bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'error' });
  assert.ok(!Object.keys(core.metafile!.inputs).some((f) => f.includes('protobufjs')), 'protobufjs is not in the core bundle');
  const interop = await build({ entryPoints: [fileURLToPath(new URL('../../src/interop.ts', import.meta.url))], bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'error' });
  assert.ok(Object.keys(interop.metafile!.inputs).some((f) => f.includes('protobufjs')));
});

test('Chromium: toONNX, toSafetensors, toTFJS write the bytes Node writes, and the imports answer the same', { skip: !have && 'no chromium at /usr/bin/chromium' }, async () => {
  const c = cases()[0];
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base);
  const r = (await page.evaluate(([doc, rows]) => (globalThis as unknown as { interopCheck(d: string, r: number[][]): unknown }).interopCheck(doc, rows), [JSON.stringify(toJSON(c.model)), c.x.slice(0, 10)] as const)) as { onnx: number[]; safetensors: number[]; tfjs: Record<string, number[]>; proba: number[][][] };
  await page.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(Uint8Array.from(r.onnx), toONNX(c.model));
  assert.deepEqual(Uint8Array.from(r.safetensors), toSafetensors(c.model));
  const tfjs = toTFJS(c.model);
  for (const [k, v] of Object.entries(r.tfjs)) assert.deepEqual(Uint8Array.from(v), tfjs[k], k);
  const want = c.expected.slice(0, 10);
  for (const p of r.proba) p.flat().forEach((v, i) => assert.ok(Math.abs(v - want.flat()[i]) <= 1e-5 * Math.max(want.flat()[i], 1e-6), `${v} vs ${want.flat()[i]}`));
});
