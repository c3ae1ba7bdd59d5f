import type { AgentId } from '../../core/base/ids';
import type { PbftEvent, PbftSnapshot } from '../../core/pbft/types';
import type { PbftMessage } from '../../core/wire/pbftMessages';
import type {
  ConsensusMessageView,
  ConsensusMisbehaviour,
  ConsensusSlotView,
  ConsensusView,
  ConsensusViewChange,
  CriticalLogEntry,
  CriticalStatus,
  ReplicaSlotStatus,
} from '../../host/consensusView';

const CHECKPOINTS_KEPT = 8;
const VIEW_CHANGES_KEPT = 20;
const MESSAGES_KEPT = 200;
/** Messages older than this are not pulsed any more. */
const MESSAGE_AGE_MS = 3000;
/** Sequence numbers whose commit view and kinds are remembered for the log. */
const SEQS_KEPT = 2048;
/** Executed actions the Consensus view carries. */
export const CONSENSUS_LOG_SHOWN = 50;

const RANK: Record<ReplicaSlotStatus, number> = {
  none: 0,
  'pre-prepared': 1,
  prepared: 2,
  committed: 3,
  executed: 4,
};

/** What the view is built from besides what the recorder saw. */
export interface ConsensusInputs {
  role: ConsensusView['role'];
  formingDetail: string | null;
  status: CriticalStatus;
  snapshot: PbftSnapshot | null;
  log: CriticalLogEntry[];
  outstandingProposals: number;
}

/**
 * Keeps what the Consensus tab shows beyond the replica's own snapshot: stable checkpoints,
 * view changes with their reasons, proven misbehaviour, the recent messages (pulses) and the
 * view each sequence number committed in. Everything is bounded.
 */
export class ConsensusRecorder {
  private readonly checkpoints: ConsensusView['checkpoints'] = [];
  private readonly viewChanges: ConsensusViewChange[] = [];
  private readonly flagged = new Map<AgentId, ConsensusMisbehaviour>();
  private readonly messages: ConsensusMessageView[] = [];
  private readonly seqViews = new Map<number, number>();

  constructor(private readonly selfId: AgentId) {}

  onReplicaEvent(event: PbftEvent, atMs: number): void {
    switch (event.type) {
      case 'pbft-executed':
        this.seqViews.set(event.seq, event.view);
        if (this.seqViews.size > SEQS_KEPT) {
          this.seqViews.delete(this.seqViews.keys().next().value as number);
        }
        return;
      case 'pbft-checkpoint-stable':
        push(
          this.checkpoints,
          { atMs, seq: event.seq, stateDigest: event.stateDigest },
          CHECKPOINTS_KEPT,
        );
        return;
      case 'pbft-view-change':
        push(
          this.viewChanges,
          { atMs, fromView: event.fromView, toView: event.toView, reason: event.reason },
          VIEW_CHANGES_KEPT,
        );
        return;
      case 'pbft-misbehaviour': {
        const { first, second } = event.evidence;
        this.flagged.set(event.replica, {
          atMs,
          replica: event.replica,
          kind: event.kind,
          evidence:
            `two pre-prepares signed for view ${first.view} seq ${first.seq}: ` +
            `digest ${first.digest.slice(0, 12)} and ${second.digest.slice(0, 12)}`,
        });
        return;
      }
      default:
        return;
    }
  }

  onMessage(direction: 'in' | 'out', peer: AgentId, msg: PbftMessage, atMs: number): void {
    const from = direction === 'in' ? peer : this.selfId;
    const to = direction === 'in' ? this.selfId : peer;
    push(
      this.messages,
      { atMs, from, to, type: msg.type.replace(/^pbft-/, ''), seq: seqOf(msg) },
      MESSAGES_KEPT,
    );
  }

  /** The view this agent saw `seq` commit in, or null when it did not execute it itself. */
  viewOf(seq: number): number | null {
    return this.seqViews.get(seq) ?? null;
  }

  view(inputs: ConsensusInputs, nowMs: number): ConsensusView {
    const snapshot = inputs.snapshot;
    while (this.messages.length > 0 && nowMs - (this.messages[0]?.atMs ?? nowMs) > MESSAGE_AGE_MS) {
      this.messages.shift();
    }
    const kindsBySeq = new Map<number, string[]>();
    for (const entry of inputs.log) {
      const kinds = kindsBySeq.get(entry.seq) ?? [];
      kinds.push(entry.kind);
      kindsBySeq.set(entry.seq, kinds);
    }
    return {
      role: inputs.role,
      formingDetail: inputs.formingDetail,
      status: inputs.status,
      viewStatus: snapshot?.status ?? 'normal',
      targetView: snapshot?.targetView ?? 0,
      slots:
        snapshot === null
          ? []
          : snapshot.slots.map((slot) => this.slotView(snapshot, slot, kindsBySeq)),
      log: inputs.log.slice(-CONSENSUS_LOG_SHOWN),
      checkpoints: [...this.checkpoints],
      viewChanges: [...this.viewChanges],
      flagged: [...this.flagged.values()],
      recentMessages: [...this.messages],
      rejected: { ...(snapshot?.rejected ?? {}) } as Record<string, number>,
      pendingRequests: snapshot?.pendingRequests ?? 0,
      outstandingProposals: inputs.outstandingProposals,
    };
  }

  private slotView(
    snapshot: PbftSnapshot,
    slot: PbftSnapshot['slots'][number],
    kindsBySeq: Map<number, string[]>,
  ): ConsensusSlotView {
    const replicas: Record<AgentId, ReplicaSlotStatus> = {};
    const raise = (id: AgentId, status: ReplicaSlotStatus) => {
      if (RANK[status] > RANK[replicas[id] ?? 'none']) replicas[id] = status;
    };
    for (const id of snapshot.replicas) replicas[id] = 'none';
    const primary = snapshot.replicas[slot.view % snapshot.replicas.length];
    if (primary !== undefined && slot.digest !== '') raise(primary, 'pre-prepared');
    for (const id of slot.preparedBy) raise(id, 'pre-prepared');
    for (const id of slot.committedBy) raise(id, 'prepared');
    raise(this.selfId, slot.phase);
    return {
      seq: slot.seq,
      view: slot.view,
      digest: slot.digest,
      requestCount: slot.requestCount,
      kinds: kindsBySeq.get(slot.seq) ?? [],
      phase: slot.phase,
      replicas,
    };
  }
}

function push<T>(list: T[], item: T, kept: number): void {
  list.push(item);
  if (list.length > kept) list.splice(0, list.length - kept);
}

function seqOf(msg: PbftMessage): number | null {
  switch (msg.type) {
    case 'pbft-pre-prepare':
    case 'pbft-prepare':
    case 'pbft-commit':
    case 'pbft-reply':
    case 'pbft-checkpoint':
    case 'pbft-state':
      return msg.seq;
    default:
      return null;
  }
}
