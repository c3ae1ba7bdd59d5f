import type { AgentId } from '../base/ids';
import type { ProgressState } from './types';

/**
 * The leader's record of one follower (etcd-raft's Progress): what it is known to hold
 * (matchIndex), what to send next (nextIndex), and how to send it. `probe`: one append at a
 * time until a reply shows where the logs meet; `replicate`: stream appends, at most
 * maxInflight unanswered; `snapshot`: the log it needs is compacted, a snapshot is on its way.
 */
export class Progress {
  matchIndex = 0;
  nextIndex: number;
  state: ProgressState = 'probe';
  /** Probe: an append is out and unanswered since the last heartbeat. */
  probeSent = false;
  /** Replicate: last index of each unanswered append, oldest first. */
  inflight: number[] = [];
  /** When the oldest unanswered append went out. */
  oldestInflightSentMs = 0;
  /** The highest heartbeat round it acknowledged (ReadIndex). */
  ackedRound = 0;
  /** Heard from since the last check-quorum. */
  active = true;
  /** Snapshot: the snapshot's index and the offset of the next chunk to send. */
  snapshotIndex = 0;
  snapshotOffset = 0;

  constructor(
    readonly peer: AgentId,
    lastIndex: number,
    /** When the leader last heard from it (at first: when the record began). */
    public heardMs: number,
  ) {
    this.nextIndex = lastIndex + 1;
  }

  becomeProbe(): void {
    this.state = 'probe';
    this.probeSent = false;
    this.inflight = [];
    this.nextIndex = this.matchIndex + 1;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.inflight = [];
    this.nextIndex = this.matchIndex + 1;
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.inflight = [];
    this.snapshotIndex = index;
    this.snapshotOffset = 0;
  }

  /** The follower holds everything up to `index`: frees the appends that carried it. */
  acknowledge(index: number): boolean {
    let i = 0;
    while (i < this.inflight.length && (this.inflight[i] as number) <= index) i++;
    if (i > 0) {
      this.inflight.splice(0, i);
      // The next one out was sent after the one just answered; close enough for loss detection.
      if (this.inflight.length > 0) this.oldestInflightSentMs = this.lastAckMs;
    }
    if (index <= this.matchIndex) return false;
    this.matchIndex = index;
    if (this.nextIndex <= index) this.nextIndex = index + 1;
    return true;
  }

  /** Set by the leader before `acknowledge`: the time of the reply. */
  lastAckMs = 0;

  /** Records an append sent at `nowMs` that carries entries up to `last`. */
  sent(last: number, nowMs: number): void {
    if (this.inflight.length === 0) this.oldestInflightSentMs = nowMs;
    this.inflight.push(last);
    this.nextIndex = last + 1;
  }

  canSend(maxInflight: number): boolean {
    if (this.state === 'probe') return !this.probeSent;
    if (this.state === 'replicate') return this.inflight.length < maxInflight;
    return false;
  }
}
