import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { startTaskWorkerLoop } from '../../host/taskWorkerLoop';

/** Entry of one task worker thread (started by nodeTaskRunner.ts). */

/** A registered module fetched over http(s) is at most this big. */
const MAX_MODULE_BYTES = 1024 * 1024;
/** A module server that does not answer by then fails the registration. */
const FETCH_TIMEOUT_MS = 30_000;

/**
 * Node imports file: and data: URLs but not http(s) ones, so those are fetched here and
 * imported as a data: module (it cannot import relative paths, only absolute URLs).
 */
async function importNodeModule(url: string): Promise<unknown> {
  if (!/^https?:/i.test(url)) return import(url);
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`HTTP ${response.status} fetching ${url}`);
  const text = await response.text();
  if (text.length > MAX_MODULE_BYTES) throw new Error(`${url} is over ${MAX_MODULE_BYTES} bytes`);
  return import(`data:text/javascript,${encodeURIComponent(text)}`);
}

const port = parentPort;
if (port === null) throw new Error('nodeTaskWorker.ts runs as a worker thread only');
const loop = startTaskWorkerLoop({
  post: (message) => port.postMessage(message),
  nowMs: () => performance.now(),
  importModule: importNodeModule,
});
port.on('message', (message: unknown) => loop.onMessage(message));
