// Plain Node: a model trained with mlpkit, saved, and loaded for prediction only with mlpkit/infer
// (ES modules and require). Writes the document and the answers for the browser page (infer-page.js).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MLP, iris, toBytes, toJSON } from 'mlpkit';
import { fromJSON } from 'mlpkit/infer';

const { x, y } = iris();
const model = new MLP({ hidden: [16], seed: 0, backend: 'js' });
model.fit(x, y, { epochs: 200, learningRate: 0.01 });
const doc = toJSON(model, { training: false });
const inference = fromJSON(JSON.stringify(doc));
const labels = inference.predict(x);
const proba = inference.predictProba(x);
const viaRequire = createRequire(import.meta.url)('mlpkit/infer').fromJSON(doc).predict(x);
writeFileSync('infer-model.json', JSON.stringify(doc));
writeFileSync('infer-model.mlpk', toBytes(model, { training: false })); // for the CDN page's fromBytes
writeFileSync('infer-expected.json', JSON.stringify({ rows: x, labels, proba }));
console.log(JSON.stringify({
  equal: JSON.stringify(labels) === JSON.stringify(model.predict(x)) && proba.every((r, i) => r.every((p, j) => Object.is(p, model.predictProba(x)[i][j]))),
  required: JSON.stringify(viaRequire) === JSON.stringify(labels),
  accuracy: labels.filter((l, i) => l === y[i]).length / y.length,
  backend: inference.backendName,
}));
