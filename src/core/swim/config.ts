import { assert } from '../base/assert';
import type { AgentId } from '../base/ids';
import { MAX_FACTS_PER_MESSAGE, MAX_SYNC_MEMBERS } from '../wire/swimMessages';

/** Settings of the membership protocol. README.md explains each default. */
export interface SwimConfig {
  selfId: AgentId;

  // Failure detection (SWIM §3-4, Lifeguard §IV).
  /** One member is probed per period (shuffled round robin). */
  probeIntervalMs: number;
  /** A direct probe without an ack by then goes indirect. */
  probeTimeoutMs: number;
  /** Members asked to probe the target indirectly (k). */
  indirectProbes: number;
  /** Minimum suspicion timeout = this x max(1, log10 N) x probeIntervalMs. */
  suspicionMinMult: number;
  /** Maximum suspicion timeout (no confirmations) = this x the minimum. */
  suspicionMaxMult: number;
  /** Independent confirmations after which the suspicion timeout is down to its minimum. */
  suspicionConfirmations: number;
  /** A member learning of a new suspicion probes the suspect next (still one probe a period). */
  reprobeSuspects: boolean;
  /** Lifeguard's local health multiplier: probe interval and timeout stretch up to this. */
  localHealthMax: number;
  /** Inputs arriving this late after the wake-up asked for mean this agent was stalled. */
  stallThresholdMs: number;

  // Gossip (SWIM §4.1, memberlist).
  /** Each fact is sent at most retransmitMult x ceil(log10(N + 1)) times. */
  retransmitMult: number;
  /** Period of the gossip push and of the push-pull exchange. */
  gossipIntervalMs: number;
  /** Members a gossip push (and a forward on arrival) goes to. */
  gossipFanout: number;
  /** Facts that change this agent's view are forwarded at once, not at the next round. */
  forwardOnArrival: boolean;
  /** Forward messages allowed per second on average (token bucket)... */
  forwardRatePerSecond: number;
  /** ...and in a burst. */
  forwardBurst: number;
  /** Facts piggybacked on one probe, ack or gossip message. */
  maxFactsPerMessage: number;
  /** Member entries in one anti-entropy page. */
  maxSyncMembers: number;
  /** Follow-up pages one exchange may ask for when its page was truncated. */
  maxSyncPagesPerRound: number;
  /** Facts waiting to be gossiped; past it the most-sent are dropped. */
  maxQueuedFacts: number;

  // Views (HyParView §4).
  /** Up to this many live members every agent links to every other; past it, a partial view. */
  fullMeshMax: number;
  /** Links a full mesh asks for per gossip round (on discovery or to replace lost ones). */
  connectsPerRound: number;
  /** Active view target = ceil(ln N) + activeViewExtra, clamped to [activeViewMin, activeViewMax]. */
  activeViewExtra: number;
  activeViewMin: number;
  activeViewMax: number;
  /** A promotion (connect to a passive member) not answered by a link in this time is dropped. */
  promoteTimeoutMs: number;

  // Membership and quorum.
  /** A fresh agent that learned of no agreed membership in this time founds one. */
  foundAfterMs: number;
  /** A member dead this long leaves the agreed membership (only while this side has a quorum). */
  evictDeadAfterMs: number;
  /** Dead or left members outside the agreed membership are forgotten after this long. */
  forgetAfterMs: number;
  /** Members kept at most. */
  maxMembers: number;
  /** Indirect probes this agent runs for others at once; more are refused with a nack. */
  maxRelayedProbes: number;

  // Load and application facts.
  /** A load summary is signed and gossiped at most this often... */
  loadMinIntervalMs: number;
  /** ...and only when cpu or memory moved by this much, or the task count changed. */
  loadChangeMin: number;
  /** Application facts one member may publish (distinct keys). */
  maxAppFactsPerMember: number;
}

export type SwimOverrides = Partial<Omit<SwimConfig, 'selfId'>>;

export const DEFAULT_SWIM_CONFIG: Omit<SwimConfig, 'selfId'> = {
  probeIntervalMs: 1000,
  probeTimeoutMs: 500,
  indirectProbes: 3,
  suspicionMinMult: 1,
  suspicionMaxMult: 6,
  suspicionConfirmations: 3,
  reprobeSuspects: true,
  localHealthMax: 8,
  stallThresholdMs: 2000,
  retransmitMult: 4,
  gossipIntervalMs: 2000,
  gossipFanout: 3,
  forwardOnArrival: true,
  forwardRatePerSecond: 5,
  forwardBurst: 10,
  maxFactsPerMessage: 16,
  maxSyncMembers: 128,
  maxSyncPagesPerRound: 8,
  maxQueuedFacts: 1024,
  fullMeshMax: 32,
  connectsPerRound: 4,
  activeViewExtra: 1,
  activeViewMin: 3,
  activeViewMax: 32,
  promoteTimeoutMs: 5000,
  foundAfterMs: 4000,
  evictDeadAfterMs: 5 * 60_000,
  forgetAfterMs: 10 * 60_000,
  maxMembers: 4096,
  maxRelayedProbes: 64,
  loadMinIntervalMs: 2000,
  loadChangeMin: 0.05,
  maxAppFactsPerMember: 8,
};

function positiveInteger(value: number, name: string): void {
  assert(Number.isInteger(value) && value > 0, `${name} must be a positive integer`);
}

export function resolveSwimConfig(selfId: AgentId, overrides: SwimOverrides = {}): SwimConfig {
  const c: SwimConfig = { ...DEFAULT_SWIM_CONFIG, ...overrides, selfId };
  assert(c.probeIntervalMs > 0, 'probeIntervalMs must be positive');
  assert(
    c.probeTimeoutMs > 0 && c.probeTimeoutMs < c.probeIntervalMs,
    'probeTimeoutMs must be positive and below probeIntervalMs (the indirect phase needs time)',
  );
  assert(Number.isInteger(c.indirectProbes) && c.indirectProbes >= 0, 'indirectProbes >= 0');
  assert(c.suspicionMinMult > 0, 'suspicionMinMult must be positive');
  assert(c.suspicionMaxMult >= 1, 'suspicionMaxMult must be at least 1');
  assert(
    Number.isInteger(c.suspicionConfirmations) && c.suspicionConfirmations >= 0,
    'suspicionConfirmations must be a whole number',
  );
  positiveInteger(c.localHealthMax, 'localHealthMax');
  assert(c.stallThresholdMs > 0, 'stallThresholdMs must be positive');
  assert(c.retransmitMult > 0, 'retransmitMult must be positive');
  assert(c.gossipIntervalMs >= 100, 'gossipIntervalMs must be at least 100 ms');
  positiveInteger(c.gossipFanout, 'gossipFanout');
  assert(c.forwardRatePerSecond >= 0, 'forwardRatePerSecond must not be negative');
  assert(c.forwardBurst >= 0, 'forwardBurst must not be negative');
  assert(
    Number.isInteger(c.maxFactsPerMessage) &&
      c.maxFactsPerMessage >= 0 &&
      c.maxFactsPerMessage <= MAX_FACTS_PER_MESSAGE,
    `maxFactsPerMessage must be in [0, ${MAX_FACTS_PER_MESSAGE}]`,
  );
  assert(
    Number.isInteger(c.maxSyncMembers) &&
      c.maxSyncMembers > 0 &&
      c.maxSyncMembers <= MAX_SYNC_MEMBERS,
    `maxSyncMembers must be in [1, ${MAX_SYNC_MEMBERS}]`,
  );
  assert(
    Number.isInteger(c.maxSyncPagesPerRound) && c.maxSyncPagesPerRound >= 0,
    'maxSyncPagesPerRound must be a whole number',
  );
  positiveInteger(c.maxQueuedFacts, 'maxQueuedFacts');
  positiveInteger(c.fullMeshMax, 'fullMeshMax');
  positiveInteger(c.connectsPerRound, 'connectsPerRound');
  assert(
    Number.isInteger(c.activeViewExtra) && c.activeViewExtra >= 0,
    'activeViewExtra must be a whole number',
  );
  positiveInteger(c.activeViewMin, 'activeViewMin');
  assert(
    Number.isInteger(c.activeViewMax) && c.activeViewMax >= c.activeViewMin,
    'activeViewMax must be an integer at least activeViewMin',
  );
  assert(c.promoteTimeoutMs > 0, 'promoteTimeoutMs must be positive');
  assert(c.foundAfterMs >= 0, 'foundAfterMs must not be negative');
  assert(c.evictDeadAfterMs > 0, 'evictDeadAfterMs must be positive');
  assert(c.forgetAfterMs > 0, 'forgetAfterMs must be positive');
  assert(Number.isInteger(c.maxMembers) && c.maxMembers >= 2, 'maxMembers must be at least 2');
  positiveInteger(c.maxRelayedProbes, 'maxRelayedProbes');
  assert(c.loadMinIntervalMs >= 0, 'loadMinIntervalMs must not be negative');
  assert(c.loadChangeMin >= 0, 'loadChangeMin must not be negative');
  assert(
    Number.isInteger(c.maxAppFactsPerMember) && c.maxAppFactsPerMember >= 0,
    'maxAppFactsPerMember must be a whole number',
  );
  return c;
}
