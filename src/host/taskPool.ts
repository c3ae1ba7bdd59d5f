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
  /**
   * Runs one worker is given at once (default 1): with 2, a worker holds its next task and
   * starts it the moment the last one ends, without waiting for the main thread to answer
   * (which on a busy machine can take tens of ms). Runs still start in order, one at a time.
   */
  runsPerWorker?: number;
}

/** Runs per worker at most. */
export const MAX_RUNS_PER_WORKER = 4;
/** What the agents' runners use: each worker holds the task it runs and the next. */
export const AGENT_RUNS_PER_WORKER = 2;

/** A worker that crashes while idle again and again is restarted after a growing pause. */
const RESTART_BASE_DELAY_MS = 250;
const RESTART_MAX_DELAY_MS = 30_000;

type SlotState = 'starting' | 'ready' | 'down';

/** One place in the pool; its worker is replaced, the slot stays. */
interface Slot {
  handle: WorkerHandle | null;
  /** Bumped at every replacement: events of an older worker are ignored. */
  generation: number;
  state: SlotState;
  /**
   * The runs given to this worker, in the order it runs them: the first is running (since
   * `startMs`), the rest wait inside the worker. A run cancelled while waiting stays, as a
   * ghost, until the worker answers it: the answers come in this order.
   */
  runs: ActiveRun[];
  /** Registered (and pending) kinds this worker has loaded. */
  loaded: Set<string>;
  /** Crashes in a row with no task running, for the restart backoff. */
  idleCrashes: number;
  /** The start timeout while starting, the restart delay while down. */
  timer: TimerHandle | null;
}

interface ActiveRun {
  id: number;
  message: Extract<ToTaskWorker, { type: 'run' }>;
  timeoutMs: number;
  /** When it became the worker's running task (null while it waits behind another). */
  startMs: number | null;
  timer: TimerHandle | null;
  /** Settled already (cancelled while waiting); its answer is dropped. */
  ghost: boolean;
  finish(outcome: TaskOutcome): void;
}

interface PendingKind {
  url: string;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The platform-neutral half of both runners: a fixed set of worker slots, each running one task
 * and holding up to `runsPerWorker - 1` more to start the moment it ends, timeouts and cancels that end the worker (the only way to stop a busy loop) and start a fresh
 * one, crash replacement, busy-time accounting and the registry of kinds. The platform half is
 * `startWorker`.
 */
export function createTaskPool(options: TaskPoolOptions): TaskRunner {
  const { agent, clock, startWorker } = options;
  const { workers } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > TASK_MAX_WORKERS)
    throw new RangeError(`workers must be an integer from 1 to ${TASK_MAX_WORKERS}`);
  const runsPerWorker = options.runsPerWorker ?? 1;
  if (!Number.isInteger(runsPerWorker) || runsPerWorker < 1 || runsPerWorker > MAX_RUNS_PER_WORKER)
    throw new RangeError(`runsPerWorker must be an integer from 1 to ${MAX_RUNS_PER_WORKER}`);
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
    // Runs that waited in the worker it replaces go to this one, in their order.
    slot.runs = slot.runs.filter((run) => !run.ghost);
    for (const run of slot.runs) post(slot, run.message);
    if (slot.runs[0] !== undefined) begin(slot, slot.runs[0]);
  };

  /**
   * `run` is the worker's running task from now: its time and its timeout start. A ghost (a
   * run cancelled while it waited) keeps its timeout too, so one that never ends cannot hold
   * the worker.
   */
  const begin = (slot: Slot, run: ActiveRun): void => {
    run.startMs = clock.nowMs();
    run.timer = clock.setTimer(run.startMs + run.timeoutMs, () => {
      run.timer = null;
      if (slot.runs[0] !== run) return;
      run.finish(failure('timeout', `ran over its ${run.timeoutMs} ms`, run));
      slot.runs.shift();
      replace(slot, 0);
    });
  };

  /** Takes the worker's running task off the slot; the next one starts. */
  const advance = (slot: Slot): void => {
    slot.runs.shift();
    const next = slot.runs[0];
    if (next !== undefined) begin(slot, next);
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
    const running = slot.runs[0];
    if (running !== undefined) {
      // The task most likely crashed it: it fails, and the worker comes back at once for the
      // runs that waited behind it.
      running.finish(failure('failed', `the worker crashed: ${reason}`, running));
      slot.runs.shift();
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
      slot.state = 'ready';
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
    const active = slot.runs[0];
    if (active === undefined || active.id !== message.id) return;
    slot.idleCrashes = 0;
    advance(slot);
    if (active.ghost) {
      if (active.timer !== null) clock.clearTimer(active.timer);
      active.timer = null;
      return;
    }
    if (!message.ok) {
      active.finish(failure(message.error.code, message.error.message, active));
      return;
    }
    // The worker checks its results too; the pool does not rely on it.
    const problem = checkJsonPayload(message.result, TASK_MAX_RESULT_BYTES);
    // The worker's own measure when it gives one: a run that waited in it started when the one
    // before ended there, which the pool learns only later.
    const ms = message.ms ?? clock.nowMs() - (active.startMs ?? clock.nowMs());
    if (problem === null) active.finish({ ok: true, result: message.result, ms });
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
    ms: active.startMs === null ? 0 : clock.nowMs() - active.startMs,
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
      runs: [],
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
    runsPerWorker,

    freePlaces: () => {
      ensureStarted();
      let free = 0;
      for (const slot of slots)
        if (slot.state === 'ready') free += runsPerWorker - slot.runs.length;
      return free;
    },

    run(request) {
      ensureStarted();
      const refused = refusal(request);
      if (refused !== null)
        return settledRun({ ok: false, code: refused[0], message: refused[1], ms: 0 });
      // The ready worker with the fewest runs: an idle one first.
      let slot: Slot | undefined;
      for (const candidate of slots)
        if (
          candidate.state === 'ready' &&
          candidate.runs.length < runsPerWorker &&
          (slot === undefined || candidate.runs.length < slot.runs.length)
        )
          slot = candidate;
      if (slot === undefined) {
        const message = `all ${slots.length} workers are running tasks or starting`;
        return settledRun({ ok: false, code: 'busy', message, ms: 0 });
      }
      const place = slot;
      let resolveDone!: (outcome: TaskOutcome) => void;
      const done = new Promise<TaskOutcome>((resolve) => (resolveDone = resolve));
      const id = nextRunId++;
      let settled = false;
      const active: ActiveRun = {
        id,
        message: { type: 'run', id, kind: request.kind, input: request.input, agent },
        timeoutMs: request.timeoutMs,
        startMs: null,
        timer: null,
        ghost: false,
        finish(outcome) {
          if (settled) return;
          settled = true;
          if (active.timer !== null) clock.clearTimer(active.timer);
          active.timer = null;
          finishedBusyMs += outcome.ms;
          resolveDone(outcome);
        },
      };
      place.runs.push(active);
      post(place, active.message);
      if (place.runs[0] === active) begin(place, active);
      return {
        done,
        cancel() {
          if (settled) return;
          const at = place.runs.indexOf(active);
          active.finish(failure('cancelled', 'cancelled by the caller', active));
          if (at === 0) {
            // Running: the only way to stop it is to end its worker.
            place.runs.shift();
            replace(place, 0);
          } else if (at > 0) active.ghost = true;
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
      for (const slot of slots) {
        const running = slot.runs[0];
        if (running !== undefined && !running.ghost && running.startMs !== null)
          runningMs += nowMs - running.startMs;
      }
      return finishedBusyMs + runningMs;
    },

    stop() {
      if (stopped) return;
      stopped = true;
      for (const [kind, registration] of pending)
        registration.reject(new Error(`cannot register kind "${kind}": the task runner stopped`));
      pending.clear();
      for (const slot of slots) {
        for (const run of slot.runs) run.finish(failure('stopped', 'the task runner stopped', run));
        slot.runs = [];
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
