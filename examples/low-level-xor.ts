// The seed's training loop by hand, on the low-level pieces: forward, loss, backward, update.
import { Network, Optimizer, Rng, reference } from 'mlpkit/lowlevel';

const net = new Network(reference, 'float64', 2, [{ units: 4, activation: 'sigmoid' }, { units: 1, activation: 'sigmoid' }]);
net.initialize(new Rng(1));
const opt = new Optimizer(net, 'sgd');
const X = new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]), Y = new Float64Array([0, 1, 1, 0]);
let L = 0;
for (let step = 0; step < 5000; step++) {
  net.zeroGrad();
  net.forward(X, 4, true);           // forward (the fused loss needs only the logits a_L)
  L = net.lossAndDelta('bce', Y, 4); // loss, and δ_L = ∂L/∂a_L
  net.backward(4);                   // backward: dW, db for every layer
  opt.step(0.5);                     // update: θ ← θ − η ∇θ
}
console.log('loss', L, 'outputs', Array.from(net.forward(X, 4), (v) => v.toFixed(3)).join(' '));
