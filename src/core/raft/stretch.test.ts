import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { fixedId } from '../base/testSupport';
import { ContactGaps } from './contactGaps';
import { TestNet, voteRequest } from './testNet';

const A = fixedId('a');
const B = fixedId('b');
const C = fixedId('c');

/** Timeouts as a page runs them: stretched by late contacts, with a grace after its own stall. */
const PAGE = { stallGraceMs: 100, electionTimeoutCapMs: 1000 };

/** A leads: its timer is ticked exactly when due (on time, so no grace), then all delivered. */
function electOnTime(net: TestNet, id: AgentId): void {
  net.nowMs = net.node(id).nextWakeMs();
  net.step(id, { kind: 'tick' });
  net.settle();
  expect(net.node(id).currentRole).toBe('leader');
}

/** The leader heartbeats every `gapMs` for `rounds` rounds, everything delivered. */
function heartbeats(net: TestNet, leader: AgentId, gapMs: number, rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    net.nowMs += gapMs;
    // The heartbeat is due; a late one (gapMs past 50) is what a held-up leader sends.
    net.step(leader, { kind: 'tick' });
    net.settle();
  }
}

/**
 * A leader's check-quorum runs on time, then the answers to its next heartbeat arrive while its
 * page is held up for a second: the role it has once it read them and judged again.
 */
function heldUpLeader(config: typeof PAGE): string {
  const net = new TestNet([A, B, C], config);
  electOnTime(net, A);
  const leadingSinceMs = net.nowMs;
  heartbeats(net, A, 50, 4);
  net.nowMs = leadingSinceMs + 250; // the first check, on time: it clears what A heard
  net.step(A, { kind: 'tick' });
  net.deliver(net.take((e) => e.to !== A)); // the followers answer; A does not read it yet
  net.nowMs += 1_000;
  net.step(A, { kind: 'tick' });
  net.settle();
  net.nowMs += 100;
  net.step(A, { kind: 'tick' });
  net.settle();
  return net.node(A).currentRole;
}

describe('ContactGaps', () => {
  it('keeps the longest gap of the last ten seconds and forgets older ones', () => {
    const gaps = new ContactGaps(1000);
    gaps.record(60, 1_000);
    gaps.record(300, 2_500);
    gaps.record(80, 9_000);
    expect(gaps.longest(9_000)).toBe(300);
    expect(gaps.longest(11_999)).toBe(300);
    expect(gaps.longest(12_000)).toBe(80);
    expect(gaps.longest(18_999)).toBe(80);
    expect(gaps.longest(19_000)).toBe(0);
  });

  it('does not count an outage, or a gap that is no number', () => {
    const gaps = new ContactGaps(1000);
    gaps.record(5_000, 1_000);
    gaps.record(Number.NaN, 1_000);
    gaps.record(-1, 1_000);
    expect(gaps.longest(1_000)).toBe(0);
    gaps.record(1_000, 1_000);
    expect(gaps.longest(1_000)).toBe(1_000);
  });
});

describe('raft timeouts on a loaded machine (transcripts)', () => {
  it('a follower held up past its deadline waits one grace for what arrived meanwhile', () => {
    const net = new TestNet([A, B, C], PAGE);
    electOnTime(net, A);
    const due = net.node(C).nextWakeMs();
    // C's page was busy: its tick comes 200 ms late, with A's heartbeat still queued behind it.
    net.nowMs = due + 200;
    net.step(C, { kind: 'tick' });
    expect(net.node(C).currentRole).toBe('follower');
    expect(net.take()).toEqual([]);
    expect(net.node(C).view().stats.stallGraces).toBe(1);
    expect(net.node(C).nextWakeMs()).toBe(net.nowMs + 100);
    // The heartbeat is read in the grace: C goes on following.
    net.step(A, { kind: 'tick' });
    net.settle();
    expect(net.node(C).currentRole).toBe('follower');
    expect(net.node(C).currentLeader).toBe(A);
  });

  it('the grace is given once: a node late again elects, so a node always late still can', () => {
    const net = new TestNet([A, B, C], PAGE);
    electOnTime(net, A);
    net.nowMs = net.node(C).nextWakeMs() + 200;
    net.step(C, { kind: 'tick' });
    net.nowMs += 300; // late again, nothing heard
    net.step(C, { kind: 'tick' });
    expect(net.node(C).currentRole).toBe('pre-candidate');
  });

  it('a tick on time elects at once: without stalls the timing is the paper’s', () => {
    const net = new TestNet([A, B, C], PAGE);
    electOnTime(net, A);
    net.nowMs = net.node(C).nextWakeMs() + 10;
    net.step(C, { kind: 'tick' });
    expect(net.node(C).currentRole).toBe('pre-candidate');
    expect(net.node(C).view().stats.stallGraces).toBe(0);
  });

  it('a leader held up past its check-quorum reads the answers that waited before it judges', () => {
    expect(heldUpLeader(PAGE)).toBe('leader');
    // The same stall without the grace: the answers wait unread, and the leader steps down.
    expect(heldUpLeader({ ...PAGE, stallGraceMs: 0 })).toBe('follower');
  });

  it('late heartbeats stretch the timeout to 1.5 times the longest gap; ten quiet seconds undo it', () => {
    const net = new TestNet([A, B, C], PAGE);
    electOnTime(net, A);
    expect(net.node(C).view().electionTimeoutMs).toBe(250);
    heartbeats(net, A, 50, 4);
    expect(net.node(C).view().electionTimeoutMs).toBe(250);
    // A's page stalls 220 ms between two heartbeats (under C's drawn timeout, over none of it).
    net.nowMs += 170;
    heartbeats(net, A, 50, 1);
    expect(net.node(C).view().electionTimeoutMs).toBe(330);
    // The leader stretched too: its followers' answers came 220 ms apart.
    expect(net.node(A).view().electionTimeoutMs).toBe(330);
    heartbeats(net, A, 50, 220);
    expect(net.node(C).view().electionTimeoutMs).toBe(250);
  });

  it('a voter that saw its leader come late refuses a pre-vote longer (the lease stretches too)', () => {
    const net = new TestNet([A, B, C], PAGE);
    electOnTime(net, A);
    net.nowMs += 290;
    heartbeats(net, A, 10, 1); // a 300 ms gap: timeout 450 ms
    net.nowMs += 300;
    net.step(B, { kind: 'message', from: C, msg: voteRequest(2, 1, 1, { preVote: true }) });
    const answer = net.take((e) => e.from === B && e.msg.type === 'raft-vote-response');
    expect(answer.map((e) => e.msg)).toEqual([
      { type: 'raft-vote-response', term: 1, granted: false, preVote: true },
    ]);
  });

  it('never stretches past electionTimeoutCapMs, and an outage does not stretch at all', () => {
    const net = new TestNet([A, B, C], { ...PAGE, electionTimeoutCapMs: 400 });
    electOnTime(net, A);
    net.nowMs += 340;
    heartbeats(net, A, 10, 1); // 350 ms: 525, capped
    expect(net.node(C).view().electionTimeoutMs).toBe(400);
    const quiet = new TestNet([A, B, C], PAGE);
    electOnTime(quiet, A);
    quiet.nowMs += 5_000; // a partition: no ticks at C meanwhile, then the leader again
    heartbeats(quiet, A, 10, 1);
    expect(quiet.node(C).view().electionTimeoutMs).toBe(250);
  });
});
