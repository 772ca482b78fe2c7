// Running the CLI as a user would: `node bin/mlpkit.mjs …` in a subprocess, on real files.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin/mlpkit.mjs');
export const DATA = join(ROOT, 'data');
export const FIXTURES = join(ROOT, 'test/fixtures/cli');

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `mlpkit args…` in `cwd`; resolves when it exits. */
export function mlpkit(args: string[], cwd: string, options: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      options.onStderr?.(stderr, child);
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The message of a failed run: exit code 2, one line on stderr, no stack trace. */
export function usageMessage(r: Result): string {
  const lines = r.stderr.trim().split('\n');
  if (r.code !== 2) throw new Error(`expected exit code 2, received ${r.code}; stderr:\n${r.stderr}\nstdout:\n${r.stdout}`);
  if (/\n\s+at /.test(r.stderr)) throw new Error(`expected no stack trace without --verbose, received:\n${r.stderr}`);
  return lines.join('\n');
}
