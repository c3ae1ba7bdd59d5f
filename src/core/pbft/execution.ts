import type { AgentId } from '../base/ids';
import type { PbftCheckpointMessage, PbftRequest } from '../wire/pbftMessages';
import { actionKind, requestKey } from './batch';
import type { StableCheckpoint } from './checkpoints';
import { parseConfiguration, type PbftConfiguration } from './epochs';
import type { ReplicaState } from './replicaState';

const encoder = new TextEncoder();

/**
 * Execution strictly in sequence order, replies, checkpoints and garbage collection
 * (Castro-Liskov 4.1, 4.3). A committed slot runs once every slot below it ran.
 */
export class Execution {
  constructor(
    private readonly s: ReplicaState,
    /** After executing: the primary may have room in its pipeline again. */
    private readonly afterExecute: () => void,
    /** A quorum certified a checkpoint this replica has not reached: fetch the state. */
    private readonly onBehind: () => void,
    /** The epoch's end: after each batch (true: it named another set), after each stable checkpoint. */
    private readonly epochs: {
      afterBatch(seq: number): boolean;
      afterStable(stable: StableCheckpoint): void;
    },
  ) {}

  executeReady(): void {
    const s = this.s;
    let ran = false;
    // A closing epoch runs nothing above the change.
    while (s.closing === null) {
      const slot = s.log.get(s.lastExecutedSeq + 1);
      if (slot === undefined || !slot.committed || slot.executed || slot.requests === null) break;
      slot.executed = true;
      s.lastExecutedSeq = slot.seq;
      this.runBatch(slot.seq, slot.view, slot.committedDigest as string, slot.requests);
      ran = true;
      // The change checkpoints here, whatever the interval; the epoch closes on it.
      if (this.epochs.afterBatch(slot.seq)) continue;
      if (slot.seq % s.config.checkpointInterval === 0) this.takeCheckpoint(slot.seq);
    }
    if (!ran) return;
    s.lastProgressMs = s.nowMs;
    s.failedViewChanges = 0;
    s.restartRequestTimer(false);
    this.afterExecute();
  }

  /** Runs one batch: new requests are applied and replied to; repeats get the cached reply. */
  runBatch(seq: number, view: number, digest: string, requests: readonly PbftRequest[]): void {
    const s = this.s;
    const done: { client: AgentId; reqNo: number; kind: string; duplicate: boolean }[] = [];
    for (const r of requests) {
      const key = requestKey(r.client, r.reqNo);
      s.inFlight.delete(key);
      s.pending.remove(r.client, r.reqNo);
      const kind = actionKind(r.action);
      if (s.clients.status(r.client, r.reqNo) !== 'new') {
        done.push({ client: r.client, reqNo: r.reqNo, kind, duplicate: true });
        continue;
      }
      const result = s.app.apply(r.action, r.client, seq);
      s.clients.record(r.client, r.reqNo, seq, result);
      s.stats.executedRequests++;
      done.push({ client: r.client, reqNo: r.reqNo, kind, duplicate: false });
      s.send([r.client], { type: 'pbft-reply', view, seq, reqNo: r.reqNo, result });
    }
    s.batches.put(digest, [...requests]);
    s.emit({ type: 'pbft-executed', seq, view, digest, requests: done });
  }

  /** The replicated state as text: the application's, the client table's, the configuration. */
  stateText(): string {
    const s = this.s;
    return JSON.stringify({
      clients: s.clients.snapshot(),
      app: s.app.snapshot(),
      // The state after a change names the configuration it starts.
      config: s.closing?.configuration ?? s.configuration,
    });
  }

  takeCheckpoint(seq: number): void {
    const s = this.s;
    const snapshot = this.stateText();
    const stateDigest = s.digestOf(encoder.encode(snapshot));
    s.checkpoints.own.set(seq, { snapshot, stateDigest });
    const checkpoint = { seq, stateDigest, replica: s.self, sig: '' };
    s.checkpointSentAtMs = s.nowMs;
    s.broadcast({ type: 'pbft-checkpoint', ...checkpoint });
    this.addCheckpoint(checkpoint);
  }

  onCheckpoint(msg: PbftCheckpointMessage): void {
    const s = this.s;
    if (!s.set.has(msg.replica)) return s.reject('not-a-replica');
    // Every K, and at a change of the replica set (any number): a faulty replica's made-up ones
    // take only its own few places (checkpoints.ts).
    if (msg.seq > s.highWatermark + s.config.watermarkWindow) return s.reject('outside-watermarks');
    const { type: _type, ...checkpoint } = msg;
    this.addCheckpoint(checkpoint);
  }

  private addCheckpoint(checkpoint: Omit<PbftCheckpointMessage, 'type'>): void {
    const s = this.s;
    const certificate = s.checkpoints.add(checkpoint, s.set.quorum);
    if (certificate === null) return;
    const own = s.checkpoints.own.get(checkpoint.seq);
    if (own !== undefined && own.stateDigest === checkpoint.stateDigest) {
      this.makeStable({
        seq: checkpoint.seq,
        stateDigest: checkpoint.stateDigest,
        certificate,
        snapshot: own.snapshot,
      });
    } else if (own === undefined && checkpoint.seq > s.lastExecutedSeq) {
      this.onBehind();
    }
    // A quorum certified a state this replica computed differently: only state transfer can
    // repair it, and that needs the quorum's state; catch-up asks for it.
    else if (own !== undefined) this.onBehind();
  }

  /** A new stable checkpoint: the low watermark moves up and the log below it goes. */
  makeStable(stable: StableCheckpoint): void {
    const s = this.s;
    if (stable.seq <= s.checkpoints.stable.seq) return;
    s.checkpoints.makeStable(stable);
    const dropped: number[] = [];
    for (const slot of s.log.values()) if (slot.seq <= stable.seq) dropped.push(slot.seq);
    s.durable.touchStable(stable, dropped);
    s.log.dropThrough(stable.seq);
    if (s.nextSeq <= stable.seq) s.nextSeq = stable.seq + 1;
    s.emit({ type: 'pbft-checkpoint-stable', seq: stable.seq, stateDigest: stable.stateDigest });
    this.epochs.afterStable(stable);
    this.afterExecute();
  }
}

/**
 * The replicated state text back in its parts, or null when it is not one (a bad record). A
 * text without a configuration is from before reconfiguration: the genesis one holds.
 */
export function parseStateText(
  text: string,
): { clients: unknown; app: string; config: PbftConfiguration | null } | null {
  try {
    const parsed = JSON.parse(text) as { clients?: unknown; app?: unknown; config?: unknown };
    if (typeof parsed.app !== 'string') return null;
    const config = parseConfiguration(parsed.config);
    if (parsed.config !== undefined && config === null) return null;
    return { clients: parsed.clients, app: parsed.app, config };
  } catch {
    return null;
  }
}
