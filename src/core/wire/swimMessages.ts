import type { AgentId } from '../base/ids';

/**
 * Membership and failure-detection messages (SWIM with Lifeguard, see core/swim/README.md).
 * Every message carries gossip facts; facts a member states about itself (alive, left, load,
 * application facts) carry that member's signature over the bytes of swimStatements.ts, which
 * the host checks before the agent sees the message (claims.ts).
 */

/** Facts one message may carry; the codec rejects more. */
export const MAX_FACTS_PER_MESSAGE = 32;
/** Member entries one anti-entropy page may carry; the codec rejects more. */
export const MAX_SYNC_MEMBERS = 128;
/** Member summaries one anti-entropy summary may carry; the codec rejects more. */
export const MAX_SUMMARY_MEMBERS = 512;
/** Buckets of the anti-entropy digest: members are split by the first byte of their id. */
export const SYNC_BUCKETS = 32;
/** Application fact keys: 1-32 characters of [A-Za-z0-9._:/-]. */
export const MAX_APP_KEY_CHARS = 32;
/** Application fact values: at most this many UTF-16 code units. */
export const MAX_APP_VALUE_CHARS = 256;
/** Incarnations, versions and sequence numbers are unsigned 32-bit integers. */
export const MAX_U32 = 0xffff_ffff;
/** Largest task count a load summary may report. */
export const MAX_LOAD_TASKS = 1_000_000_000;

export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

/** What a member says about its own load. `cpu` and `memory` are fractions in [0, 1]. */
export interface LoadSummary {
  cpu: number;
  memory?: number;
  /** Tasks queued or running. */
  tasks?: number;
}

/** The subject is alive at this incarnation; signed by the subject. */
export interface AliveFact {
  kind: 'alive';
  subject: AgentId;
  incarnation: number;
  signature: string;
}

/** `by` failed to get an ack from the subject at this incarnation. Anyone may report it. */
export interface SuspectFact {
  kind: 'suspect';
  subject: AgentId;
  incarnation: number;
  by: AgentId;
}

/** `by` declared the subject dead at this incarnation (its suspicion timed out). */
export interface DeadFact {
  kind: 'dead';
  subject: AgentId;
  incarnation: number;
  by: AgentId;
}

/** The subject left gracefully at this incarnation; signed by the subject. */
export interface LeftFact {
  kind: 'left';
  subject: AgentId;
  incarnation: number;
  signature: string;
}

/** The subject's load summary, newer versions replace older; signed by the subject. */
export interface LoadFact {
  kind: 'load';
  subject: AgentId;
  version: number;
  load: LoadSummary;
  signature: string;
}

/** A small application fact published by the subject under `key`; signed by the subject. */
export interface AppFact {
  kind: 'app';
  subject: AgentId;
  key: string;
  version: number;
  value: string;
  signature: string;
}

export type MembershipFact = AliveFact | SuspectFact | DeadFact | LeftFact;
export type SwimFact = MembershipFact | LoadFact | AppFact;

/** Direct probe: the receiver answers `swim-ack` with the same seq. */
export interface SwimProbeMessage {
  type: 'swim-probe';
  seq: number;
  facts: SwimFact[];
}

export interface SwimAckMessage {
  type: 'swim-ack';
  seq: number;
  facts: SwimFact[];
}

/** Indirect probe: please probe `target` for me and answer ack (it answered) or nack (it did not). */
export interface SwimProbeRequestMessage {
  type: 'swim-probe-req';
  seq: number;
  target: AgentId;
  facts: SwimFact[];
}

/** Lifeguard's negative ack: the relay could not reach the target in time (or has no link). */
export interface SwimNackMessage {
  type: 'swim-nack';
  seq: number;
  facts: SwimFact[];
}

/** Gossip push: facts only. */
export interface SwimGossipMessage {
  type: 'swim-gossip';
  facts: SwimFact[];
}

/** Anti-entropy step 1: one hash per bucket of the sender's member table. */
export interface SwimDigestMessage {
  type: 'swim-digest';
  hashes: number[];
}

/** One member as the sender has it, and whether it counts it in its agreed membership. */
export interface SyncMember {
  fact: MembershipFact;
  agreed: boolean;
}

/**
 * A member in a summary: [id, incarnation, status code, sum of application fact versions].
 * The status code is the precedence rank (alive 0, suspect 1, dead 2, left 3) plus 4 when the
 * sender counts the member in its agreed membership.
 */
export type MemberSummary = [id: AgentId, incarnation: number, code: number, appSum: number];

/**
 * Anti-entropy step 2: what the sender holds in the buckets whose hashes differed, without
 * signatures. `remaining` counts differing buckets that did not fit.
 */
export interface SwimSummaryMessage {
  type: 'swim-summary';
  buckets: number[];
  members: MemberSummary[];
  remaining: number;
}

/**
 * Anti-entropy steps 3 and 4: full entries (with their load and application facts) the
 * receiver lacks or holds older, and the ids the sender wants in full. `reply` marks the answer
 * to a `want` list.
 */
export interface SwimStateMessage {
  type: 'swim-state';
  members: SyncMember[];
  facts: SwimFact[];
  want: AgentId[];
  reply: boolean;
}

export type SwimMessage =
  | SwimProbeMessage
  | SwimAckMessage
  | SwimProbeRequestMessage
  | SwimNackMessage
  | SwimGossipMessage
  | SwimDigestMessage
  | SwimSummaryMessage
  | SwimStateMessage;
export type SwimMessageType = SwimMessage['type'];

export const SWIM_MESSAGE_TYPES: readonly SwimMessageType[] = [
  'swim-probe',
  'swim-ack',
  'swim-probe-req',
  'swim-nack',
  'swim-gossip',
  'swim-digest',
  'swim-summary',
  'swim-state',
];

const SWIM_TYPE_SET = new Set<string>(SWIM_MESSAGE_TYPES);

export function isSwimMessageType(type: string): type is SwimMessageType {
  return SWIM_TYPE_SET.has(type);
}

/** The bucket of the anti-entropy digest an id falls in: its first byte, modulo SYNC_BUCKETS. */
export function syncBucketOf(id: AgentId): number {
  return parseInt(id.slice(0, 2), 16) % SYNC_BUCKETS;
}
