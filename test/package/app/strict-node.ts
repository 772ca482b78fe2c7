// A strict TypeScript consumer in Node (checked with tsconfig.nodenext.json).
import { MLP, datasets, fromJSON, toJSON, MlpError, type Dataset } from 'mlpkit';
import { saveModel, loadModel } from 'mlpkit/node';
import { fromJSON as loadForInference, type InferenceModel } from 'mlpkit/infer';

const data: Dataset = datasets.iris();
const model = new MLP({ hidden: [8], seed: 0 });
model.fit(data.x, data.y, { epochs: 5 });
const accuracy: number = model.score(data.x, data.y);
saveModel(model, 'strict.json');
const again = fromJSON(JSON.stringify(toJSON(loadModel('strict.json'))));
const first = again.predict([[5.1, 3.5, 1.4, 0.2]])[0];
try {
  model.fit([], []);
} catch (e) {
  if (e instanceof MlpError) console.log(e.code);
}
const inference: InferenceModel = loadForInference(JSON.stringify(toJSON(model)));
const proba: number[][] = inference.predictProba(data.x);
console.log(accuracy, first, proba[0]?.[0], inference.classes);

// @ts-expect-error hidden takes layer sizes, not a string: the types must catch this
new MLP({ hidden: 'eight' });
