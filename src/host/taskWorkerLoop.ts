import { builtinTaskKinds, type TaskContext } from '../core/tasks/kinds/index';
import { checkJsonPayload } from '../core/tasks/kinds/jsonPayload';
import { TASK_MAX_RESULT_BYTES } from '../core/tasks/kinds/taskLimits';
import type { FromTaskWorker, TaskWorkerErrorCode, ToTaskWorker } from './taskWorkerProtocol';

/** What a worker entry supplies: its way to answer, its clock and its module loader. */
export interface TaskWorkerHost {
  post(message: FromTaskWorker): void;
  /** A monotonic clock in ms (performance.now in both platforms). */
  nowMs(): number;
  /** Imports a registered kind's module (Node fetches http(s) modules itself). */
  importModule(url: string): Promise<unknown>;
}

/** A registered kind as its module exports it. */
interface LoadedKind {
  run(input: unknown, context: TaskContext): unknown;
  validate?(input: unknown): string | null;
}

/**
 * The message loop inside one worker: loads registered kinds, runs one task at a time in the
 * order the `run`s came (a run that comes while one is going waits for it, even for a kind that
 * awaits) and answers each with exactly one `done`, timed. Posts `ready` at once.
 */
export function startTaskWorkerLoop(host: TaskWorkerHost): { onMessage(message: unknown): void } {
  const builtins = builtinTaskKinds();
  // A kind's module, or why it could not be loaded; a run of a kind still loading waits for it.
  const registered = new Map<string, Promise<LoadedKind | string>>();

  const load = (kind: string, url: string): void => {
    const loading = host.importModule(url).then(
      (module) => kindFromModule(module, url),
      (error: unknown) => `could not load ${url}: ${errorText(error)}`,
    );
    registered.set(kind, loading);
    void loading.then((loaded) =>
      host.post({ type: 'loaded', kind, error: typeof loaded === 'string' ? loaded : null }),
    );
  };

  const run = async (message: Extract<ToTaskWorker, { type: 'run' }>): Promise<void> => {
    const startMs = host.nowMs();
    const fail = (code: TaskWorkerErrorCode, text: string) =>
      host.post({
        type: 'done',
        id: message.id,
        ok: false,
        error: { code, message: text },
        ms: host.nowMs() - startMs,
      });
    const kind = builtins.get(message.kind) ?? (await registered.get(message.kind));
    if (kind === undefined) return fail('unknown-kind', `no kind "${message.kind}" in this worker`);
    if (typeof kind === 'string') return fail('failed', kind);
    let result: unknown;
    try {
      // A module's validate returns why it refuses (a string), anything else lets the input in.
      const refusal: unknown = kind.validate?.(message.input);
      if (typeof refusal === 'string') return fail('invalid-input', refusal);
      const context: TaskContext = { agent: message.agent, nowMs: () => host.nowMs() };
      result = await kind.run(message.input, context);
    } catch (error) {
      return fail('failed', errorText(error));
    }
    const problem = checkJsonPayload(result, TASK_MAX_RESULT_BYTES);
    if (problem !== null)
      return fail(
        problem.code === 'too-large' ? 'too-large' : 'failed',
        `result ${problem.message}`,
      );
    host.post({ type: 'done', id: message.id, ok: true, result, ms: host.nowMs() - startMs });
  };
  // One run at a time: each starts once the one before it has answered.
  let previous: Promise<void> = Promise.resolve();

  host.post({ type: 'ready' });
  return {
    onMessage(message) {
      const m = message as ToTaskWorker;
      if (m?.type === 'load' && typeof m.kind === 'string' && typeof m.url === 'string')
        load(m.kind, m.url);
      else if (m?.type === 'run' && typeof m.id === 'number')
        previous = previous.then(() => run(m));
    },
  };
}

/** The kind a module defines: `run` (and `validate`) as named exports or on a default object. */
function kindFromModule(module: unknown, url: string): LoadedKind | string {
  const named = module as { run?: unknown; validate?: unknown; default?: unknown };
  const source =
    typeof named?.run === 'function' ? named : (named?.default as typeof named | undefined);
  if (typeof source?.run !== 'function')
    return `${url} has no run export (export function run(input, context), or a default object with run)`;
  if (source.validate !== undefined && typeof source.validate !== 'function')
    return `${url} exports a validate that is not a function`;
  const runKind = source.run as LoadedKind['run'];
  const validate = source.validate as LoadedKind['validate'];
  return validate === undefined
    ? { run: (input, context) => runKind(input, context) }
    : { run: (input, context) => runKind(input, context), validate: (input) => validate(input) };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
