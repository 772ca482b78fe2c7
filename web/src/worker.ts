// The Web Worker: the engine, fed by the page's messages. Training runs here, so the page's frames
// never wait for it.

import { Engine } from './engine.ts';
import type { ToEngine } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

// NOTE: setTimeout(fn, 0) is clamped to ≥ 4 ms after a few nested calls; a MessageChannel hop lets
// the page's messages in between slices without that idle time.
const channel = new MessageChannel();
let pending: (() => void) | null = null;
channel.port1.onmessage = () => {
  const fn = pending;
  pending = null;
  fn?.();
};
const schedule = (fn: () => void) => {
  pending = fn;
  channel.port2.postMessage(0);
};

const engine = new Engine((msg, transfer) => scope.postMessage(msg, transfer ?? []), schedule, 12);
scope.onmessage = (e: MessageEvent<ToEngine>) => engine.handle(e.data);
scope.postMessage({ type: 'ready' });
