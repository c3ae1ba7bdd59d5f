import { RaftMembershipPlanner, type RaftMembershipConfig } from '../../core/agent/raftMembership';
import type { RaftMemberChange } from '../../core/raft/members';
import type { Clock } from '../../host/ports';
import { PollingTimer } from '../../host/pollingTimer';
import type { MembershipPort } from '../genesis/genesisDriver';
import type { Ledger } from './ledger';

export interface RaftMembershipOptions {
  /** Voters at most (default 5); further agents are learners. */
  maxVoters?: number;
  /** A voter or learner dead this long is removed (default 30 s); one that left, at once. */
  removeAfterMs?: number;
  /** An agent alive and agreed this long is added as a learner (default 2 s). */
  addAfterMs?: number;
}

export interface MembershipDriverOptions extends RaftMembershipOptions {
  membership: MembershipPort;
  ledger: Ledger;
  clock: Clock;
  promoteLagEntries: number;
  everyMs?: number;
  /** Called with each change the leader proposed and how it ended. */
  onChange?: (change: RaftMemberChange, outcome: string) => void;
}

/**
 * Keeps the Raft group following the membership: on the leader only, every `everyMs`, one
 * change at a time from core/agent/raftMembership.ts. A change that fails (the leader lost its
 * place, a learner not caught up yet) is simply planned again on a later turn.
 */
export class MembershipDriver {
  private readonly planner: RaftMembershipPlanner;
  private readonly timer: PollingTimer;
  private inFlight = false;

  constructor(private readonly options: MembershipDriverOptions) {
    const config: RaftMembershipConfig = {
      selfId: options.membership.selfId,
      maxVoters: options.maxVoters ?? 5,
      removeAfterMs: options.removeAfterMs ?? 30_000,
      addAfterMs: options.addAfterMs ?? 2000,
      promoteLagEntries: options.promoteLagEntries,
    };
    this.planner = new RaftMembershipPlanner(config);
    this.timer = new PollingTimer(options.clock, options.everyMs ?? 500, () => this.poll());
  }

  start(): void {
    this.timer.start();
  }

  stop(): void {
    this.timer.stop();
  }

  private poll(): void {
    const { ledger, membership, clock } = this.options;
    if (this.inFlight || !ledger.isLeader) return;
    const view = ledger.raftView();
    if (view === null) return;
    const change = this.planner.next({
      nowMs: clock.nowMs(),
      members: { voters: view.voters, learners: view.learners },
      lastIndex: view.lastIndex,
      matchIndex: new Map(view.progress.map((p) => [p.peer, p.matchIndex])),
      agreed: membership.agreedMembers(),
      view: membership.snapshot().members.map((m) => ({
        id: m.id,
        status: m.status,
        sinceMs: m.sinceMs,
        reached: m.reached,
      })),
    });
    if (change === null) return;
    this.inFlight = true;
    ledger.changeMembers(change).then(
      () => this.settled(change, 'committed'),
      (error: Error & { code?: string }) => this.settled(change, error.code ?? error.message),
    );
  }

  private settled(change: RaftMemberChange, outcome: string): void {
    this.inFlight = false;
    this.options.onChange?.(change, outcome);
  }
}
