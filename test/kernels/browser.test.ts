// The wasm backends in Chromium: asynchronous compilation on the main thread (initBackends),
// relaxed SIMD (Chromium has it), and gemm threads on Web Workers when the page is cross-origin
// isolated (COOP/COEP headers: SharedArrayBuffer available) or single-threaded on an unshared
// memory when it is not. Skipped where /usr/bin/chromium is missing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const have = existsSync(CHROMIUM);

let server: Server;
let base = '';
let browser: Browser;

before(async () => {
  if (!have) return;
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./browser-entry.ts', import.meta.url))],
    bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'error',
  });
  const js = out.outputFiles[0].text;
  const html = '<!doctype html><meta charset="utf-8"><script src="bundle.js"></script>';
  server = createServer((req, res) => {
    // /coi/… is served cross-origin isolated, /plain/… is not
    const isolated = req.url?.startsWith('/coi/');
    const headers: Record<string, string> = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
    if (req.url?.endsWith('bundle.js')) res.writeHead(200, { ...headers, 'content-type': 'text/javascript' }).end(js);
    else res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

interface Result {
  before: string[]; first: string[]; lateCode: string; firstWorkers: number; after: string[]; workers: number; isolated: boolean; checked: number; failures: string[]; threadedSame: boolean;
  info: { relaxed: boolean; shared: boolean; threads: number; threadedCalls: number };
}

async function check(path: string): Promise<Result> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}${path}`);
  const r = (await page.evaluate(() => (globalThis as unknown as { kernelsCheck(): Promise<unknown> }).kernelsCheck())) as Result;
  await page.close();
  assert.deepEqual(errors, []);
  return r;
}

test('Chromium, cross-origin isolated: wasm-relaxed and wasm-simd, gemm on 2 threads (Web Workers) = 1 thread', { skip: !have && 'no chromium' }, async () => {
  const r = await check('/coi/');
  assert.equal(r.isolated, true);
  // (whether listBackends() before initBackends() already had wasm depends on the browser's limit
  // on synchronous compilation in a page; after it, wasm must be first)
  // initBackends() compiles the relaxed build only (one chunk for a page to fetch); wasm-simd by
  // name then needs initBackends({ backends }), which adds it to the running engine
  assert.deepEqual(r.first.filter((n) => n.startsWith('wasm')), ['wasm-relaxed']);
  assert.equal(r.lateCode, 'E_CONFIG');
  assert.equal(r.firstWorkers, 1, 'expected one Web Worker to start with the first build');
  assert.deepEqual(r.after.slice(0, 2), ['wasm-relaxed', 'wasm-simd']);
  assert.equal(r.info.shared, true);
  assert.equal(r.workers, 1, 'expected one Web Worker to start again with both builds');
  assert.ok(r.info.threadedCalls > 0, 'expected some gemm calls split over the worker');
  assert.equal(r.checked, 32);
  assert.deepEqual(r.failures, []);
  assert.equal(r.threadedSame, true, '2 threads gave different bits from 1');
});

test('Chromium, not isolated: no SharedArrayBuffer, single-threaded wasm on an unshared memory', { skip: !have && 'no chromium' }, async () => {
  const r = await check('/plain/');
  assert.equal(r.isolated, false);
  assert.equal(r.info.shared, false);
  assert.equal(r.workers, 0);
  assert.equal(r.info.threadedCalls, 0);
  assert.deepEqual(r.first.filter((n) => n.startsWith('wasm')), ['wasm-relaxed']);
  assert.equal(r.lateCode, 'E_CONFIG');
  assert.ok(r.after.includes('wasm-simd'));
  assert.equal(r.checked, 32);
  assert.deepEqual(r.failures, []);
});
