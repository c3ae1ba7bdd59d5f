import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import { decodeTileIterations, encodeTileIterations } from '../../core/tasks/kinds/fractalTile';
import { fixtureId } from '../dev/fixtures';
import { FRACTAL_DEMO_SPEC, fractalTileInputs } from './fractalRender';
import { createMeshStore, type MeshStore } from './meshStore';
import { renderControl, TASKS_NOT_WIRED } from './taskControls';
import type { TaskCommands } from './tasksSlice';

const [a, b] = [1, 2].map(fixtureId) as [AgentId, AgentId];
type Accepted = Parameters<Parameters<TaskCommands['onAccepted']>[0]>[0];

/** A tile result as the kind returns it, every count `n`. */
function tileResult(task: number, n = 7) {
  const input = fractalTileInputs(FRACTAL_DEMO_SPEC)[task];
  if (input === undefined) throw new Error(`no task ${task}`);
  const counts = new Uint16Array(input.size * input.size).fill(n);
  return { x: input.x, y: input.y, size: input.size, iterations: encodeTileIterations(counts) };
}

/** Fake tasks API: jobs end when the test says; accepted results are pushed by hand. */
function fakeTasks() {
  const listeners = new Set<(accepted: Accepted) => void>();
  const jobs: { jobId: string; strategy: string; inputs: unknown[] }[] = [];
  const settle: { resolve(results: unknown[]): void; reject(error: unknown): void }[] = [];
  let nowMs = 1000;
  const commands: TaskCommands = {
    submit: (job) => {
      const jobId = `job-${jobs.length + 1}`;
      jobs.push({ jobId, strategy: job.strategy, inputs: job.inputs });
      const done = new Promise<unknown[]>((resolve, reject) => settle.push({ resolve, reject }));
      return { jobId, done };
    },
    onAccepted: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    decodeTileIterations,
    nowMs: () => nowMs,
  };
  return {
    commands,
    jobs,
    settle,
    listeners,
    accept: (accepted: Accepted) => listeners.forEach((l) => l(accepted)),
    advance: (ms: number) => (nowMs += ms),
  };
}

function wired(): { store: MeshStore; tasks: ReturnType<typeof fakeTasks> } {
  const store = createMeshStore();
  const tasks = fakeTasks();
  store.getState().setTaskCommands(tasks.commands);
  return { store, tasks };
}

const render = (store: MeshStore) => {
  const current = store.getState().render;
  if (current === null) throw new Error('no render');
  return current;
};

describe('the demo render', () => {
  it('submits one fractal-tile job with a tile per input and the picked strategy', () => {
    const { store, tasks } = wired();
    store.getState().setRenderStrategy('auction');
    void store.getState().renderFractal();
    expect(tasks.jobs).toHaveLength(1);
    expect(tasks.jobs[0]?.strategy).toBe('auction');
    expect(tasks.jobs[0]?.inputs).toHaveLength(48);
    expect(tasks.jobs[0]?.inputs.at(-1)).toEqual({
      x: 448,
      y: 320,
      size: 64,
      width: 512,
      height: 384,
      maxIter: 300,
    });
    expect(render(store)).toMatchObject({ jobId: 'job-1', state: 'running', totalTiles: 48 });
  });

  it('adds each accepted tile of its job once, with its owner; other jobs are ignored', () => {
    const { store, tasks } = wired();
    void store.getState().renderFractal();
    tasks.accept({ jobId: 'job-1', task: 3, owner: a, epoch: 1, result: tileResult(3) });
    tasks.accept({ jobId: 'job-9', task: 4, owner: a, epoch: 1, result: tileResult(4) });
    tasks.accept({ jobId: 'job-1', task: 3, owner: b, epoch: 2, result: tileResult(3) });
    tasks.accept({ jobId: 'job-1', task: 0, owner: b, epoch: 1, result: tileResult(0, 300) });
    const { tiles } = render(store);
    expect(tiles.map((t) => [t.task, t.owner, t.x, t.y])).toEqual([
      [3, a, 192, 0],
      [0, b, 0, 0],
    ]);
    expect(tiles[1]?.counts.every((n) => n === 300)).toBe(true);
  });

  it('counts a result that is not a tile instead of drawing it', () => {
    const { store, tasks } = wired();
    void store.getState().renderFractal();
    tasks.accept({ jobId: 'job-1', task: 1, owner: a, epoch: 1, result: { x: 0, y: 0, size: 64 } });
    expect(render(store)).toMatchObject({ tiles: [], badResults: 1 });
  });

  it('ends done, fills tiles only the final results had, and stops listening', async () => {
    const { store, tasks } = wired();
    const finished = store.getState().renderFractal();
    tasks.accept({ jobId: 'job-1', task: 0, owner: a, epoch: 1, result: tileResult(0) });
    tasks.advance(2500);
    tasks.settle[0]?.resolve(fractalTileInputs(FRACTAL_DEMO_SPEC).map((_, i) => tileResult(i)));
    await finished;
    const done = render(store);
    expect(done.state).toBe('done');
    expect(done.tiles).toHaveLength(48);
    expect(done.tiles.filter((t) => t.owner === a)).toHaveLength(1);
    expect(done.tiles.filter((t) => t.owner === null)).toHaveLength(47);
    expect(done.finishedAtMs! - done.startedAtMs).toBe(2500);
    expect(tasks.listeners.size).toBe(0);
  });

  it("records a failed job's code and message without rethrowing", async () => {
    const { store, tasks } = wired();
    const finished = store.getState().renderFractal();
    tasks.settle[0]?.reject(Object.assign(new Error('no agent can run it'), { code: 'timeout' }));
    await expect(finished).resolves.toBeUndefined();
    expect(render(store)).toMatchObject({
      state: 'failed',
      code: 'timeout',
      message: 'no agent can run it',
    });
  });

  it('records a refused submit as failed, with no job', async () => {
    const { store, tasks } = wired();
    tasks.commands.submit = () => {
      throw Object.assign(new Error('too many jobs'), { code: 'too-many-jobs' });
    };
    await store.getState().renderFractal();
    expect(render(store)).toMatchObject({ state: 'failed', jobId: null, code: 'too-many-jobs' });
    expect(tasks.listeners.size).toBe(0);
  });

  it('shows only the newest render: an older job ending later changes nothing', async () => {
    const { store, tasks } = wired();
    const first = store.getState().renderFractal();
    const second = store.getState().renderFractal();
    tasks.accept({ jobId: 'job-1', task: 0, owner: a, epoch: 1, result: tileResult(0) });
    tasks.settle[0]?.reject(Object.assign(new Error('late'), { code: 'timeout' }));
    await first;
    expect(render(store)).toMatchObject({ jobId: 'job-2', state: 'running', tiles: [] });
    tasks.settle[1]?.resolve([]);
    await second;
    expect(render(store).state).toBe('done');
  });
});

describe('the render button', () => {
  it('is disabled until the tasks API is wired, and while a render runs', async () => {
    const store = createMeshStore();
    expect(renderControl(store.getState())).toMatchObject({
      enabled: false,
      title: TASKS_NOT_WIRED,
    });
    const tasks = fakeTasks();
    store.getState().setTaskCommands(tasks.commands);
    const ready = renderControl(store.getState());
    expect(ready.enabled).toBe(true);
    ready.run();
    expect(tasks.jobs).toHaveLength(1);
    const busy = renderControl(store.getState());
    expect(busy.enabled).toBe(false);
    expect(busy.title).toMatch(/under way/);
    busy.run();
    expect(tasks.jobs).toHaveLength(1);
    tasks.settle[0]?.resolve([]);
    await Promise.resolve();
    await Promise.resolve();
    expect(renderControl(store.getState()).enabled).toBe(true);
  });
});
