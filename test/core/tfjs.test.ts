// Backprop in float32 against TensorFlow.js autodiff (cpu backend) of the same forward pass and
// loss, for every activation × loss pair, batch sizes 1 to 16, including pre-activations about ±50.
// Criterion (stated): |g − t| / max(|g|, |t|, 1e-3 · max(1, |L|, max|t|)) < 1e-4 per entry, where g is
// mlpkit's float32 gradient and t TF.js's, max|t| over the tensor. So entries within 0.1% of the
// tensor's largest are held to 1e-4 relative, and smaller ones to 1e-7 of that scale absolute: the
// float32 round-off of sums of cancelling terms, and of TF.js's erf (A&S 7.1.26, |error| < 1.5e-7) in gelu.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gradients, type ActivationName, type LossName } from '../../src/index.ts';
import { allCases, buildCase, layerWeights } from '../helpers/cases.ts';

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function act(name: ActivationName, a: tf.Tensor2D, alpha: number): tf.Tensor2D {
  switch (name) {
    case 'identity': return a;
    case 'sigmoid': return tf.sigmoid(a);
    case 'tanh': return tf.tanh(a);
    case 'relu': return tf.relu(a);
    case 'leakyRelu': return tf.leakyRelu(a, alpha);
    case 'elu': assert.equal(alpha, 1); return tf.elu(a); // TF.js's elu has α = 1, our default
    case 'softplus': return tf.softplus(a);
    // exact erf form: a Φ(a) = ½ a (1 + erf(a/√2))
    case 'gelu': return tf.mul(tf.mul(0.5, a), tf.add(1, tf.erf(tf.div(a, Math.SQRT2)))) as tf.Tensor2D;
    case 'softmax': return tf.softmax(a);
  }
}

function loss(name: LossName, z: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  const B = z.shape[0];
  const m = z.shape[1];
  const d = tf.sub(z, y);
  switch (name) {
    case 'sse': return tf.div(tf.mul(0.5, tf.sum(tf.square(d))), B);
    case 'mse': return tf.div(tf.sum(tf.square(d)), B * m);
    case 'mae': return tf.div(tf.sum(tf.abs(d)), B * m);
    case 'huber': {
      // ½ min(|d|,1)² + (|d| − min(|d|,1)): the same function, built from differentiable ops
      const ad = tf.abs(d);
      const c = tf.minimum(ad, 1);
      return tf.div(tf.sum(tf.add(tf.mul(0.5, tf.square(c)), tf.sub(ad, c))), B * m);
    }
    case 'bce': // from logits, stable: max(a,0) − a y + log(1 + e^−|a|)
      return tf.div(tf.sum(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))), B * m);
    case 'crossentropy': // from logits: Σ_j y_j (logsumexp(a) − a_j)
      return tf.div(tf.sum(tf.mul(y, tf.sub(tf.logSumExp(z, 1, true), z))), B);
  }
}

for (const c of allCases()) {
  test(`TF.js autodiff float32: ${c.name}`, () => {
    const { model, x, y } = buildCase(c, 'float32');
    const g = gradients(model, x, y);
    const layers = layerWeights(model);
    const nOut = layers[layers.length - 1].nOut;
    // the cases use no scaling: the network sees x as it is, and y as labels (bce: 0/1; crossentropy: one-hot) or rows
    const X = tf.tensor2d(x.flat(), [c.B, model.inputs!]);
    const yRows = (y as (number | number[])[]).map((v) => (Array.isArray(v) ? v : nOut === 1 ? [v] : Array.from({ length: nOut }, (_, k) => (k === v ? 1 : 0))));
    const Y = tf.tensor2d(yRows.flat(), [c.B, nOut]);
    const Ws = layers.map((l) => tf.tensor2d(Array.from(l.W), [l.nOut, l.nIn]));
    const bs = layers.map((l) => tf.tensor1d(Array.from(l.b)));
    const net = { layers };
    const fused = c.loss === 'bce' || c.loss === 'crossentropy';
    const f = (...params: tf.Tensor[]) => {
      let h = X as tf.Tensor2D;
      net.layers.forEach((l, i) => {
        const a = tf.add(tf.matMul(h, params[i] as tf.Tensor2D, false, true), params[net.layers.length + i]) as tf.Tensor2D;
        h = fused && i === net.layers.length - 1 ? a : act(l.activation, a, l.alpha);
      });
      return loss(c.loss, h, Y);
    };
    const { value, grads } = tf.valueAndGrads(f)([...Ws, ...bs]);
    const L = value.dataSync()[0];
    assert.ok(Math.abs(L - g.loss) <= 1e-4 * Math.max(1, Math.abs(L)), `loss ${g.loss} vs TF.js ${L}`);
    net.layers.forEach((l, i) => {
      for (const [name, ours, theirs] of [['W', g.layers[i].dW.flat(), grads[i].dataSync()], ['b', g.layers[i].db, grads[net.layers.length + i].dataSync()]] as const) {
        let scale = 0;
        for (const t of theirs) scale = Math.max(scale, Math.abs(t));
        const floor = 1e-3 * Math.max(1, Math.abs(L), scale);
        theirs.forEach((t: number, k: number) => {
          const err = Math.abs(ours[k] - t) / Math.max(Math.abs(ours[k]), Math.abs(t), floor);
          assert.ok(err < 1e-4, `layer ${i + 1} ${name}[${k}]: mlpkit ${ours[k]} vs TF.js ${t} (relative error ${err.toExponential(2)})`);
        });
      }
    });
    tf.dispose([X, Y, ...Ws, ...bs, value, ...grads]);
  });
}
