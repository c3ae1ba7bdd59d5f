import { compareIds, type AgentId } from '../base/ids';
import { majorityOf } from '../quorum/majority';
import { readMembers } from '../wire/raftCodec';
import type { RaftMembers } from '../wire/raftMessages';

/** A membership in canonical form: both lists sorted. */
export function canonicalMembers(
  voters: readonly AgentId[],
  learners: readonly AgentId[],
): RaftMembers {
  return { voters: [...voters].sort(compareIds), learners: [...learners].sort(compareIds) };
}

export function encodeMembers(members: RaftMembers): string {
  return JSON.stringify({ voters: members.voters, learners: members.learners });
}

/** A config entry's data, or null when it is not a valid membership (never from our leaders). */
export function decodeMembers(data: string): RaftMembers | null {
  try {
    const parsed = readMembers(JSON.parse(data), 'members');
    return typeof parsed === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

export const isVoter = (members: RaftMembers, id: AgentId): boolean => members.voters.includes(id);

export const isMember = (members: RaftMembers, id: AgentId): boolean =>
  members.voters.includes(id) || members.learners.includes(id);

/**
 * The highest index that a majority of voters hold, given each one's match index: the value a
 * majority is at or above.
 */
export function quorumMatchIndex(members: RaftMembers, matchOf: (id: AgentId) => number): number {
  const matches = members.voters.map(matchOf).sort((a, b) => b - a);
  return matches[majorityOf(matches.length) - 1] ?? 0;
}

/** One change at a time (README.md, "Membership changes"). */
export type RaftMemberChange =
  | { action: 'add-learner'; member: AgentId }
  | { action: 'promote'; member: AgentId }
  | { action: 'remove'; member: AgentId };

/** The membership after a change, or why the change cannot be made. */
export function applyChange(
  members: RaftMembers,
  change: RaftMemberChange,
  maxMembers: number,
): RaftMembers | string {
  const { member } = change;
  const voters = members.voters.filter((id) => id !== member);
  const learners = members.learners.filter((id) => id !== member);
  switch (change.action) {
    case 'add-learner':
      if (isMember(members, member)) return 'already a member';
      if (voters.length + learners.length + 1 > maxMembers) return 'membership full';
      return canonicalMembers(voters, [...learners, member]);
    case 'promote':
      if (!members.learners.includes(member)) return 'not a learner';
      return canonicalMembers([...voters, member], learners);
    case 'remove':
      if (!isMember(members, member)) return 'not a member';
      if (voters.length === 0) return 'the last voter';
      return canonicalMembers(voters, learners);
  }
}
