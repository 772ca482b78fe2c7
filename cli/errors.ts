// CLI errors and exit codes: 0 ok, 1 a run that failed, 2 bad usage or bad input.
// Library errors are MlpError subclasses with a `code`; they are bad input (exit 2), except a
// diverged loss, which is a run that failed (exit 1).

import { MlpError, type ErrorDetails } from '../src/index.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Ctrl-C: 128 + SIGINT, as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** What a UsageError is about, like the library's errors: a code, and field/row/column/expected/received where they apply. */
export interface UsageDetails extends ErrorDetails {
  /** E_USAGE unless said: E_LABEL for a bad value in a label column, … */
  code?: string;
}

/**
 * Bad usage or bad input: one message, exit code 2. Like the library's errors it has a `code`,
 * and the details that apply become properties (`row` is the file's 1-based line, as the
 * message says; `column` the column's name).
 */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  readonly code: string;
  declare readonly field?: string;
  declare readonly row?: number;
  declare readonly column?: number | string;
  declare readonly expected?: unknown;
  declare readonly received?: unknown;
  constructor(message: string, details: UsageDetails = {}) {
    super(message);
    this.code = details.code ?? 'E_USAGE';
    for (const k of ['field', 'row', 'column', 'expected', 'received'] as const) {
      if (details[k] !== undefined) Object.defineProperty(this, k, { value: details[k], enumerable: true });
    }
  }
}

/** A run that failed (gradient check failed, training diverged): exit code 1. */
export class RunError extends Error {
  readonly exitCode = EXIT_FAILED;
}

/** The exit code for any thrown value. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError || e instanceof RunError) return e.exitCode;
  if (e instanceof MlpError) return e.code === 'E_DIVERGED' ? EXIT_FAILED : EXIT_USAGE;
  return EXIT_FAILED;
}
