// Messages between the page and the training engine (in a Web Worker, or on the main thread in
// small time slices when workers are unavailable). Everything here is structured-cloneable.

import type { GradCheckReport, Label, ModelDocument, Trace } from 'mlpkit';
import type { FeatureName, Settings } from './settings.ts';

/** A CSV the user dropped, already parsed on the page: two numeric columns and a label or target. */
export interface CsvData {
  name: string;
  columns: [string, string, string];
  x: [number, number][];
  y: Label[];
}

export type ToEngine =
  | { type: 'configure'; settings: Settings; csv?: CsvData; weights?: Float32Array }
  | { type: 'hyper'; settings: Settings }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'setParam'; layer: number; param: 'W' | 'b'; i: number; j: number; value: number }
  | { type: 'trace'; id: number; index: number }
  | { type: 'gradCheck'; id: number; index: number }
  | { type: 'applyUpdate'; id: number; index: number }
  | { type: 'export'; id: number }
  | { type: 'import'; id: number; json: string };

export interface LayerInfo {
  nIn: number;
  nOut: number;
  activation: string;
  /** false: a = W x, no bias among the parameters */
  bias: boolean;
}

/** The dataset as the page draws it: points in the plane, their labels, the plane's extent. */
export interface DataMessage {
  type: 'data';
  task: 'classification' | 'regression';
  /** class labels in the model's order (classification) */
  classes: Label[];
  train: { x: Float64Array; y: Float64Array };
  test: { x: Float64Array; y: Float64Array };
  /** [x1min, x1max, x2min, x2max] of the plane shown */
  domain: [number, number, number, number];
  /** regression only: target range, for colours */
  yRange: [number, number];
  columns: [string, string, string];
}

/** The network and its live state, posted a few times a second while training. */
export interface StateMessage {
  type: 'state';
  playing: boolean;
  epoch: number;
  /** batches taken since reset */
  steps: number;
  samplesPerSecond: number;
  trainLoss: number;
  testLoss: number;
  /** classification: accuracy; regression: R² */
  trainMetric: number;
  testMetric: number;
  /** new points of the loss curves since the last message */
  curve: { epoch: number; train: number; test: number }[];
  /** reset: the page clears its curves */
  fresh: boolean;
  features: FeatureName[];
  layers: LayerInfo[];
  loss: string;
  /** the library backend running the kernels ("auto" picks the fastest available here) */
  backend: string;
  /** the flat parameter buffer [W_1 … W_L | b_1 … b_L] (a copy) */
  params: Float32Array;
  /** G × G grid over the domain */
  grid: number;
  /**
   * Every node's value over the grid, node after node, each G² values row by row (x2 from top to
   * bottom): the input features, then every layer's h.
   */
  maps: Float32Array;
}

export type FromEngine =
  | { type: 'ready' }
  | DataMessage
  | StateMessage
  | { type: 'settings'; settings: Settings }
  /** id: the request that failed, when it was one */
  | { type: 'error'; message: string; id?: number }
  | { type: 'trace'; id: number; index: number; point: [number, number]; label: Label; features: number[]; target: number[]; trace: Trace; learningRate: number }
  | { type: 'gradCheck'; id: number; report: GradCheckReport }
  | { type: 'applyUpdate'; id: number; lossBefore: number; lossAfter: number }
  | { type: 'export'; id: number; doc: ModelDocument }
  | { type: 'import'; id: number };
