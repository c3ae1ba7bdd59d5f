import type { AgentId } from '../core/base/ids';
import type { EdgeView } from '../core/links/types';
import type { ByzantineBehaviour } from '../core/wire/byzantineBehaviours';
import type { HostStats } from './agentHost';
import type { ConsensusView } from './consensusView';
import type { LedgerView } from './ledgerView';
import type { TasksView } from './taskRecorder';

/** Fault settings of one link, applied by the fault-injection layer on both directions. */
export interface LinkFault {
  /** All traffic stopped (a partition). */
  cut: boolean;
  /** Probability in [0, 1] that a frame is dropped. */
  dropRate: number;
  /** Extra one-way delay added to every frame. */
  delayMs: number;
}

export type LinkState = 'connecting' | 'authenticating' | 'open' | 'closed';

export interface LinkView {
  peer: AgentId;
  state: LinkState;
  /** True when this agent made the offer. */
  initiator: boolean;
  rttMs: number | null;
  lastRttMs: number | null;
  /** Recent round-trip samples, oldest first. */
  recentRttMs: number[];
  openSinceMs: number | null;
  fault: LinkFault;
  framesDroppedByFault: number;
}

export type SignalingState = 'connecting' | 'open' | 'closed';

export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

/** One member as this agent's membership view has it. */
export interface MemberView {
  id: AgentId;
  self: boolean;
  status: MemberStatus;
  incarnation: number;
  /** When this agent last changed the member's status. */
  sinceMs: number;
  /** The member's own load summary, as gossiped (CPU use 0..1), or null when unknown. */
  load: { cpu: number } | null;
  /** Members that reported the current suspicion (empty unless suspect). */
  suspectedBy: AgentId[];
  /** Why the current status was reached, in words (which probes failed, who confirmed, ...). */
  reason: string | null;
  /**
   * Heard within the last few seconds, directly or through a neighbour (what the quorum
   * counts); a member cut off shows as not heard before any verdict about it.
   */
  reached: boolean;
}

/** Which part of the membership this agent reaches, and whether that is a majority. */
export interface QuorumView {
  reachable: number;
  membershipSize: number;
  hasQuorum: boolean;
}

/** Chaos applied to the mesh, as this agent knows it (commands reach every agent they concern). */
export interface ChaosView {
  /** The groups of the active partition (this agent's group first), or null when healed. */
  partition: AgentId[][] | null;
  /** When this agent's own freeze ends, or null. */
  frozenUntilMs: number | null;
  /**
   * The pBFT behaviour each agent was last set to, from the commands this agent saw; agents set
   * back to honest (or never set) are left out.
   */
  behaviours: Record<AgentId, ByzantineBehaviour>;
  /** The newest chaos command this agent saw, and who acked applying it; null before any. */
  lastCommand: {
    id: string;
    kind: 'partition' | 'heal' | 'freeze' | 'behaviour' | 'link-fault' | 'slow';
    issuer: AgentId;
    applied: AgentId[];
    /** On the issuer's dashboard: the agents it concerns that have not acked yet; else null. */
    awaiting: AgentId[] | null;
    /** The issuer stopped sending it again without every ack. */
    gaveUp: boolean;
  } | null;
}

/**
 * Everything the dashboard shows about one agent, as plain data. The browser shell builds it
 * from the host and transport; the UI store is fed only with this and MeshEvents.
 */
export interface MeshSnapshot {
  selfId: AgentId;
  room: string;
  nowMs: number;
  signaling: { state: SignalingState; url: string; reconnects: number };
  links: LinkView[];
  /** Every data channel this agent knows of: its own and those its neighbours advertise. */
  edges: EdgeView[];
  /** The membership view (empty until the membership protocol has run). */
  members: MemberView[];
  quorum: QuorumView;
  chaos: ChaosView;
  /** The agent's pBFT replica and client (null when the agent runs without them). */
  consensus: ConsensusView | null;
  /** The agent's Raft node behind `mesh.ledger` (null when the agent runs without it). */
  ledger: LedgerView | null;
  /** The agent's task distribution (null when the agent runs without it). */
  tasks: TasksView | null;
  stats: HostStats & {
    connectionsCreated: number;
    connectionBudget: number;
    handshakeFailures: number;
  };
}

/**
 * What the dashboard may ask of the mesh. Chaos commands travel through the signaling server's
 * control topic and over the mesh, so they reach every agent they concern across a partition.
 */
export interface MeshCommands {
  /** Cuts every link between agents of different groups. */
  partition(groups: AgentId[][]): void;
  /** Removes every cut, delay and loss. */
  heal(): void;
  /** Makes `agent` stop answering for `seconds` (its page blocks), then return. */
  freeze(agent: AgentId, seconds: number): void;
  /** Switches `agent`'s pBFT replica to `behaviour` ('honest' turns the fault off). */
  setBehaviour(agent: AgentId, behaviour: ByzantineBehaviour): void;
  /** Adds one-way delay and loss to the link between `a` and `b` (both directions). */
  setLinkFault(a: AgentId, b: AgentId, fault: { delayMs: number; dropRate: number }): void;
}
