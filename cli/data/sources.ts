// Where a command's rows come from: a CSV file, or a data set that ships with mlpkit
// (--dataset). Bundled sets become the same column table a CSV does, with the target "label".

import { datasets, type Column, type Table } from '../../src/index.ts';
import { mnist, readCsvFile } from '../../src/node.ts';
import { UsageError } from '../errors.ts';

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
  if (src.file) return readCsvFile(src.file, { delimiter: src.delimiter });
  if (!src.dataset) throw new UsageError('no data: give a CSV file (e.g. data.csv) or --dataset iris');
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

/** A table from in-memory rows (the bundled datasets): numbers only, one line per row. */
export function tableFromRows(source: string, names: string[], x: readonly (readonly number[])[], targetName: string, y: readonly number[]): Table {
  const n = x.length;
  const columns: Column[] = names.map((name, j) => {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = x[i][j];
    return { kind: 'numeric', name, values, missing: { count: 0, rows: [], values: [] } };
  });
  columns.push({ kind: 'numeric', name: targetName, values: Float64Array.from(y), missing: { count: 0, rows: [], values: [] } });
  const all = [...names, targetName];
  return { source, names: all, index: new Map(all.map((name, j) => [name, j])), columns, rows: n, line: (r) => r + 2 };
}
