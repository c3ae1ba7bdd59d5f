import { compareIds, type AgentId } from '../../core/base/ids';
import type { MeshSnapshot } from '../../host/meshSnapshot';
import type { TasksView } from '../../host/taskRecorder';

/** Points kept per agent: one a second for five minutes, as the host keeps its own samples. */
export const LOAD_POINTS_PER_AGENT = 300;
/** A neighbour gets at most one point this often (snapshots come four times a second). */
export const LOAD_POINT_EVERY_MS = 1000;

/** One agent's load at one moment, as the charts plot it. */
export interface LoadPoint {
  atMs: number;
  /** Busy share 0-1, or null when unknown. */
  utilisation: number | null;
  queued: number;
  running: number;
  /** Tasks finished per second (estimated for neighbours, see peerRatePerSecond), or null. */
  ratePerSecond: number | null;
}

export interface AgentLoadSeries {
  agent: AgentId;
  self: boolean;
  /** Oldest first, at most LOAD_POINTS_PER_AGENT. */
  points: readonly LoadPoint[];
}

export interface LoadHistory {
  /** The charts' right edge: the newest point's time. */
  nowMs: number;
  /** When neighbours last got a point. */
  peersAtMs: number;
  /** This agent first, then the others by id. */
  series: readonly AgentLoadSeries[];
}

export const EMPTY_LOAD_HISTORY: LoadHistory = {
  nowMs: 0,
  peersAtMs: -Infinity,
  series: [],
};

type PeerLoad = TasksView['peers'][number];

/**
 * A neighbour's busy share as it last told it in its task load (its workers' share or its
 * page's CPU, whichever is higher: the measure of this agent's own samples); the gossiped CPU
 * only for a neighbour that told no task load yet.
 */
export function peerUtilisation(
  load: PeerLoad | undefined,
  gossipedCpu: number | null,
): number | null {
  return load === undefined ? gossipedCpu : Math.min(1, Math.max(0, load.utilisation));
}

/** Neighbours tell no rate: busy workers over the mean task time is what they finish a second. */
export function peerRatePerSecond(load: PeerLoad | undefined): number | null {
  if (load === undefined || !(load.meanTaskMs > 0)) return null;
  return (load.running * 1000) / load.meanTaskMs;
}

/** Agents whose history is kept: neighbours that told a load or are members that have not left. */
function presentPeers(snapshot: MeshSnapshot): Set<AgentId> {
  const left = new Set(snapshot.members.filter((m) => m.status === 'left').map((m) => m.id));
  const present = new Set<AgentId>();
  for (const m of snapshot.members) if (m.status !== 'left') present.add(m.id);
  for (const p of snapshot.tasks?.peers ?? []) if (!left.has(p.agent)) present.add(p.agent);
  present.delete(snapshot.selfId);
  return present;
}

function selfSeries(snapshot: MeshSnapshot, tasks: TasksView): AgentLoadSeries {
  return {
    agent: snapshot.selfId,
    self: true,
    points: tasks.samples.slice(-LOAD_POINTS_PER_AGENT).map((s) => ({
      atMs: s.atMs,
      utilisation: s.utilisation,
      queued: s.queued,
      running: s.running,
      ratePerSecond: s.ratePerSecond,
    })),
  };
}

function lastAtMs(series: AgentLoadSeries | undefined): number | null {
  const last = series?.points[series.points.length - 1];
  return last === undefined ? null : last.atMs;
}

function appendBounded(points: readonly LoadPoint[], point: LoadPoint): LoadPoint[] {
  const kept =
    points.length >= LOAD_POINTS_PER_AGENT ? points.slice(1 - LOAD_POINTS_PER_AGENT) : points;
  return [...kept, point];
}

/**
 * The history after one more snapshot, or the same object when nothing changed (so the charts
 * re-render about once a second, not on every snapshot). This agent's series is the host's own
 * samples; a neighbour gets a point a second from what it last told (`tasks.peers`) and from
 * the membership's gossiped CPU. Neighbours that left, or that no view names any more, are
 * dropped at once.
 */
export function advanceLoadHistory(history: LoadHistory, snapshot: MeshSnapshot): LoadHistory {
  const tasks = snapshot.tasks;
  if (tasks === null) return history.series.length === 0 ? history : EMPTY_LOAD_HISTORY;
  const present = presentPeers(snapshot);
  const previousSelf = history.series.find((s) => s.self && s.agent === snapshot.selfId);
  const ownSample = tasks.samples[tasks.samples.length - 1]?.atMs ?? null;
  const selfChanged = previousSelf === undefined || lastAtMs(previousSelf) !== ownSample;
  const peersDue = snapshot.nowMs - history.peersAtMs >= LOAD_POINT_EVERY_MS;
  const peers = history.series.filter((s) => !s.self);
  const peersDropped = peers.some((s) => !present.has(s.agent));
  if (!selfChanged && !peersDue && !peersDropped) return history;

  const own =
    selfChanged || previousSelf === undefined ? selfSeries(snapshot, tasks) : previousSelf;
  let peerSeries = peers.filter((s) => present.has(s.agent));
  let peersAtMs = history.peersAtMs;
  if (peersDue) {
    peersAtMs = snapshot.nowMs;
    const loads = new Map(tasks.peers.map((p) => [p.agent, p]));
    const cpu = new Map(snapshot.members.map((m) => [m.id, m.load?.cpu ?? null]));
    const byAgent = new Map(peerSeries.map((s) => [s.agent, s]));
    peerSeries = [...present].sort(compareIds).map((agent) => {
      const load = loads.get(agent);
      const point: LoadPoint = {
        atMs: snapshot.nowMs,
        utilisation: peerUtilisation(load, cpu.get(agent) ?? null),
        queued: load?.queued ?? 0,
        running: load?.running ?? 0,
        ratePerSecond: peerRatePerSecond(load),
      };
      return { agent, self: false, points: appendBounded(byAgent.get(agent)?.points ?? [], point) };
    });
  }
  const nowMs = Math.max(peersAtMs, lastAtMs(own) ?? -Infinity, history.nowMs);
  return { nowMs, peersAtMs, series: [own, ...peerSeries] };
}
