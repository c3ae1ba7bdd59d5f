import type { AgentId } from '../base/ids';
import type {
  PbftCommitMessage,
  PbftPrePrepareMessage,
  PbftPrepareMessage,
  PbftRequest,
  PbftRequestMessage,
} from '../wire/pbftMessages';
import { batchDigest, requestKey } from './batch';
import type { ReplicaState } from './replicaState';
import type { Slot } from './slotLog';

/**
 * The normal case (Castro-Liskov 4.2): requests, pre-prepare, prepare, commit. A slot is
 * prepared with the primary's header and quorum - 1 matching prepares of backups, committed
 * with a quorum of matching commits; execution follows in sequence order (execution.ts).
 */
export class NormalCase {
  constructor(
    private readonly s: ReplicaState,
    private readonly onCommitted: () => void,
    private readonly onEquivocation: (slot: Slot, other: PbftPrePrepareMessage) => void,
  ) {}

  /** A client's request: held until executed; the primary orders it, backups time it. */
  onRequest(from: AgentId, msg: PbftRequestMessage): void {
    const s = this.s;
    const { type: _type, ...request } = msg;
    const status = s.clients.status(request.client, request.reqNo);
    if (status === 'executed') {
      // A client asking again gets the cached reply (its first one may have been lost).
      const done = s.clients.result(request.client, request.reqNo);
      if (done !== undefined && from === request.client) {
        s.send([request.client], {
          type: 'pbft-reply',
          view: s.view,
          seq: done.seq,
          reqNo: request.reqNo,
          result: done.result,
        });
      }
      return;
    }
    if (status === 'stale') return s.reject('stale-request');
    const added = s.pending.add(request, s.nowMs);
    if (added === 'client-rate' || added === 'pending-full') return s.reject(added);
    if (added === 'added') s.startRequestTimer(requestKey(request.client, request.reqNo));
    this.propose();
  }

  /** The primary fills the pipeline: batches while slots are free inside the watermarks. */
  propose(): void {
    const s = this.s;
    // A closing epoch orders nothing more: the next one orders what is pending.
    if (!s.isPrimary || s.closing !== null) return;
    const { maxInFlightBatches, maxBatchRequests, maxBatchBytes } = s.config;
    while (s.nextSeq - 1 - s.lastExecutedSeq < maxInFlightBatches && s.nextSeq <= s.highWatermark) {
      const batch = s.pending.takeBatch(maxBatchRequests, maxBatchBytes, s.inFlight);
      if (batch.length === 0) return;
      this.prePrepare(s.nextSeq++, batch);
    }
  }

  /** The primary orders `requests` at `seq` in its view. */
  prePrepare(seq: number, requests: PbftRequest[]): void {
    const s = this.s;
    const digest = batchDigest(requests, s.digestOf);
    const msg: PbftPrePrepareMessage = {
      type: 'pbft-pre-prepare',
      view: s.view,
      seq,
      digest,
      replica: s.self,
      sig: '',
      requests,
    };
    for (const r of requests) s.inFlight.add(requestKey(r.client, r.reqNo));
    s.batches.put(digest, requests);
    const slot = s.log.open(seq, s.view, s.nowMs);
    this.accept(slot, msg);
    s.broadcast(msg);
    this.checkPrepared(slot);
  }

  onPrePrepare(from: AgentId, msg: PbftPrePrepareMessage): void {
    const s = this.s;
    if (msg.seq > s.lastExecutedSeq) s.noteAhead(msg.replica, msg.seq);
    if (s.status !== 'normal' || msg.view !== s.view) return s.reject('wrong-view');
    if (msg.replica !== s.primary) return s.reject('not-primary');
    if (msg.seq <= s.lowWatermark || msg.seq > s.highWatermark) {
      return s.reject('outside-watermarks');
    }
    if (batchDigest(msg.requests, s.digestOf) !== msg.digest) return s.reject('digest-mismatch');
    this.noteSeq(msg.seq);
    const slot = s.log.open(msg.seq, s.view, s.nowMs);
    if (slot.header !== null) {
      if (slot.header.digest !== msg.digest) {
        s.reject('conflicting-pre-prepare');
        this.onEquivocation(slot, msg);
      }
      return;
    }
    void from;
    this.accept(slot, msg);
    s.batches.put(msg.digest, msg.requests);
    // Requests ordered here start the backups' timers even if the client's copy was lost.
    for (const r of msg.requests) {
      if (s.clients.status(r.client, r.reqNo) === 'new' && s.pending.add(r, s.nowMs) === 'added') {
        s.startRequestTimer(requestKey(r.client, r.reqNo));
      }
    }
    this.sendPrepare(slot);
    this.checkPrepared(slot);
  }

  /** Takes a header (a pre-prepare's, or one a new view carries) into a slot of this view. */
  accept(
    slot: Slot,
    header: Omit<PbftPrePrepareMessage, 'type' | 'requests'> & { requests?: PbftRequest[] | null },
  ): void {
    const s = this.s;
    slot.header = {
      view: header.view,
      seq: header.seq,
      digest: header.digest,
      replica: header.replica,
      sig: header.sig,
    };
    if (!slot.committed) slot.requests = header.requests ?? s.batches.get(header.digest) ?? null;
    slot.sentAtMs = s.nowMs;
    s.durable.touchSlot(slot);
    s.emit({
      type: 'pbft-phase',
      seq: slot.seq,
      view: slot.view,
      phase: 'pre-prepared',
      digest: header.digest,
    });
  }

  sendPrepare(slot: Slot): void {
    const s = this.s;
    const header = slot.header;
    if (header === null || slot.sentPrepare || header.replica === s.self) return;
    const vote = {
      view: slot.view,
      seq: slot.seq,
      digest: header.digest,
      replica: s.self,
      sig: '',
    };
    slot.prepares.set(s.self, vote);
    slot.sentPrepare = true;
    s.durable.touchSlot(slot);
    s.broadcast({ type: 'pbft-prepare', ...vote });
  }

  onPrepare(from: AgentId, msg: PbftPrepareMessage): void {
    const s = this.s;
    if (msg.seq > s.lastExecutedSeq) s.noteAhead(msg.replica, msg.seq);
    if (s.status !== 'normal' || msg.view !== s.view) return s.reject('wrong-view');
    if (!s.set.has(msg.replica)) return s.reject('not-a-replica');
    if (msg.replica === s.primary) return s.reject('not-primary');
    if (msg.seq <= s.lowWatermark || msg.seq > s.highWatermark) {
      return s.reject('outside-watermarks');
    }
    const slot = s.log.open(msg.seq, s.view, s.nowMs);
    if (slot.prepares.has(msg.replica)) return;
    const { type: _type, ...vote } = msg;
    slot.prepares.set(msg.replica, vote);
    const header = slot.header;
    if (header !== null && header.digest !== msg.digest && !slot.answeredConflicts.has(from)) {
      // The sender prepared another digest: show it the header this replica got. If the primary
      // signed both, the sender now holds the proof (normalCase -> onEquivocation).
      slot.answeredConflicts.add(from);
      if (slot.requests !== null) {
        s.send([from], { type: 'pbft-pre-prepare', ...header, requests: slot.requests });
      }
    }
    this.checkPrepared(slot);
  }

  onCommit(from: AgentId, msg: PbftCommitMessage): void {
    const s = this.s;
    if (msg.seq > s.lastExecutedSeq) s.noteAhead(from, msg.seq);
    if (s.status !== 'normal' || msg.view !== s.view) return s.reject('wrong-view');
    if (!s.set.has(from)) return s.reject('not-a-replica');
    if (msg.seq <= s.lowWatermark || msg.seq > s.highWatermark) {
      return s.reject('outside-watermarks');
    }
    const slot = s.log.open(msg.seq, s.view, s.nowMs);
    if (slot.commits.has(from)) return;
    slot.commits.set(from, msg.digest);
    this.checkCommitted(slot);
  }

  /** Prepared: header, batch and quorum - 1 matching prepares from backups; then commit. */
  checkPrepared(slot: Slot): void {
    const s = this.s;
    const header = slot.header;
    if (slot.prepared || header === null || slot.requests === null) return;
    const matching = [...slot.prepares.values()].filter(
      (v) => v.digest === header.digest && v.replica !== header.replica,
    );
    if (matching.length < s.set.quorum - 1) return;
    slot.prepared = true;
    // The commit phase gets its own retransmissions.
    slot.resends = 0;
    slot.sentAtMs = s.nowMs;
    s.durable.touchSlot(slot);
    slot.proof = { header, prepares: matching.slice(0, s.set.quorum - 1) };
    s.emit({
      type: 'pbft-phase',
      seq: slot.seq,
      view: slot.view,
      phase: 'prepared',
      digest: header.digest,
    });
    if (!slot.sentCommit) {
      slot.sentCommit = true;
      slot.commits.set(s.self, header.digest);
      s.broadcast({ type: 'pbft-commit', view: slot.view, seq: slot.seq, digest: header.digest });
    }
    this.checkCommitted(slot);
  }

  /** Committed-local: prepared, and a quorum of commits for the same digest. */
  checkCommitted(slot: Slot): void {
    const s = this.s;
    const header = slot.header;
    if (slot.committed || !slot.prepared || header === null) return;
    let matching = 0;
    for (const digest of slot.commits.values()) if (digest === header.digest) matching++;
    if (matching < s.set.quorum) return;
    slot.committed = true;
    s.durable.touchSlot(slot);
    slot.committedDigest = header.digest;
    s.emit({
      type: 'pbft-phase',
      seq: slot.seq,
      view: slot.view,
      phase: 'committed',
      digest: header.digest,
    });
    this.onCommitted();
  }

  /**
   * Loss recovery: an uncommitted slot's own messages go again, a few times per phase; beyond
   * that a lagging replica catches up (catchUp.ts) or the request timer changes the view.
   */
  retransmit(maxResends: number): void {
    const s = this.s;
    if (s.status !== 'normal') return;
    for (const slot of s.log.values()) {
      if (slot.committed || slot.view !== s.view || slot.header === null) continue;
      if (slot.resends >= maxResends || s.nowMs - slot.sentAtMs < s.config.retransmitMs) continue;
      slot.resends++;
      slot.sentAtMs = s.nowMs;
      const header = slot.header;
      const others = s.set.others(s.self);
      // A backup's prepare proves it has the pre-prepare; a commit proves its sender prepared.
      // Nothing proves a replica got this one's own votes: they go to everyone left to convince.
      if (header.replica === s.self && slot.requests !== null) {
        const without = others.filter((id) => !slot.prepares.has(id));
        s.send(without, { type: 'pbft-pre-prepare', ...header, requests: slot.requests });
      }
      const own = slot.prepares.get(s.self);
      if (own !== undefined) {
        // The primary too: it needs quorum - 1 backups' prepares before it commits.
        const unprepared = others.filter((id) => !slot.commits.has(id));
        s.send(unprepared, { type: 'pbft-prepare', ...own });
      }
      if (slot.sentCommit) {
        s.send(others, {
          type: 'pbft-commit',
          view: slot.view,
          seq: slot.seq,
          digest: header.digest,
        });
      }
    }
  }

  private noteSeq(seq: number): void {
    if (seq > this.s.highestSeenSeq) this.s.highestSeenSeq = seq;
  }
}
