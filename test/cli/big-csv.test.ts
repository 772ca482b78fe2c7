// A CSV of the 200 MB class through train, eval and predict --proba (issue 13): generated here,
// never committed, and skipped unless asked for, since it takes minutes and a gigabyte:
//   MLPKIT_BIG_CSV=200 node --import tsx --test test/cli/big-csv.test.ts     (the size in MB)
// It records each command's peak RSS and wall time (GNU time) in bench/RESULTS.md, in the section
// between the markers below, which `npm run bench` keeps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync, createReadStream } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/lowlevel.ts';
import { BIN, ROOT, tempDir } from './helpers.ts';

const MB = Number(process.env.MLPKIT_BIG_CSV === '1' ? 200 : process.env.MLPKIT_BIG_CSV ?? 0);
const START = '<!-- big-csv: written by test/cli/big-csv.test.ts -->';
const END = '<!-- /big-csv -->';

/** ~MB megabytes: 16 numeric columns, a city, and a class from a noisy linear rule. */
function generate(path: string, mb: number): number {
  const rng = new Rng(13);
  const cities = ['Paris', 'Lyon', 'Nice', 'Lille', 'Metz'];
  const fd = openSync(path, 'w');
  writeSync(fd, [...Array.from({ length: 16 }, (_, j) => `x${j}`), 'city', 'y'].join(',') + '\n');
  let bytes = 0;
  let rows = 0;
  const target = mb * 1e6;
  while (bytes < target) {
    const lines: string[] = [];
    for (let k = 0; k < 10000; k++) {
      const v = Array.from({ length: 16 }, () => rng.normal() * 10);
      const c = rows % 5;
      const s = v[0] + 0.5 * v[1] - v[2] + 3 * c + rng.normal() * 2;
      lines.push(`${v.map((a) => a.toFixed(4)).join(',')},${cities[c]},${s < -5 ? 'low' : s < 8 ? 'mid' : 'high'}`);
      rows++;
    }
    const text = lines.join('\n') + '\n';
    bytes += Buffer.byteLength(text);
    writeSync(fd, text);
  }
  closeSync(fd);
  return rows;
}

interface Measured {
  command: string;
  seconds: number;
  peakMiB: number;
  note: string;
}

/** Run `mlpkit args…` under GNU time: exit code, stdout, peak RSS (MiB) and wall seconds. */
function timed(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string; seconds: number; peakMiB: number } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %M %e', process.execPath, BIN, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /TIME (\d+) ([\d.]+)\s*$/.exec(r.stderr);
  assert.ok(m, `no GNU time line in:\n${r.stderr.slice(-2000)}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: Number(m[2]), peakMiB: Number(m[1]) / 1024 };
}

async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path)) for (const b of chunk as Buffer) if (b === 10) n++;
  return n;
}

test(`a ${MB || 200} MB CSV: train, eval and predict --proba; peak RSS and time into bench/RESULTS.md`, { skip: MB > 0 ? false : 'set MLPKIT_BIG_CSV=200 to run (minutes, about a gigabyte)' }, async () => {
  const tmp = tempDir();
  try {
    const csv = join(tmp.dir, 'big.csv');
    const load0 = loadavg();
    const rows = generate(csv, MB);
    const size = statSync(csv).size;
    const runs: Measured[] = [];

    const train = timed(['train', csv, '--target', 'y', '--epochs', '1', '--batch-size', '256', '--out', 'big.json', '--quiet', '--json'], tmp.dir);
    assert.equal(train.code, 0, train.stderr.slice(-2000));
    const t = JSON.parse(train.stdout);
    runs.push({ command: 'mlpkit train big.csv --target y --epochs 1 --batch-size 256', seconds: train.seconds, peakMiB: train.peakMiB, note: `1 epoch, training accuracy ${Number(t.results?.training?.accuracy).toFixed(3)}` });

    const ev = timed(['eval', 'big.json', csv, '--json'], tmp.dir);
    assert.equal(ev.code, 0, ev.stderr.slice(-2000));
    const e = JSON.parse(ev.stdout);
    assert.equal(e.rows, rows);
    assert.ok(e.accuracy > 0.8, `the rule is learnable in one epoch: accuracy ${e.accuracy}`);
    runs.push({ command: 'mlpkit eval big.json big.csv', seconds: ev.seconds, peakMiB: ev.peakMiB, note: `accuracy ${e.accuracy.toFixed(3)}` });

    const pr = timed(['predict', 'big.json', csv, '--proba', '--out', 'p.csv'], tmp.dir);
    assert.equal(pr.code, 0, pr.stderr.slice(-2000));
    assert.equal(await countLines(join(tmp.dir, 'p.csv')), rows + 1);
    runs.push({ command: 'mlpkit predict big.json big.csv --proba --out p.csv', seconds: pr.seconds, peakMiB: pr.peakMiB, note: `${statSync(join(tmp.dir, 'p.csv')).size >> 20} MiB written` });

    const section = [
      START,
      `## Large CSV: train, eval, predict (issue 13)`,
      '',
      `Command: \`MLPKIT_BIG_CSV=${MB} node --import tsx --test test/cli/big-csv.test.ts\` — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
      '',
      `A generated CSV of ${(size / 1e6).toFixed(0)} MB: ${rows.toLocaleString('en')} rows × 18 columns (16 numbers, a 5-city category, a 3-class target). ` +
        `Machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores; Node ${process.version}; load average before ${load0.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg().map((l) => l.toFixed(2)).join(' ')}. ` +
        'Peak RSS and wall time by GNU time (`/usr/bin/time -f %M %e`), one run each: noisy on a shared machine.',
      '',
      '| command | wall time s | peak RSS MiB | MiB per MB of CSV | note |',
      '|---|---|---|---|---|',
      ...runs.map((r) => `| \`${r.command}\` | ${r.seconds.toFixed(1)} | ${r.peakMiB.toFixed(0)} | ${(r.peakMiB / (size / 1e6)).toFixed(2)} | ${r.note} |`),
      END,
    ].join('\n');
    const path = join(ROOT, 'bench/RESULTS.md');
    const old = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
    const i = old.indexOf(START);
    const j = old.indexOf(END);
    const next = i >= 0 && j > i ? old.slice(0, i) + section + old.slice(j + END.length) : `${old.trimEnd()}\n\n${section}\n`;
    writeFileSync(path, next);
    process.stderr.write(section + '\n');
  } finally {
    tmp.cleanup();
  }
});
