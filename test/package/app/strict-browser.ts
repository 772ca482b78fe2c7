// A strict TypeScript consumer in a browser app (checked with tsconfig.bundler.json: DOM, no Node types).
import { MLP, datasets, iris, toJSON, type Dataset } from 'mlpkit';
import { fromJSON as loadForInference } from 'mlpkit/infer';
import { initBackends } from 'mlpkit/lowlevel';

export async function run(): Promise<number> {
  await initBackends();
  const data: Dataset = datasets.iris();
  const model = new MLP({ hidden: [8], seed: 0 });
  model.fit(data.x, data.y, { epochs: 5 });
  // @ts-expect-error epochs is a number
  model.fit(data.x, data.y, { epochs: '5' });
  return model.score(data.x, data.y);
}

/** Inference only: a saved model through mlpkit/infer; the named `iris` export. */
export function inference(): number[][] {
  const data: Dataset = iris();
  const model = new MLP({ hidden: [8], seed: 0, backend: 'js' });
  model.fit(data.x, data.y, { epochs: 5 });
  return loadForInference(toJSON(model)).predictProba(data.x);
}
