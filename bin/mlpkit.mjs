#!/usr/bin/env node
// The `mlpkit` executable.
// - Installed from the package: runs the compiled CLI, dist/cli/main.js, with plain node.
// - In a repository checkout (cli/main.ts beside this folder, tsx installed as a devDependency):
//   runs the TypeScript sources through tsx, so what runs is what is in the working tree, never a
//   stale build. `npm install` builds nothing: the package has no install or prepare script.
import { existsSync } from 'node:fs';

const sources = new URL('../cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return null; // a checkout installed without devDependencies: use the build if there is one
  }
}

const api = existsSync(sources) ? await tsx() : null;
if (api) {
  api.register();
  await import(sources.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write('mlpkit: the compiled CLI (dist/cli/main.js) is missing; in a checkout of mlpkit run `npm install` (or `npm run build`), else reinstall mlpkit\n');
  process.exitCode = 1;
}
