import { compareIds, type AgentId } from '../base/ids';
import type { Millis } from '../base/time';
import type { RaftMemberChange } from '../raft/members';
import type { MemberStatus } from '../swim/types';
import { RAFT_MAX_MEMBERS, type RaftMembers } from '../wire/raftMessages';

export interface RaftMembershipConfig {
  selfId: AgentId;
  /** Voters at most; members beyond them stay learners (they still hold the log). */
  maxVoters: number;
  /** A member dead, or unknown to the membership, this long is removed. */
  removeAfterMs: Millis;
  /** A member alive and agreed this long is added as a learner. */
  addAfterMs: Millis;
  /** A learner is promoted only within this many entries of the leader's log. */
  promoteLagEntries: number;
}

/** One member as the membership view has it. */
export interface RaftMembershipMember {
  id: AgentId;
  status: MemberStatus;
  /** When the membership last changed its status. */
  sinceMs: Millis;
  /** Heard from lately (directly or through a neighbour). */
  reached: boolean;
}

export interface RaftMembershipInput {
  nowMs: Millis;
  /** The configuration in the leader's log. */
  members: RaftMembers;
  /** The leader's last log index and each follower's match index. */
  lastIndex: number;
  matchIndex: ReadonlyMap<AgentId, number>;
  /** The agreed membership (self included). */
  agreed: readonly AgentId[];
  view: readonly RaftMembershipMember[];
}

/**
 * What the leader's membership driver changes next, one server at a time (core/agent/README.md,
 * "Raft membership"): first a member the membership holds gone (left at once; dead or unknown
 * for `removeAfterMs`), then a caught-up learner promoted while there are fewer than
 * `maxVoters` voters, then an agent alive and agreed for `addAfterMs` added as a learner; the
 * smallest id first each time, so leaders that follow each other pick the same change. Pure
 * but for the time each member was first missed from the view.
 */
export class RaftMembershipPlanner {
  private readonly missingSinceMs = new Map<AgentId, Millis>();

  constructor(private readonly config: RaftMembershipConfig) {}

  next(input: RaftMembershipInput): RaftMemberChange | null {
    const { config } = this;
    const byId = new Map(input.view.map((m) => [m.id, m]));
    const members = [...input.members.voters, ...input.members.learners].sort(compareIds);
    for (const id of [...this.missingSinceMs.keys()])
      if (!members.includes(id) || byId.has(id)) this.missingSinceMs.delete(id);
    for (const id of members) {
      if (id === config.selfId) continue;
      const member = byId.get(id);
      if (member === undefined) {
        const since = this.missingSinceMs.get(id) ?? input.nowMs;
        this.missingSinceMs.set(id, since);
        if (input.nowMs - since >= config.removeAfterMs) return { action: 'remove', member: id };
        continue;
      }
      if (member.status === 'left') return { action: 'remove', member: id };
      if (member.status === 'dead' && input.nowMs - member.sinceMs >= config.removeAfterMs)
        return { action: 'remove', member: id };
    }
    if (input.members.voters.length < config.maxVoters) {
      const learner = [...input.members.learners].sort(compareIds).find((id) => {
        const member = byId.get(id);
        const match = input.matchIndex.get(id) ?? 0;
        return (
          member?.status === 'alive' &&
          member.reached &&
          input.lastIndex - match <= config.promoteLagEntries
        );
      });
      if (learner !== undefined) return { action: 'promote', member: learner };
    }
    if (members.length >= RAFT_MAX_MEMBERS) return null;
    const agreed = new Set(input.agreed);
    const joiner = input.view
      .filter(
        (m) =>
          m.id !== config.selfId &&
          agreed.has(m.id) &&
          m.status === 'alive' &&
          m.reached &&
          input.nowMs - m.sinceMs >= config.addAfterMs &&
          !members.includes(m.id),
      )
      .map((m) => m.id)
      .sort(compareIds)[0];
    return joiner === undefined ? null : { action: 'add-learner', member: joiner };
  }
}
