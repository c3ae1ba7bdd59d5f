import { describe, expect, it } from 'vitest';
import { decodeTileIterations } from '../core/tasks/kinds/index';
import { renderFractalTile } from '../core/tasks/kinds/fractalTile';
import {
  TASK_MAX_INPUT_BYTES,
  TASK_MAX_KINDS,
  TASK_MAX_RESULT_BYTES,
  TASK_WORKER_START_TIMEOUT_MS,
} from '../core/tasks/kinds/taskLimits';
import { FakeTaskWorkers, loopTaskWorkers, type FakeTaskWorker } from './fakeTaskWorkers';
import type { TaskOutcome, TaskRun } from './ports';
import { createTaskPool, type TaskPoolOptions } from './taskPool';
import { TestClock } from './testClock';

/** Lets the fake workers' microtasks (ready, loaded, done) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** The run's outcome once it has settled, or null while it has not. */
function track(run: TaskRun): { outcome: TaskOutcome | null; settlements: number } {
  const box = { outcome: null as TaskOutcome | null, settlements: 0 };
  void run.done.then((outcome) => {
    box.outcome = outcome;
    box.settlements++;
  });
  return box;
}

async function setup(
  workers = 2,
  options: Partial<Pick<TaskPoolOptions, 'lazy' | 'runsPerWorker'>> = {},
) {
  const clock = new TestClock();
  const fakes = new FakeTaskWorkers();
  const pool = createTaskPool({
    agent: 'agent-a',
    clock,
    startWorker: fakes.start,
    workers,
    ...options,
  });
  await flush();
  return { clock, fakes, pool };
}

describe('a lazy pool', () => {
  it('starts no worker until a run is asked for (or a kind registered), then all of them', async () => {
    const { clock, fakes, pool } = await setup(2, { lazy: true });
    expect(fakes.started.length).toBe(0);
    expect(pool.kinds()).toContain('count-primes');
    expect(pool.busyMs()).toBe(0);
    expect(pool.freePlaces()).toBe(0);
    expect(fakes.started.length).toBe(2);
    pool.stop();
    const never = createTaskPool({
      agent: 'agent-a',
      clock,
      startWorker: fakes.start,
      workers: 2,
      lazy: true,
    });
    never.stop();
    expect(never.freePlaces()).toBe(0);
    expect(fakes.started.length).toBe(2);
  });
});

const primes = { kind: 'count-primes', input: { from: 0, to: 100 }, timeoutMs: 1000 };
const spin = (ms: number, timeoutMs = 1000) => ({ kind: 'busy', input: { ms }, timeoutMs });

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

describe('createTaskPool', () => {
  it('starts its workers, counts them idle once they are ready, knows the built-in kinds', async () => {
    const clock = new TestClock();
    const fakes = new FakeTaskWorkers();
    const pool = createTaskPool({ agent: 'a', clock, startWorker: fakes.start, workers: 3 });
    expect(pool.workers).toBe(3);
    expect(fakes.started).toHaveLength(3);
    expect(pool.freePlaces()).toBe(0);
    expect((await pool.run(primes).done).ok).toBe(false);
    await flush();
    expect(pool.freePlaces()).toBe(3);
    expect(pool.kinds()).toEqual(['count-primes', 'busy', 'fractal-tile']);
    expect(() =>
      createTaskPool({ agent: 'a', clock, startWorker: fakes.start, workers: 0 }),
    ).toThrow(RangeError);
    expect(() =>
      createTaskPool({ agent: 'a', clock, startWorker: fakes.start, workers: 17 }),
    ).toThrow(RangeError);
  });

  it('runs a task on an idle worker and reports its result and time', async () => {
    const { clock, fakes, pool } = await setup();
    const run = pool.run(primes);
    const worker = only(fakes.running());
    expect(worker.openRun()).toEqual({
      type: 'run',
      id: 1,
      kind: 'count-primes',
      input: { from: 0, to: 100 },
      agent: 'agent-a',
    });
    expect(pool.freePlaces()).toBe(1);
    clock.advance(30);
    worker.finish(25);
    expect(await run.done).toEqual({ ok: true, result: 25, ms: 30 });
    expect(pool.freePlaces()).toBe(2);
    expect(pool.busyMs()).toBe(30);
    expect(clock.liveTimers).toBe(0);
    expect(fakes.started).toHaveLength(2);
  });

  it('a kind that throws fails its run with the message; the worker stays', async () => {
    const { fakes, pool } = await setup();
    const run = pool.run(primes);
    only(fakes.running()).fail('failed', 'boom');
    expect(await run.done).toEqual({ ok: false, code: 'failed', message: 'boom', ms: 0 });
    // A code the pool does not know from a worker is a failure too.
    const odd = pool.run(primes);
    only(fakes.running()).fail('timeout', 'made up');
    expect(await odd.done).toMatchObject({ ok: false, code: 'failed', message: 'made up' });
    expect(fakes.started).toHaveLength(2);
    expect(pool.freePlaces()).toBe(2);
  });

  it('a run over its timeout ends its worker, a fresh one takes the place', async () => {
    const { clock, fakes, pool } = await setup();
    const run = track(pool.run(spin(5000, 100)));
    const worker = only(fakes.running());
    clock.advance(99);
    await flush();
    expect(run.outcome).toBeNull();
    clock.advance(1);
    await flush();
    expect(run.outcome).toEqual({
      ok: false,
      code: 'timeout',
      message: 'ran over its 100 ms',
      ms: 100,
    });
    expect(worker.terminated).toBe(true);
    expect(fakes.started).toHaveLength(3);
    expect(pool.freePlaces()).toBe(2);
    // The old worker's late answer changes nothing.
    worker.send({ type: 'done', id: 1, ok: true, result: 1 });
    await flush();
    expect(run.settlements).toBe(1);
    expect(pool.busyMs()).toBe(100);
    // And the pool still runs tasks, on the new worker as well.
    const a = pool.run(primes);
    const b = pool.run(primes);
    for (const w of fakes.running()) w.finish(25);
    expect((await a.done).ok && (await b.done).ok).toBe(true);
  });

  it('cancel ends the running task and replaces its worker; no effect once settled', async () => {
    const { clock, fakes, pool } = await setup();
    const run = pool.run(spin(5000));
    const worker = only(fakes.running());
    clock.advance(20);
    run.cancel();
    run.cancel();
    expect(await run.done).toEqual({
      ok: false,
      code: 'cancelled',
      message: 'cancelled by the caller',
      ms: 20,
    });
    expect(worker.terminated).toBe(true);
    expect(fakes.started).toHaveLength(3);
    await flush();
    const finished = pool.run(primes);
    const next = only(fakes.running());
    next.finish(25);
    await finished.done;
    finished.cancel();
    expect(next.terminated).toBe(false);
    expect(fakes.started).toHaveLength(3);
    expect(clock.liveTimers).toBe(0);
  });

  it('refuses busy when every worker runs, and never queues', async () => {
    const { fakes, pool } = await setup();
    const first = pool.run(primes);
    pool.run(primes);
    expect(pool.freePlaces()).toBe(0);
    const refused = await pool.run(primes).done;
    expect(refused).toMatchObject({ ok: false, code: 'busy', ms: 0 });
    const worker = fakes.running()[0] as FakeTaskWorker;
    worker.finish(25);
    await first.done;
    await flush();
    const runsSent = fakes.started.flatMap((w) => w.received).filter((m) => m.type === 'run');
    expect(runsSent).toHaveLength(2);
  });

  it('a worker that crashes fails its task and is replaced at once', async () => {
    const { fakes, pool } = await setup();
    const run = pool.run(primes);
    const worker = only(fakes.running());
    worker.crash('exited with code 1');
    expect(await run.done).toMatchObject({
      ok: false,
      code: 'failed',
      message: 'the worker crashed: exited with code 1',
    });
    expect(worker.terminated).toBe(true);
    expect(fakes.started).toHaveLength(3);
    await flush();
    expect(pool.freePlaces()).toBe(2);
  });

  it('a worker crashing while idle again and again comes back after a growing pause', async () => {
    const { clock, fakes, pool } = await setup(1);
    fakes.autoReady = false;
    only(fakes.live()).crash('error event');
    expect(fakes.started).toHaveLength(2);
    only(fakes.live()).crash('error event');
    expect(fakes.live()).toHaveLength(0);
    clock.advance(249);
    expect(fakes.started).toHaveLength(2);
    clock.advance(1);
    expect(fakes.started).toHaveLength(3);
    only(fakes.live()).crash('error event');
    clock.advance(499);
    expect(fakes.started).toHaveLength(3);
    clock.advance(1);
    expect(fakes.started).toHaveLength(4);
    // The restarted worker is a working one again.
    only(fakes.live()).ready();
    expect(pool.freePlaces()).toBe(1);
  });

  it('a worker that never says ready is taken for crashed; one that cannot start is retried', async () => {
    const clock = new TestClock();
    const fakes = new FakeTaskWorkers();
    fakes.autoReady = false;
    createTaskPool({ agent: 'a', clock, startWorker: fakes.start, workers: 1 });
    const first = only(fakes.live());
    clock.advance(TASK_WORKER_START_TIMEOUT_MS);
    expect(first.terminated).toBe(true);
    expect(fakes.started).toHaveLength(2);

    const blocked = new FakeTaskWorkers();
    blocked.failStart = true;
    const pool = createTaskPool({ agent: 'a', clock, startWorker: blocked.start, workers: 1 });
    expect(pool.freePlaces()).toBe(0);
    expect(await pool.run(primes).done).toMatchObject({ code: 'busy' });
    blocked.failStart = false;
    clock.advance(250);
    await flush();
    expect(pool.freePlaces()).toBe(1);
  });

  it('refuses without a worker: unknown kinds, bad or oversized input, bad timeouts', async () => {
    const { fakes, pool } = await setup();
    const outcome = async (request: Parameters<typeof pool.run>[0]) => {
      const o = await pool.run(request).done;
      return o.ok ? 'ok' : o.code;
    };
    expect(await outcome({ kind: 'nope', input: {}, timeoutMs: 100 })).toBe('unknown-kind');
    const big = 'x'.repeat(TASK_MAX_INPUT_BYTES);
    expect(await outcome({ kind: 'busy', input: { ms: 1, big }, timeoutMs: 100 })).toBe(
      'too-large',
    );
    expect(await outcome({ kind: 'busy', input: { ms: () => 1 }, timeoutMs: 100 })).toBe(
      'invalid-input',
    );
    expect(await outcome({ kind: 'busy', input: { ms: Number.NaN }, timeoutMs: 100 })).toBe(
      'invalid-input',
    );
    expect(await outcome({ kind: 'busy', input: new Map(), timeoutMs: 100 })).toBe('invalid-input');
    expect(await outcome({ kind: 'count-primes', input: { from: 9, to: 2 }, timeoutMs: 100 })).toBe(
      'invalid-input',
    );
    expect(await outcome({ kind: 'busy', input: { ms: 1 }, timeoutMs: 0 })).toBe('invalid-input');
    expect(await outcome({ kind: 'busy', input: { ms: 1 }, timeoutMs: Number.NaN })).toBe(
      'invalid-input',
    );
    expect(fakes.started.flatMap((w) => w.received)).toEqual([]);
    expect(pool.freePlaces()).toBe(2);
  });

  it('refuses results that are too big or not plain JSON', async () => {
    const { fakes, pool } = await setup();
    const finishWith = async (result: unknown) => {
      const run = pool.run(primes);
      only(fakes.running()).finish(result);
      return run.done;
    };
    expect(await finishWith('x'.repeat(TASK_MAX_RESULT_BYTES))).toMatchObject({
      ok: false,
      code: 'too-large',
    });
    expect(await finishWith({ a: undefined })).toMatchObject({ ok: false, code: 'failed' });
    expect(await finishWith(Infinity)).toMatchObject({ ok: false, code: 'failed' });
    expect(await finishWith(undefined)).toMatchObject({ ok: false, code: 'failed' });
    expect(await finishWith({ fine: [1, 'two'] })).toMatchObject({
      ok: true,
      result: { fine: [1, 'two'] },
    });
  });

  it('counts busy time of finished and running tasks, never going back', async () => {
    const { clock, fakes, pool } = await setup();
    const a = pool.run(spin(5000));
    const workerA = only(fakes.running());
    clock.advance(10);
    const b = pool.run(spin(5000, 50));
    clock.advance(10);
    expect(pool.busyMs()).toBe(20 + 10);
    workerA.finish({ agent: 'agent-a', ms: 20 });
    await a.done;
    expect(pool.busyMs()).toBe(30);
    clock.advance(5);
    expect(pool.busyMs()).toBe(35);
    clock.advance(40);
    expect(await b.done).toMatchObject({ code: 'timeout', ms: 50 });
    expect(pool.busyMs()).toBe(70);
    clock.advance(100);
    expect(pool.busyMs()).toBe(70);
  });

  it('after stop, runs settle stopped and no worker comes back', async () => {
    const { clock, fakes, pool } = await setup();
    const running = track(pool.run(spin(5000)));
    const worker = only(fakes.running());
    clock.advance(15);
    pool.stop();
    pool.stop();
    await flush();
    expect(running.outcome).toMatchObject({ ok: false, code: 'stopped', ms: 15 });
    expect(fakes.live()).toHaveLength(0);
    expect(await pool.run(primes).done).toMatchObject({ ok: false, code: 'stopped' });
    await expect(pool.register('later', 'file:///later.mjs')).rejects.toThrow(/stopped/);
    worker.send({ type: 'done', id: 1, ok: true, result: 1 });
    worker.crash('late exit');
    clock.advance(60_000);
    expect(fakes.started).toHaveLength(2);
    expect(running.settlements).toBe(1);
    expect(clock.liveTimers).toBe(0);
    expect(pool.freePlaces()).toBe(0);
  });
});

describe('a pool whose workers hold their next run (runsPerWorker 2)', () => {
  const deep = (workers = 1) => setup(workers, { runsPerWorker: 2 });

  const runsIn = (worker: FakeTaskWorker) =>
    worker.received.filter((m) => m.type === 'run').map((m) => (m as { id: number }).id);

  it('fills idle workers first, then posts the next run to a busy one at once', async () => {
    const { fakes, pool } = await deep(2);
    expect(pool.freePlaces()).toBe(4);
    const runs = [1, 2, 3].map(() => track(pool.run(primes)));
    const [first, second] = fakes.live() as [FakeTaskWorker, FakeTaskWorker];
    expect([runsIn(first), runsIn(second)]).toEqual([[1, 3], [2]]);
    expect(pool.freePlaces()).toBe(1);
    pool.run(primes);
    expect(pool.freePlaces()).toBe(0);
    const refused = track(pool.run(primes));
    await flush();
    expect(refused.outcome).toMatchObject({ ok: false, code: 'busy' });
    expect(runs.every((r) => r.outcome === null)).toBe(true);
  });

  it('the waiting run starts when the one before ends: its time and timeout count from then', async () => {
    const { clock, fakes, pool } = await deep();
    const a = track(pool.run(primes));
    const b = track(pool.run(spin(5000, 100)));
    const worker = only(fakes.live());
    clock.advance(80);
    worker.finish(25);
    await flush();
    expect(a.outcome).toEqual({ ok: true, result: 25, ms: 80 });
    // b has run 0 ms, not 80: it times out 100 ms after it started.
    clock.advance(99);
    await flush();
    expect(b.outcome).toBeNull();
    expect(pool.busyMs()).toBe(80 + 99);
    clock.advance(1);
    await flush();
    expect(b.outcome).toMatchObject({ ok: false, code: 'timeout', ms: 100 });
    expect(worker.terminated).toBe(true);
  });

  it('the worker’s own time wins when it gives one', async () => {
    const { clock, fakes, pool } = await deep();
    const a = track(pool.run(primes));
    const b = track(pool.run(primes));
    const worker = only(fakes.live());
    clock.advance(50);
    worker.send({ type: 'done', id: 1, ok: true, result: 25, ms: 30 });
    worker.send({ type: 'done', id: 2, ok: true, result: 25, ms: 20 });
    await flush();
    expect(a.outcome).toEqual({ ok: true, result: 25, ms: 30 });
    expect(b.outcome).toEqual({ ok: true, result: 25, ms: 20 });
  });

  it('a waiting run cancelled settles at once; the worker stays and its answer to it is dropped', async () => {
    const { fakes, pool } = await deep();
    const a = track(pool.run(primes));
    const bRun = pool.run(primes);
    const b = track(bRun);
    const worker = only(fakes.live());
    bRun.cancel();
    await flush();
    expect(b.outcome).toMatchObject({ ok: false, code: 'cancelled', ms: 0 });
    expect(worker.terminated).toBe(false);
    // Its place is taken until the worker has answered it.
    expect(pool.freePlaces()).toBe(0);
    worker.finish(25);
    await flush();
    expect(a.outcome).toMatchObject({ ok: true });
    const c = track(pool.run(primes));
    worker.finish(99); // the cancelled run's answer
    await flush();
    expect(b.settlements).toBe(1);
    expect(c.outcome).toBeNull();
    worker.finish(25);
    await flush();
    expect(c.outcome).toMatchObject({ ok: true, result: 25 });
  });

  it('a cancelled run that never ends is still bounded by its timeout: the worker is replaced for the next', async () => {
    const { clock, fakes, pool } = await deep();
    const a = track(pool.run(primes));
    const bRun = pool.run({ ...spin(60_000), timeoutMs: 1_000 });
    bRun.cancel();
    const worker = only(fakes.live());
    worker.finish(25); // a's answer: the cancelled b runs now in the worker, its answer unwanted
    await flush();
    expect(a.outcome).toMatchObject({ ok: true });
    const c = track(pool.run(primes));
    clock.advance(999);
    await flush();
    expect(worker.terminated).toBe(false);
    clock.advance(1);
    await flush();
    // b ran over its timeout: its worker ends, c goes to the fresh one and runs there.
    expect(worker.terminated).toBe(true);
    const fresh = only(fakes.live());
    fresh.ready();
    await flush();
    fresh.finish(25);
    await flush();
    expect(c.outcome).toMatchObject({ ok: true, result: 25 });
    expect(clock.liveTimers).toBe(0);
  });

  it('a worker replaced under a running task takes the waiting run with it to the fresh one', async () => {
    const { fakes, pool } = await deep();
    const aRun = pool.run(spin(5000));
    const a = track(aRun);
    const b = track(pool.run(primes));
    const old = only(fakes.live());
    old.crash('out of memory');
    await flush();
    expect(a.outcome).toMatchObject({ ok: false, code: 'failed' });
    const fresh = only(fakes.live());
    expect(fresh).not.toBe(old);
    expect(runsIn(fresh)).toEqual([2]);
    fresh.finish(25);
    await flush();
    expect(b.outcome).toMatchObject({ ok: true, result: 25 });
  });
});

describe('createTaskPool register', () => {
  it('resolves once every worker loaded the module, then runs the kind', async () => {
    const { fakes, pool } = await setup();
    const registered = pool.register('double', 'https://example.test/double.mjs');
    for (const worker of fakes.live())
      expect(worker.received).toEqual([
        { type: 'load', kind: 'double', url: 'https://example.test/double.mjs' },
      ]);
    expect(pool.kinds()).not.toContain('double');
    await registered;
    expect(pool.kinds()).toEqual(['count-primes', 'busy', 'fractal-tile', 'double']);
    const run = pool.run({ kind: 'double', input: 4, timeoutMs: 100 });
    only(fakes.running()).finish(8);
    expect(await run.done).toMatchObject({ ok: true, result: 8 });
  });

  it('a replacement worker loads the registered kinds, and counts for a registration under way', async () => {
    const { clock, fakes, pool } = await setup();
    await pool.register('first', 'file:///first.mjs');
    const timedOut = pool.run(spin(5000, 100));
    const old = only(fakes.running());
    fakes.loadAnswer = () => 'never';
    const second = track0(pool.register('second', 'file:///second.mjs'));
    clock.advance(100);
    await timedOut.done;
    const fresh = fakes.started[2] as FakeTaskWorker;
    expect(old.terminated).toBe(true);
    expect(fresh.received).toEqual([
      { type: 'load', kind: 'first', url: 'file:///first.mjs' },
      { type: 'load', kind: 'second', url: 'file:///second.mjs' },
    ]);
    const other = fakes.live().find((w) => w !== fresh) as FakeTaskWorker;
    other.send({ type: 'loaded', kind: 'second', error: null });
    await flush();
    expect(second.state).toBe('pending');
    fresh.send({ type: 'loaded', kind: 'second', error: null });
    await flush();
    expect(second.state).toBe('resolved');
  });

  it('rejects with the reason when a worker cannot load it, and forgets the kind', async () => {
    const { fakes, pool } = await setup();
    fakes.loadAnswer = (kind, url) => (kind === 'broken' ? `${url} has no run export` : null);
    await expect(pool.register('broken', 'file:///broken.mjs')).rejects.toThrow(
      'cannot register kind "broken": file:///broken.mjs has no run export',
    );
    expect(pool.kinds()).not.toContain('broken');
    expect(await pool.run({ kind: 'broken', input: 1, timeoutMs: 100 }).done).toMatchObject({
      code: 'unknown-kind',
    });
    fakes.loadAnswer = () => null;
    await pool.register('broken', 'file:///fixed.mjs');
  });

  it('rejects when a worker crashes loading it', async () => {
    const { fakes, pool } = await setup();
    fakes.loadAnswer = () => 'never';
    const registering = pool.register('crasher', 'file:///crasher.mjs');
    (fakes.live()[0] as FakeTaskWorker).crash('exited with code 7');
    await expect(registering).rejects.toThrow(/crashed loading it \(exited with code 7\)/);
  });

  it('refuses bad names, built-in and taken names, and more than the kinds limit', async () => {
    const { pool } = await setup();
    await expect(pool.register('Bad Name', 'file:///x.mjs')).rejects.toThrow(/lowercase/);
    await expect(pool.register('busy', 'file:///x.mjs')).rejects.toThrow(/built-in/);
    await expect(pool.register('ok', '')).rejects.toThrow(/no module URL/);
    await pool.register('taken', 'file:///x.mjs');
    await expect(pool.register('taken', 'file:///y.mjs')).rejects.toThrow(/already/);
    const room = TASK_MAX_KINDS - pool.kinds().length;
    await Promise.all(
      Array.from({ length: room }, (_, i) => pool.register(`k${i}`, 'file:///x.mjs')),
    );
    expect(pool.kinds()).toHaveLength(TASK_MAX_KINDS);
    await expect(pool.register('one-more', 'file:///x.mjs')).rejects.toThrow(/at most 64 kinds/);
  });
});

describe('createTaskPool with the real worker loop', () => {
  const modules = new Map<string, unknown>([
    [
      'mod:double',
      {
        run: (input: { n: number }) => input.n * 2,
        validate: (input: { n?: unknown }) =>
          typeof input.n === 'number' ? null : 'n must be a number',
      },
    ],
    [
      'mod:default',
      {
        default: { run: (_: unknown, context: { agent: string }) => `hello from ${context.agent}` },
      },
    ],
    ['mod:async', { run: async (input: number) => input + 1 }],
    [
      'mod:throws',
      {
        run: () => {
          throw new Error('kind blew up');
        },
      },
    ],
    ['mod:undefined', { run: () => undefined }],
    ['mod:huge', { run: () => 'x'.repeat(TASK_MAX_RESULT_BYTES) }],
    ['mod:norun', { walk: () => 1 }],
  ]);

  async function loopSetup() {
    const clock = new TestClock();
    const pool = createTaskPool({
      agent: 'agent-l',
      clock,
      startWorker: loopTaskWorkers(() => clock.nowMs(), modules),
      workers: 2,
    });
    await flush();
    return { clock, pool };
  }

  const outcomeOf = async (run: TaskRun) => {
    await flush();
    return run.done;
  };

  it('runs the built-in kinds in the loop', async () => {
    const { pool } = await loopSetup();
    expect(await outcomeOf(pool.run(primes))).toMatchObject({ ok: true, result: 25 });
    const tile = { x: 8, y: 4, size: 16, width: 64, height: 48, maxIter: 100 };
    const outcome = await outcomeOf(
      pool.run({ kind: 'fractal-tile', input: tile, timeoutMs: 1000 }),
    );
    if (!outcome.ok) throw new Error(outcome.message);
    const result = outcome.result as { x: number; y: number; size: number; iterations: string };
    expect(result).toMatchObject({ x: 8, y: 4, size: 16 });
    expect(decodeTileIterations(result.iterations)).toEqual(renderFractalTile(tile));
  });

  it('loads registered modules, named or default, and checks what they return', async () => {
    const { pool } = await loopSetup();
    for (const kind of ['double', 'default', 'async', 'throws', 'undefined', 'huge'])
      await Promise.all([pool.register(kind, `mod:${kind}`), flush()]);
    const run = (kind: string, input: unknown) =>
      outcomeOf(pool.run({ kind, input, timeoutMs: 1000 }));
    expect(await run('double', { n: 21 })).toMatchObject({ ok: true, result: 42 });
    expect(await run('double', { m: 1 })).toMatchObject({
      ok: false,
      code: 'invalid-input',
      message: 'n must be a number',
    });
    expect(await run('default', null)).toMatchObject({ ok: true, result: 'hello from agent-l' });
    expect(await run('async', 1)).toMatchObject({ ok: true, result: 2 });
    expect(await run('throws', null)).toMatchObject({
      ok: false,
      code: 'failed',
      message: 'kind blew up',
    });
    expect(await run('undefined', null)).toMatchObject({ ok: false, code: 'failed' });
    expect(await run('huge', null)).toMatchObject({ ok: false, code: 'too-large' });
  });

  it('rejects modules that cannot be loaded or have no run', async () => {
    const { pool } = await loopSetup();
    const norun = pool.register('norun', 'mod:norun');
    await flush();
    await expect(norun).rejects.toThrow(/mod:norun has no run export/);
    const missing = pool.register('missing', 'mod:missing');
    await flush();
    await expect(missing).rejects.toThrow(/could not load mod:missing: no module at mod:missing/);
  });
});

/** A promise's state, readable at once. */
function track0(promise: Promise<unknown>): { state: 'pending' | 'resolved' | 'rejected' } {
  const box: { state: 'pending' | 'resolved' | 'rejected' } = { state: 'pending' };
  promise.then(
    () => (box.state = 'resolved'),
    () => (box.state = 'rejected'),
  );
  return box;
}
