import type { AgentId } from '../../core/base/ids';
import { replicaListName } from '../../core/agent/pbftGenesis';
import {
  announcedConfiguration,
  CONFIG_FACT_KEY,
  configFact,
  ReplicaChangePlanner,
  type ReplicaChange,
} from '../../core/agent/pbftReconfiguration';
import { PBFT_MAX_REPLICAS } from '../../core/wire/pbftMessages';
import type { Clock } from '../../host/ports';
import { PollingTimer } from '../../host/pollingTimer';
import { sha256Hex } from '../../host/sha256Hex';
import type { Critical, KnownConfiguration } from './critical';
import type { MembershipPort, ReplicaListBoard } from '../genesis/genesisDriver';
import { REPLICA_CHANGE_KIND, type ReplicaChangeResult } from './replicaChanges';

export interface ReconfigurationOptions {
  /** The set grows by live members up to this size (default 16, the most pBFT takes). */
  maxReplicas?: number;
  /**
   * A replica gone this long is voted out (default 30 s: longer than a reload, a freeze from the
   * dashboard or a short partition, each of which would otherwise cost two changes).
   */
  removeAfterMs?: number;
  /** A member alive this long is voted in while the set has room (default 3 s). */
  addAfterMs?: number;
}

export interface ReconfigurationDriverOptions extends ReconfigurationOptions {
  membership: MembershipPort;
  board: ReplicaListBoard;
  critical: Critical;
  clock: Clock;
  /** How often membership is read (default 500 ms). */
  everyMs?: number;
}

export const RECONFIGURATION_DEFAULTS = {
  maxReplicas: PBFT_MAX_REPLICAS,
  removeAfterMs: 30_000,
  addAfterMs: 3_000,
} as const;

/** A vote that failed (no quorum, a timeout) is tried again after this long. */
const RETRY_AFTER_MS = 2_000;

const text = new TextEncoder();
const nameOf = (replicas: readonly AgentId[]) =>
  replicaListName(replicas, (value) => sha256Hex(text.encode(value)));

/**
 * Keeps the replica set following the membership once it formed: every agent announces the
 * configuration it follows (and publishes its list); a replica votes, through pBFT, to remove
 * a replica the membership holds gone and to add a live member while the set has room; an
 * agent outside the set follows a newer configuration f + 1 replicas of its own announce, and
 * joins it by state transfer when it names this agent.
 */
export class ReconfigurationDriver {
  private readonly planner: ReplicaChangePlanner;
  private readonly timer: PollingTimer;
  private voting: string | null = null;
  /** Votes recorded by the replicated state, by epoch and change: not sent again. */
  private readonly cast = new Set<string>();
  private castEpoch = 0;
  private retryAtMs = 0;
  private announced: string | null = null;

  constructor(private readonly options: ReconfigurationDriverOptions) {
    this.timer = new PollingTimer(options.clock, options.everyMs ?? 500, () => this.poll());
    this.planner = new ReplicaChangePlanner({
      selfId: options.membership.selfId,
      maxReplicas: Math.min(
        PBFT_MAX_REPLICAS,
        options.maxReplicas ?? RECONFIGURATION_DEFAULTS.maxReplicas,
      ),
      removeAfterMs: options.removeAfterMs ?? RECONFIGURATION_DEFAULTS.removeAfterMs,
      addAfterMs: options.addAfterMs ?? RECONFIGURATION_DEFAULTS.addAfterMs,
    });
    options.critical.onConfiguration((known) => this.announce(known));
  }

  start(): void {
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }

  private poll(): void {
    const { critical } = this.options;
    const known = critical.configuration();
    if (known !== null) {
      this.announce(known);
      if (critical.currentRole !== 'joining') this.follow(known);
      if (critical.currentRole === 'replica') this.vote(known);
    }
  }

  private announce(known: KnownConfiguration): void {
    const fact = configFact(known.epoch, nameOf(known.replicas));
    if (fact === this.announced) return;
    this.announced = fact;
    this.options.board.publish(nameOf(known.replicas), known.replicas);
    this.options.membership.publishFact(CONFIG_FACT_KEY, fact);
  }

  private follow(known: KnownConfiguration): void {
    const { membership, board, critical } = this.options;
    const facts = new Map(
      known.replicas.map((id) => [id, membership.appFact(id, CONFIG_FACT_KEY)]),
    );
    const next = announcedConfiguration(known, facts, () => board.lists(), nameOf);
    if (next !== null) critical.follow({ epoch: next.epoch, replicas: [...next.replicas] });
  }

  private vote(known: KnownConfiguration): void {
    const { membership, critical, clock } = this.options;
    const nowMs = clock.nowMs();
    const change = this.planner.next({
      nowMs,
      replicas: known.replicas,
      members: membership.snapshot().members.map((m) => ({ id: m.id, status: m.status })),
      agreed: membership.agreedMembers(),
    });
    if (known.epoch !== this.castEpoch) {
      this.cast.clear();
      this.castEpoch = known.epoch;
    }
    if (change === null || this.voting !== null || nowMs < this.retryAtMs) return;
    const key = `${known.epoch}:${change.op}:${change.id}`;
    if (this.cast.has(key)) return;
    this.voting = key;
    critical.propose(voteAction(known.epoch, change)).then(
      ({ result }) => {
        this.voting = null;
        const status = (result as ReplicaChangeResult | null)?.status;
        if (status === 'voted' || status === 'applied') this.cast.add(key);
        else this.retryAtMs = clock.nowMs() + RETRY_AFTER_MS;
      },
      () => {
        this.voting = null;
        this.retryAtMs = clock.nowMs() + RETRY_AFTER_MS;
      },
    );
  }
}

function voteAction(epoch: number, change: ReplicaChange) {
  return change.op === 'add'
    ? { kind: REPLICA_CHANGE_KIND, epoch, add: change.id }
    : { kind: REPLICA_CHANGE_KIND, epoch, remove: change.id };
}
