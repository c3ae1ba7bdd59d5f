import { describe, expect, it } from 'vitest';
import type { AgentId } from '../core/base/ids';
import { fixedId } from '../core/base/testSupport';
import type { RaftAppendMessage, RaftMessage } from '../core/wire/raftMessages';
import { RaftOutbox } from './raftOutbox';

const B = fixedId('b');
const C = fixedId('c');

function append(prevIndex: number, count: number, extra: Partial<RaftAppendMessage> = {}) {
  const entries = Array.from({ length: count }, (_, i) => ({
    index: prevIndex + i + 1,
    term: 2,
    kind: 'data' as const,
    data: `"e${prevIndex + i + 1}"`,
  }));
  return {
    type: 'raft-append',
    term: 2,
    prevIndex,
    prevTerm: 2,
    entries,
    commit: 1,
    round: 0,
    ...extra,
  } as RaftAppendMessage;
}

function flushed(outbox: RaftOutbox): [AgentId, RaftMessage][] {
  const out: [AgentId, RaftMessage][] = [];
  outbox.flush((to, msg) => out.push([to, msg]));
  return out;
}

describe('RaftOutbox', () => {
  it('joins appends to one peer that follow on, keeping the newest commit and round', () => {
    const outbox = new RaftOutbox({ maxEntriesPerAppend: 64, maxAppendBytes: 32 * 1024 });
    outbox.add(B, append(4, 0, { commit: 3 })); // a heartbeat at B's match
    outbox.add(C, append(4, 1));
    outbox.add(B, append(4, 1, { commit: 4, round: 7 }));
    outbox.add(B, append(5, 2, { commit: 4 }));
    const sent = flushed(outbox);
    expect(
      sent.map(([to, m]) => [to, (m as RaftAppendMessage).entries.map((e) => e.index)]),
    ).toEqual([
      [B, [5, 6, 7]],
      [C, [5]],
    ]);
    expect(sent[0]![1]).toMatchObject({ prevIndex: 4, commit: 4, round: 7 });
    expect(outbox.size).toBe(0);
  });

  it('keeps apart appends that do not follow on, of other terms, past the limits, and other messages', () => {
    const outbox = new RaftOutbox({ maxEntriesPerAppend: 3, maxAppendBytes: 32 * 1024 });
    outbox.add(B, append(4, 2));
    outbox.add(B, append(8, 1)); // a gap
    outbox.add(B, append(9, 1, { term: 3 })); // another term
    outbox.add(B, { type: 'raft-timeout-now', term: 3 });
    outbox.add(B, append(10, 2));
    outbox.add(B, append(12, 2)); // 4 entries would pass 3
    expect(flushed(outbox).map(([, m]) => m.type)).toEqual([
      'raft-append',
      'raft-append',
      'raft-append',
      'raft-timeout-now',
      'raft-append',
      'raft-append',
    ]);
  });
});
