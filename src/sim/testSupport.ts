import type { MeshEvent } from '../host/ports';
import type { Cluster } from './cluster';
import { TraceKind, type TraceRecord } from './trace';

/** Host events seen during a test, with the agent that reported them. */
export interface SeenEvent extends MeshEvent {
  agent: number;
  peerIndex: number;
}

/** Starts recording every host event of the cluster. */
export function recordHostEvents(cluster: Cluster): SeenEvent[] {
  const seen: SeenEvent[] = [];
  cluster.onHostEvent = (agent, event) => {
    const peerIndex = event.peer === undefined ? -1 : (cluster.fabric.indexOf(event.peer) ?? -1);
    seen.push({ ...event, agent, peerIndex });
  };
  return seen;
}

/** Delivered frames among the kept trace records (the cluster needs traceKeepLast). */
export function deliveries(cluster: Cluster): TraceRecord[] {
  const deliverName = Object.entries(TraceKind).find(([, code]) => code === TraceKind.deliver)?.[0];
  return cluster.trace.recent().filter((record) => record.kind === deliverName);
}
