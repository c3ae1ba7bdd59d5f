import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import type { MeshEvent } from '../../host/ports';
import { buildSnapshot, fixtureId, memberEvent } from '../dev/fixtures';
import {
  MIN_LANE_SPAN_MS,
  selectLanes,
  selectMemberRows,
  selectTimelineRows,
  statusOfMemberEvent,
  summariseQuorum,
} from './membershipSelectors';

const [self, a, b, c] = [0, 1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId];

describe('selectMemberRows', () => {
  it('lists self first, then by id, with age of status, load and suspicions', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      nowMs: 50_000,
      members: [
        { id: b, status: 'suspect', sinceMs: 45_000, suspectedBy: [a, self], reason: 'no ack' },
        { id: a, cpu: 1.4, sinceMs: 60_000 },
        { id: self, incarnation: 3, cpu: 0.25 },
      ],
    });
    const rows = selectMemberRows(snapshot);
    expect(rows.map((r) => r.id)).toEqual([self, ...[a, b].sort()]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(self)).toMatchObject({ isSelf: true, incarnation: 3, cpu: 0.25 });
    expect(byId.get(a)).toMatchObject({ cpu: 1, sinceAgoMs: 0 }); // clamped
    expect(byId.get(b)).toMatchObject({ status: 'suspect', sinceAgoMs: 5_000, reason: 'no ack' });
    expect(byId.get(b)?.suspectedBy.map((s) => s.shortId)).toEqual([
      a.slice(0, 8),
      self.slice(0, 8),
    ]);
    expect(byId.get(b)?.cpu).toBeNull();
  });

  it('marks members held alive or suspect but not heard within the window, never itself or the dead', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      members: [
        { id: self, reached: false },
        { id: a, reached: false },
        { id: b, status: 'suspect', reached: true },
        { id: c, status: 'dead', reached: false },
      ],
    });
    const unheard = new Map(selectMemberRows(snapshot).map((r) => [r.id, r.unheard]));
    expect([unheard.get(self), unheard.get(a), unheard.get(b), unheard.get(c)]).toEqual([
      false,
      true,
      false,
      false,
    ]);
  });
});

describe('summariseQuorum', () => {
  it('reads "quorum r/n" with a majority', () => {
    const s = summariseQuorum({ reachable: 3, membershipSize: 5, hasQuorum: true });
    expect(s.label).toBe('quorum 3/5');
    expect(s.explanation).toMatch(/majority is 3/);
  });

  it('reads "no quorum r/n — read-only" without one', () => {
    const s = summariseQuorum({ reachable: 2, membershipSize: 5, hasQuorum: false });
    expect(s).toMatchObject({ hasQuorum: false, label: 'no quorum 2/5 — read-only' });
  });
});

describe('membership timeline', () => {
  const events: MeshEvent[] = [
    memberEvent('member-joined', a, 1_000),
    { atMs: 1_500, level: 'info', kind: 'link-up', peer: a },
    memberEvent('member-suspect', a, 2_000, 'direct probe failed; 2 indirect failed'),
    memberEvent('member-dead', a, 7_000, 'confirmed by b, c'),
    memberEvent('member-suspect', b, 8_000, 'no ack'),
    memberEvent('member-alive', a, 9_000, 'refuted, incarnation 2'),
    { atMs: 9_500, level: 'info', kind: 'member-gossip-round', peer: c },
  ];

  it('maps kinds to the status they lead to', () => {
    expect(statusOfMemberEvent('member-joined')).toBe('alive');
    expect(statusOfMemberEvent('member-suspect')).toBe('suspect');
    expect(statusOfMemberEvent('member-dead')).toBe('dead');
    expect(statusOfMemberEvent('member-left')).toBe('left');
    expect(statusOfMemberEvent('member-gossip-round')).toBeNull();
  });

  it('keeps member-* events only, newest first, each with the status before it', () => {
    const rows = selectTimelineRows({ events, droppedEvents: 4 });
    expect(rows.map((r) => r.kind)).toEqual([
      'member-gossip-round',
      'member-alive',
      'member-suspect',
      'member-dead',
      'member-suspect',
      'member-joined',
    ]);
    expect(rows.map((r) => r.seq)).toEqual([10, 9, 8, 7, 6, 4]);
    const [gossip, alive, suspectB, dead, suspectA, joined] = rows;
    expect(gossip).toMatchObject({ peer: c, from: null, to: null });
    expect(alive).toMatchObject({
      peer: a,
      from: 'dead',
      to: 'alive',
      reason: 'refuted, incarnation 2',
    });
    expect(suspectB).toMatchObject({ peer: b, from: null, to: 'suspect' });
    expect(dead).toMatchObject({ from: 'suspect', to: 'dead', reason: 'confirmed by b, c' });
    expect(suspectA).toMatchObject({ from: 'alive', to: 'suspect' });
    expect(joined).toMatchObject({ from: null, to: 'alive', reason: null });
  });

  it('builds a lane per member with a segment per status and a mark per event', () => {
    const snapshot = buildSnapshot({
      selfId: self,
      nowMs: 10_000,
      members: [{ id: self }, { id: a }, { id: b, status: 'suspect' }],
    });
    const lanes = selectLanes(snapshot, selectTimelineRows({ events, droppedEvents: 0 }));
    expect(lanes.endMs).toBe(10_000);
    expect(lanes.startMs).toBe(10_000 - MIN_LANE_SPAN_MS);
    expect(lanes.lanes.map((l) => l.id)).toEqual([self, ...[a, b].sort(), c]);
    const lane = (id: AgentId) => lanes.lanes.find((l) => l.id === id);
    expect(lane(a)?.segments).toEqual([
      { fromMs: 1_000, toMs: 2_000, status: 'alive' },
      { fromMs: 2_000, toMs: 7_000, status: 'suspect' },
      { fromMs: 7_000, toMs: 9_000, status: 'dead' },
      { fromMs: 9_000, toMs: 10_000, status: 'alive' },
    ]);
    expect(lane(a)?.marks).toHaveLength(4);
    // No events for self: its current status fills the lane.
    expect(lane(self)?.segments).toEqual([
      { fromMs: lanes.startMs, toMs: 10_000, status: 'alive' },
    ]);
    // Seen only in a non-status event: a mark, no segment.
    expect(lane(c)?.segments).toEqual([]);
    expect(lane(c)?.marks).toHaveLength(1);
  });
});
