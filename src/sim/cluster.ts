import { Agent } from '../core/agent/agent';
import type { AgentId } from '../core/base/ids';
import { Interner } from '../core/base/interner';
import type { LinksConfig } from '../core/links/config';
import type { SwimOverrides } from '../core/swim/config';
import { AgentHost, type HostSnapshot } from '../host/agentHost';
import type { Clock, MeshEvent, Transport } from '../host/ports';
import { VerifiedClaims } from '../host/verifiedClaims';
import type { Prng } from '../core/base/prng';
import { AgentClock } from './agentClock';
import { LinkFabric } from './linkFabric';
import { Network, type PathConfig } from './network';
import { Scheduler } from './scheduler';
import { randomAgentIds, Stream, streamPrng } from './seeds';
import { SimCrypto } from './simCrypto';
import { EventKind, type SimEvent } from './simEvent';
import { buildTopology, defaultTopology, type Adjacency, type TopologySpec } from './topology';
import { Trace, TraceKind } from './trace';

export interface ClusterOptions {
  seed: number;
  agentCount: number;
  /** Default: full mesh up to 64 agents, otherwise 8 random links each. */
  topology?: TopologySpec;
  network?: Partial<PathConfig>;
  /** Links protocol settings for every agent (the browser defaults otherwise). */
  links?: Partial<Omit<LinksConfig, 'selfId'>>;
  /**
   * Membership settings for every agent (the browser defaults otherwise). With a full-mesh
   * topology `fullMeshMax` defaults to the agent count, so membership keeps the links the
   * topology made instead of trimming them to a partial view.
   */
  swim?: SwimOverrides;
  /** Initial links come up at random times within this window. */
  joinSpreadMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Timers fire up to this late (uniformly), like throttled browser timers. */
  timerLatenessMs?: number;
  /** Trace records kept for reading after a failure (all are hashed regardless). */
  traceKeepLast?: number;
  /** Runs beside every agent on the same links (the shared document, see docCompanion.ts). */
  companion?: AgentCompanion;
}

/** What a companion gets when its agent boots (again after a restart). */
export interface CompanionContext {
  agent: number;
  id: AgentId;
  incarnation: number;
  /** The agent's links; the companion returns the transport the agent host is to use. */
  transport: Transport;
  clock: Clock;
  prng: Prng;
}

/** Something that shares an agent's links and life: booted with it, halted when it goes. */
export interface AgentCompanion {
  boot(context: CompanionContext): Transport;
  halt(agent: number): void;
}

/** Host event kinds as trace codes; anything else is 0. */
const HOST_EVENT_CODES: Record<string, number> = {
  'link-up': 1,
  'link-down': 2,
  'link-refused': 3,
  'frame-rejected': 4,
  'frame-too-large': 5,
  'member-alive': 6,
  'member-suspect': 7,
  'member-dead': 8,
  'member-left': 9,
  'self-refuted': 10,
  'quorum-lost': 11,
  'quorum-gained': 12,
  stalled: 13,
  'member-evicted': 14,
  'forged-claim': 15,
};

export const FaultCode = {
  crash: 1,
  restart: 2,
  leave: 3,
  partition: 4,
  heal: 5,
  cut: 6,
  restore: 7,
  network: 8,
  override: 9,
  freeze: 10,
} as const;

/**
 * N agents built from the same code the browser runs (core Agent driven by the AgentHost),
 * on simulated ports: a virtual clock, the packet network and the link fabric. Everything is
 * derived from one seed. Agents are addressed by index; `ids[index]` is the agent id.
 */
export class Cluster {
  readonly seed: number;
  readonly ids: readonly AgentId[];
  readonly adjacency: Adjacency;
  readonly scheduler = new Scheduler();
  readonly network: Network;
  readonly trace: Trace;
  readonly fabric: LinkFabric;
  readonly hosts: AgentHost[];
  /** The core agent of each host, for queries the snapshot would be too heavy for (benches). */
  readonly agents: Agent[] = [];
  readonly crypto: SimCrypto;
  /** Host events by kind, over all agents ('link-up', 'link-down', 'frame-rejected', ...). */
  readonly hostEventCounts = new Map<string, number>();
  events = 0;
  /** Called after each event with the agents it stepped (-1 when none). */
  afterEvent: ((agent: number, peer: number) => void) | null = null;
  /** Sees every host event, for tests and the CLI. */
  onHostEvent: ((agent: number, event: MeshEvent) => void) | null = null;
  private readonly alive: boolean[];
  private readonly incarnations: number[];
  /** Until when each agent is frozen (processes nothing); 0 when not. */
  private readonly frozenUntil: Float64Array;
  /** When each agent last stopped, started, froze or thawed (for the membership checkers). */
  private readonly lastDisturbedMs: Float64Array;
  /** -Infinity while the network has never been disturbed, +Infinity while it is. */
  private networkCleanSinceMs = Number.NEGATIVE_INFINITY;
  private readonly options: ClusterOptions;
  private readonly baselineNetwork: PathConfig;
  /** Shared by every host: one copy of each id and signature in the process, not one per agent. */
  private readonly interner: Interner;
  /**
   * Shared by every host too: SimCrypto verifies synchronously and gives every agent the same
   * answer, so one entry per claim serves them all, where a cache per host held one per claim
   * and agent.
   */
  private readonly verifiedClaims: VerifiedClaims;

  constructor(options: ClusterOptions) {
    const { seed, agentCount } = options;
    if (!(Number.isInteger(agentCount) && agentCount >= 1)) {
      throw new RangeError(`agentCount must be a positive integer, got ${agentCount}`);
    }
    this.options = options;
    this.seed = seed;
    this.ids = randomAgentIds(streamPrng(seed, Stream.ids), agentCount);
    // Room for every id, a few signatures and statements per agent (alive, load, application
    // facts) and the reasons membership keeps.
    this.interner = new Interner(16 * agentCount + 4096);
    for (const id of this.ids) this.interner.intern(id);
    this.verifiedClaims = new VerifiedClaims(8 * agentCount + 4096, this.interner);
    const topology = options.topology ?? defaultTopology(agentCount);
    this.adjacency = buildTopology(agentCount, topology, streamPrng(seed, Stream.topology));
    this.network = new Network(agentCount, streamPrng(seed, Stream.network), options.network);
    this.baselineNetwork = this.network.config;
    this.trace = new Trace(options.traceKeepLast ?? 0);
    this.alive = new Array<boolean>(agentCount).fill(false);
    this.incarnations = new Array<number>(agentCount).fill(0);
    this.frozenUntil = new Float64Array(agentCount);
    this.lastDisturbedMs = new Float64Array(agentCount).fill(Number.NEGATIVE_INFINITY);
    this.crypto = new SimCrypto(this.ids, streamPrng(seed, Stream.crypto));
    this.fabric = new LinkFabric(
      this.ids,
      this.network,
      this.scheduler,
      this.trace,
      streamPrng(seed, Stream.fabric),
      {
        reconnectBaseMs: options.reconnectBaseMs ?? 500,
        reconnectMaxMs: options.reconnectMaxMs ?? 4000,
      },
      (agent) => this.alive[agent] === true,
      (agent) => this.isFrozen(agent),
    );
    this.hosts = this.ids.map((_, index) => this.boot(index));
    const joinPrng = streamPrng(seed, Stream.topology, 1);
    const joinSpreadMs = options.joinSpreadMs ?? 1000;
    this.adjacency.forEach((peers, a) => {
      for (const b of peers) if (a < b) this.fabric.want(a, b, joinPrng.nextFloat() * joinSpreadMs);
    });
  }

  get agentCount(): number {
    return this.ids.length;
  }

  nowMs(): number {
    return this.scheduler.nowMs();
  }

  isAlive(agent: number): boolean {
    return this.alive[agent] === true;
  }

  host(agent: number): AgentHost {
    const host = this.hosts[agent];
    if (host === undefined) throw new RangeError(`no agent ${agent}`);
    return host;
  }

  snapshot(agent: number): HostSnapshot {
    return this.host(agent).snapshot();
  }

  /** Runs every event due up to `untilMs`, then leaves the clock there. */
  runUntil(untilMs: number): void {
    const afterEvent = this.afterEvent;
    for (;;) {
      const event = this.scheduler.next(untilMs);
      if (event === undefined) return;
      this.events++;
      this.dispatch(event);
      if (afterEvent !== null) {
        afterEvent(event.agent, event.kind === EventKind.linkOpen ? event.peer : -1);
      }
    }
  }

  runFor(durationMs: number): void {
    this.runUntil(this.nowMs() + durationMs);
  }

  /** The agent stops dead: no bye, its links vanish, peers find out by timeout. */
  crash(agent: number): void {
    if (!this.isAlive(agent)) return;
    this.trace.record(this.nowMs(), TraceKind.fault, agent, -1, FaultCode.crash);
    this.options.companion?.halt(agent);
    this.host(agent).stop();
    this.alive[agent] = false;
    this.thaw(agent);
    this.fabric.transports[agent]?.reset();
  }

  /** Graceful exit: bye on every link, then gone. */
  leave(agent: number): void {
    if (!this.isAlive(agent)) return;
    this.trace.record(this.nowMs(), TraceKind.fault, agent, -1, FaultCode.leave);
    this.options.companion?.halt(agent);
    this.host(agent).leave();
    this.alive[agent] = false;
    this.thaw(agent);
    this.fabric.transports[agent]?.reset();
  }

  /** A fresh incarnation with the same id and no memory; it reconnects to its peers at once. */
  restart(agent: number): void {
    if (this.isAlive(agent)) return;
    this.trace.record(this.nowMs(), TraceKind.fault, agent, -1, FaultCode.restart);
    this.incarnations[agent] = (this.incarnations[agent] ?? 0) + 1;
    this.lastDisturbedMs[agent] = this.nowMs();
    this.hosts[agent] = this.boot(agent);
    this.fabric.onRestart(agent, this.adjacency[agent] ?? []);
  }

  /**
   * The agent stops processing for `durationMs` (a hung tab): its timers, frames and link
   * notices wait and are handled, in their original order, when it resumes. Nothing is lost
   * and nothing is sent meanwhile; new links to it cannot form. It must then refute.
   */
  freeze(agent: number, durationMs: number): void {
    if (!this.isAlive(agent)) return;
    this.trace.record(this.nowMs(), TraceKind.fault, agent, -1, FaultCode.freeze);
    const untilMs = Math.max(this.frozenUntil[agent] as number, this.nowMs() + durationMs);
    this.frozenUntil[agent] = untilMs;
    this.lastDisturbedMs[agent] = untilMs;
  }

  isFrozen(agent: number): boolean {
    return (this.frozenUntil[agent] as number) > this.nowMs();
  }

  /** When the agent last crashed, left, restarted, or thawed from a freeze (-Infinity: never). */
  lastDisturbedAtMs(agent: number): number {
    return this.lastDisturbedMs[agent] as number;
  }

  /** Since when the network has had no partition, cut, override or changed config (+Infinity: it has one now). */
  networkCleanSince(): number {
    return this.networkCleanSinceMs;
  }

  partition(groups: readonly (readonly number[])[]): void {
    this.trace.record(this.nowMs(), TraceKind.fault, -1, -1, FaultCode.partition);
    this.network.partition(groups);
    this.noteNetwork();
  }

  cutOneWay(from: number, to: number): void {
    this.trace.record(this.nowMs(), TraceKind.fault, from, to, FaultCode.cut);
    this.network.cut(from, to);
    this.noteNetwork();
  }

  /** Undoes one `cutOneWay(from, to)`. */
  restoreOneWay(from: number, to: number): void {
    this.trace.record(this.nowMs(), TraceKind.fault, from, to, FaultCode.restore);
    this.network.restore(from, to);
    this.noteNetwork();
  }

  /** Changes how every path without an override behaves (loss, delay, ... spikes). */
  configureNetwork(config: Partial<PathConfig>): void {
    this.trace.record(this.nowMs(), TraceKind.fault, -1, -1, FaultCode.network);
    this.network.configure(config);
    this.noteNetwork();
  }

  /** Gives one path its own behaviour (a slow or lossy link); null restores the default. */
  overridePath(a: number, b: number, config: Partial<PathConfig> | null): void {
    this.trace.record(this.nowMs(), TraceKind.fault, a, b, FaultCode.override);
    if (config === null) this.network.clearOverride(a, b);
    else this.network.setOverride(a, b, config);
    this.noteNetwork();
  }

  /** Ends the partition only; one-way cuts stay. */
  healPartition(): void {
    this.trace.record(this.nowMs(), TraceKind.fault, -1, -1, FaultCode.heal);
    this.network.healPartition();
    this.noteNetwork();
  }

  /** Ends partitions and cuts; links come back through the reconnect backoff. */
  heal(): void {
    this.healPartition();
    this.trace.record(this.nowMs(), TraceKind.fault, -1, -1, FaultCode.restore);
    this.network.clearCuts();
    this.noteNetwork();
  }

  /**
   * Everything back to normal for a liveness phase: no partitions, cuts or path overrides,
   * the network as configured at the start, and every agent that is down restarted.
   */
  healAll(): void {
    this.heal();
    this.network.clearOverrides();
    this.network.configure(this.baselineNetwork);
    this.noteNetwork();
    for (let agent = 0; agent < this.agentCount; agent++) {
      this.thaw(agent);
      this.restart(agent);
    }
  }

  /** Agents alive now, by index. */
  liveAgents(): number[] {
    return this.ids.map((_, index) => index).filter((index) => this.isAlive(index));
  }

  /** Ends a freeze now (a crashed or restarted agent is not frozen). */
  private thaw(agent: number): void {
    if ((this.frozenUntil[agent] as number) > this.nowMs()) {
      this.frozenUntil[agent] = this.nowMs();
      this.lastDisturbedMs[agent] = this.nowMs();
    }
  }

  /** Records whether the network is back to its baseline, for the membership checkers. */
  private noteNetwork(): void {
    const pristine = this.network.isPristine() && this.network.config === this.baselineNetwork;
    if (!pristine) this.networkCleanSinceMs = Number.POSITIVE_INFINITY;
    else if (this.networkCleanSinceMs === Number.POSITIVE_INFINITY) {
      this.networkCleanSinceMs = this.nowMs();
    }
  }

  private swimConfig(): SwimOverrides {
    const swim = this.options.swim ?? {};
    const fullTopology =
      (this.options.topology ?? defaultTopology(this.agentCount)).kind === 'full';
    if (fullTopology && swim.fullMeshMax === undefined) {
      return { ...swim, fullMeshMax: Math.max(this.agentCount, 2) };
    }
    return swim;
  }

  private boot(agent: number): AgentHost {
    const incarnation = this.incarnations[agent] ?? 0;
    const selfId = this.ids[agent] as AgentId;
    const core = new Agent({
      selfId,
      prng: streamPrng(this.seed, Stream.agent, agent, incarnation),
      ...(this.options.links === undefined ? {} : { links: this.options.links }),
      swim: this.swimConfig(),
      interner: this.interner,
    });
    this.agents[agent] = core;
    const clock = new AgentClock(
      this.scheduler,
      agent,
      this.options.timerLatenessMs ?? 0,
      streamPrng(this.seed, Stream.timers, agent, incarnation),
    );
    const transport = this.fabric.transports[agent];
    if (transport === undefined) throw new RangeError(`no transport for agent ${agent}`);
    const companion = this.options.companion;
    const hostTransport =
      companion === undefined
        ? transport
        : companion.boot({
            agent,
            id: selfId,
            incarnation,
            transport,
            clock,
            prng: streamPrng(this.seed, Stream.companion, agent, incarnation),
          });
    const host = new AgentHost({
      agent: core,
      transport: hostTransport,
      clock,
      crypto: this.crypto.portFor(selfId),
      verifiedClaims: this.verifiedClaims,
      interner: this.interner,
      observer: { onEvent: (event) => this.onEvent(agent, event) },
    });
    this.alive[agent] = true;
    host.start();
    return host;
  }

  private onEvent(agent: number, event: MeshEvent): void {
    this.hostEventCounts.set(event.kind, (this.hostEventCounts.get(event.kind) ?? 0) + 1);
    const peer = event.peer === undefined ? -1 : (this.fabric.indexOf(event.peer) ?? -1);
    this.trace.record(
      event.atMs,
      TraceKind.hostEvent,
      agent,
      peer,
      HOST_EVENT_CODES[event.kind] ?? 0,
    );
    this.onHostEvent?.(agent, event);
  }

  private dispatch(event: SimEvent): void {
    // A frozen agent handles nothing: its events wait, in order, until it thaws.
    if (event.kind !== EventKind.action && event.kind !== EventKind.linkOpen) {
      const untilMs = this.frozenUntil[event.agent] as number;
      if (untilMs > event.atMs) {
        this.scheduler.requeue(event, untilMs);
        return;
      }
    }
    switch (event.kind) {
      case EventKind.timer:
        this.trace.record(event.atMs, TraceKind.timer, event.agent, -1, 0);
        event.callback?.();
        return;
      case EventKind.deliver:
        this.fabric.onDeliver(event);
        return;
      case EventKind.linkOpen:
        this.fabric.onLinkOpen(event);
        return;
      case EventKind.peerClosed:
        this.fabric.onPeerClosed(event);
        return;
      case EventKind.action:
        event.callback?.();
        return;
    }
  }
}
