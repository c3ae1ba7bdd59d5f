import { defaultTaskWorkers } from '../../core/tasks/kinds/taskLimits';
import type { Clock, TaskRunner } from '../../host/ports';
import { AGENT_RUNS_PER_WORKER, createTaskPool } from '../../host/taskPool';
import type { WorkerEvents, WorkerHandle } from '../../host/taskWorkerProtocol';
import { wallClock } from '../webrtc/wallClock';

export interface BrowserTaskRunnerOptions {
  /** The agent's id; kinds see it as `context.agent`. */
  agent: string;
  /** Web Workers; default max(1, min(4, navigator.hardwareConcurrency)). */
  workers?: number;
  /** Default: the wall clock. */
  clock?: Clock;
}

/**
 * Task kinds in module Web Workers. A registered module URL is resolved against the page's
 * location; the module exports `run(input, context)` (named, or on a default object) and may
 * export `validate(input)`.
 */
export function createBrowserTaskRunner(options: BrowserTaskRunnerOptions): TaskRunner {
  const pool = createTaskPool({
    lazy: true,
    agent: options.agent,
    clock: options.clock ?? wallClock,
    workers: options.workers ?? defaultTaskWorkers(navigator.hardwareConcurrency || 1),
    startWorker: startBrowserTaskWorker,
    runsPerWorker: AGENT_RUNS_PER_WORKER,
  });
  return {
    ...pool,
    register(kind, moduleUrl) {
      // Inside the worker a relative URL would resolve against the worker's script instead.
      let url: string;
      try {
        url = new URL(moduleUrl, location.href).href;
      } catch {
        return Promise.reject(new Error(`cannot register kind "${kind}": bad URL ${moduleUrl}`));
      }
      return pool.register(kind, url);
    },
  };
}

function startBrowserTaskWorker(events: WorkerEvents): WorkerHandle {
  // This exact shape is what vite recognises to bundle the entry as its own worker chunk.
  const worker = new Worker(new URL('./taskWorker.ts', import.meta.url), {
    type: 'module',
    name: 'mesh-task',
  });
  worker.onmessage = (event: MessageEvent) => events.onMessage(event.data);
  worker.onmessageerror = () => events.onError('a message from the worker could not be read');
  worker.onerror = (event: ErrorEvent) => {
    // Handled here: the pool replaces the worker, the page's console needs no second report.
    event.preventDefault();
    events.onError(event.message || 'the worker failed (its script could not be loaded?)');
  };
  return {
    postMessage: (message) => worker.postMessage(message),
    terminate: () => worker.terminate(),
  };
}
