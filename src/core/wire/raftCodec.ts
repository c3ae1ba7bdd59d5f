import { compareIds } from '../base/ids';
import {
  agentId,
  field,
  flag,
  index,
  invalid,
  list,
  oneOf,
  parseFields,
  record,
  text,
} from './fieldReaders';
import {
  RAFT_ENTRY_KINDS,
  RAFT_MAX_ENTRIES_PER_APPEND,
  RAFT_MAX_ENTRY_BYTES,
  RAFT_MAX_MEMBERS,
  RAFT_MAX_SNAPSHOT_CHUNK_CHARS,
  RAFT_PROPOSAL_REFUSALS,
  type RaftEntry,
  type RaftMembers,
  type RaftMessage,
  type RaftMessageType,
} from './raftMessages';

/**
 * Validates the JSON bodies of Raft messages field by field and rebuilds them from the known
 * fields only, in the key order of their interfaces.
 */

function entry(value: unknown, at: string): RaftEntry {
  const e = record(value, at);
  const kind = oneOf(e.kind, field(at, 'kind'), RAFT_ENTRY_KINDS);
  const data = text(e.data, field(at, 'data'), RAFT_MAX_ENTRY_BYTES);
  if (kind === 'noop' && data !== '') invalid(field(at, 'data'), 'of a noop is not empty');
  return {
    index: index(e.index, field(at, 'index')),
    term: index(e.term, field(at, 'term')),
    kind,
    data,
  };
}

function entries(value: unknown, at: string, prevIndex: number): RaftEntry[] {
  const out = list(value, at, RAFT_MAX_ENTRIES_PER_APPEND, entry);
  for (let i = 0; i < out.length; i++) {
    const e = out[i] as RaftEntry;
    if (e.index !== prevIndex + 1 + i) invalid(`${at}[${i}].index`, 'does not follow on');
    if (e.term < 1) invalid(`${at}[${i}].term`, 'is zero');
    if (i > 0 && e.term < (out[i - 1] as RaftEntry).term) {
      invalid(`${at}[${i}].term`, 'is below the one before');
    }
  }
  return out;
}

function sortedIds(value: unknown, at: string) {
  const ids = list(value, at, RAFT_MAX_MEMBERS, agentId);
  for (let i = 1; i < ids.length; i++) {
    if (compareIds(ids[i - 1] as string, ids[i] as string) >= 0)
      invalid(at, 'is not sorted and distinct');
  }
  return ids;
}

/** Reads a membership: sorted, disjoint, at most RAFT_MAX_MEMBERS in all, one voter at least. */
export function readMembers(value: unknown, at: string): RaftMembers {
  const m = record(value, at);
  const voters = sortedIds(m.voters, field(at, 'voters'));
  const learners = sortedIds(m.learners, field(at, 'learners'));
  if (voters.length === 0) invalid(field(at, 'voters'), 'is empty');
  if (voters.length + learners.length > RAFT_MAX_MEMBERS)
    invalid(at, `names over ${RAFT_MAX_MEMBERS}`);
  const voterSet = new Set<string>(voters);
  if (learners.some((id) => voterSet.has(id))) invalid(at, 'names a voter as a learner');
  return { voters, learners };
}

function parse(type: RaftMessageType, f: Record<string, unknown>): RaftMessage {
  switch (type) {
    case 'raft-vote':
      return {
        type,
        term: index(f.term, 'term'),
        lastIndex: index(f.lastIndex, 'lastIndex'),
        lastTerm: index(f.lastTerm, 'lastTerm'),
        preVote: flag(f.preVote, 'preVote'),
        transfer: flag(f.transfer, 'transfer'),
      };
    case 'raft-vote-response':
      return {
        type,
        term: index(f.term, 'term'),
        granted: flag(f.granted, 'granted'),
        preVote: flag(f.preVote, 'preVote'),
      };
    case 'raft-append': {
      const prevIndex = index(f.prevIndex, 'prevIndex');
      return {
        type,
        term: index(f.term, 'term'),
        prevIndex,
        prevTerm: index(f.prevTerm, 'prevTerm'),
        entries: entries(f.entries, 'entries', prevIndex),
        commit: index(f.commit, 'commit'),
        round: index(f.round, 'round'),
      };
    }
    case 'raft-append-response':
      return {
        type,
        term: index(f.term, 'term'),
        success: flag(f.success, 'success'),
        matchIndex: index(f.matchIndex, 'matchIndex'),
        rejectedIndex: index(f.rejectedIndex, 'rejectedIndex'),
        hintIndex: index(f.hintIndex, 'hintIndex'),
        hintTerm: index(f.hintTerm, 'hintTerm'),
        round: index(f.round, 'round'),
      };
    case 'raft-snapshot':
      return {
        type,
        term: index(f.term, 'term'),
        index: index(f.index, 'index'),
        snapshotTerm: index(f.snapshotTerm, 'snapshotTerm'),
        members: readMembers(f.members, 'members'),
        offset: index(f.offset, 'offset'),
        data: text(f.data, 'data', RAFT_MAX_SNAPSHOT_CHUNK_CHARS * 3),
        done: flag(f.done, 'done'),
      };
    case 'raft-snapshot-response':
      return {
        type,
        term: index(f.term, 'term'),
        index: index(f.index, 'index'),
        nextOffset: index(f.nextOffset, 'nextOffset'),
        installed: flag(f.installed, 'installed'),
      };
    case 'raft-timeout-now':
      return { type, term: index(f.term, 'term') };
    case 'raft-read-index':
      return { type, id: index(f.id, 'id') };
    case 'raft-read-index-response':
      return { type, id: index(f.id, 'id'), ok: flag(f.ok, 'ok'), index: index(f.index, 'index') };
    case 'raft-propose':
      return { type, id: index(f.id, 'id'), data: text(f.data, 'data', RAFT_MAX_ENTRY_BYTES) };
    case 'raft-propose-response': {
      const ok = flag(f.ok, 'ok');
      const reason = ok ? '' : oneOf(f.reason, 'reason', RAFT_PROPOSAL_REFUSALS);
      return {
        type,
        id: index(f.id, 'id'),
        ok,
        index: index(f.index, 'index'),
        term: index(f.term, 'term'),
        reason,
      };
    }
  }
}

/**
 * Validates the decoded JSON body of a Raft message and rebuilds it; unknown fields are
 * dropped. Returns the message or a short text naming the bad field; never throws.
 */
export function parseRaftBody(
  type: RaftMessageType,
  fields: Record<string, unknown>,
): RaftMessage | string {
  return parseFields(type, () => parse(type, fields));
}
