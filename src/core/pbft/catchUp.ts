import type { AgentId } from '../base/ids';
import type {
  PbftBatchMessage,
  PbftEntriesMessage,
  PbftEntriesRequestMessage,
  PbftStateMessage,
} from '../wire/pbftMessages';
import { batchDigest, requestWireBytes } from './batch';
import { parseStateText, type Execution } from './execution';
import { checkCheckpointCertificate } from './proofs';
import type { Reconfiguration } from './reconfiguration';
import type { ReplicaState } from './replicaState';

const encoder = new TextEncoder();

/**
 * How a replica that missed messages gets back (Castro-Liskov 4.4 "fetching", 6.2 "state
 * transfer"): batches a new view named, by digest (any copy that hashes right will do); the
 * batches executed after its last one, taken once f + 1 replicas name the same digest (one of
 * them is honest); and, when those were garbage-collected, a stable checkpoint's state,
 * proven by a quorum certificate and its digest.
 */
export class CatchUp {
  constructor(
    private readonly s: ReplicaState,
    private readonly execution: Execution,
    private readonly reconfiguration: Reconfiguration,
    private readonly onBatchArrived: (digest: string) => void,
  ) {}

  /**
   * States above this are of use: above the last executed one, or, while the epoch closes, the
   * state at the change itself (its stable checkpoint ends the epoch).
   */
  private stateWantedAbove(): number {
    const s = this.s;
    return s.closing !== null ? s.closing.seq - 1 : s.lastExecutedSeq;
  }

  /** A joiner, at the catch-up pace: asks every replica of its set for its stable state. */
  askToJoin(): void {
    const s = this.s;
    if (s.nowMs - s.catchUp.askedAtMs < s.config.catchUpAfterMs) return;
    s.catchUp.askedAtMs = s.nowMs;
    s.broadcast({ type: 'pbft-state-request', aboveSeq: this.stateWantedAbove() });
  }

  fetchBatch(digest: string): void {
    const s = this.s;
    if (s.batches.get(digest) !== undefined) return this.onBatchArrived(digest);
    if (s.wantedBatches.has(digest)) return;
    s.wantedBatches.set(digest, s.nowMs);
    s.broadcast({ type: 'pbft-batch-request', digest });
  }

  onBatchRequest(from: AgentId, digest: string): void {
    const requests = this.s.batches.get(digest);
    if (requests !== undefined) this.s.send([from], { type: 'pbft-batch', digest, requests });
  }

  onBatch(msg: PbftBatchMessage): void {
    const s = this.s;
    if (!s.wantedBatches.has(msg.digest)) return;
    if (batchDigest(msg.requests, s.digestOf) !== msg.digest) return s.reject('digest-mismatch');
    s.wantedBatches.delete(msg.digest);
    s.batches.put(msg.digest, msg.requests);
    this.onBatchArrived(msg.digest);
  }

  /**
   * On a tick: work is pending (or peers named later sequence numbers) and nothing ran for a
   * while; ask everyone what they executed next, and one replica (in turn) for its state.
   */
  maybeAsk(): void {
    const s = this.s;
    const behind =
      s.highestSeenSeq > s.lastExecutedSeq ||
      s.checkpoints.highestClaimed(s.set.f + 1) > s.lastExecutedSeq;
    const waiting = behind || s.wantedBatches.size > 0;
    if (!waiting) return;
    const quietFor = s.nowMs - Math.max(s.lastProgressMs, s.catchUp.askedAtMs);
    if (quietFor < s.config.catchUpAfterMs) return;
    this.ask();
  }

  /** Asks at once: a quorum certified a checkpoint this replica has not reached. */
  ask(): void {
    const s = this.s;
    s.catchUp.askedAtMs = s.nowMs;
    for (const digest of s.wantedBatches.keys())
      s.broadcast({ type: 'pbft-batch-request', digest });
    this.askEntries();
    const others = s.set.others(s.self);
    if (others.length === 0) return;
    const target = others[s.catchUp.stateTurn++ % others.length] as AgentId;
    s.send([target], { type: 'pbft-state-request', aboveSeq: this.stateWantedAbove() });
  }

  /**
   * A replica came within reach: ask it what it executed after this one and for its stable
   * state if newer, so a replica that was cut off or restarted catches up even when no new
   * request arrives to show it is behind. The entries count once f + 1 peers sent them.
   */
  onPeerUp(peer: AgentId): void {
    const s = this.s;
    if (!s.set.has(peer) || peer === s.self) return;
    s.send([peer], {
      type: 'pbft-entries-request',
      fromSeq: s.lastExecutedSeq + 1,
      count: s.config.watermarkWindow,
    });
    s.send([peer], { type: 'pbft-state-request', aboveSeq: this.stateWantedAbove() });
  }

  private askEntries(): void {
    const s = this.s;
    s.broadcast({
      type: 'pbft-entries-request',
      fromSeq: s.lastExecutedSeq + 1,
      count: s.config.watermarkWindow,
    });
  }

  /**
   * Checkpoint messages are sent once; one lost can hold the low watermark (and with it the
   * primary, at the high one) forever. While this replica's newest checkpoint is not stable,
   * it sends it again at the catch-up pace.
   */
  resendCheckpoint(): void {
    const s = this.s;
    if (s.nowMs - s.checkpointSentAtMs < s.config.catchUpAfterMs) return;
    let newest = -1;
    for (const seq of s.checkpoints.own.keys()) if (seq > newest) newest = seq;
    const own = s.checkpoints.own.get(newest);
    if (own === undefined) return;
    s.checkpointSentAtMs = s.nowMs;
    s.broadcast({
      type: 'pbft-checkpoint',
      seq: newest,
      stateDigest: own.stateDigest,
      replica: s.self,
      sig: '',
    });
  }

  onEntriesRequest(from: AgentId, msg: PbftEntriesRequestMessage): void {
    const s = this.s;
    if (!s.set.has(from)) return s.reject('not-a-replica');
    const entries: PbftEntriesMessage['entries'] = [];
    let bytes = 0;
    const last = Math.min(s.lastExecutedSeq, msg.fromSeq + msg.count - 1);
    for (let seq = Math.max(msg.fromSeq, s.lowWatermark + 1); seq <= last; seq++) {
      const slot = s.log.get(seq);
      if (slot === undefined || !slot.executed || slot.requests === null) break;
      const cost = slot.requests.reduce((sum, r) => sum + requestWireBytes(r), 64);
      if (entries.length > 0 && bytes + cost > s.config.maxBatchBytes * 4) break;
      bytes += cost;
      entries.push({ seq, digest: slot.committedDigest as string, requests: slot.requests });
    }
    if (entries.length > 0) s.send([from], { type: 'pbft-entries', entries });
  }

  onEntries(from: AgentId, msg: PbftEntriesMessage): void {
    const s = this.s;
    if (!s.set.has(from)) return s.reject('not-a-replica');
    for (const entry of msg.entries) {
      if (
        entry.seq <= s.lastExecutedSeq ||
        entry.seq > s.lastExecutedSeq + s.config.watermarkWindow
      ) {
        continue;
      }
      if (batchDigest(entry.requests, s.digestOf) !== entry.digest)
        return s.reject('digest-mismatch');
      s.batches.put(entry.digest, entry.requests);
      let claims = s.catchUp.claims.get(entry.seq);
      if (claims === undefined) s.catchUp.claims.set(entry.seq, (claims = new Map()));
      claims.set(from, entry.digest);
    }
    this.applyClaims();
  }

  /** Takes each next batch that f + 1 replicas say they executed, and runs it. */
  private applyClaims(): void {
    const s = this.s;
    const before = s.lastExecutedSeq;
    for (;;) {
      const seq = s.lastExecutedSeq + 1;
      const claims = s.catchUp.claims.get(seq);
      if (claims === undefined) break;
      const digest = agreedDigest(claims, s.set.f + 1);
      const requests = digest === null ? undefined : s.batches.get(digest);
      if (digest === null || requests === undefined) break;
      const slot = s.log.open(seq, s.log.get(seq)?.view ?? s.view, s.nowMs);
      if (!slot.committed) {
        slot.committed = true;
        s.durable.touchSlot(slot);
        slot.committedDigest = digest;
        slot.requests = requests;
      }
      s.catchUp.claims.delete(seq);
      this.execution.executeReady();
      if (s.lastExecutedSeq < seq) break;
    }
    for (const seq of [...s.catchUp.claims.keys()])
      if (seq <= s.lastExecutedSeq) s.catchUp.claims.delete(seq);
    if (s.lastExecutedSeq > before) s.emit({ type: 'pbft-caught-up', seq: s.lastExecutedSeq });
  }

  /**
   * A replica of this set, or of the one before (a laggard that has not reached the change,
   * and may have been left out by it), asks for the stable state.
   */
  onStateRequest(from: AgentId, aboveSeq: number): void {
    const s = this.s;
    if (!s.set.has(from) && s.previousSet?.has(from) !== true) return s.reject('not-a-replica');
    const stable = s.checkpoints.stable;
    if (stable.seq <= aboveSeq || stable.snapshot === null || stable.seq === 0) return;
    s.send([from], {
      type: 'pbft-state',
      seq: stable.seq,
      stateDigest: stable.stateDigest,
      snapshot: stable.snapshot,
      checkpoints: stable.certificate,
      replica: s.self,
      sig: '',
    });
  }

  /**
   * A stable state from a replica: taken when a quorum certificate of this set proves it, or
   * once f + 1 replicas of this set sent the same one (an epoch's base has no certificate, and
   * a replica an epoch behind cannot check the newer set's): one of them is correct.
   */
  onState(from: AgentId, msg: PbftStateMessage): void {
    const s = this.s;
    // A closing replica executed the change but may have missed the checkpoints that end the
    // epoch (the others moved on and send them no more): the state at the change ends it too.
    const closes = s.closing !== null && msg.seq === s.closing.seq;
    if (msg.seq <= s.lastExecutedSeq && !closes) return;
    if (!s.set.has(msg.replica)) return s.reject('not-a-replica');
    if (s.digestOf(encoder.encode(msg.snapshot)) !== msg.stateDigest) return s.reject('bad-state');
    const certified =
      checkCheckpointCertificate(s.set, msg.seq, msg.stateDigest, msg.checkpoints) === null;
    if (!certified && !this.vouched(msg)) return;
    const parsed = parseStateText(msg.snapshot);
    if (parsed === null) return s.reject('bad-state');
    // A joiner waits for a state of the epoch that added it, not an older one.
    if (s.joining && (parsed.config?.epoch ?? 0) < s.configuration.epoch) return;
    if (!s.clients.restore(parsed.clients)) return s.reject('bad-state');
    s.app.restore(parsed.app);
    s.lastExecutedSeq = msg.seq;
    s.lastProgressMs = s.nowMs;
    s.stats.stateTransfers++;
    s.stateClaims.clear();
    s.pending.prune((r) => s.clients.status(r.client, r.reqNo) !== 'new');
    const stable = {
      seq: msg.seq,
      stateDigest: msg.stateDigest,
      certificate: msg.checkpoints,
      snapshot: msg.snapshot,
    };
    this.reconfiguration.installed(parsed.config, stable);
    // The timed request may have come in with the state: time another one, or none.
    s.restartRequestTimer(false);
    this.execution.makeStable(stable);
    s.emit({ type: 'pbft-state-transferred', seq: msg.seq, from });
    this.execution.executeReady();
    // Entries already gathered for the numbers after the checkpoint can run now; then ask
    // what was executed after it (a joiner has seen nothing that would tell it).
    this.applyClaims();
    this.askEntries();
  }

  /** Keeps the state as one replica's claim; true once f + 1 replicas claim the same one. */
  private vouched(msg: PbftStateMessage): boolean {
    const s = this.s;
    s.stateClaims.set(msg.replica, {
      seq: msg.seq,
      stateDigest: msg.stateDigest,
      snapshot: msg.snapshot,
    });
    let matching = 0;
    for (const claim of s.stateClaims.values()) {
      if (claim.seq === msg.seq && claim.stateDigest === msg.stateDigest) matching++;
    }
    return matching >= s.set.f + 1;
  }
}

function agreedDigest(claims: Map<AgentId, string>, needed: number): string | null {
  const counts = new Map<string, number>();
  for (const digest of claims.values()) {
    const count = (counts.get(digest) ?? 0) + 1;
    if (count >= needed) return digest;
    counts.set(digest, count);
  }
  return null;
}
