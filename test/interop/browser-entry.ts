// Bundled for Chromium by browser.test.ts: the interop routes on a model document handed in by Node.
import { fromJSON } from '../../src/index.ts';
import { toONNX, fromONNX, toSafetensors, fromSafetensors, toTFJS, fromTFJS } from '../../src/interop.ts';

(globalThis as unknown as { interopCheck: unknown }).interopCheck = (docText: string, rows: number[][]) => {
  const model = fromJSON(docText);
  const onnx = toONNX(model);
  const st = toSafetensors(model);
  const tfjs = toTFJS(model);
  return {
    onnx: Array.from(onnx),
    safetensors: Array.from(st),
    tfjs: Object.fromEntries(Object.entries(tfjs).map(([k, v]) => [k, Array.from(v)])),
    proba: [fromONNX(onnx), fromSafetensors(st), fromTFJS(tfjs)].map((m) => m.predictProba(rows)),
  };
};
