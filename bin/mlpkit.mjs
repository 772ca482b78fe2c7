#!/usr/bin/env node
// The `mlpkit` executable: registers tsx so Node runs the TypeScript sources directly
// (no build step), then hands over to the CLI in cli/main.ts.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
