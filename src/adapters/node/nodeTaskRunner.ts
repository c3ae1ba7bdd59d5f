import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { defaultTaskWorkers } from '../../core/tasks/kinds/taskLimits';
import type { Clock, TaskRunner } from '../../host/ports';
import { AGENT_RUNS_PER_WORKER, createTaskPool } from '../../host/taskPool';
import type { WorkerEvents, WorkerHandle } from '../../host/taskWorkerProtocol';
import { wallClock } from '../webrtc/wallClock';

export interface NodeTaskRunnerOptions {
  /** The agent's id; kinds see it as `context.agent`. */
  agent: string;
  /** Worker threads; default max(1, min(4, available cores)). */
  workers?: number;
  /** Default: the wall clock. */
  clock?: Clock;
}

/** Task kinds in worker threads. Registered modules: file paths, file:, data: or http(s) URLs. */
export function createNodeTaskRunner(options: NodeTaskRunnerOptions): TaskRunner {
  const pool = createTaskPool({
    lazy: true,
    agent: options.agent,
    clock: options.clock ?? wallClock,
    workers: options.workers ?? defaultTaskWorkers(availableParallelism()),
    startWorker: startNodeTaskWorker,
    runsPerWorker: AGENT_RUNS_PER_WORKER,
  });
  return { ...pool, register: (kind, moduleUrl) => pool.register(kind, toModuleUrl(moduleUrl)) };
}

/** A path (relative to the working directory) becomes a file: URL; URLs stay as they are. */
function toModuleUrl(moduleUrl: string): string {
  if (typeof moduleUrl !== 'string' || moduleUrl === '') return moduleUrl;
  // Two letters at least before the colon, so a Windows drive (C:\) is taken for a path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(moduleUrl)) return moduleUrl;
  return pathToFileURL(resolve(moduleUrl)).href;
}

/**
 * The worker entry is TypeScript, and Node 20 does not run a thread's entry through the
 * loader hooks of `--import tsx` (not even under the tsx CLI), so each thread starts from a
 * small script that loads the entry through tsx's own API (`tsImport`). That works the same
 * under `npm run agent` (tsx) and under vitest, whatever the working directory.
 */
function startNodeTaskWorker(events: WorkerEvents): WorkerHandle {
  const entry = new URL('./nodeTaskWorker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxEsmApiUrl())})
    .then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))
    .catch((error) => process.nextTick(() => { throw error; }));`;
  const worker = new Worker(bootstrap, { eval: true });
  worker.on('message', (message: unknown) => events.onMessage(message));
  worker.on('messageerror', (error) =>
    events.onError(`a message could not be read: ${error.message}`),
  );
  worker.on('error', (error) => events.onError(error.message));
  worker.on('exit', (code) => events.onError(`exited with code ${code}`));
  return {
    postMessage: (message) => worker.postMessage(message),
    terminate: () => void worker.terminate(),
  };
}

/**
 * The ESM build of `tsx/esm/api`, found from this file (a require() resolve would give the
 * CommonJS build, whose register() resolves its hooks wrongly when loaded in a thread).
 */
function tsxEsmApiUrl(): string {
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  return pathToFileURL(join(dirname(packageJson), manifest.exports['./esm/api'].import.default))
    .href;
}
