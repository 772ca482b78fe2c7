// mlpkit/node: save and load (JSON and bytes) give the same predictions; mnist() without the
// optional `mnist` package is a coded error that says what to install.
import { MLP, datasets } from 'mlpkit';
import { saveModel, loadModel, mnist } from 'mlpkit/node';

const { x, y } = datasets.iris();
const model = new MLP({ hidden: [8], seed: 1 });
model.fit(x, y, { epochs: 30 });
saveModel(model, 'saved/model.json');
saveModel(model, 'saved/model.mlpk');
const proba = (m) => JSON.stringify(m.predictProba(x));
let missing = null;
try {
  mnist();
} catch (e) {
  missing = { code: e.code, message: e.message };
}
console.log(JSON.stringify({
  json: proba(loadModel('saved/model.json')) === proba(model),
  bytes: proba(loadModel('saved/model.mlpk')) === proba(model),
  missing,
}));
