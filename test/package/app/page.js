// A browser app that trains on iris (bundled by esbuild and by Vite in the consumer test), then,
// where the page is cross-origin isolated, trains a wider network with gemm on 2 threads, to show
// the worker threads start from a bundle.
import { MLP, datasets } from 'mlpkit';
import { initBackends, waitForWorkers, wasmInfo } from 'mlpkit/lowlevel';

async function main() {
  const backends = await initBackends({ threads: 2 });
  const { x, y } = datasets.iris();
  const model = new MLP({ hidden: [16], seed: 0 });
  model.fit(x, y, { epochs: 100, learningRate: 0.01 });
  const workers = await waitForWorkers(10000);
  // 128 × 64 → 512: 4.2 M multiply-adds per gemm, above the size that is split over threads
  const digits = datasets.digits();
  const wide = new MLP({ hidden: [512], seed: 0 });
  wide.fit(digits.x.slice(0, 512), digits.y.slice(0, 512), { epochs: 1, batchSize: 128 });
  return { accuracy: model.score(x, y), backend: model.backendName, backends, workers, info: wasmInfo() };
}

main().then((r) => { globalThis.result = r; }, (e) => { globalThis.result = { error: String(e && e.stack || e) }; });
