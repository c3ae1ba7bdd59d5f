import { startTaskWorkerLoop } from './taskWorkerLoop';
import type { StartWorker, ToTaskWorker, WorkerEvents } from './taskWorkerProtocol';

/**
 * Test support: workers the test drives by hand. Each says `ready` and answers `load` on the
 * next microtask (as a real worker would, later); the test finishes, fails or crashes runs.
 * Nothing outside `*.test.ts` uses it.
 */
export class FakeTaskWorkers {
  readonly started: FakeTaskWorker[] = [];
  /** Say `ready` by themselves (false: a test calls `ready()`). */
  autoReady = true;
  /** How a `load` is answered: null loaded it, a string is the error, 'never' never answers. */
  loadAnswer: (kind: string, url: string) => string | null | 'never' = () => null;
  /** Make `start` throw, as a page whose workers are blocked would. */
  failStart = false;

  readonly start: StartWorker = (events) => {
    if (this.failStart) throw new Error('workers are blocked');
    const worker = new FakeTaskWorker(events, this);
    this.started.push(worker);
    if (this.autoReady) void Promise.resolve().then(() => worker.ready());
    return worker;
  };

  /** Workers not terminated, in start order. */
  live(): FakeTaskWorker[] {
    return this.started.filter((worker) => !worker.terminated);
  }

  /** Live workers holding a run they have not answered. */
  running(): FakeTaskWorker[] {
    return this.live().filter((worker) => worker.openRun() !== null);
  }
}

export class FakeTaskWorker {
  readonly received: ToTaskWorker[] = [];
  terminated = false;
  private readonly answered = new Set<number>();

  constructor(
    private readonly events: WorkerEvents,
    private readonly owner: FakeTaskWorkers,
  ) {}

  postMessage(message: ToTaskWorker): void {
    if (this.terminated) throw new Error('posted to a terminated worker');
    this.received.push(structuredClone(message));
    if (message.type !== 'load') return;
    const answer = this.owner.loadAnswer(message.kind, message.url);
    if (answer === 'never') return;
    void Promise.resolve().then(() =>
      this.send({ type: 'loaded', kind: message.kind, error: answer }),
    );
  }

  terminate(): void {
    this.terminated = true;
  }

  ready(): void {
    this.send({ type: 'ready' });
  }

  /** The run it was given and has not answered, or null. */
  openRun(): Extract<ToTaskWorker, { type: 'run' }> | null {
    for (const message of this.received)
      if (message.type === 'run' && !this.answered.has(message.id)) return message;
    return null;
  }

  finish(result: unknown): void {
    const run = this.takeRun();
    this.send({ type: 'done', id: run.id, ok: true, result });
  }

  fail(code: string, message: string): void {
    const run = this.takeRun();
    this.send({ type: 'done', id: run.id, ok: false, error: { code, message } });
  }

  /** An error event or an exit, as the platform reports it. */
  crash(reason: string): void {
    this.events.onError(reason);
  }

  /** Anything, as a worker might post it; a terminated worker's messages still arrive late. */
  send(message: unknown): void {
    this.events.onMessage(message);
  }

  private takeRun(): Extract<ToTaskWorker, { type: 'run' }> {
    const run = this.openRun();
    if (run === null) throw new Error('no run to answer');
    this.answered.add(run.id);
    return run;
  }
}

/**
 * Test support: workers that run the real worker loop in this thread, one microtask away (as
 * if across a thread), with modules from `modules` instead of imports.
 */
export function loopTaskWorkers(
  nowMs: () => number,
  modules: ReadonlyMap<string, unknown>,
): StartWorker {
  return (events) => {
    let alive = true;
    const later = (deliver: () => void) =>
      void Promise.resolve().then(() => {
        if (alive) deliver();
      });
    const loop = startTaskWorkerLoop({
      post: (message) => later(() => events.onMessage(structuredClone(message))),
      nowMs,
      importModule: async (url) => {
        if (!modules.has(url)) throw new Error(`no module at ${url}`);
        return modules.get(url);
      },
    });
    return {
      postMessage: (message) => later(() => loop.onMessage(structuredClone(message))),
      terminate: () => (alive = false),
    };
  };
}
