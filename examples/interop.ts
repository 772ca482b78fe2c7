import { MLP, datasets } from 'mlpkit';
import { toONNX, toPyTorch, fromSafetensors, toTFJS, fromTFJS } from 'mlpkit/interop';
import * as ort from 'onnxruntime-web';

const { x, y, classNames } = datasets.iris();
const model = new MLP({ hidden: [16], seed: 0 });
model.fit(x, y.map((c) => classNames![c as number]), { epochs: 100 });
const rows = x.slice(0, 2); // raw rows: the exports fold the input scaling into their first layer

// ONNX: bytes for onnxruntime in any language; input "input" [N, 4], output "probabilities" [N, 3]
const session = await ort.InferenceSession.create(toONNX(model));
const { probabilities } = await session.run({ input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [2, 4]) });
console.log('onnxruntime ', Array.from(probabilities.data as Float32Array, (p) => p.toFixed(4)).join(' '));
console.log('mlpkit      ', model.predictProba(rows).flat().map((p) => p.toFixed(4)).join(' '));

// PyTorch: { 'model.safetensors', 'model.py' }; the .py builds the nn.Sequential and loads the weights
const pytorch = toPyTorch(model);
console.log('from PyTorch', fromSafetensors(pytorch['model.safetensors']).predict(rows));

// TensorFlow.js: { 'model.json', 'group1-shard1of1.bin' } for tf.loadLayersModel
const tfjs = toTFJS(model);
console.log('from TF.js  ', fromTFJS(tfjs).predict(rows));
