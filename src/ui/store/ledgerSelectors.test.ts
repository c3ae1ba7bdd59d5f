import { describe, expect, it } from 'vitest';
import type { LedgerView } from '../../host/ledgerView';
import { buildSnapshot, fixtureId, raftLedgerView } from '../dev/fixtures';
import {
  ENTRY_JSON_SHORT_CHARS,
  entryJson,
  ledgerRoleText,
  selectCoordinator,
  selectEntryRows,
  selectProgressRows,
  selectTimelineRows,
} from './ledgerSelectors';

const [a0, a1, a2, a3, a4] = [0, 1, 2, 3, 4].map(fixtureId) as [
  ReturnType<typeof fixtureId>,
  ReturnType<typeof fixtureId>,
  ReturnType<typeof fixtureId>,
  ReturnType<typeof fixtureId>,
  ReturnType<typeof fixtureId>,
];

function withStatus(view: LedgerView, status: Partial<LedgerView['status']>): LedgerView {
  return { ...view, status: { ...view.status, ...status } };
}

describe('selectCoordinator', () => {
  it('is the leader this agent follows, with the term', () => {
    const snapshot = buildSnapshot({ selfId: a1, ledger: raftLedgerView('follower') });
    expect(selectCoordinator(snapshot)).toEqual({ leader: a0, term: 3 });
  });

  it('is null without a ledger or without a known leader', () => {
    expect(selectCoordinator(buildSnapshot({ selfId: a0 }))).toBeNull();
    const leaderless = withStatus(raftLedgerView('follower'), { leader: null, term: 4 });
    expect(selectCoordinator(buildSnapshot({ selfId: a1, ledger: leaderless }))).toBeNull();
  });
});

describe('ledgerRoleText', () => {
  it('says what a forming node waits for, and what a learner does', () => {
    const forming: LedgerView = {
      ...withStatus(raftLedgerView('follower'), { role: 'forming', leader: null }),
      formingDetail: 'waiting for 3 of 5 members to agree on the voters',
    };
    expect(ledgerRoleText(forming)).toBe(
      'forming — waiting for 3 of 5 members to agree on the voters',
    );
    expect(ledgerRoleText({ ...forming, formingDetail: null })).toBe('forming');
    expect(ledgerRoleText(withStatus(raftLedgerView('follower'), { role: 'learner' }))).toBe(
      'learner — receives the log, does not vote',
    );
    expect(ledgerRoleText(raftLedgerView('leader'))).toBe('leader');
  });
});

describe('selectProgressRows', () => {
  it("puts voters before learners, each by id, measured against the leader's last index", () => {
    const rows = selectProgressRows(raftLedgerView('leader'));
    const voters = [a1, a2, a3].sort();
    expect(rows.map((r) => r.peer)).toEqual([...voters, a4]);
    expect(rows.map((r) => r.learner)).toEqual([false, false, false, true]);
    const byPeer = new Map(rows.map((r) => [r.peer, r]));
    expect(byPeer.get(a2)).toMatchObject({ matchIndex: 58, lastIndex: 58, fraction: 1, behind: 0 });
    expect(byPeer.get(a3)).toMatchObject({ state: 'probe', behind: 17, active: false });
    expect(byPeer.get(a4)?.fraction).toBeCloseTo(30 / 58);
    expect(byPeer.get(a4)?.state).toBe('snapshot');
  });

  it('is empty on a follower, whatever progress it still holds', () => {
    const follower = {
      ...raftLedgerView('follower'),
      progress: raftLedgerView('leader').progress,
    };
    expect(selectProgressRows(follower)).toEqual([]);
  });
});

describe('selectTimelineRows', () => {
  it('lists events newest first and says why each election started', () => {
    const rows = selectTimelineRows(raftLedgerView('leader'), a0);
    expect(rows[0]).toMatchObject({
      kind: 'raft-leader',
      title: `${a0.slice(0, 8)} (you) leads term 3`,
      agent: a0,
    });
    expect(rows.map((r) => r.atMs)).toEqual([...rows.map((r) => r.atMs)].sort((x, y) => y - x));
    const elections = rows.filter((r) => r.kind === 'raft-election');
    expect(elections.map((r) => [r.title, r.detail])).toEqual([
      ['election for term 3', 'election timeout'],
      ['pre-vote for term 3', 'election timeout'],
      ['election for term 1', 'election timeout'],
      ['pre-vote for term 1', 'election timeout'],
    ]);
    const transfer = rows.find((r) => r.kind === 'raft-transfer');
    expect(transfer).toMatchObject({ title: `transfer to ${a1.slice(0, 8)}`, detail: 'started' });
    const members = rows.find((r) => r.kind === 'raft-members');
    expect(members?.detail).toBe(
      `voters ${[a0, a1, a2, a3].map((id) => id.slice(0, 8)).join(', ')}; learners ${a4.slice(0, 8)}`,
    );
    expect(rows.find((r) => r.kind === 'raft-snapshot-installed')?.title).toBe(
      'snapshot installed up to index 40',
    );
  });

  it('shows a step-down reason as the core gives it, and an election a transfer started', () => {
    const rows = selectTimelineRows(raftLedgerView('follower'), a1);
    expect(rows.find((r) => r.kind === 'raft-step-down')?.detail).toBe('check-quorum');
    expect(rows.find((r) => r.kind === 'raft-election')).toMatchObject({
      title: 'election for term 2',
      detail: 'leadership transfer',
    });
  });

  it('keeps at most `limit` rows, the newest', () => {
    const view = raftLedgerView('leader');
    const rows = selectTimelineRows(view, a0, 3);
    expect(rows.map((r) => r.atMs)).toEqual(
      view.timeline
        .slice(-3)
        .map((t) => t.atMs)
        .reverse(),
    );
    expect(new Set(rows.map((r) => r.key)).size).toBe(3);
  });
});

describe('selectEntryRows', () => {
  it('lists committed entries newest first as JSON, long ones cut short', () => {
    const rows = selectEntryRows(raftLedgerView('leader'));
    expect(rows.map((r) => r.index)).toEqual([57, 55, 54, 53, 52, 49, 48, 47]);
    expect(rows[0]).toMatchObject({
      term: 3,
      json: `{"task":"render","tile":19,"by":"${a1.slice(0, 8)}"}`,
    });
    const long = rows.find((r) => r.index === 54);
    expect(long?.jsonShort).toHaveLength(ENTRY_JSON_SHORT_CHARS);
    expect(long?.jsonShort.endsWith('…')).toBe(true);
    expect(long?.json).toContain('cut short in its row');
    expect(rows.find((r) => r.index === 53)?.json).toBe('"checkpoint"');
  });

  it('shows entries JSON cannot encode as text', () => {
    expect(entryJson(undefined).full).toBe('undefined');
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(entryJson(cyclic).full).toBe('[object Object]');
  });
});
