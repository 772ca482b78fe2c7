// A browser page that only predicts (bundled by esbuild in the consumer test): a saved model loaded
// with mlpkit/infer, the answers compared with the ones plain Node gave (infer.mjs wrote both files).
import { fromJSON } from 'mlpkit/infer';
import doc from './infer-model.json';
import expected from './infer-expected.json';

try {
  const model = fromJSON(doc);
  globalThis.result = { labels: model.predict(expected.rows), proba: model.predictProba(expected.rows), backend: model.backendName, expected };
} catch (e) {
  globalThis.result = { error: String((e && e.stack) || e) };
}
