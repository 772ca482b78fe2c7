// CLI errors and exit codes: 0 ok, 1 a run that failed, 2 bad usage or bad input.
// Library errors are MlpError subclasses with a `code`; they are bad input (exit 2), except a
// diverged loss, which is a run that failed (exit 1).

import { MlpError } from '../src/index.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** Ctrl-C: 128 + SIGINT, as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** Bad usage or bad input: one message, exit code 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
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
