// CommonJS: require('mlpkit') loads the ES modules (require(esm), Node >= 20.19).
const { MLP, datasets } = require('mlpkit');
const { saveModel } = require('mlpkit/node');

const { x, y } = datasets.iris();
const model = new MLP({ hidden: [16], seed: 0 });
model.fit(x, y, { epochs: 100, learningRate: 0.01 });
saveModel(model, 'cjs-model.json');
console.log(JSON.stringify({ accuracy: model.score(x, y), saved: typeof saveModel }));
