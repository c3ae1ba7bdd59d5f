import type { AgentId } from '../base/ids';
import { PBFT_MAX_REPLICAS } from '../wire/pbftMessages';
import type { StableCheckpoint } from './checkpoints';
import { firstViewOf, MAX_EPOCH, sameReplicas, type PbftConfiguration } from './epochs';
import type { Execution } from './execution';
import { ReplicaSet } from './replicaSet';
import type { ReplicaState } from './replicaState';

/**
 * Reconfiguration (README.md, "Reconfiguration"): the replica set changes only when an executed
 * batch leaves the replicated state naming another set. Every correct replica executes that
 * batch at the same sequence number s; the epoch then closes: nothing above s runs or is
 * proposed, and the replica still takes part in the epoch (votes, view changes) until the
 * checkpoint at s is stable in it, so a replica that missed s can still complete it. Then it
 * drops the old epoch's slots above s (no correct replica executed them), takes that
 * checkpoint as the new epoch's base and starts the new epoch's first view. A joiner, or a
 * laggard that cannot check the old set's certificate, takes the base from f + 1 replicas that
 * agree on it.
 */
export class Reconfiguration {
  constructor(
    private readonly s: ReplicaState,
    private readonly execution: Execution,
  ) {}

  /**
   * After the batch at `seq`: if the state names another set, the epoch starts closing there,
   * with a checkpoint at `seq` (whatever the interval) whose state names the next
   * configuration.
   */
  afterBatch(seq: number): boolean {
    const s = this.s;
    const asked = s.app.replicaSet?.() ?? null;
    if (asked === null || sameReplicas(asked, s.set.ids) || !isValidSet(asked)) return false;
    if (s.configuration.epoch >= MAX_EPOCH) return false;
    s.closing = {
      seq,
      configuration: {
        epoch: s.configuration.epoch + 1,
        replicas: [...asked],
        startSeq: seq,
        startDigest: '',
      },
    };
    s.stopRequestTimer();
    this.execution.takeCheckpoint(seq);
    return true;
  }

  /** A checkpoint became stable: at the closing change, the next epoch starts from it. */
  afterStable(stable: StableCheckpoint): void {
    const s = this.s;
    const closing = s.closing;
    if (closing === null || stable.seq < closing.seq) return;
    s.configuration = { ...closing.configuration, startDigest: stable.stateDigest };
    this.enter(stable, true);
  }

  /**
   * A state was installed (a state transfer, a restart from records): its configuration is
   * this replica's from now on. `configuration` is null for a text from before epochs.
   */
  installed(configuration: PbftConfiguration | null, stable: StableCheckpoint): void {
    const s = this.s;
    const config = configuration ?? s.configuration;
    const known =
      config.startSeq === stable.seq ? { ...config, startDigest: stable.stateDigest } : config;
    const changed =
      s.joining ||
      known.epoch !== s.configuration.epoch ||
      !sameReplicas(known.replicas, s.set.ids) ||
      s.view < firstViewOf(known.epoch);
    s.configuration = known;
    // A joiner holds the state now: a replica if the state names it, else retired.
    s.joining = false;
    if (changed) {
      // The old epoch's slots go with it: none of them may run on top of this state.
      this.enter(stable, false);
      return;
    }
    s.set = new ReplicaSet(known.replicas, { seq: known.startSeq, stateDigest: known.startDigest });
  }

  /** Enters the epoch `s.configuration` names, from its base checkpoint `base`. */
  private enter(base: StableCheckpoint, fresh: boolean): void {
    const s = this.s;
    const config = s.configuration;
    s.closing = null;
    if (!s.joining) s.previousSet = s.set;
    s.set = new ReplicaSet(config.replicas, {
      seq: config.startSeq,
      stateDigest: config.startDigest,
    });
    const dropped = [...s.log.values()].map((slot) => slot.seq);
    s.durable.touchStable(base, dropped);
    s.log.dropThrough(Number.MAX_SAFE_INTEGER);
    s.checkpoints.reset(base);
    this.clearEpoch();
    s.view = firstViewOf(config.epoch);
    s.targetView = s.view;
    s.status = 'normal';
    s.failedViewChanges = 0;
    s.viewChangeDeadlineMs = null;
    s.nextSeq = base.seq + 1;
    s.durable.touchMeta();
    if (s.retired) {
      s.stopRequestTimer();
      s.pending.prune(() => true);
    } else if (fresh) {
      s.restartRequestTimer(true);
    }
    s.emit({ type: 'pbft-checkpoint-stable', seq: base.seq, stateDigest: base.stateDigest });
    s.emit(this.event());
  }

  /** What one epoch's messages left behind, which counts for nothing in the next. */
  private clearEpoch(): void {
    const s = this.s;
    s.inFlight.clear();
    s.viewChanges.clear();
    s.higherViews.clear();
    s.lastNewView = null;
    s.wantedBatches.clear();
    s.catchUp.claims.clear();
    s.stateClaims.clear();
    s.forgetAhead();
  }

  private event() {
    const s = this.s;
    return {
      type: 'pbft-reconfigured' as const,
      epoch: s.configuration.epoch,
      seq: s.configuration.startSeq,
      replicas: [...s.set.ids],
      member: s.set.has(s.self),
    };
  }
}

function isValidSet(ids: readonly AgentId[]): boolean {
  return ids.length >= 1 && ids.length <= PBFT_MAX_REPLICAS && new Set(ids).size === ids.length;
}
