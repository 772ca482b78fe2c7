// Sizes of the package as a consumer gets it, against the budgets of issue 9:
//   installed size of `npm install mlpkit` (the tarball, with its dependencies)   ≤ 10 MB
//   inference-only browser bundle (mlpkit/infer: fromJSON + predict, js backend), gzipped ≤ 15 KB
//   training browser bundle with WebAssembly (what a page fetches), gzipped        ≤ 60 KB
//   `mlpkit --help` start-up (median of 15 runs; a timing, so noisy on a busy machine) < 300 ms
// Usage: node scripts/size.mjs [--json]
// It packs the repository (prepack builds dist/), installs the tarball into a temporary project
// (from npm's cache when it can), and bundles two small pages with esbuild from the installed
// package, minified, ES modules with code splitting, as an app would. Two more pages for
// information: the same inference through the full entry (mlpkit's fromJSON), and iris alone,
// once by its named export (the digits data must not be in that bundle) and once through the
// `datasets` namespace (esbuild keeps every member of a namespace it cannot see through).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const MB = 1e6;
const KB = 1e3;
const DIGITS_MARKER = 'p0,p1,p2,p3,p4,p5,p6,p7';

const tmp = mkdtempSync(join(tmpdir(), 'mlpkit-size-'));
try {
  const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', tmp], root));
  const tarball = join(tmp, packed[0].filename);
  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'size', private: true, type: 'module' }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], app);

  // installed size: the bytes of every file npm put in node_modules (what `du --apparent-size` counts)
  const bytesIn = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
    const p = join(dir, e.name);
    return n + (e.isDirectory() ? bytesIn(p) : e.isFile() ? statSync(p).size : 0);
  }, 0);
  const installed = bytesIn(join(app, 'node_modules'));
  const own = bytesIn(join(app, 'node_modules/mlpkit'));

  // the pages, bundled from the installed package
  writeFileSync(join(app, 'infer.js'), `import { fromJSON } from 'mlpkit/infer';
const model = fromJSON(globalThis.modelDocument);
globalThis.out = model.predict(globalThis.rows);
`);
  writeFileSync(join(app, 'infer-full.js'), `import { fromJSON } from 'mlpkit';
const model = fromJSON(globalThis.modelDocument, { backend: 'js' });
globalThis.out = model.predict(globalThis.rows);
`);
  writeFileSync(join(app, 'iris.js'), `import { iris } from 'mlpkit';
globalThis.out = iris();
`);
  writeFileSync(join(app, 'iris-ns.js'), `import { datasets } from 'mlpkit';
globalThis.out = datasets.iris();
`);
  writeFileSync(join(app, 'train.js'), `import { MLP } from 'mlpkit';
import { initBackends } from 'mlpkit/lowlevel';
await initBackends();
const model = new MLP({ hidden: [16], seed: 0 });
model.fit(globalThis.x, globalThis.y, { epochs: 10 });
globalThis.out = model.predict(globalThis.x);
`);
  const { build } = await import(require.resolve('esbuild'));
  const bundle = async (entry) => {
    const r = await build({ entryPoints: [join(app, entry)], bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, write: false, outdir: join(app, 'out'), logLevel: 'error' });
    // DIGITS_MARKER: the digits CSV header, a string only the digits data holds
    return r.outputFiles.map((f) => ({ name: f.path.split('/').pop(), bytes: f.contents.length, gz: gzipSync(f.contents, { level: 9 }).length, digits: f.text.includes(DIGITS_MARKER) }));
  };
  const infer = await bundle('infer.js');
  const inferFull = await bundle('infer-full.js');
  const train = await bundle('train.js');
  const irisNamed = await bundle('iris.js');
  const irisNs = await bundle('iris-ns.js');
  const entryOf = (files, entry) => files.find((f) => f.name === entry);
  // a page fetches one module build: relaxed SIMD where the runtime has it (current browsers), else
  // plain SIMD; for a shared memory where the page is cross-origin isolated (threads), else unshared.
  // The budget holds for the largest of the four (test/package/consumer.test.ts checks it in Chromium).
  const wasmChunk = (files, key) => files.find((f) => f.name.startsWith(`${key}-`));
  const trainEntry = entryOf(train, 'train.js').gz;
  const fetchedWith = Object.fromEntries(['relaxed_unshared', 'relaxed_shared', 'simd_unshared', 'simd_shared'].map((k) => [k, trainEntry + wasmChunk(train, k).gz]));
  const trainFetched = Math.max(...Object.values(fetchedWith));

  // start-up: `mlpkit --help` with plain node, and `node -e 0` for the floor
  const time = (args) => {
    const t = [];
    for (let i = 0; i < 15; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { cwd: app, stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    t.sort((a, b) => a - b);
    return { median: t[7], min: t[0] };
  };
  const help = time([join(app, 'node_modules/mlpkit/bin/mlpkit.mjs'), '--help']);
  const bare = time(['-e', '0']);

  const rows = [
    ['installed size of `npm install mlpkit` (with dependencies)', `${(installed / MB).toFixed(2)} MB (mlpkit itself ${(own / MB).toFixed(2)} MB)`, '≤ 10 MB', installed <= 10 * MB],
    ['inference-only bundle (`mlpkit/infer`: fromJSON + predict, js backend), gzipped', `${(entryOf(infer, 'infer.js').gz / KB).toFixed(1)} KB (${(entryOf(infer, 'infer.js').bytes / KB).toFixed(1)} KB minified)`, '≤ 15 KB', entryOf(infer, 'infer.js').gz <= 15 * KB],
    ['the same through the full entry (`mlpkit`\'s fromJSON + predict), gzipped', `${(entryOf(inferFull, 'infer-full.js').gz / KB).toFixed(1)} KB`, '', true],
    ['a page calling `iris()` (named export), gzipped: no digits data in it', `${(entryOf(irisNamed, 'iris.js').gz / KB).toFixed(1)} KB (${(entryOf(irisNamed, 'iris.js').bytes / KB).toFixed(1)} KB minified; digits ${irisNamed.some((f) => f.digits) ? 'IN' : 'absent'})`, 'no digits', !irisNamed.some((f) => f.digits)],
    ['a page calling `datasets.iris()` (namespace), gzipped', `${(entryOf(irisNs, 'iris-ns.js').gz / KB).toFixed(1)} KB (digits ${irisNs.some((f) => f.digits) ? 'in: esbuild keeps the whole namespace' : 'absent'})`, '', true],
    ['training bundle with WebAssembly, gzipped, as a page fetches it (entry + one module build; the largest of the four)', `${(trainFetched / KB).toFixed(1)} KB (relaxed SIMD ${(fetchedWith.relaxed_unshared / KB).toFixed(1)} KB, with threads ${(fetchedWith.relaxed_shared / KB).toFixed(1)} KB; plain SIMD ${(fetchedWith.simd_unshared / KB).toFixed(1)} / ${(fetchedWith.simd_shared / KB).toFixed(1)} KB)`, '≤ 60 KB', trainFetched <= 60 * KB],
    ['`mlpkit --help` start-up, median of 15', `${help.median.toFixed(0)} ms (min ${help.min.toFixed(0)}; \`node -e 0\`: ${bare.median.toFixed(0)} ms)`, '< 300 ms', help.median < 300],
  ];
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ installed, own, infer, inferFull, train, trainFetched, fetchedWith, irisNamed, irisNs, help, bare, node: process.version, load: loadavg() }, null, 2));
  } else {
    console.log(`| measure | now | budget | |\n|---|---|---|---|\n${rows.map(([m, v, b, ok]) => `| ${m} | ${v} | ${b} | ${ok ? (b ? 'ok' : '') : 'OVER'} |`).join('\n')}`);
    console.log(`\nnode ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (timings are noisy on a busy machine)`);
    console.log(`training chunks: ${train.map((f) => `${f.name} ${(f.gz / KB).toFixed(1)} KB`).join(', ')}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
