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
      // A pair one side dropped from its partial view is no longer wanted.
      if (!cluster.isAlive(b) || !cluster.fabric.isWanted(a, b)) continue;
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

export interface MembershipSafetyOptions {
  /**
   * A dead verdict is only judged when the member, the judge and the network have all been
   * undisturbed (no crash, restart, freeze; no partition, cut, override or changed config) for
   * this long: a legitimate verdict can trail the fault that caused it by up to the longest
   * suspicion plus a few stretched probe periods.
   */
  quietMs: number;
  /** Throw a SafetyViolation at the first false verdict (a run) instead of collecting (a bench). */
  throwOnFalseVerdict?: boolean;
}

/**
 * Membership safety, hooked on host events: no agent declares dead a member that is running,
 * not frozen, and reachable over a clean network (the test: every dead verdict is checked
 * against what the simulator knows); and, at sweeps, no member's incarnation goes down in any
 * agent's view during that agent's life.
 */
export class MembershipSafety {
  deadVerdicts = 0;
  suspicions = 0;
  refutations = 0;
  readonly falseVerdicts: string[] = [];
  private lastIncarnations = new Map<number, Map<string, number>>();
  private readonly lives = new Map<number, AgentLife>();

  constructor(
    private readonly cluster: Cluster,
    readonly options: MembershipSafetyOptions,
  ) {}

  /** Starts watching host events (after any handler already installed). */
  attach(): this {
    const previous = this.cluster.onHostEvent;
    this.cluster.onHostEvent = (agent, event) => {
      previous?.(agent, event);
      this.onEvent(agent, event.kind, event.peer, event.atMs, event.detail);
    };
    return this;
  }

  onEvent(
    agent: number,
    kind: string,
    peerId: AgentId | undefined,
    atMs: number,
    detail = '',
  ): void {
    if (kind === 'member-suspect') this.suspicions++;
    if (kind === 'self-refuted') this.refutations++;
    if (kind !== 'member-dead' || peerId === undefined) return;
    this.deadVerdicts++;
    const cluster = this.cluster;
    const peer = cluster.fabric.indexOf(peerId);
    if (peer === undefined || !cluster.isAlive(peer) || cluster.isFrozen(peer)) return;
    const quietSince = atMs - this.options.quietMs;
    if (cluster.lastDisturbedAtMs(peer) >= quietSince) return;
    if (cluster.lastDisturbedAtMs(agent) >= quietSince) return;
    if (cluster.networkCleanSince() >= quietSince) return;
    const message = `seed ${cluster.seed}, t=${atMs.toFixed(3)} ms: agent ${agent} declared ${peer} (${shortId(peerId)}) dead while it ran undisturbed: ${detail}`;
    this.falseVerdicts.push(message);
    if (this.options.throwOnFalseVerdict) throw new SafetyViolation(message);
  }

  /** Incarnations seen by each agent never go down during that agent's life. */
  sweep(): void {
    const cluster = this.cluster;
    for (let agent = 0; agent < cluster.agentCount; agent++) {
      if (!cluster.isAlive(agent)) continue;
      const core = cluster.agents[agent];
      if (core === undefined) continue;
      const life = this.lives.get(agent);
      if (life?.core !== core) {
        this.lives.set(agent, { core });
        this.lastIncarnations.set(agent, new Map());
      }
      const seen = this.lastIncarnations.get(agent) as Map<string, number>;
      for (const member of cluster.snapshot(agent).agent.swim.members) {
        const before = seen.get(member.id);
        if (before !== undefined && member.incarnation < before) {
          throw new SafetyViolation(
            `seed ${cluster.seed}: agent ${agent} saw ${shortId(member.id)} go from incarnation ${before} to ${member.incarnation}`,
          );
        }
        seen.set(member.id, member.incarnation);
      }
    }
  }
}

interface AgentLife {
  core: object;
}

/**
 * Membership liveness after a heal: every running agent holds every other running agent alive
 * and every stopped one not alive, all hold the same agreed membership, and when every agent
 * runs, each holds a quorum. Returns the problems found (empty: live).
 */
export function checkMembershipLiveness(cluster: Cluster): string[] {
  const problems: string[] = [];
  const name = (agent: number) => `${agent}:${shortId(cluster.ids[agent] ?? '?')}`;
  const live = cluster.liveAgents().filter((agent) => !cluster.isFrozen(agent));
  const running = new Array<boolean>(cluster.agentCount).fill(false);
  for (const agent of live) running[agent] = true;
  const everyoneRuns = live.length === cluster.agentCount;
  let reference: string | null = null;
  for (const a of live) {
    const core = cluster.agents[a];
    if (core === undefined) continue;
    for (let b = 0; b < cluster.agentCount; b++) {
      if (b === a) continue;
      const status = core.memberStatus(cluster.ids[b] as AgentId);
      if (running[b] && status !== 'alive') {
        problems.push(`${name(a)} holds ${name(b)} ${status ?? 'unknown'}`);
      }
      if (!running[b] && status === 'alive')
        problems.push(`${name(a)} holds stopped ${name(b)} alive`);
    }
    const agreed = core.agreedMembers().join();
    if (reference === null) reference = agreed;
    else if (agreed !== reference) problems.push(`${name(a)} holds another agreed membership`);
    if (everyoneRuns && !core.quorum().hasQuorum) problems.push(`${name(a)} holds no quorum`);
  }
  return problems;
}
