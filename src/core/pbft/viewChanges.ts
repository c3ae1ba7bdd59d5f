import type { AgentId } from '../base/ids';
import type {
  PbftEvidenceMessage,
  PbftHeader,
  PbftNewViewMessage,
  PbftPrePrepareMessage,
  PbftPreparedProof,
  PbftViewChange,
  PbftViewChangeMessage,
} from '../wire/pbftMessages';
import { requestKey } from './batch';
import type { Execution } from './execution';
import type { NormalCase } from './normalCase';
import { checkCheckpointCertificate, checkHeader, checkViewChange, planNewView } from './proofs';
import type { ReplicaState } from './replicaState';
import type { Slot } from './slotLog';
import type { ViewChangeReason } from './types';
import { epochOf } from './epochs';

/**
 * View changes (Castro-Liskov 4.4-4.5): a replica that times out, joins f + 1 others, or holds
 * proof that the primary equivocated moves to the next view with a signed view change; the
 * new primary, with a quorum of them, sends a new view that re-proposes every batch that may
 * have committed, and the null batch in the gaps.
 */
export class ViewChanges {
  constructor(
    private readonly s: ReplicaState,
    private readonly normal: NormalCase,
    private readonly execution: Execution,
    private readonly fetchBatch: (digest: string) => void,
    private readonly onBehind: () => void,
    /** A replica of the set before is still changing views there: hand it the stable state. */
    private readonly helpLaggard: (peer: AgentId, aboveSeq: number) => void,
  ) {}

  start(toView: number, reason: ViewChangeReason): void {
    const s = this.s;
    const floor = s.status === 'view-change' ? s.targetView : s.view;
    if (toView <= floor) return;
    const fromView = s.view;
    if (s.status === 'view-change') s.failedViewChanges++;
    s.status = 'view-change';
    s.durable.touchMeta();
    s.targetView = toView;
    s.stats.viewChanges++;
    s.stopRequestTimer();
    s.viewChangeDeadlineMs = s.nowMs + s.timeoutMs();
    s.inFlight.clear();
    const stable = s.checkpoints.stable;
    const vc: PbftViewChange = {
      newView: toView,
      stableSeq: stable.seq,
      stableDigest: stable.stateDigest,
      checkpoints: stable.certificate,
      prepared: this.preparedProofs(),
      replica: s.self,
      sig: '',
    };
    s.viewChanges.set(s.self, vc);
    s.emit({ type: 'pbft-view-change', fromView, toView, reason });
    s.broadcast({ type: 'pbft-view-change', ...vc });
    this.tryNewView();
  }

  /**
   * No new view in time. With a quorum of view changes for the target view (or later), its
   * primary failed:
   * move on to the next view (Castro-Liskov 4.5.2). Without one, this replica may be the one
   * cut off: it sends its view change again and waits, so a replica on its own never runs ahead
   * of the others through views they cannot follow.
   */
  onViewChangeTimeout(): void {
    const s = this.s;
    let forTarget = 0;
    // A view change for a later view counts too: that replica also left the old view.
    for (const vc of s.viewChanges.values()) if (vc.newView >= s.targetView) forTarget++;
    if (forTarget >= s.set.quorum) return this.start(s.targetView + 1, 'view-change-timeout');
    s.viewChangeDeadlineMs = s.nowMs + s.timeoutMs();
    const own = s.viewChanges.get(s.self);
    if (own !== undefined) s.broadcast({ type: 'pbft-view-change', ...own });
  }

  /** Every prepared slot above the stable checkpoint, with the newest view's certificate. */
  private preparedProofs(): PbftPreparedProof[] {
    const out: PbftPreparedProof[] = [];
    for (const slot of this.s.log.sorted()) {
      if (slot.proof !== null && slot.seq > this.s.lowWatermark) out.push(slot.proof);
    }
    return out;
  }

  onViewChange(from: AgentId, msg: PbftViewChangeMessage): void {
    const s = this.s;
    const { type: _type, ...vc } = msg;
    // Views of another epoch belong to another replica set: nothing of them counts here. A
    // replica of the epoch before that changes views there missed the change: it takes the
    // state once f + 1 of its set sent it.
    if (epochOf(vc.newView) !== s.configuration.epoch) {
      if (epochOf(vc.newView) < s.configuration.epoch && s.previousSet?.has(from) === true) {
        this.helpLaggard(from, vc.stableSeq);
      }
      return s.reject('wrong-view');
    }
    const wrong = checkViewChange(s.set, vc, s.config.watermarkWindow);
    if (wrong !== null) return s.reject('bad-view-change');
    if (vc.newView <= s.view && s.status === 'normal') {
      // A replica still moving to a view this one is already in: hand it the new view.
      const nv = s.lastNewView;
      if (nv !== null && nv.view === s.view) s.send([from], nv);
      return;
    }
    const held = s.viewChanges.get(vc.replica);
    if (held !== undefined && held.newView >= vc.newView) return;
    s.viewChanges.set(vc.replica, vc);
    this.joinIfOutvoted();
    this.tryNewView();
  }

  /**
   * A normal-case message of a view above this one: a replica that restarted or missed a new
   * view learns it is behind once f + 1 replicas speak in later views, and asks to move there
   * (they answer its view change with their new view).
   */
  noteHigherView(from: AgentId, view: number): void {
    const s = this.s;
    if (!s.set.has(from) || s.status !== 'normal' || view <= s.view) return;
    // A later epoch's view: this replica is behind by a reconfiguration, which catch-up mends.
    if (epochOf(view) !== s.configuration.epoch) return;
    s.higherViews.set(from, view);
    const above = [...s.higherViews.values()].filter((v) => v > s.view).sort((a, b) => b - a);
    if (above.length < s.set.f + 1) return;
    s.higherViews.clear();
    this.start(above[s.set.f] as number, 'joined');
  }

  /** f + 1 replicas want a view above this one: at least one is honest, so join them. */
  private joinIfOutvoted(): void {
    const s = this.s;
    const floor = s.status === 'view-change' ? s.targetView : s.view;
    const above = [...s.viewChanges.values()]
      .filter((vc) => vc.replica !== s.self && vc.newView > floor)
      .map((vc) => vc.newView)
      .sort((a, b) => a - b);
    if (above.length >= s.set.f + 1) this.start(above[0] as number, 'joined');
  }

  /** The new primary: with a quorum of view changes for its view, it starts the view. */
  private tryNewView(): void {
    const s = this.s;
    if (s.status !== 'view-change' || s.set.primaryOf(s.targetView) !== s.self) return;
    const vcs = [...s.viewChanges.values()].filter((vc) => vc.newView === s.targetView);
    if (vcs.length < s.set.quorum) return;
    const chosen = vcs.slice(0, s.set.quorum);
    const plan = planNewView(chosen, s.batches.nullDigest);
    const headers: PbftHeader[] = plan.digests.map(({ seq, digest }) => ({
      view: s.targetView,
      seq,
      digest,
      replica: s.self,
      sig: '',
    }));
    const nv: PbftNewViewMessage = {
      type: 'pbft-new-view',
      view: s.targetView,
      viewChanges: chosen,
      headers,
      replica: s.self,
      sig: '',
    };
    s.broadcast(nv);
    this.enter(nv, plan);
  }

  onNewView(msg: PbftNewViewMessage): void {
    const s = this.s;
    const floor = s.status === 'view-change' ? s.targetView : s.view + 1;
    if (msg.view < floor) return;
    if (epochOf(msg.view) !== s.configuration.epoch) return s.reject('wrong-view');
    if (msg.replica !== s.set.primaryOf(msg.view)) return s.reject('bad-new-view');
    const signers = new Set<AgentId>();
    for (const vc of msg.viewChanges) {
      if (
        vc.newView !== msg.view ||
        checkViewChange(s.set, vc, s.config.watermarkWindow) !== null
      ) {
        return s.reject('bad-new-view');
      }
      signers.add(vc.replica);
    }
    if (signers.size < s.set.quorum || signers.size !== msg.viewChanges.length) {
      return s.reject('bad-new-view');
    }
    const plan = planNewView(msg.viewChanges, s.batches.nullDigest);
    const matches =
      plan.digests.length === msg.headers.length &&
      plan.digests.every(({ seq, digest }, i) => {
        const h = msg.headers[i] as PbftHeader;
        return (
          h.seq === seq && h.digest === digest && h.view === msg.view && h.replica === msg.replica
        );
      });
    if (!matches) return s.reject('bad-new-view');
    this.enter(msg, plan);
  }

  /** Enters the new view: adopts its checkpoint, takes its headers as this view's pre-prepares. */
  private enter(nv: PbftNewViewMessage, plan: ReturnType<typeof planNewView>): void {
    const s = this.s;
    const reproposed = nv.headers.length;
    s.view = nv.view;
    s.targetView = nv.view;
    s.status = 'normal';
    s.durable.touchMeta();
    s.lastNewView = nv;
    s.viewChangeDeadlineMs = null;
    for (const [replica, vc] of s.viewChanges)
      if (vc.newView <= nv.view) s.viewChanges.delete(replica);
    if (plan.stableSeq > s.lowWatermark) {
      const certified =
        checkCheckpointCertificate(s.set, plan.stableSeq, plan.stableDigest, plan.checkpoints) ===
        null;
      const own = s.checkpoints.own.get(plan.stableSeq);
      if (certified && own !== undefined && own.stateDigest === plan.stableDigest) {
        this.execution.makeStable({
          seq: plan.stableSeq,
          stateDigest: plan.stableDigest,
          certificate: plan.checkpoints,
          snapshot: own.snapshot,
        });
      } else if (s.lastExecutedSeq < plan.stableSeq) {
        this.onBehind();
      }
    }
    const maxSeq = nv.headers.reduce((m, h) => Math.max(m, h.seq), s.lowWatermark);
    s.nextSeq = Math.max(maxSeq, s.lastExecutedSeq, s.lowWatermark) + 1;
    s.inFlight.clear();
    for (const header of nv.headers) {
      if (header.seq <= s.lowWatermark) continue;
      const slot = s.log.open(header.seq, nv.view, s.nowMs);
      this.normal.accept(slot, header);
      if (slot.requests === null) this.fetchBatch(header.digest);
      else if (header.replica === s.self) this.markInFlight(slot);
      this.normal.sendPrepare(slot);
      this.normal.checkPrepared(slot);
    }
    s.emit({ type: 'pbft-new-view', view: nv.view, primary: nv.replica, reproposed });
    s.restartRequestTimer(true);
    this.normal.propose();
  }

  private markInFlight(slot: Slot): void {
    for (const r of slot.requests ?? []) this.s.inFlight.add(requestKey(r.client, r.reqNo));
  }

  /** A batch a new view named arrived: the slot can prepare now. */
  onBatchArrived(digest: string): void {
    const s = this.s;
    const requests = s.batches.get(digest);
    if (requests === undefined) return;
    for (const slot of s.log.values()) {
      if (slot.header?.digest !== digest || slot.requests !== null) continue;
      slot.requests = requests;
      s.durable.touchSlot(slot);
      if (slot.header.replica === s.self) this.markInFlight(slot);
      this.normal.sendPrepare(slot);
      this.normal.checkPrepared(slot);
    }
  }

  /**
   * The primary signed two headers for one (view, seq): proof it equivocated. Flag it, tell the
   * others (the proof checks anywhere), and leave its view.
   */
  onEquivocation(slot: Slot, other: PbftPrePrepareMessage): void {
    const first = slot.header;
    if (first === null) return;
    const { requests: _requests, type: _type, ...second } = other;
    this.onEvidence({ type: 'pbft-evidence', first, second }, true);
  }

  onEvidence(msg: PbftEvidenceMessage, local = false): void {
    const s = this.s;
    const { first, second } = msg;
    if (
      first.replica !== second.replica ||
      first.view !== second.view ||
      first.seq !== second.seq ||
      first.digest === second.digest ||
      checkHeader(s.set, first) !== null
    ) {
      return s.reject('bad-certificate');
    }
    const culprit = first.replica;
    if (!s.flagged.has(culprit)) {
      s.flagged.add(culprit);
      s.emit({
        type: 'pbft-misbehaviour',
        replica: culprit,
        kind: 'equivocation',
        evidence: { first, second },
      });
      if (local) s.broadcast(msg);
    }
    if (first.view === s.view && s.status === 'normal') this.start(s.view + 1, 'evidence');
  }
}
