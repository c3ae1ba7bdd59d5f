import { shortId } from '../../core/base/ids';
import type { RaftEvent } from '../../core/raft/types';
import type { MeshEvent } from '../../host/ports';

/** A Raft event as a line of the agent's event log. */
export function raftEventOf(event: RaftEvent): Omit<MeshEvent, 'atMs'> {
  switch (event.type) {
    case 'raft-election':
      return {
        level: 'info',
        kind: event.type,
        detail: `${event.preVote ? 'pre-vote' : 'election'} for term ${event.term} (${event.reason})`,
      };
    case 'raft-leader':
      return {
        level: 'info',
        kind: event.type,
        peer: event.leader,
        detail: `${shortId(event.leader)} leads term ${event.term}`,
      };
    case 'raft-step-down':
      return { level: 'warn', kind: event.type, detail: `term ${event.term} (${event.reason})` };
    case 'raft-members':
      return {
        level: 'info',
        kind: event.type,
        detail: `from index ${event.index}: ${event.members.voters.length} voters, ${event.members.learners.length} learners`,
      };
    case 'raft-snapshot-installed':
      return {
        level: 'info',
        kind: event.type,
        peer: event.from,
        detail: `snapshot at index ${event.index}`,
      };
    case 'raft-transfer':
      return {
        level: 'info',
        kind: event.type,
        peer: event.to,
        detail: `leadership to ${shortId(event.to)} ${event.outcome}`,
      };
  }
}
