import type { AgentId } from '../core/base/ids';
import type { EdgeView } from '../core/links/types';
import type { HostStats } from './agentHost';

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
  stats: HostStats & {
    connectionsCreated: number;
    connectionBudget: number;
    handshakeFailures: number;
  };
}
