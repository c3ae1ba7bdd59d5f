import { compareIds, type AgentId } from '../../core/base/ids';
import type { MeshSnapshot } from '../../host/meshSnapshot';
import type { FractalRender } from './tasksSlice';
import { peerUtilisation } from './loadHistory';

/** An agent's load as its node on the graph shows it. */
export interface NodeLoad {
  /** Busy share 0-1 (the ring), or null when unknown. */
  utilisation: number | null;
  queued: number;
  running: number;
}

/**
 * Each agent's load now: this agent's from its task view and newest sample, the others' from
 * what they last told (tasks.peers) and their gossiped CPU, measured as the charts measure it.
 */
export function selectNodeLoads(snapshot: MeshSnapshot): Map<AgentId, NodeLoad> {
  const loads = new Map<AgentId, NodeLoad>();
  const tasks = snapshot.tasks;
  if (tasks === null) return loads;
  const told = new Map(tasks.peers.map((p) => [p.agent, p]));
  for (const member of snapshot.members) {
    if (member.self || member.status === 'left') continue;
    const load = told.get(member.id);
    loads.set(member.id, {
      utilisation: peerUtilisation(load, member.load?.cpu ?? null),
      queued: load?.queued ?? 0,
      running: load?.running ?? 0,
    });
  }
  for (const load of tasks.peers) {
    if (loads.has(load.agent) || load.agent === snapshot.selfId) continue;
    loads.set(load.agent, {
      utilisation: peerUtilisation(load, null),
      queued: load.queued,
      running: load.running,
    });
  }
  loads.set(snapshot.selfId, {
    utilisation: tasks.samples[tasks.samples.length - 1]?.utilisation ?? null,
    queued: tasks.queued,
    running: tasks.running,
  });
  return loads;
}

/** The progress line of a render. */
export interface RenderProgress {
  done: number;
  total: number;
  /** Tiles per agent, most first (ties by id); `agent` null: known only from the final results. */
  byOwner: { agent: AgentId | null; tiles: number }[];
  elapsedMs: number;
}

export function selectRenderProgress(render: FractalRender, nowMs: number): RenderProgress {
  const counts = new Map<AgentId | null, number>();
  for (const tile of render.tiles) counts.set(tile.owner, (counts.get(tile.owner) ?? 0) + 1);
  const byOwner = [...counts]
    .map(([agent, tiles]) => ({ agent, tiles }))
    .sort(
      (a, b) =>
        b.tiles - a.tiles ||
        (a.agent === null ? 1 : b.agent === null ? -1 : compareIds(a.agent, b.agent)),
    );
  const endMs = render.finishedAtMs ?? nowMs;
  return {
    done: render.tiles.length,
    total: render.totalTiles,
    byOwner,
    elapsedMs: Math.max(0, endMs - render.startedAtMs),
  };
}
