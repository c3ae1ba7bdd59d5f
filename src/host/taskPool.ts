import { builtinTaskKinds } from '../core/tasks/kinds/index';
import { checkJsonPayload } from '../core/tasks/kinds/jsonPayload';
import {
  kindNameProblem,
  TASK_MAX_INPUT_BYTES,
  TASK_MAX_KINDS,
  TASK_MAX_RESULT_BYTES,
  TASK_MAX_TIMEOUT_MS,
  TASK_MAX_WORKERS,
  TASK_WORKER_START_TIMEOUT_MS,
} from '../core/tasks/kinds/taskLimits';
import type {
  Clock,
  TaskOutcome,
  TaskRun,
  TaskRunErrorCode,
  TaskRunner,
  TimerHandle,
} from './ports';
import {
  parseFromTaskWorker,
  type FromTaskWorker,
  type StartWorker,
  type ToTaskWorker,
  type WorkerHandle,
} from './taskWorkerProtocol';

export interface TaskPoolOptions {
  /** The agent the pool runs for; kinds see it as `context.agent`. */
  agent: string;
  /** Times the runs (timeouts and `ms`) and the restart backoff. */
  clock: Clock;
  startWorker: StartWorker;
  /** Pool size, 1 to TASK_MAX_WORKERS. */
  workers: number;
  /**
   * Start the workers only when first needed (a run asked for, a kind registered), not when
   * the pool is made: a tab that never runs a task never pays for its workers.
   */
  lazy?: boolean;
}

/** A worker that crashes while idle again and again is restarted after a growing pause. */
const RESTART_BASE_DELAY_MS = 250;
const RESTART_MAX_DELAY_MS = 30_000;

type SlotState = 'starting' | 'idle' | 'running' | 'down';

/** One place in the pool; its worker is replaced, the slot stays. */
interface Slot {
  handle: WorkerHandle | null;
  /** Bumped at every replacement: events of an older worker are ignored. */
  generation: number;
  state: SlotState;
  running: ActiveRun | null;
  /** Registered (and pending) kinds this worker has loaded. */
  loaded: Set<string>;
  /** Crashes in a row with no task running, for the restart backoff. */
  idleCrashes: number;
  /** The start timeout while starting, the restart delay while down. */
  timer: TimerHandle | null;
}

interface ActiveRun {
  id: number;
  startMs: number;
  timer: TimerHandle | null;
  finish(outcome: TaskOutcome): void;
}

interface PendingKind {
  url: string;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The platform-neutral half of both runners: a fixed set of worker slots, one task per worker,
 * timeouts and cancels that end the worker (the only way to stop a busy loop) and start a fresh
 * one, crash replacement, busy-time accounting and the registry of kinds. The platform half is
 * `startWorker`.
 */
export function createTaskPool(options: TaskPoolOptions): TaskRunner {
  const { agent, clock, startWorker } = options;
  const { workers } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > TASK_MAX_WORKERS)
    throw new RangeError(`workers must be an integer from 1 to ${TASK_MAX_WORKERS}`);
  const builtins = builtinTaskKinds();
  const registered = new Map<string, string>();
  const pending = new Map<string, PendingKind>();
  const slots: Slot[] = [];
  let stopped = false;
  let nextRunId = 1;
  let finishedBusyMs = 0;

  const post = (slot: Slot, message: ToTaskWorker): void => {
    try {
      slot.handle?.postMessage(message);
    } catch (error) {
      crash(slot, slot.generation, `could not post to the worker: ${String(error)}`);
    }
  };

  const start = (slot: Slot): void => {
    clearSlotTimer(slot);
    const generation = ++slot.generation;
    slot.state = 'starting';
    slot.loaded = new Set();
    let handle: WorkerHandle;
    try {
      handle = startWorker({
        onMessage: (message) => onWorkerMessage(slot, generation, message),
        onError: (reason) => crash(slot, generation, reason),
      });
    } catch (error) {
      slot.handle = null;
      crash(slot, generation, `could not start a worker: ${String(error)}`);
      return;
    }
    // It reported a crash while starting: that worker is already replaced.
    if (slot.generation !== generation) return void terminateQuietly(handle);
    slot.handle = handle;
    slot.timer = clock.setTimer(clock.nowMs() + TASK_WORKER_START_TIMEOUT_MS, () => {
      slot.timer = null;
      if (slot.generation === generation && slot.state === 'starting')
        crash(slot, generation, `not ready within ${TASK_WORKER_START_TIMEOUT_MS} ms`);
    });
    // A fresh worker knows only the built-in kinds; it loads the registered ones first.
    for (const [kind, url] of registered) post(slot, { type: 'load', kind, url });
    for (const [kind, { url }] of pending) post(slot, { type: 'load', kind, url });
  };

  /** Ends the slot's worker; a fresh one starts after `delayMs` (0: now). */
  const replace = (slot: Slot, delayMs: number): void => {
    clearSlotTimer(slot);
    if (slot.handle !== null) terminateQuietly(slot.handle);
    slot.handle = null;
    slot.generation++;
    slot.loaded = new Set();
    slot.state = 'down';
    if (!stopped) {
      if (delayMs === 0) start(slot);
      else
        slot.timer = clock.setTimer(clock.nowMs() + delayMs, () => {
          slot.timer = null;
          start(slot);
        });
    }
    settleRegistrations();
  };

  const crash = (slot: Slot, generation: number, reason: string): void => {
    if (slot.generation !== generation || stopped) return;
    if (slot.running !== null) {
      // The task most likely crashed it: its worker comes back at once.
      slot.running.finish(failure('failed', `the worker crashed: ${reason}`, slot.running));
      replace(slot, 0);
      return;
    }
    // Nothing was running, so a kind loading in it (or the worker itself) is to blame.
    for (const [kind, registration] of pending) {
      if (slot.loaded.has(kind)) continue;
      pending.delete(kind);
      registration.reject(
        new Error(`cannot register kind "${kind}": a worker crashed loading it (${reason})`),
      );
    }
    slot.idleCrashes++;
    const delayMs =
      slot.idleCrashes <= 1
        ? 0
        : Math.min(RESTART_MAX_DELAY_MS, RESTART_BASE_DELAY_MS * 2 ** (slot.idleCrashes - 2));
    replace(slot, delayMs);
  };

  const onWorkerMessage = (slot: Slot, generation: number, raw: unknown): void => {
    if (slot.generation !== generation || stopped) return;
    const message = parseFromTaskWorker(raw);
    if (message === null) return;
    if (message.type === 'ready') {
      if (slot.state !== 'starting') return;
      clearSlotTimer(slot);
      slot.state = 'idle';
    } else if (message.type === 'loaded') {
      slot.idleCrashes = 0;
      onLoaded(slot, message.kind, message.error);
    } else onDone(slot, message);
  };

  const onLoaded = (slot: Slot, kind: string, error: string | null): void => {
    if (error === null) {
      slot.loaded.add(kind);
      settleRegistrations();
      return;
    }
    const registration = pending.get(kind);
    if (registration === undefined) return;
    pending.delete(kind);
    registration.reject(new Error(`cannot register kind "${kind}": ${error}`));
  };

  const onDone = (slot: Slot, message: Extract<FromTaskWorker, { type: 'done' }>): void => {
    const active = slot.running;
    if (active === null || active.id !== message.id) return;
    slot.idleCrashes = 0;
    slot.state = 'idle';
    if (!message.ok) {
      active.finish(failure(message.error.code, message.error.message, active));
      return;
    }
    // The worker checks its results too; the pool does not rely on it.
    const problem = checkJsonPayload(message.result, TASK_MAX_RESULT_BYTES);
    if (problem === null)
      active.finish({ ok: true, result: message.result, ms: clock.nowMs() - active.startMs });
    else
      active.finish(
        failure(
          problem.code === 'too-large' ? 'too-large' : 'failed',
          `result ${problem.message}`,
          active,
        ),
      );
  };

  /** Registrations every running worker has loaded are done (a slot that is down loads on start). */
  const settleRegistrations = (): void => {
    if (stopped) return;
    for (const [kind, registration] of pending) {
      if (!slots.every((slot) => slot.handle === null || slot.loaded.has(kind))) continue;
      pending.delete(kind);
      registered.set(kind, registration.url);
      registration.resolve();
    }
  };

  const failure = (code: TaskRunErrorCode, message: string, active: ActiveRun): TaskOutcome => ({
    ok: false,
    code,
    message,
    ms: clock.nowMs() - active.startMs,
  });

  const clearSlotTimer = (slot: Slot): void => {
    if (slot.timer !== null) clock.clearTimer(slot.timer);
    slot.timer = null;
  };

  /** Why the request cannot run at all, before any worker is involved. */
  const refusal = (request: {
    kind: string;
    input: unknown;
    timeoutMs: number;
  }): [TaskRunErrorCode, string] | null => {
    if (stopped) return ['stopped', 'the task runner is stopped'];
    if (typeof request !== 'object' || request === null)
      return ['invalid-input', 'a run takes { kind, input, timeoutMs }'];
    const { kind, input, timeoutMs } = request;
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= TASK_MAX_TIMEOUT_MS))
      return ['invalid-input', `timeoutMs must be in (0, ${TASK_MAX_TIMEOUT_MS}]`];
    if (typeof kind !== 'string' || (!builtins.has(kind) && !registered.has(kind)))
      return ['unknown-kind', `no kind "${String(kind).slice(0, 80)}" in this runner`];
    const problem = checkJsonPayload(input, TASK_MAX_INPUT_BYTES);
    if (problem !== null)
      return [
        problem.code === 'too-large' ? 'too-large' : 'invalid-input',
        `input ${problem.message}`,
      ];
    const invalid = builtins.get(kind)?.validate(input) ?? null;
    if (invalid !== null) return ['invalid-input', invalid];
    return null;
  };

  for (let i = 0; i < options.workers; i++) {
    const slot: Slot = {
      handle: null,
      generation: 0,
      state: 'down',
      running: null,
      loaded: new Set(),
      idleCrashes: 0,
      timer: null,
    };
    slots.push(slot);
  }
  let started = false;
  const ensureStarted = (): void => {
    if (started || stopped) return;
    started = true;
    for (const slot of slots) start(slot);
  };
  if (options.lazy !== true) ensureStarted();

  return {
    workers: options.workers,

    idleWorkers: () => {
      ensureStarted();
      return slots.filter((slot) => slot.state === 'idle').length;
    },

    run(request) {
      ensureStarted();
      const refused = refusal(request);
      if (refused !== null)
        return settledRun({ ok: false, code: refused[0], message: refused[1], ms: 0 });
      const slot = slots.find((candidate) => candidate.state === 'idle');
      if (slot === undefined) {
        const message = `all ${slots.length} workers are running tasks or starting`;
        return settledRun({ ok: false, code: 'busy', message, ms: 0 });
      }
      let resolveDone!: (outcome: TaskOutcome) => void;
      const done = new Promise<TaskOutcome>((resolve) => (resolveDone = resolve));
      const active: ActiveRun = {
        id: nextRunId++,
        startMs: clock.nowMs(),
        timer: null,
        finish(outcome) {
          if (slot.running !== active) return;
          slot.running = null;
          if (active.timer !== null) clock.clearTimer(active.timer);
          finishedBusyMs += outcome.ms;
          resolveDone(outcome);
        },
      };
      slot.state = 'running';
      slot.running = active;
      const { timeoutMs } = request;
      active.timer = clock.setTimer(active.startMs + timeoutMs, () => {
        active.timer = null;
        if (slot.running !== active) return;
        active.finish(failure('timeout', `ran over its ${timeoutMs} ms`, active));
        replace(slot, 0);
      });
      post(slot, { type: 'run', id: active.id, kind: request.kind, input: request.input, agent });
      return {
        done,
        cancel() {
          if (slot.running !== active) return;
          active.finish(failure('cancelled', 'cancelled by the caller', active));
          replace(slot, 0);
        },
      };
    },

    register(kind, moduleUrl) {
      ensureStarted();
      const refuse = (why: string) =>
        Promise.reject(new Error(`cannot register kind "${String(kind).slice(0, 80)}": ${why}`));
      if (stopped) return refuse('the task runner is stopped');
      const badName = kindNameProblem(kind);
      if (badName !== null) return refuse(badName);
      if (builtins.has(kind)) return refuse('it is a built-in kind');
      if (registered.has(kind) || pending.has(kind)) return refuse('it is registered already');
      if (builtins.size + registered.size + pending.size >= TASK_MAX_KINDS)
        return refuse(`a runner has at most ${TASK_MAX_KINDS} kinds`);
      if (typeof moduleUrl !== 'string' || moduleUrl === '') return refuse('no module URL');
      return new Promise<void>((resolve, reject) => {
        pending.set(kind, { url: moduleUrl, resolve, reject });
        for (const slot of slots) post(slot, { type: 'load', kind, url: moduleUrl });
        settleRegistrations();
      });
    },

    kinds: () => [...builtins.keys(), ...registered.keys()],

    busyMs() {
      const nowMs = clock.nowMs();
      let runningMs = 0;
      for (const slot of slots)
        if (slot.running !== null) runningMs += nowMs - slot.running.startMs;
      return finishedBusyMs + runningMs;
    },

    stop() {
      if (stopped) return;
      stopped = true;
      for (const [kind, registration] of pending)
        registration.reject(new Error(`cannot register kind "${kind}": the task runner stopped`));
      pending.clear();
      for (const slot of slots) {
        slot.running?.finish(failure('stopped', 'the task runner stopped', slot.running));
        replace(slot, 0);
      }
    },
  };
}

function settledRun(outcome: TaskOutcome): TaskRun {
  return { done: Promise.resolve(outcome), cancel: () => undefined };
}

function terminateQuietly(handle: WorkerHandle): void {
  try {
    handle.terminate();
  } catch {
    // A worker that is gone already is as good as terminated.
  }
}
