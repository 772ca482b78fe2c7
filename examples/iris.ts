import { MLP, datasets, trainTestSplit } from 'mlpkit';

const { x, y } = datasets.iris();
const { train, test } = trainTestSplit(x, y, { testSize: 0.3, seed: 0, stratify: true });
const model = new MLP({ hidden: [16], seed: 0 });
model.fit(train.x, train.y); // trains until the loss stops improving
console.log('test accuracy', model.score(test.x, test.y));
console.log(model.predict([[5.1, 3.5, 1.4, 0.2]])); // → [ 0 ]
