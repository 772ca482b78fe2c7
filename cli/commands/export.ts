// mlpkit export: a saved model as ONNX (one file), PyTorch (a .safetensors file and a Python file
// beside it that builds the nn.Sequential) or TensorFlow.js (a directory with model.json and the
// weight shard). The library returns bytes; this command only writes them, each file atomically.
// The exports take the model's numeric input columns (featureNames) raw: the input scaling is
// folded into the weights; the CLI's CSV encoding (one-hot of text columns) is not part of them.

import { basename, dirname, extname, join } from 'node:path';
import { loadModel, writeFileAtomic } from '../../src/node.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import type { GlobalOptions } from '../options.ts';

export const EXPORT_FORMATS = ['onnx', 'pytorch', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  out?: string;
}

const DEFAULT_OUT: Record<ExportFormat, string> = { onnx: 'model.onnx', pytorch: 'model.safetensors', tfjs: 'model-tfjs' };

export async function exportModel(modelPath: string, o: ExportOptions, g: GlobalOptions): Promise<number> {
  // NOTE: imported here, not at the top: interop loads protobufjs (~100 ms), which every other command (and --help) does without
  const { toONNX, toPyTorch, toTFJS } = await import('../../src/interop.ts');
  if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) throw new UsageError(`--format: expected one of ${EXPORT_FORMATS.join(', ')}, received ${JSON.stringify(o.format)}`);
  const model = loadModel(modelPath);
  const out = o.out ?? DEFAULT_OUT[o.format];
  let files: Record<string, Uint8Array>;
  if (o.format === 'onnx') files = { [out]: toONNX(model) };
  else if (o.format === 'pytorch') {
    if (extname(out) !== '.safetensors') throw new UsageError(`--out: the PyTorch weights go in a .safetensors file (the Python file is written beside it), received ${JSON.stringify(out)}`);
    const name = basename(out, '.safetensors');
    files = Object.fromEntries(Object.entries(toPyTorch(model, { name })).map(([f, b]) => [join(dirname(out), f), b]));
  } else {
    files = Object.fromEntries(Object.entries(toTFJS(model)).map(([f, b]) => [join(out, f), b]));
  }
  for (const [path, bytes] of Object.entries(files)) writeFileAtomic(path, bytes);
  const list = Object.entries(files).map(([path, bytes]) => ({ path, bytes: bytes.length }));
  if (g.json) process.stdout.write(JSON.stringify({ command: 'export', model: modelPath, format: o.format, files: list }) + '\n');
  else if (!g.quiet) {
    const io = `raw inputs [N, ${model.featureNames?.length ?? '…'}] → ${model.task === 'classification' ? 'class probabilities' : 'predictions in the target\'s units'}`;
    process.stderr.write(`exported ${modelPath} as ${o.format} (${io}):\n${list.map((f) => `  ${f.path} (${f.bytes} bytes)`).join('\n')}\n`);
  }
  return EXIT_OK;
}
