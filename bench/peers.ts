// The peers the bench runs, and how to start each one's child process. A peer that is not
// installed here is skipped with a note (Python peers need Debian's /usr/bin/python3 with torch /
// numpy, never the pyenv python3 on PATH).

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { WorkloadName } from './workloads.ts';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(BENCH_DIR);
/** Debian's python (python3-torch, python3-numpy are installed for it), not pyenv's; BENCH_PYTHON overrides. */
export const PYTHON = process.env.BENCH_PYTHON || '/usr/bin/python3';

/** Environment variables removed for the sgemm child only (see the env doc: they pin a slow kernel). */
export const OPENBLAS_PINS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

export interface Variant {
  /** Peer family: mlpkit, tfjs, brain.js, pytorch, numpy. */
  peer: string;
  /** Short id used by --peers and shown in the table, e.g. "mlpkit:js:t2", "tfjs:wasm". */
  id: string;
  /** Passed to the child as ChildTask.variant. */
  variant: string;
  threads: number | null;
  command: string;
  args: string[];
  /** Extra environment changes for this child. */
  unsetEnv?: string[];
  /** Workloads this variant runs (default all). */
  workloads?: WorkloadName[];
}

/** Node peers' bundles (see bundleNodePeers); without them the children run their .ts through tsx. */
let bundles: Record<string, string> | null = null;

/**
 * Bundle the Node peers (mlpkit's src included) to plain JavaScript in bench/.build with esbuild
 * (installed with tsx), so each child runs as built code would: tsx's on-the-fly transpiling adds
 * some 40-55 MiB to a process's peak RSS, which is the harness's cost, not the library's.
 * Packages in node_modules stay external (found from bench/ upwards). One folder per run, so
 * concurrent runs do not share files. Returns the folder to remove after the run, or null (children
 * then use tsx) when esbuild is absent.
 */
export async function bundleNodePeers(): Promise<string | null> {
  let esbuild: { build(o: Record<string, unknown>): Promise<unknown> };
  try {
    esbuild = (await import('esbuild' as string)) as typeof esbuild;
  } catch {
    return null;
  }
  const outdir = join(BENCH_DIR, '.build', String(process.pid));
  const files = ['mlpkit.ts', 'tfjs.ts', 'brain.ts', 'convnet.ts'];
  await esbuild.build({
    entryPoints: files.map((f) => join(BENCH_DIR, 'peers', f)),
    outdir, outExtension: { '.js': '.mjs' }, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', logLevel: 'error',
  });
  bundles = Object.fromEntries(files.map((f) => [f, join(outdir, f.replace(/\.ts$/, '.mjs'))]));
  return outdir;
}

const node = (file: string) => (bundles
  ? { command: process.execPath, args: [bundles[file]] }
  : { command: process.execPath, args: ['--import', 'tsx', join(BENCH_DIR, 'peers', file)] });

/** mlpkit's registered backends and whether each takes a thread count (asked in a child, after async init). */
export function mlpkitBackends(): { name: string; threads: boolean }[] {
  const { command, args } = node('mlpkit.ts');
  const r = spawnSync(command, [...args, '--list'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`bench: listing mlpkit backends failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; threads: boolean }[];
}

function canRequire(name: string): boolean {
  try {
    createRequire(join(ROOT, 'package.json')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

function pythonHas(module: string): string | null {
  const r = spawnSync(PYTHON, ['-B', '-c', `import ${module}; print(${module}.__version__)`], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Whether a variant id is selected by --peers filters ("mlpkit", "tfjs:cpu", "pytorch:t1"...). */
export function selected(id: string, filters?: readonly string[]): boolean {
  return !filters || filters.some((p) => id === p || id.startsWith(p + ':'));
}

/** Every variant available here (among those the filters select), and a note for each peer that is absent. */
export function discoverVariants(filters?: readonly string[]): { variants: Variant[]; skipped: string[]; backends: string[] } {
  const variants: Variant[] = [];
  const skipped: string[] = [];
  const wants = (peer: string) => !filters || filters.some((p) => p.split(':')[0] === peer);
  const backends = wants('mlpkit') ? mlpkitBackends() : [];
  // issue 4's workloads; A1 and T1 (Adam) only for mlpkit, PyTorch and scikit-learn, the peers with Adam as used
  const W: WorkloadName[] = ['W1', 'W2', 'W3'];
  for (const b of backends) {
    for (const t of b.threads ? [1, 2] : [null]) {
      variants.push({ peer: 'mlpkit', id: `mlpkit:${b.name}${t ? `:t${t}` : ''}`, variant: b.name, threads: t, ...node('mlpkit.ts') });
    }
  }
  if (!wants('tfjs')) {
    // not asked for
  } else if (canRequire('@tensorflow/tfjs')) {
    variants.push({ peer: 'tfjs', id: 'tfjs:cpu', variant: 'cpu', threads: null, ...node('tfjs.ts'), workloads: W });
    if (canRequire('@tensorflow/tfjs-backend-wasm')) {
      // 2 threads asked for explicitly; the child reports what tfjs really used (1 in Node: no multithread support)
      variants.push({ peer: 'tfjs', id: 'tfjs:wasm', variant: 'wasm', threads: 2, ...node('tfjs.ts'), workloads: W });
    } else skipped.push('tfjs wasm: @tensorflow/tfjs-backend-wasm is not installed (npm install)');
  } else skipped.push('tfjs: @tensorflow/tfjs is not installed (npm install)');
  if (!wants('brain.js')) {
    // not asked for
  } else if (canRequire('brain.js')) variants.push({ peer: 'brain.js', id: 'brain.js', variant: 'NeuralNetwork', threads: 1, ...node('brain.ts'), workloads: W });
  else skipped.push('brain.js: not installed (npm install)');
  if (!wants('convnetjs')) {
    // not asked for
  } else if (canRequire('convnetjs')) variants.push({ peer: 'convnetjs', id: 'convnetjs', variant: 'SGDTrainer', threads: 1, ...node('convnet.ts'), workloads: W });
  else skipped.push('convnetjs: not installed (npm install)');

  const torch = wants('pytorch') ? pythonHas('torch') : null;
  if (!wants('pytorch')) {
    // not asked for
  } else if (torch) {
    // -B: no __pycache__ in the work tree
    const py = { command: PYTHON, args: ['-B', join(BENCH_DIR, 'peers', 'torch_peer.py')] };
    variants.push({ peer: 'pytorch', id: 'pytorch:installed', variant: 'as installed', threads: null, ...py });
    variants.push({ peer: 'pytorch', id: 'pytorch:t1', variant: '1 thread', threads: 1, ...py });
    // both cores; W3 (2-8-8-1, batch 1) gains nothing from a second thread and runs ~45 s per variant, so not there
    variants.push({ peer: 'pytorch', id: 'pytorch:t2', variant: '2 threads', threads: 2, ...py, workloads: ['W1', 'W2', 'A1', 'T1'] });
  } else skipped.push(`pytorch: ${PYTHON} cannot import torch (apt-get install -y python3-torch)`);
  const sk = wants('scikit-learn') ? pythonHas('sklearn') : null;
  if (!wants('scikit-learn')) {
    // not asked for
  } else if (sk) {
    const py = { command: PYTHON, args: ['-B', join(BENCH_DIR, 'peers', 'sklearn_peer.py')] };
    variants.push({ peer: 'scikit-learn', id: 'scikit-learn:installed', variant: 'as installed', threads: null, ...py });
    variants.push({ peer: 'scikit-learn', id: 'scikit-learn:t1', variant: '1 thread', threads: 1, ...py });
  } else skipped.push(`scikit-learn: ${PYTHON} cannot import sklearn (apt-get install -y python3-sklearn)`);
  if (!wants('numpy')) {
    // not asked for
  } else if (pythonHas('numpy')) {
    variants.push({
      peer: 'numpy', id: 'numpy:sgemm', variant: 'sgemm', threads: null, command: PYTHON,
      args: ['-B', join(BENCH_DIR, 'peers', 'sgemm.py')], unsetEnv: OPENBLAS_PINS, workloads: ['W2'],
    });
  } else skipped.push(`numpy sgemm: ${PYTHON} cannot import numpy (apt-get install -y python3-numpy libopenblas0-pthread)`);
  return { variants: variants.filter((v) => selected(v.id, filters)), skipped, backends: backends.map((b) => b.name) };
}
