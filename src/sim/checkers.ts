import { shortId, type AgentId } from '../core/base/ids';
import type { Cluster } from './cluster';
import type { TraceRecord } from './trace';

/** A broken invariant, with what is needed to replay it. */
export class SafetyViolation extends Error {
  override name = 'SafetyViolation';
  /** The last trace records before the violation, when the run kept any. */
  traceTail: TraceRecord[] = [];
}

/**
 * Safety: after each event, the invariants of the agents that event stepped. With
 * `everyEvents` = 1 that is every step of every agent (an agent's state only changes when it
 * steps); larger values check the agents stepped by every K-th event, for benchmarks. A sweep
 * checks every live agent, plus that each agent's neighbours are exactly its transport's open
 * links (the host and the protocol agree on what is connected).
 */
export class SafetyChecker {
  /** Host invariant checks that passed. */
  checks = 0;
  sweeps = 0;
  private sinceLastCheck = 0;

  constructor(
    private readonly cluster: Cluster,
    readonly everyEvents = 1,
  ) {
    if (!(Number.isInteger(everyEvents) && everyEvents >= 1)) {
      throw new RangeError(`everyEvents must be a positive integer, got ${everyEvents}`);
    }
  }

  /** Hooks the checker into the cluster's event loop. */
  attach(): this {
    this.cluster.afterEvent = (agent, peer) => this.afterEvent(agent, peer);
    return this;
  }

  afterEvent(agent: number, peer: number): void {
    if (++this.sinceLastCheck < this.everyEvents) return;
    this.sinceLastCheck = 0;
    if (agent >= 0) this.checkAgent(agent);
    if (peer >= 0) this.checkAgent(peer);
  }

  checkAgent(agent: number): void {
    if (!this.cluster.isAlive(agent)) return;
    try {
      this.cluster.host(agent).checkInvariants();
    } catch (error) {
      throw this.violation(agent, error instanceof Error ? error.message : String(error));
    }
    this.checks++;
  }

  sweep(): void {
    const cluster = this.cluster;
    for (let agent = 0; agent < cluster.agentCount; agent++) {
      if (!cluster.isAlive(agent)) continue;
      this.checkAgent(agent);
      const open = [...(cluster.fabric.transports[agent]?.openEnds.keys() ?? [])]
        .map((peer) => cluster.ids[peer])
        .sort();
      const neighbours = cluster
        .snapshot(agent)
        .agent.links.neighbours.map((n) => n.peer)
        .sort();
      if (open.join() !== neighbours.join()) {
        throw this.violation(
          agent,
          `neighbours [${neighbours.map((id) => shortId(id))}] differ from open links [${open.map((id) => shortId(id ?? ''))}]`,
        );
      }
    }
    this.sweeps++;
  }

  private violation(agent: number, message: string): SafetyViolation {
    const cluster = this.cluster;
    const id = cluster.ids[agent] ?? '?';
    return new SafetyViolation(
      `seed ${cluster.seed}, t=${cluster.nowMs().toFixed(3)} ms, agent ${agent} (${shortId(id)}): ${message}`,
    );
  }
}

export interface LivenessOptions {
  /** A measured round trip above this is reported (a stale or nonsensical sample). */
  maxRttMs?: number;
}

/**
 * Liveness after a heal: every wanted link between two live agents is open at both ends, and
 * each of them has measured a round trip to the other. Returns the problems found (empty: live).
 */
export function checkLinkLiveness(cluster: Cluster, options: LivenessOptions = {}): string[] {
  const problems: string[] = [];
  const name = (agent: number) => `${agent}:${shortId(cluster.ids[agent] ?? '?')}`;
  for (let a = 0; a < cluster.agentCount; a++) {
    if (!cluster.isAlive(a)) continue;
    const views = new Map(cluster.snapshot(a).agent.links.neighbours.map((n) => [n.peer, n]));
    for (const b of cluster.adjacency[a] ?? []) {
      if (!cluster.isAlive(b)) continue;
      if (a < b && !cluster.fabric.isOpen(a, b))
        problems.push(`link ${name(a)}-${name(b)} is not open`);
      const view = views.get(cluster.ids[b] as AgentId);
      if (view === undefined) problems.push(`${name(a)} has no neighbour ${name(b)}`);
      else if (view.rttMs === null) problems.push(`${name(a)} has no round trip to ${name(b)}`);
      else if (options.maxRttMs !== undefined && view.rttMs > options.maxRttMs) {
        problems.push(`${name(a)} measures ${view.rttMs.toFixed(1)} ms to ${name(b)}`);
      }
    }
  }
  return problems;
}
