// `npm run bench`: mlpkit's registered backends and the peers on W1-W3, side by side in one
// invocation, each (peer, variant, workload) in its own child process, one after another so no two
// compete for the 2 cores. Prints the tables and the targets; a full run writes bench/RESULTS.md.
//
//   npm run bench                       full sizes, every peer found here, writes bench/RESULTS.md
//   npm run bench -- --quick            small sizes (about a minute), no file written
//   npm run bench -- --only W1,W3       some workloads (no file written unless --write)
//   npm run bench -- --peers mlpkit,tfjs:cpu   peers whose id starts with one of these
//   npm run bench -- --json out.json    also the raw results as JSON

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULT_PREFIX, type ChildTask, type PeerResult } from './protocol.ts';
import { discoverVariants, bundleNodePeers, BENCH_DIR, ROOT, type Variant } from './peers.ts';
import { WORKLOADS, workloadSpecs, writeWorkloadData, type WorkloadName, type WorkloadSpec } from './workloads.ts';
import { renderMarkdown, label, type BenchOutcome, type Failure, type Machine } from './report.ts';

export interface BenchOptions {
  quick?: boolean;
  smoke?: boolean;
  only?: WorkloadName[];
  /** Keep variants whose id starts with one of these (e.g. "mlpkit", "tfjs:cpu"). */
  peers?: string[];
  /** Run a variant's workloads in one child (faster; peak RSS then covers them all). The smoke test uses it. */
  groupWorkloads?: boolean;
  /** Run the Node peers' TypeScript through tsx instead of bundling them first (adds tsx's memory to peak RSS). */
  tsx?: boolean;
  /** Print progress to stderr. */
  verbose?: boolean;
  command?: string;
}

function machine(): Omit<Machine, 'loadAfter' | 'date'> {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const fam = /cpu family\s*:\s*(\d+)/.exec(info)?.[1];
  const mdl = /^model\s*:\s*(\d+)/m.exec(info)?.[1];
  const flags = /flags\s*:\s*(.*)/.exec(info)?.[1].split(' ') ?? [];
  const simd = ['avx512f', 'avx2', 'fma', 'avx'].filter((f) => flags.includes(f));
  return {
    cpu: `${model}${fam ? ` (family ${fam}, model ${mdl})` : ''}`,
    cores: cpus().length,
    flags: simd.join(', ') || 'no AVX',
    node: process.version,
    loadBefore: loadavg(),
  };
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function runChild(v: Variant, task: ChildTask, timeoutMs: number): Promise<{ results: PeerResult[]; error?: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    for (const k of v.unsetEnv ?? []) delete env[k];
    const child = spawn(v.command, [...v.args, JSON.stringify(task)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const results = out.split('\n').filter((l) => l.startsWith(RESULT_PREFIX)).map((l) => JSON.parse(l.slice(RESULT_PREFIX.length)) as PeerResult);
      const failed = code !== 0 || results.length < task.specs.length;
      resolve({ results, ...(failed ? { error: `exit ${code}${signal ? ` (${signal}${signal === 'SIGKILL' ? `, timed out after ${timeoutMs / 1000} s` : ''})` : ''}: ${err.trim() || out.trim()}` } : {}) });
    });
  });
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchOutcome> {
  const log = (s: string) => { if (opts.verbose) process.stderr.write(s + '\n'); };
  const specs = workloadSpecs({ quick: opts.quick, smoke: opts.smoke });
  const only = opts.only ?? WORKLOADS;
  const m = machine();
  const dataDir = mkdtempSync(join(tmpdir(), 'mlpkit-bench-'));
  let buildDir: string | null = null;
  try {
    log(`bench: writing workload data to ${dataDir}`);
    writeWorkloadData(dataDir, specs, only);
    buildDir = opts.tsx ? null : await bundleNodePeers();
    const bundled = buildDir !== null;
    log(bundled ? 'bench: Node peers bundled to bench/.build (plain JS children)' : 'bench: Node peers run through tsx');
    const { variants, skipped, backends } = discoverVariants(opts.peers);
    for (const s of skipped) log(`bench: skipped ${s}`);
    const results: PeerResult[] = [];
    const failures: Failure[] = [];
    const timeoutMs = opts.smoke ? 60_000 : 600_000;
    // sgemm first: the ceiling W2 is judged against, measured before the long runs warm the machine
    const ordered = [...variants.filter((v) => v.peer === 'numpy'), ...variants.filter((v) => v.peer !== 'numpy')];
    const jobs: { v: Variant; specs: WorkloadSpec[] }[] = [];
    for (const v of ordered) {
      const ws = only.filter((w) => !v.workloads || v.workloads.includes(w));
      if (!ws.length) continue;
      if (v.peer === 'numpy') jobs.push({ v, specs: [] }, { v, specs: [] }); // first and last, see below
      else if (opts.groupWorkloads) jobs.push({ v, specs: ws.map((w) => specs[w]) });
      else for (const w of ws) jobs.push({ v, specs: [specs[w]] });
    }
    // run workload by workload, so each table's rows are measured close together in time; sgemm
    // runs first and again last, and the better of the two is the ceiling (another process on
    // the machine during one of them lowers it, most of all on 2 threads)
    jobs.sort((a, b) => (a.specs[0]?.name ?? '').localeCompare(b.specs[0]?.name ?? ''));
    const sg = jobs.findIndex((j) => j.v.peer === 'numpy');
    if (sg >= 0 && jobs[sg + 1]?.v.peer === 'numpy') jobs.push(...jobs.splice(sg + 1, 1));
    for (const { v, specs: ss } of jobs) {
      const what = ss.length ? ss.map((s) => s.name).join(',') : 'sgemm';
      log(`bench: ${what} ${v.id} ...`);
      const t = performance.now();
      const task: ChildTask & { removedEnv?: string[]; sgemmSizes?: number[] } = {
        variant: v.variant, threads: v.threads, dataDir, specs: ss,
        ...(v.unsetEnv ? { removedEnv: v.unsetEnv.filter((k) => k in process.env) } : {}),
        ...(opts.smoke || opts.quick ? { sgemmSizes: [512, 1024] } : {}),
      };
      const r = await runChild(v, task, timeoutMs);
      results.push(...r.results);
      for (const x of r.results) {
        log(`  ${label(x)} ${x.workload}: ${x.workload === 'sgemm' ? `${x.gflops?.toFixed(1)} GFLOP/s` : `${Math.round(x.trainPerSec)}/s`}, loss ${x.lossFirst.toPrecision(3)} → ${x.lossFinal.toPrecision(3)}, ${(x.peakRssMiB).toFixed(0)} MiB (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      }
      if (r.error) {
        const done = new Set(r.results.map((x) => x.workload));
        for (const s of ss.length ? ss : [{ name: 'sgemm' }]) if (!done.has(s.name as WorkloadName)) failures.push({ id: v.id, workload: s.name, error: r.error });
        log(`  FAILED: ${r.error.split('\n').slice(-4).join(' | ')}`);
      }
    }
    return {
      command: opts.command ?? 'npm run bench',
      mode: opts.smoke ? 'smoke' : opts.quick ? 'quick' : 'full',
      machine: { ...m, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), loadAfter: loadavg() },
      specs, results, failures, skipped, backends, runner: bundled ? 'bundled' : 'tsx',
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): BenchOptions & { write?: boolean; json?: string } {
  const o: BenchOptions & { write?: boolean; json?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench: ${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--smoke') o.smoke = true;
    else if (a === '--only') {
      o.only = val().split(',').map((w) => w.trim().toUpperCase()) as WorkloadName[];
      for (const w of o.only) if (!WORKLOADS.includes(w)) throw new Error(`bench: --only expects W1, W2, W3, A1 or T1, received ${w}`);
    } else if (a === '--peers') o.peers = val().split(',').map((p) => p.trim());
    else if (a === '--group') o.groupWorkloads = true;
    else if (a === '--tsx') o.tsx = true;
    else if (a === '--write') o.write = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--json') o.json = val();
    else if (a === '--help' || a === '-h') {
      process.stdout.write(readFileSync(join(BENCH_DIR, 'README.md'), 'utf8'));
      process.exit(0);
    } else throw new Error(`bench: unknown option ${a}; see bench/README.md (--quick, --smoke, --only W1,W2, --peers mlpkit,tfjs, --write, --no-write, --json FILE)`);
  }
  return o;
}

const OWN = { begin: '<!-- bench: written by npm run bench -->', end: '<!-- /bench -->' };

/**
 * RESULTS.md with this run's tables in place of the last run's: the region between OWN's markers
 * is replaced and every other line (analyses, the quality tables, sections other scripts write) is
 * kept. A file without the markers (an old one) keeps only the sections marked `<!-- name: written
 * by … -->…<!-- /name -->`.
 */
export function mergeResults(old: string, md: string): string {
  const region = `${OWN.begin}\n${md}\n${OWN.end}`;
  const i = old.indexOf(OWN.begin), j = old.indexOf(OWN.end);
  if (i >= 0 && j > i) return old.slice(0, i) + region + old.slice(j + OWN.end.length);
  const kept = [...old.matchAll(/<!-- ([\w-]+): written by [^>]*-->[\s\S]*?<!-- \/\1 -->/g)].map((m) => m[0]).filter((k) => !k.startsWith(OWN.begin));
  return `# Benchmark results\n\nThe latest run of \`npm run bench\` (see bench/README.md for how to read it).\n\n${region}\n${kept.map((k) => `\n${k}\n`).join('')}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const o = parseArgs(args);
  const outcome = await runBench({ ...o, verbose: true, command: ['npm run bench', ...(args.length ? ['--', ...args] : [])].join(' ') });
  const md = renderMarkdown(outcome);
  process.stdout.write('\n' + md + '\n');
  if (o.json) writeFileSync(o.json, JSON.stringify(outcome, null, 2));
  const partial = o.quick || o.smoke || o.only || o.peers;
  if (o.write ?? !partial) {
    const path = join(BENCH_DIR, 'RESULTS.md');
    writeFileSync(path, mergeResults(existsSync(path) ? readFileSync(path, 'utf8') : '', md));
    process.stderr.write(`bench: wrote ${path}\n`);
  }
  process.exit(outcome.failures.length ? 1 : 0);
}
