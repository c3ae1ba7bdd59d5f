import type { StateCreator } from 'zustand/vanilla';
import type { AgentId } from '../../core/base/ids';
import type { TaskStrategy } from '../../core/tasks/taskTypes';
import { describeError } from './consensusSlice';
import {
  decodeTile,
  FRACTAL_DEMO_SPEC,
  fractalTileInputs,
  type FractalSpec,
  type RenderedTile,
} from './fractalRender';

/** What the Tasks tab asks of `mesh.tasks`, injected by main.tsx (`setTaskCommands`). */
export interface TaskCommands {
  submit(job: { kind: string; inputs: unknown[]; strategy: TaskStrategy; critical: boolean }): {
    jobId: string;
    done: Promise<unknown[]>;
  };
  onAccepted(
    listener: (accepted: {
      jobId: string;
      task: number;
      owner: AgentId;
      epoch: number;
      result: unknown;
    }) => void,
  ): () => void;
  /** decodeTileIterations from core/tasks/kinds (the UI imports no core code at run time). */
  decodeTileIterations(text: string): Uint16Array;
  /** The host's clock, so elapsed times compare with `snapshot.nowMs`. */
  nowMs(): number;
}

/** The newest "Render fractal" from this dashboard, assembling as results are accepted. */
export interface FractalRender {
  /** Counts renders, so the canvas knows a new one started (and clears). */
  renderId: number;
  /** Null until submit returned (and when it threw). */
  jobId: string | null;
  strategy: TaskStrategy;
  /** Byzantine-checked: each tile computed by f+1 agents and accepted through pBFT. */
  critical: boolean;
  spec: FractalSpec;
  totalTiles: number;
  /** Tiles in the order their results were accepted. */
  tiles: readonly RenderedTile[];
  /** Accepted results that were not a tile (never expected; counted rather than hidden). */
  badResults: number;
  startedAtMs: number;
  finishedAtMs: number | null;
  state: 'running' | 'done' | 'failed';
  code: string | null;
  message: string | null;
}

export interface TasksSlice {
  taskCommands: TaskCommands | null;
  renderStrategy: TaskStrategy;
  renderCritical: boolean;
  render: FractalRender | null;
  /** The agent picked in the slow control, or null (the first agent is used). */
  slowTarget: AgentId | null;
  /** The slowdown this dashboard last sent to each agent (the snapshot has only its own). */
  slowSent: Readonly<Record<AgentId, number>>;
  setTaskCommands(commands: TaskCommands | null): void;
  setRenderStrategy(strategy: TaskStrategy): void;
  setRenderCritical(critical: boolean): void;
  setSlowTarget(agent: AgentId | null): void;
  noteSlowSent(agent: AgentId, factor: number): void;
  /**
   * Submits one `fractal-tile` job for the demo image and adds each tile as `onAccepted` reports
   * it. Resolves once the job ended; a rejection is recorded (state, code), not rethrown.
   */
  renderFractal(): Promise<void>;
}

export const createTasksSlice: StateCreator<TasksSlice> = (set, get) => {
  let newestRender = 0;

  /** Applies `change` to the render numbered `id`, if it is still the one shown. */
  const update = (id: number, change: (render: FractalRender) => Partial<FractalRender>) =>
    set((state) =>
      state.render === null || state.render.renderId !== id
        ? {}
        : { render: { ...state.render, ...change(state.render) } },
    );

  return {
    taskCommands: null,
    renderStrategy: 'steal',
    renderCritical: false,
    render: null,
    slowTarget: null,
    slowSent: {},
    setTaskCommands: (taskCommands) => set({ taskCommands }),
    setRenderStrategy: (renderStrategy) => set({ renderStrategy }),
    setRenderCritical: (renderCritical) => set({ renderCritical }),
    setSlowTarget: (slowTarget) => set({ slowTarget }),
    noteSlowSent: (agent, factor) =>
      set((state) => ({ slowSent: { ...state.slowSent, [agent]: factor } })),
    renderFractal: async () => {
      const commands = get().taskCommands;
      if (commands === null) return;
      const id = ++newestRender;
      const spec = FRACTAL_DEMO_SPEC;
      const strategy = get().renderStrategy;
      const critical = get().renderCritical;
      const inputs = fractalTileInputs(spec);
      const seen = new Set<number>();
      let jobId: string | null = null;
      const addTile = (task: number, owner: AgentId | null, result: unknown) => {
        if (seen.has(task)) return;
        seen.add(task);
        const tile = decodeTile(result, commands.decodeTileIterations);
        update(id, (render) =>
          tile === null
            ? { badResults: render.badResults + 1 }
            : { tiles: [...render.tiles, { ...tile, task, owner }] },
        );
      };
      // Listening before submitting: no accepted result can slip between the two.
      const unsubscribe = commands.onAccepted((accepted) => {
        if (jobId !== null && accepted.jobId === jobId)
          addTile(accepted.task, accepted.owner, accepted.result);
      });
      set({
        render: {
          renderId: id,
          jobId: null,
          strategy,
          critical,
          spec,
          totalTiles: inputs.length,
          tiles: [],
          badResults: 0,
          startedAtMs: commands.nowMs(),
          finishedAtMs: null,
          state: 'running',
          code: null,
          message: null,
        },
      });
      try {
        const job = commands.submit({ kind: 'fractal-tile', inputs, strategy, critical });
        jobId = job.jobId;
        update(id, () => ({ jobId: job.jobId }));
        const results = await job.done;
        // A tile whose acceptance was not reported still comes with the job's results.
        results.forEach((result, task) => addTile(task, null, result));
        update(id, () => ({ state: 'done', finishedAtMs: commands.nowMs() }));
      } catch (error) {
        const { code, message } = describeError(error);
        update(id, () => ({ state: 'failed', finishedAtMs: commands.nowMs(), code, message }));
      } finally {
        unsubscribe();
      }
    },
  };
};
