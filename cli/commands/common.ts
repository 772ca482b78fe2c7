// What eval, predict, gradcheck and trace share: a saved model, its column schema, and a table
// read with the delimiter the model was trained with unless --delimiter says otherwise.

import { parseDelimiter, type MLP, type Table } from '../../src/index.ts';
import { loadModel } from '../../src/node.ts';
import { loadTable } from '../data/sources.ts';
import { cliMetaOrNumeric, type CliMeta } from '../meta.ts';

export interface DataFlags {
  dataset?: string;
  delimiter?: string;
}

export async function modelAndData(modelPath: string, file: string | undefined, o: DataFlags): Promise<{ model: MLP; meta: CliMeta; table: Table }> {
  const model = loadModel(modelPath);
  const meta = cliMetaOrNumeric(model, modelPath);
  const delimiter = parseDelimiter(o.delimiter, '--delimiter') ?? (file ? meta.data.delimiter : undefined);
  // a bundled set's held-out part when it has one (MNIST)
  const table = await loadTable({ file, dataset: o.dataset, delimiter }, 'test');
  return { model, meta, table };
}
