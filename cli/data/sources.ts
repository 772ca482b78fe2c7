// Where a command's rows come from: a CSV file, or a data set that ships with mlpkit
// (--dataset). Bundled sets become the same column table a CSV does, with the target "label".

import { datasets } from '../../src/index.ts';
import { mnist } from '../../src/node.ts';
import { UsageError } from '../errors.ts';
import { readCsv } from './csv.ts';
import { tableFromRows, type Table } from './table.ts';

export const DATASETS = ['iris', 'digits', 'mnist', 'spirals', 'moons', 'xor'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface Source {
  file?: string;
  dataset?: string;
  delimiter?: string;
}

/**
 * The rows of a source. `part` matters for MNIST only, whose package holds a training and a test
 * part; the other sets are the same rows whatever the part.
 */
export async function loadTable(src: Source, part: 'train' | 'test' = 'train'): Promise<Table> {
  if (src.file && src.dataset) throw new UsageError(`give either a CSV file or --dataset, not both (received ${src.file} and --dataset ${src.dataset})`);
  if (src.file) return readCsv(src.file, { delimiter: src.delimiter });
  if (!src.dataset) throw new UsageError('no data: give a CSV file (e.g. data/iris.csv) or --dataset iris');
  const name = src.dataset as DatasetName;
  const label = `dataset ${name}`;
  switch (name) {
    case 'iris':
    case 'digits': {
      const d = datasets[name]();
      return tableFromRows(label, d.featureNames, d.x, 'label', d.y);
    }
    case 'mnist': {
      const d = mnist()[part];
      return tableFromRows(`${label} (${part} part)`, d.featureNames, d.x, 'label', d.y);
    }
    case 'spirals':
    case 'moons':
    case 'xor': {
      const d = datasets[name]();
      return tableFromRows(label, d.featureNames, d.x, 'label', d.y);
    }
    default:
      throw new UsageError(`--dataset: unknown data set ${JSON.stringify(src.dataset)}; choose one of ${DATASETS.join(', ')}`);
  }
}
