import { startTaskWorkerLoop } from '../../host/taskWorkerLoop';

/** Entry of one task Web Worker (a module worker started by browserTaskRunner.ts). */

// The project's tsconfig has the DOM lib, not WebWorker: the worker scope, as far as used here.
const scope = self as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
};

const loop = startTaskWorkerLoop({
  post: (message) => scope.postMessage(message),
  nowMs: () => performance.now(),
  // Module URLs arrive absolute (resolved against the page); vite must not try to bundle them.
  importModule: (url) => import(/* @vite-ignore */ url),
});
scope.addEventListener('message', (event) => loop.onMessage(event.data));
