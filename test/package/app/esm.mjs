// Plain Node, ES modules: the README's ten lines, from the installed package.
import { MLP, datasets, trainTestSplit } from 'mlpkit';

const { x, y } = datasets.iris();
const { train, test } = trainTestSplit(x, y, { testSize: 0.3, seed: 0, stratify: true });
const model = new MLP({ hidden: [16], seed: 0 });
model.fit(train.x, train.y, { epochs: 200, learningRate: 0.01 });
console.log(JSON.stringify({ accuracy: model.score(test.x, test.y), backend: model.backendName, prediction: model.predict([[5.1, 3.5, 1.4, 0.2]]) }));
