import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import {
  PBFT_MAX_ACTION_BYTES,
  type PbftMessage,
  type PbftReplyMessage,
} from '../wire/pbftMessages';
import { ReplicaSet } from './replicaSet';

export type ProposalError = 'no-quorum' | 'timeout' | 'too-large' | 'busy';

export interface PbftClientConfig {
  selfId: AgentId;
  replicas: readonly AgentId[];
  /** The first request number; the host starts it from its clock so numbers grow across reloads. */
  firstReqNo: number;
  /** A proposal without f + 1 matching replies by then fails with `timeout`. */
  proposalTimeoutMs: number;
  /** Replicas that did not reply get the request again this often. */
  resendMs: number;
  /**
   * With fewer than a quorum of replicas reachable, new proposals fail `no-quorum` at once and
   * outstanding ones after this long (they were sent and may still commit if the quorum
   * returns in time; after it, their outcome is unknown to this client).
   */
  noQuorumGraceMs: number;
  /** Proposals waiting for their result at once; more fail `busy`. */
  maxOutstanding: number;
  /**
   * A new request number stays within this many of the oldest one still waiting; past it new
   * proposals fail `busy`. It must not exceed the replicas' `clientWindow`: their reply cache
   * keeps that many executed numbers per client, and a waiting request older than all of them
   * would count as a replay and never execute.
   */
  maxRequestSpan: number;
}

export const DEFAULT_PBFT_CLIENT = {
  proposalTimeoutMs: 10_000,
  resendMs: 1000,
  noQuorumGraceMs: 1500,
  maxOutstanding: 64,
  maxRequestSpan: 64,
};

export type PbftClientEvent =
  | { type: 'proposal-committed'; reqNo: number; seq: number; view: number; result: string }
  | { type: 'proposal-failed'; reqNo: number; error: ProposalError };

export type PbftClientEffect =
  { kind: 'send'; to: AgentId[]; msg: PbftMessage } | { kind: 'event'; event: PbftClientEvent };

interface Outstanding {
  action: string;
  startedMs: Millis;
  resendAtMs: Millis;
  /** Each replica's reply: seq and result. */
  replies: Map<AgentId, { seq: number; view: number; result: string }>;
}

/**
 * The client side (Castro-Liskov 4.1): sends a signed request to every replica and accepts the
 * result f + 1 replicas report alike, since at most f lie. Pure, like the replica.
 */
export class PbftClient {
  private set: ReplicaSet;
  private nextReqNo: number;
  private readonly outstanding = new Map<number, Outstanding>();
  /** Since when fewer than a quorum of replicas are reachable, or null while a quorum is. */
  private noQuorumSinceMs: Millis | null = null;
  private effects: PbftClientEffect[] = [];
  private readonly config: PbftClientConfig;

  constructor(
    config: Partial<PbftClientConfig> &
      Pick<PbftClientConfig, 'selfId' | 'replicas' | 'firstReqNo'>,
  ) {
    this.config = { ...DEFAULT_PBFT_CLIENT, ...config };
    this.set = new ReplicaSet(config.replicas);
    this.nextReqNo = config.firstReqNo;
  }

  /** The request number the next proposal will get. */
  get nextRequestNumber(): number {
    return this.nextReqNo;
  }

  get pending(): number {
    return this.outstanding.size;
  }

  get replicas(): readonly AgentId[] {
    return this.set.ids;
  }

  /**
   * A committed change named another replica set: replies count from its replicas only, and
   * each waiting request goes to those not heard from (a joiner, or a replica that had not
   * reached the change yet, answers from its cached reply).
   */
  reconfigure(replicas: readonly AgentId[]): PbftClientEffect[] {
    this.set = new ReplicaSet(replicas);
    for (const [reqNo, entry] of this.outstanding) {
      for (const id of [...entry.replies.keys()]) if (!this.set.has(id)) entry.replies.delete(id);
      const silent = this.set.ids.filter((id) => !entry.replies.has(id));
      this.sendRequest(reqNo, entry.action, silent);
    }
    return this.take();
  }

  /** Sends `action` (JSON text) for ordering; the result comes as an event with the reqNo. */
  propose(action: string, nowMs: Millis): { reqNo: number; effects: PbftClientEffect[] } {
    const reqNo = this.nextReqNo++;
    const bytes = new TextEncoder().encode(action).length;
    if (bytes > PBFT_MAX_ACTION_BYTES) return { reqNo, effects: [this.failed(reqNo, 'too-large')] };
    if (
      this.outstanding.size >= this.config.maxOutstanding ||
      reqNo - this.oldestWaiting(reqNo) >= this.config.maxRequestSpan
    ) {
      return { reqNo, effects: [this.failed(reqNo, 'busy')] };
    }
    // Known to be on a side without a quorum: the request is not sent at all, so it cannot
    // commit later, after a heal, behind the caller's back.
    if (this.noQuorumSinceMs !== null) return { reqNo, effects: [this.failed(reqNo, 'no-quorum')] };
    this.outstanding.set(reqNo, {
      action,
      startedMs: nowMs,
      resendAtMs: nowMs + this.config.resendMs,
      replies: new Map(),
    });
    this.sendRequest(reqNo, action, [...this.set.ids]);
    return { reqNo, effects: this.take() };
  }

  onReply(from: AgentId, msg: PbftReplyMessage): PbftClientEffect[] {
    const entry = this.outstanding.get(msg.reqNo);
    if (entry === undefined || !this.set.has(from)) return [];
    entry.replies.set(from, { seq: msg.seq, view: msg.view, result: msg.result });
    const agreeing = [...entry.replies.values()].filter(
      (r) => r.seq === msg.seq && r.result === msg.result,
    );
    if (agreeing.length >= this.set.f + 1) {
      this.outstanding.delete(msg.reqNo);
      const view = Math.max(...agreeing.map((r) => r.view));
      this.effects.push({
        kind: 'event',
        event: {
          type: 'proposal-committed',
          reqNo: msg.reqNo,
          seq: msg.seq,
          view,
          result: msg.result,
        },
      });
    }
    return this.take();
  }

  /** How many replicas this agent reaches now (from the membership's reach). */
  setReachable(reachableReplicas: number, nowMs: Millis): PbftClientEffect[] {
    if (reachableReplicas >= this.set.quorum) this.noQuorumSinceMs = null;
    else this.noQuorumSinceMs ??= nowMs;
    return this.tick(nowMs);
  }

  tick(nowMs: Millis): PbftClientEffect[] {
    const noQuorum =
      this.noQuorumSinceMs !== null && nowMs - this.noQuorumSinceMs >= this.config.noQuorumGraceMs;
    for (const [reqNo, entry] of [...this.outstanding]) {
      if (noQuorum || nowMs - entry.startedMs >= this.config.proposalTimeoutMs) {
        this.outstanding.delete(reqNo);
        this.effects.push(this.failed(reqNo, noQuorum ? 'no-quorum' : 'timeout'));
        continue;
      }
      if (nowMs >= entry.resendAtMs) {
        entry.resendAtMs = nowMs + this.config.resendMs;
        const silent = this.set.ids.filter((id) => !entry.replies.has(id));
        this.sendRequest(reqNo, entry.action, silent);
      }
    }
    return this.take();
  }

  nextWakeMs(): Millis | null {
    let next: Millis | null = null;
    for (const entry of this.outstanding.values()) {
      const at = Math.min(entry.resendAtMs, entry.startedMs + this.config.proposalTimeoutMs);
      if (next === null || at < next) next = at;
    }
    if (next !== null && this.noQuorumSinceMs !== null) {
      next = Math.min(next, this.noQuorumSinceMs + this.config.noQuorumGraceMs);
    }
    return next;
  }

  /** The oldest request number still waiting for its result, or `otherwise` when none is. */
  private oldestWaiting(otherwise: number): number {
    // Requests are kept in the order they were made: the first one is the oldest.
    const first = this.outstanding.keys().next();
    return first.done === true ? otherwise : first.value;
  }

  private sendRequest(reqNo: number, action: string, to: AgentId[]): void {
    this.effects.push({
      kind: 'send',
      to,
      msg: { type: 'pbft-request', client: this.config.selfId, reqNo, action, sig: '' },
    });
  }

  private failed(reqNo: number, error: ProposalError): PbftClientEffect {
    return { kind: 'event', event: { type: 'proposal-failed', reqNo, error } };
  }

  private take(): PbftClientEffect[] {
    const effects = this.effects;
    this.effects = [];
    return effects;
  }
}
