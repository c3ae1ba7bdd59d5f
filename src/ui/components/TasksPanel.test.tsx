import { describe, expect, it } from 'vitest';
import { shortId, type AgentId } from '../../core/base/ids';
import { decodeTileIterations, encodeTileIterations } from '../../core/tasks/kinds/fractalTile';
import { buildSnapshot, fixtureId, type Scenario } from '../dev/fixtures';
import { count, element, renderStatic } from '../dev/renderStatic';
import { tasksScenario } from '../dev/taskFixtures';
import { FRACTAL_DEMO_SPEC, fractalTileInputs } from '../store/fractalRender';
import { createMeshStore, type MeshStore } from '../store/meshStore';
import type { TaskCommands } from '../store/tasksSlice';
import { App } from './App';
import { TasksPanel } from './TasksPanel';

const [self, a, b, left] = [0, 1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId];

function storeWith({ snapshot, events }: Scenario): MeshStore {
  const store = createMeshStore();
  store.getState().ingest({ snapshot, events, eventsDroppedBeforeIngest: 0 });
  return store;
}

/** The values of `attr` on every element with this test id, in document order. */
function attrs(html: string, testId: string, attr: string): string[] {
  const re = new RegExp(`data-testid="${testId}"[^>]*?${attr}="([^"]*)"`, 'g');
  return [...html.matchAll(re)].map((m) => m[1] ?? '');
}

/** A store whose render got `owners[i]`'s tile i accepted, the job still running. */
function storeRendering(owners: AgentId[]): MeshStore {
  const store = storeWith(tasksScenario());
  let listener: Parameters<TaskCommands['onAccepted']>[0] = () => {};
  store.getState().setTaskCommands({
    submit: () => ({ jobId: 'job-render-1', done: new Promise(() => {}) }),
    onAccepted: (l) => {
      listener = l;
      return () => {};
    },
    decodeTileIterations,
    nowMs: () => 999_000,
  });
  void store.getState().renderFractal();
  const inputs = fractalTileInputs(FRACTAL_DEMO_SPEC);
  owners.forEach((owner, task) => {
    const input = inputs[task];
    if (input === undefined) return;
    const counts = new Uint16Array(input.size * input.size).fill(task);
    const result = {
      x: input.x,
      y: input.y,
      size: input.size,
      iterations: encodeTileIterations(counts),
    };
    listener({ jobId: 'job-render-1', task, owner, epoch: 1, result });
  });
  return store;
}

describe('TasksPanel', () => {
  it('says so when the agent runs without task distribution', () => {
    const html = renderStatic(
      storeWith({ snapshot: buildSnapshot({ selfId: self }), events: [] }),
      <TasksPanel />,
    );
    expect(html).toContain('runs without task distribution');
    expect(html).not.toContain('data-testid="tasks-panel"');
  });

  it("shows this agent's pool: workers, queue, runs, its slowdown", () => {
    const html = renderStatic(storeWith(tasksScenario()), <TasksPanel />);
    const status = element(html, 'tasks-status');
    expect(status).toContain('data-workers="2"');
    expect(status).toContain('data-queued="3"');
    expect(status).toContain('data-running="2"');
    expect(status).toContain('data-slowdown="4"');
    expect(status).toContain('>2/2 workers busy · 3 queued<');
    expect(element(html, 'tasks-slowed')).toContain('slowed ×4');
    expect(element(html, 'tasks-panel')).toMatch(/<dt>mean task<\/dt><dd class="mono">42 ms</);
  });

  it('lists the decisions newest first, each with its why in the markup', () => {
    const html = renderStatic(storeWith(tasksScenario()), <TasksPanel />);
    expect(attrs(html, 'task-decision-row', 'data-kind')).toEqual([
      'task-error',
      'task-reassigned',
      'stolen-from',
      'steal',
      'award',
    ]);
    const steal = element(html, 'task-decision-row', ['data-kind', 'steal']);
    expect(steal).toContain('tabindex="0"');
    expect(steal).toMatch(/aria-describedby="(task-why-\d+)"/);
    expect(element(steal, 'task-decision-why')).toContain('gain 1180 ms for 4 tasks');
    const award = element(html, 'task-decision-row', ['data-kind', 'award']);
    expect(award).toContain('→ score 0.93 (winner)');
  });

  it('lists flagged agents newest first with their evidence, and says when nobody is', () => {
    expect(renderStatic(storeWith(tasksScenario()), <TasksPanel />)).toContain('Nobody flagged');
    const scenario = tasksScenario();
    const digest = (c: string) => c.repeat(64);
    const flag = (task: number, seq: number) => ({
      agent: b,
      jobId: 'job-crit',
      task,
      digest: digest('e'),
      accepted: digest('a'),
      agreeing: [self, a],
      by: self,
      seq,
    });
    const tasks = { ...scenario.snapshot.tasks!, flags: [flag(3, 10), flag(7, 11)] };
    const html = renderStatic(
      storeWith({ ...scenario, snapshot: { ...scenario.snapshot, tasks } }),
      <TasksPanel />,
    );
    expect(attrs(html, 'task-flag', 'data-agent')).toEqual([b, b]);
    const newest = element(html, 'task-flag');
    expect(newest).toContain('task 7: reported');
    expect(newest).toContain(`eeeeeeee`);
    expect(newest).toContain(`from you, ${shortId(a)}`);
  });

  it('draws a line per agent that has load, never one for an agent that left', () => {
    const html = renderStatic(storeWith(tasksScenario()), <TasksPanel />);
    const charts = element(html, 'load-charts');
    expect(attrs(charts, 'load-chart', 'data-metric')).toEqual([
      'utilisation',
      'queued',
      'ratePerSecond',
    ]);
    const busy = element(charts, 'load-chart', ['data-metric', 'utilisation']);
    // Agent 2 told no task load: its line comes from its gossiped CPU.
    expect(attrs(busy, 'load-line', 'data-agent').sort()).toEqual([self, a, b].sort());
    const rate = element(charts, 'load-chart', ['data-metric', 'ratePerSecond']);
    expect(attrs(rate, 'load-line', 'data-agent').sort()).toEqual([self, a].sort());
    expect(charts).not.toContain(left);
    expect(element(charts, 'load-legend-row', ['data-agent', a])).toContain('80 % · q 12 · 40.0/s');
  });

  it('offers the slow command for every agent but the one that left, disabled until wired', () => {
    const html = renderStatic(storeWith(tasksScenario()), <TasksPanel />);
    const slow = element(html, 'slow-control');
    expect(count(slow, '<option ')).toBe(3);
    expect(slow).not.toContain(shortId(left));
    expect(element(slow, 'slow-apply')).toContain('disabled=""');
    expect(element(slow, 'slow-apply')).toContain('Make slow ×4');
  });

  it('draws the render as it assembles: tiles done, per-agent counts, the job', () => {
    const html = renderStatic(storeRendering([a, a, b, self, a]), <TasksPanel />);
    const canvas = element(html, 'fractal-canvas');
    expect(canvas).toContain('data-tiles="5"');
    expect(canvas).toContain('width="512"');
    expect(canvas).toContain('height="384"');
    const progress = element(html, 'fractal-progress');
    expect(progress).toContain('data-state="running"');
    expect(progress).toContain('data-done="5"');
    expect(progress).toContain('data-total="48"');
    expect(progress).toContain('5/48 tiles');
    expect(attrs(progress, 'fractal-owner', 'data-agent')).toEqual([a, ...[b, self].sort()]);
    expect(attrs(progress, 'fractal-owner', 'data-tiles')).toEqual(['3', '1', '1']);
    expect(element(progress, 'fractal-owner', ['data-agent', self])).toContain('you ×1');
    expect(progress).toContain('job job-rend · steal');
    expect(element(html, 'fractal-render-button')).toContain('disabled=""');
  });

  it('puts the tab beside Raft, counting queued and running, alerting task errors', () => {
    const html = renderStatic(storeWith(tasksScenario()), <App />);
    expect(html).toMatch(/data-testid="tab-raft".*data-testid="tab-tasks"/s);
    expect(element(html, 'tab-tasks')).toMatch(
      /Tasks<span class="tab-count">5<span class="tab-alert"[^>]*>1</,
    );
    expect(element(html, 'slow-state')).toContain('data-factor="4"');
  });

  it("marks each agent's load on its node: queue badge and busy share", () => {
    const html = renderStatic(storeWith(tasksScenario()), <App />);
    const busy = element(html, 'topology-node', ['data-agent-id', a]);
    expect(busy).toContain('data-queued="12"');
    expect(busy).toContain('data-busy="80"');
    expect(busy).toContain('class="node-queue-badge"');
    expect(busy).toContain('tasks: 12 queued, 2 running, 80 % busy');
    const gossiped = element(html, 'topology-node', ['data-agent-id', b]);
    expect(gossiped).toContain('data-busy="35"');
    expect(gossiped).not.toContain('node-queue-badge');
    const own = element(html, 'topology-node', ['data-agent-id', self]);
    expect(own).toContain('data-queued="3"');
  });
});
