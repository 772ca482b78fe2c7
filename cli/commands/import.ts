// mlpkit import: an ONNX file, a PyTorch .safetensors file or a TensorFlow.js layers model
// (model.json, or its directory) as an mlpkit model file. The format comes from the file name
// unless --format says it; the library checks everything it reads.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { saveModel } from '../../src/node.ts';
import type { ImportOptions } from '../../src/interop.ts';
import { ACTIVATIONS, type ActivationName, type MLP } from '../../src/index.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import type { GlobalOptions } from '../options.ts';

export const IMPORT_FORMATS = ['onnx', 'safetensors', 'tfjs'] as const;
type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportFlags {
  out?: string;
  format?: ImportFormat;
  task?: 'classification' | 'regression';
  classes?: string[];
  activations?: string[];
  alpha?: number;
}

function read(path: string): Uint8Array {
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; check the path`);
  }
}

function guess(file: string): ImportFormat {
  if (/\.onnx$/i.test(file)) return 'onnx';
  if (/\.safetensors$/i.test(file)) return 'safetensors';
  if (/model\.json$/i.test(file) || (existsSync(file) && statSync(file).isDirectory())) return 'tfjs';
  throw new UsageError(`cannot tell the format of ${file} from its name; pass --format ${IMPORT_FORMATS.join('|')}`);
}

export async function importModel(file: string, o: ImportFlags, g: GlobalOptions): Promise<number> {
  // NOTE: imported here, not at the top: interop loads protobufjs (~100 ms), which every other command (and --help) does without
  const { fromONNX, fromSafetensors, fromTFJS } = await import('../../src/interop.ts');
  const format = o.format ?? guess(file);
  const out = o.out ?? 'model.json';
  const options: ImportOptions = { ...(o.task ? { task: o.task } : {}), ...(o.classes ? { classes: o.classes } : {}) };
  let model: MLP;
  if (format === 'onnx') model = fromONNX(read(file), options);
  else if (format === 'safetensors') {
    const bad = o.activations?.find((a) => !(ACTIVATIONS as readonly string[]).includes(a));
    if (bad) throw new UsageError(`--activations: unknown activation ${JSON.stringify(bad)}; expected ${ACTIVATIONS.join(', ')}`);
    model = fromSafetensors(read(file), { ...options, ...(o.activations ? { architecture: { activations: o.activations as ActivationName[], ...(o.alpha !== undefined ? { alpha: o.alpha } : {}) } } : {}) });
  } else {
    const json = existsSync(file) && statSync(file).isDirectory() ? join(file, 'model.json') : file;
    const dir = dirname(json);
    const text = read(json);
    // the weight files model.json names, read from beside it
    let paths: string[] = [];
    try {
      const manifest = (JSON.parse(new TextDecoder().decode(text)) as { weightsManifest?: { paths?: string[] }[] }).weightsManifest ?? [];
      paths = manifest.flatMap((m) => m.paths ?? []).map(String);
    } catch {
      // fromTFJS reports the damaged model.json
    }
    const files: Record<string, Uint8Array> = { 'model.json': text };
    for (const p of paths) {
      if (p.includes('..') || p.startsWith('/')) throw new UsageError(`${json}: the weight path ${JSON.stringify(p)} leaves the model's directory; refusing to read it`);
      if (existsSync(join(dir, p))) files[p] = read(join(dir, p));
    }
    model = fromTFJS(files, options);
  }
  saveModel(model, out);
  const d = model.featureNames?.length;
  if (g.json) process.stdout.write(JSON.stringify({ command: 'import', file, format, out, task: model.task, classes: model.preprocessing?.classes ?? null }) + '\n');
  else if (!g.quiet) process.stderr.write(`imported ${file} (${format}) as ${out}: ${model.task}${model.preprocessing?.classes ? ` with classes ${model.preprocessing.classes.join(', ')}` : ''}${d ? `, inputs ${model.featureNames!.join(', ')}` : ''}\n`);
  return EXIT_OK;
}
