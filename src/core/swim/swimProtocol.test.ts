import { describe, expect, it } from 'vitest';
import type { AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import { B, C, D, E, fixedId as id, runUntilWake, SELF } from '../base/testSupport';
import type { Millis } from '../base/time';
import type { MembershipFact, SwimFact, SwimMessage } from '../wire/swimMessages';
import { aliveStatement, leftStatement, loadStatement } from '../wire/swimStatements';
import type { SwimOverrides } from './config';
import { RELAY_NACK_FRACTION } from './prober';
import { SwimProtocol } from './swimProtocol';
import type { ReachVia, SwimEffect, SwimEvent, SwimInput } from './types';

/** A fake signature per signed text, so a test can tell which statement was signed. */
function fakeSignature(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const byte of bytes) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(16);
}

const SIG_B = 'b0'.repeat(64);
const alive = (subject: AgentId, incarnation = 0, signature = SIG_B): MembershipFact => ({
  kind: 'alive',
  subject,
  incarnation,
  signature,
});
const suspect = (subject: AgentId, incarnation: number, by: AgentId): MembershipFact => ({
  kind: 'suspect',
  subject,
  incarnation,
  by,
});
const dead = (subject: AgentId, incarnation: number, by: AgentId): MembershipFact => ({
  kind: 'dead',
  subject,
  incarnation,
  by,
});

type Send = Extract<SwimEffect, { kind: 'send' }>;

/**
 * A protocol under test. Every step is followed by the invariant check the simulator runs;
 * signing requests are answered at once (as the simulator's crypto does) unless `holdSigns`.
 */
function harness(overrides: SwimOverrides = {}, seed = 1) {
  const protocol = new SwimProtocol(SELF, createSeededPrng(seed), {
    foundAfterMs: 60_000,
    ...overrides,
  });
  const signed: Uint8Array[] = [];
  /** Members that answer every probe sent to them (at once): the others stay silent. */
  const responsive = new Set<AgentId>();
  let holdSigns = false;
  const held: Extract<SwimEffect, { kind: 'sign' }>[] = [];
  const step = (input: SwimInput): SwimEffect[] => {
    const effects = protocol.step(input);
    protocol.invariants();
    const out: SwimEffect[] = [];
    for (const effect of effects) {
      if (effect.kind === 'send' && effect.msg.type === 'swim-probe' && responsive.has(effect.to)) {
        out.push(effect);
        const ack: SwimMessage = { type: 'swim-ack', seq: effect.msg.seq, facts: [] };
        out.push(...step({ kind: 'message', from: effect.to, msg: ack, nowMs: input.nowMs }));
        continue;
      }
      if (effect.kind !== 'sign') {
        out.push(effect);
        continue;
      }
      signed.push(effect.bytes);
      if (holdSigns) {
        held.push(effect);
        continue;
      }
      const signature = fakeSignature(effect.bytes);
      out.push(
        ...step({ kind: 'signed', requestId: effect.requestId, signature, nowMs: input.nowMs }),
      );
    }
    return out;
  };
  const msg = (from: AgentId, m: SwimMessage, nowMs: Millis) =>
    step({ kind: 'message', from, msg: m, nowMs });
  const tick = (nowMs: Millis) => step({ kind: 'tick', nowMs });
  /** How the links protocol hears `peer` (the agent turns its reach events into these). */
  const reach = (peer: AgentId, via: ReachVia | null, nowMs: Millis) =>
    step({ kind: 'reach', peer, via, nowMs });
  /** A link comes up; as in the agent, the peer is heard on it from then on. */
  const up = (peer: AgentId, nowMs: Millis) => [
    ...step({ kind: 'linkUp', peer, nowMs }),
    ...reach(peer, 'direct', nowMs),
  ];
  /** Learns of members through one gossip message from the first of them, and links to them. */
  const join = (peers: AgentId[], nowMs: Millis) => {
    msg(peers[0] as AgentId, { type: 'swim-gossip', facts: peers.map((p) => alive(p)) }, nowMs);
    for (const peer of peers) up(peer, nowMs);
  };
  const runUntil = (untilMs: Millis) => runUntilWake(protocol, tick, untilMs);
  tick(0);
  return {
    protocol,
    step,
    msg,
    tick,
    up,
    reach,
    join,
    runUntil,
    signed,
    held,
    responsive,
    hold: (on: boolean) => (holdSigns = on),
  };
}

const sends = (effects: SwimEffect[]) => effects.filter((e): e is Send => e.kind === 'send');
const ofType = <T extends SwimMessage['type']>(effects: SwimEffect[], type: T) =>
  sends(effects).filter((s) => s.msg.type === type) as (Send & {
    msg: Extract<SwimMessage, { type: T }>;
  })[];
const events = (effects: SwimEffect[]) =>
  effects.flatMap((e) => (e.kind === 'event' ? [e.event] : [])) as SwimEvent[];
const membership = (facts: SwimFact[]) =>
  facts.filter((f) => f.kind !== 'load' && f.kind !== 'app') as MembershipFact[];

describe('swim: start', () => {
  it('signs its alive and left statements for incarnation 0 at once, and wakes to probe', () => {
    const h = harness();
    expect(h.signed).toEqual([aliveStatement(SELF, 0), leftStatement(SELF, 0)]);
    expect(h.protocol.incarnation()).toBe(0);
    const wake = h.protocol.nextWakeMs() as number;
    expect(wake).toBeGreaterThanOrEqual(0);
    expect(wake).toBeLessThan(2000);
    const view = h.protocol.snapshot();
    expect(view.members).toHaveLength(1);
    expect(view.members[0]).toMatchObject({ id: SELF, self: true, status: 'alive' });
    expect(view.quorum).toEqual({ reachable: 0, membershipSize: 0, hasQuorum: false });
  });

  it('learns a member from its signed alive fact, links, and exchanges state on the link', () => {
    const h = harness();
    const learned = h.msg(B, { type: 'swim-gossip', facts: [alive(B)] }, 10);
    expect(events(learned)).toEqual([
      {
        type: 'member-alive',
        peer: B,
        incarnation: 0,
        reason: 'joined at incarnation 0 (announced itself)',
      },
    ]);
    const linked = h.up(B, 20);
    expect(ofType(linked, 'swim-digest').map((s) => s.to)).toEqual([B]);
    // Suspect or dead reports about a member never seen alive are ignored.
    expect(h.msg(B, { type: 'swim-gossip', facts: [suspect(C, 0, B), dead(D, 3, B)] }, 30)).toEqual(
      [],
    );
    expect(h.protocol.statusOf(C)).toBeNull();
  });
});

describe('swim: direct probe', () => {
  it('probes the linked member once per period and is satisfied by its ack', () => {
    const h = harness({ gossipIntervalMs: 60_000 });
    h.join([B], 10);
    const [first] = h.runUntil(1000).filter((entry) => ofType(entry.effects, 'swim-probe').length);
    expect(first).toBeDefined();
    const atMs = first?.atMs as number;
    expect(ofType(first?.effects ?? [], 'swim-probe')).toEqual([
      {
        kind: 'send',
        to: B,
        msg: { type: 'swim-probe', seq: 1, facts: [alive(SELF, 0, expect.any(String))] },
      },
    ]);
    expect(h.msg(B, { type: 'swim-ack', seq: 1, facts: [] }, atMs + 30)).toEqual([]);
    // Nothing more until the next period: no retry, no indirect probes.
    expect(h.protocol.nextWakeMs()).toBe(atMs + 1000);
    const next = h.tick(atMs + 1000);
    expect(ofType(next, 'swim-probe').map((s) => [s.to, s.msg.seq])).toEqual([[B, 2]]);
    expect(h.protocol.snapshot().localHealth).toBe(0);
  });

  it('answers a probe with an ack of the same seq, and an ack for nobody is ignored', () => {
    const h = harness();
    h.join([B], 10);
    const answer = h.msg(B, { type: 'swim-probe', seq: 77, facts: [] }, 100);
    expect(ofType(answer, 'swim-ack').map((s) => [s.to, s.msg.seq])).toEqual([[B, 77]]);
    expect(h.msg(B, { type: 'swim-ack', seq: 12345, facts: [] }, 110)).toEqual([]);
  });
});

/** A harness with B, C, D linked and its first probe sent; returns the probe's target and seq. */
function probing(overrides: SwimOverrides = {}) {
  const h = harness({ gossipIntervalMs: 60_000, ...overrides });
  h.join([B, C, D], 10);
  let effects: SwimEffect[] = [];
  let atMs = 0;
  while (ofType(effects, 'swim-probe').length === 0) {
    atMs = h.protocol.nextWakeMs() as number;
    effects = h.tick(atMs);
  }
  const [probe] = ofType(effects, 'swim-probe');
  const target = probe?.to as AgentId;
  const seq = probe?.msg.seq as number;
  const others = [B, C, D].filter((peer) => peer !== target);
  return { h, target, seq, atMs, others };
}

describe('swim: indirect probe (SWIM §3.1, Lifeguard nacks)', () => {
  it('after the probe timeout, retries the target once and asks the other members to probe it', () => {
    const { h, target, seq, atMs, others } = probing();
    expect(h.protocol.nextWakeMs()).toBe(atMs + 500);
    const effects = h.tick(atMs + 500);
    expect(ofType(effects, 'swim-probe').map((s) => [s.to, s.msg.seq])).toEqual([[target, seq]]);
    const requests = ofType(effects, 'swim-probe-req');
    expect(requests.map((s) => s.to).sort()).toEqual([...others].sort());
    for (const request of requests) expect(request.msg).toMatchObject({ seq, target });
    // An ack relayed by one of them ends the probe: no suspicion at the end of the period.
    h.msg(others[0] as AgentId, { type: 'swim-ack', seq, facts: [] }, atMs + 600);
    expect(events(h.tick(atMs + 1000))).toEqual([]);
    expect(h.protocol.statusOf(target)).toBe('alive');
  });

  it('relays a probe for another member and forwards its ack, or nacks', () => {
    const h = harness();
    h.join([B, C], 10);
    const relay = h.msg(B, { type: 'swim-probe-req', seq: 40, target: C, facts: [] }, 100);
    const [probe] = ofType(relay, 'swim-probe');
    expect(probe?.to).toBe(C);
    const relaySeq = probe?.msg.seq as number;
    // The ack must come from the target itself.
    expect(h.msg(B, { type: 'swim-ack', seq: relaySeq, facts: [] }, 110)).toEqual([]);
    const forwarded = h.msg(C, { type: 'swim-ack', seq: relaySeq, facts: [] }, 120);
    expect(ofType(forwarded, 'swim-ack').map((s) => [s.to, s.msg.seq])).toEqual([[B, 40]]);
    // No link to the target: an immediate nack (Lifeguard), so the prober knows we are fine.
    const noLink = h.msg(B, { type: 'swim-probe-req', seq: 41, target: D, facts: [] }, 130);
    expect(ofType(noLink, 'swim-nack').map((s) => [s.to, s.msg.seq])).toEqual([[B, 41]]);
    // The target stays silent: a nack once 80% of the probe timeout has passed.
    h.msg(B, { type: 'swim-probe-req', seq: 42, target: C, facts: [] }, 200);
    const deadline = 200 + RELAY_NACK_FRACTION * 500;
    expect(h.protocol.nextWakeMs()).toBeLessThanOrEqual(deadline);
    const log = h.runUntil(deadline);
    const nacks = log.flatMap((entry) => ofType(entry.effects, 'swim-nack'));
    expect(nacks.map((s) => [s.to, s.msg.seq])).toEqual([[B, 42]]);
  });
});

describe('swim: suspicion, Lifeguard timeouts and death', () => {
  it('suspects a member nobody could reach, with the reason, and gossips it at once', () => {
    const { h, target, seq, atMs, others } = probing();
    h.tick(atMs + 500);
    h.msg(others[0] as AgentId, { type: 'swim-nack', seq, facts: [] }, atMs + 700);
    const effects = h.tick(atMs + 1000);
    expect(events(effects)).toEqual([
      {
        type: 'member-suspect',
        peer: target,
        incarnation: 0,
        by: SELF,
        reason:
          'no ack to a direct probe within 500 ms nor to its retry, ' +
          'no ack through 2 indirect probes (1 nack)',
      },
    ]);
    // Forwarded on the spot to the neighbours (all three here), the subject included.
    const gossip = ofType(effects, 'swim-gossip');
    expect(gossip.map((s) => s.to).sort()).toEqual([B, C, D].sort());
    for (const message of gossip) {
      expect(membership(message.msg.facts)).toContainEqual(suspect(target, 0, SELF));
    }
    // Lifeguard: one relay did not even nack, so part of the blame is ours.
    expect(h.protocol.snapshot().localHealth).toBe(1);
    const view = h.protocol.snapshot().members.find((m) => m.id === target);
    expect(view).toMatchObject({ status: 'suspect', suspectedBy: [SELF], confirmations: 0 });
  });

  it('declares dead when the suspicion times out, shorter with each confirmation', () => {
    // Self and four members: k = 3 confirmations expected, min = 1 s, max = 6 s. B has no
    // link here, so this agent does not probe it itself and only the reports count.
    const h = harness({ gossipIntervalMs: 60_000 });
    h.join([C, D, E], 10);
    h.responsive.add(C).add(D).add(E);
    h.msg(C, { type: 'swim-gossip', facts: [alive(B)] }, 10);
    h.msg(C, { type: 'swim-gossip', facts: [suspect(B, 0, C)] }, 1000);
    const started = h.protocol.snapshot().members.find((m) => m.id === B);
    expect(started).toMatchObject({ status: 'suspect', suspicionDeadlineMs: 1000 + 6000 });
    // One independent confirmation: 6 - 5 x log 2 / log 4 = 3.5 s.
    const confirm = h.msg(D, { type: 'swim-gossip', facts: [suspect(B, 0, D)] }, 1200);
    expect(events(confirm)).toEqual([]);
    let view = h.protocol.snapshot().members.find((m) => m.id === B);
    expect(view).toMatchObject({ suspectedBy: [C, D], confirmations: 1 });
    expect(view?.suspicionDeadlineMs).toBe(1000 + 3500);
    // The same reporter again does not count.
    h.msg(E, { type: 'swim-gossip', facts: [suspect(B, 0, D)] }, 1300);
    expect(h.protocol.snapshot().members.find((m) => m.id === B)?.confirmations).toBe(1);
    h.msg(E, { type: 'swim-gossip', facts: [suspect(B, 0, E)] }, 1400);
    view = h.protocol.snapshot().members.find((m) => m.id === B);
    expect(view?.suspicionDeadlineMs).toBe(
      1000 + Math.floor(6000 - (5000 * Math.log(3)) / Math.log(4)),
    );
    // The dead verdict, with who suspected and who confirmed.
    const deadline = view?.suspicionDeadlineMs as number;
    const log = h.runUntil(deadline);
    const verdicts = log.flatMap((entry) => events(entry.effects));
    expect(verdicts.filter((e) => e.type === 'member-dead')).toEqual([
      {
        type: 'member-dead',
        peer: B,
        incarnation: 0,
        by: SELF,
        reason:
          'suspicion timed out after 2.0 s: suspected by cccccccc, ' +
          'confirmed by dddddddd, eeeeeeee (2 of 3 expected)',
      },
    ]);
    expect(h.protocol.statusOf(B)).toBe('dead');
  });

  it('probes a new suspect out of turn, telling it of the suspicion first (buddy system)', () => {
    const h = harness({ gossipIntervalMs: 60_000 });
    h.join([B, C, D, E], 10);
    h.msg(C, { type: 'swim-gossip', facts: [suspect(B, 0, C)] }, 1000);
    const probes = h.runUntil(3500).flatMap((entry) => ofType(entry.effects, 'swim-probe'));
    expect(probes[0]?.to).toBe(B);
    expect(probes[0]?.msg.facts[0]).toEqual(suspect(B, 0, C));
  });

  it('probes a member nobody heard for a window next, without suspecting it for the silence', () => {
    for (const quiet of [B, C, D, E]) {
      const h = harness({ gossipIntervalMs: 60_000 });
      h.join([B, C, D, E], 10);
      for (const peer of [B, C, D, E]) h.responsive.add(peer);
      h.runUntil(2000);
      const silence = h.reach(quiet, null, 2100);
      expect(events(silence)).toEqual([]);
      expect(h.protocol.statusOf(quiet)).toBe('alive');
      const next = h.runUntil(3500).flatMap((entry) => ofType(entry.effects, 'swim-probe'));
      expect(next[0]?.to).toBe(quiet);
    }
  });
});

describe('swim: refutation', () => {
  it('refutes a suspicion of itself with a higher incarnation, broadcast once signed', () => {
    const h = harness();
    h.join([B, C], 10);
    h.hold(true);
    const heard = h.msg(B, { type: 'swim-gossip', facts: [suspect(SELF, 0, B)] }, 100);
    expect(events(heard)).toEqual([
      {
        type: 'self-refuted',
        peer: SELF,
        incarnation: 1,
        reason: 'suspected by bbbbbbbb at incarnation 0; refuting with incarnation 1',
      },
    ]);
    expect(h.protocol.incarnation()).toBe(1);
    // Nothing goes out before the signature comes back (WebCrypto is asynchronous).
    expect(sends(heard).filter((s) => s.msg.type === 'swim-gossip')).toEqual([]);
    expect(h.held.map((s) => s.bytes)).toEqual([aliveStatement(SELF, 1), leftStatement(SELF, 1)]);
    const [aliveSign, leftSign] = h.held;
    const signature = 'e1'.repeat(64);
    const out = h.step({
      kind: 'signed',
      requestId: aliveSign?.requestId as number,
      signature,
      nowMs: 180,
    });
    const gossip = ofType(out, 'swim-gossip');
    expect(gossip.map((s) => s.to).sort()).toEqual([B, C]);
    for (const message of gossip) {
      expect(message.msg.facts[0]).toEqual(alive(SELF, 1, signature));
    }
    h.step({ kind: 'signed', requestId: leftSign?.requestId as number, signature, nowMs: 181 });
    // Being suspected counts against its own health (Lifeguard).
    expect(h.protocol.snapshot().localHealth).toBe(1);
    // An older suspicion, or the same one again, is not refuted twice.
    expect(h.msg(C, { type: 'swim-gossip', facts: [suspect(SELF, 0, C)] }, 200)).toEqual([]);
  });

  it('a dead verdict or an older life at a higher incarnation is refuted above it', () => {
    const h = harness();
    h.join([B], 10);
    const deadVerdict = h.msg(B, { type: 'swim-gossip', facts: [dead(SELF, 4, B)] }, 100);
    expect(events(deadVerdict).map((e) => [e.type, 'incarnation' in e && e.incarnation])).toEqual([
      ['self-refuted', 5],
    ]);
    h.msg(B, { type: 'swim-gossip', facts: [alive(SELF, 9)] }, 200);
    expect(h.protocol.incarnation()).toBe(10);
    expect(h.signed.slice(-2)).toEqual([aliveStatement(SELF, 10), leftStatement(SELF, 10)]);
  });
});

describe('swim: precedence through the protocol', () => {
  it('applies the SWIM rules: refutation, stale reports, death, return', () => {
    const h = harness();
    h.join([B], 10);
    // Not heard here: verdicts apply as they come (one about a member still heard is held).
    h.reach(B, null, 10);
    const run = (fact: MembershipFact, nowMs: number) =>
      events(h.msg(B, { type: 'swim-gossip', facts: [fact] }, nowMs)).map((e) => e.type);
    expect(run(suspect(B, 0, C), 100)).toEqual(['member-suspect']);
    expect(run(alive(B, 0), 110)).toEqual([]); // same incarnation: does not refute
    expect(run(alive(B, 1), 120)).toEqual(['member-alive']); // refuted
    expect(h.protocol.snapshot().members.find((m) => m.id === B)?.reason).toBe(
      'refuted the suspicion with incarnation 1',
    );
    expect(run(suspect(B, 0, C), 130)).toEqual([]); // stale
    expect(run(dead(B, 1, C), 140)).toEqual(['member-dead']);
    expect(run(alive(B, 1), 150)).toEqual([]); // dead wins at the same incarnation
    expect(run(suspect(B, 1, D), 160)).toEqual([]);
    expect(run(alive(B, 2), 170)).toEqual(['member-alive']);
    expect(h.protocol.snapshot().members.find((m) => m.id === B)?.reason).toBe(
      'came back from dead with incarnation 2',
    );
    expect(run({ kind: 'left', subject: B, incarnation: 2, signature: SIG_B }, 180)).toEqual([
      'member-left',
    ]);
    expect(run(dead(B, 2, C), 190)).toEqual([]); // left is final for its incarnation
    expect(run(alive(B, 3), 200)).toEqual(['member-alive']); // rejoined
  });
});

describe('swim: verdicts against what this agent hears', () => {
  it('holds a dead verdict about a member it still hears as a suspicion, which the member refutes', () => {
    const h = harness({ gossipIntervalMs: 60_000 });
    h.join([B, C], 10);
    // C, back from the far side of a healed partition, says B is dead; B is heard here.
    const held = events(h.msg(C, { type: 'swim-gossip', facts: [dead(B, 0, C)] }, 100));
    expect(held.map((e) => e.type)).toEqual(['member-suspect']);
    expect(held[0]).toMatchObject({
      peer: B,
      by: C,
      reason:
        'declared dead by cccccccc, but still heard here: held as a suspicion until it goes quiet',
    });
    expect(h.protocol.statusOf(B)).toBe('suspect');
    // What is gossiped on is the suspicion, so B hears of it (and a third party does not kill it).
    const toB = ofType(h.tick(1000), 'swim-probe').concat(ofType(h.tick(2000), 'swim-probe'));
    const spread = toB.flatMap((s) => membership(s.msg.facts)).filter((f) => f.subject === B);
    expect(spread.map((f) => f.kind)).toContain('suspect');
    expect(spread.map((f) => f.kind)).not.toContain('dead');
    // B refutes: nobody here ever held it dead.
    const back = events(h.msg(B, { type: 'swim-gossip', facts: [alive(B, 1)] }, 2100));
    expect(back.map((e) => e.type)).toEqual(['member-alive']);
    expect(h.protocol.statusOf(B)).toBe('alive');
  });

  it('applies a held verdict at once when the member goes quiet', () => {
    const h = harness({ gossipIntervalMs: 60_000 });
    h.join([B, C], 10);
    h.msg(C, { type: 'swim-gossip', facts: [dead(B, 0, C)] }, 100);
    const quiet = events(h.reach(B, null, 900));
    expect(quiet.find((e) => e.type === 'member-dead')).toMatchObject({
      peer: B,
      by: C,
      reason: 'declared dead by cccccccc, held while it was heard; not heard since',
    });
    expect(h.protocol.statusOf(B)).toBe('dead');
  });

  it('does not end its own suspicion of a member it still hears; ends it when the member goes quiet', () => {
    const h = harness({ gossipIntervalMs: 60_000, suspicionMinMult: 1, suspicionMaxMult: 2 });
    h.join([B, C], 10);
    h.msg(C, { type: 'swim-gossip', facts: [suspect(B, 0, C)] }, 100);
    // The suspicion timeout passes (at most 2 s here); B is still heard, so no verdict yet.
    const during = h.runUntil(10_000).flatMap((entry) => events(entry.effects));
    expect(during.filter((e) => e.type === 'member-dead')).toEqual([]);
    expect(h.protocol.statusOf(B)).toBe('suspect');
    const quiet = events(h.reach(B, null, 10_100));
    expect(quiet.find((e) => e.type === 'member-dead')).toMatchObject({ peer: B, by: SELF });
  });

  it('does not hold a verdict about a member heard only through a neighbour', () => {
    const h = harness({ gossipIntervalMs: 60_000 });
    h.join([B, C], 10);
    // B's own link went quiet; C still hears it. A crashed member looks like this for a hop's
    // time, so a verdict is not held on that evidence alone.
    h.reach(B, 'indirect', 50);
    const verdict = events(h.msg(C, { type: 'swim-gossip', facts: [dead(B, 0, C)] }, 100));
    expect(verdict.map((e) => e.type)).toEqual(['member-dead']);
    // A held verdict applies when the member's own link goes quiet, even if a neighbour still
    // hears it.
    h.msg(D, { type: 'swim-gossip', facts: [alive(D)] }, 150);
    h.up(D, 150);
    h.msg(C, { type: 'swim-gossip', facts: [dead(D, 0, C)] }, 200);
    expect(h.protocol.statusOf(D)).toBe('suspect');
    const quiet = events(h.reach(D, 'indirect', 300));
    expect(quiet.find((e) => e.type === 'member-dead')).toMatchObject({ peer: D, by: C });
  });

  it('counts a member out of the quorum when it is not heard, whatever its status', () => {
    const h = harness({ foundAfterMs: 1000, gossipIntervalMs: 60_000 });
    h.join([B, C, D], 10);
    h.runUntil(1000);
    expect(h.protocol.quorum()).toEqual({ reachable: 4, membershipSize: 4, hasQuorum: true });
    h.reach(B, null, 1100);
    h.reach(C, null, 1100);
    // B and C are held alive (no verdict yet), but this side cannot act for them.
    expect(h.protocol.statusOf(B)).toBe('alive');
    expect(h.protocol.quorum()).toEqual({ reachable: 2, membershipSize: 4, hasQuorum: false });
    expect(h.protocol.snapshot().reachable).toEqual([SELF, D].sort());
    // A member learned of before it is reached is not counted until it is.
    h.msg(D, { type: 'swim-gossip', facts: [alive(E)] }, 1200);
    expect(h.protocol.snapshot().members.find((m) => m.id === E)?.reached).toBe(false);
  });
});

describe('swim: graceful leave', () => {
  it('announces its pre-signed departure to every neighbour at once and stops', () => {
    const h = harness();
    h.join([B, C], 10);
    const effects = h.step({ kind: 'leave', nowMs: 500 });
    const left = { kind: 'left', subject: SELF, incarnation: 0, signature: expect.any(String) };
    expect(effects).toEqual([
      { kind: 'send', to: B, msg: { type: 'swim-gossip', facts: [left] } },
      { kind: 'send', to: C, msg: { type: 'swim-gossip', facts: [left] } },
      {
        kind: 'event',
        event: {
          type: 'member-left',
          peer: SELF,
          incarnation: 0,
          reason: 'this agent left (signed, incarnation 0)',
        },
      },
    ]);
    expect(h.protocol.nextWakeMs()).toBeNull();
    expect(h.tick(2000)).toEqual([]);
  });

  it('a member that left is not probed any more', () => {
    const h = harness({ gossipIntervalMs: 60_000 });
    h.join([B, C], 10);
    h.responsive.add(C);
    const leaving = { kind: 'left', subject: B, incarnation: 0, signature: SIG_B } as const;
    const heard = h.msg(B, { type: 'swim-gossip', facts: [leaving] }, 20);
    expect(events(heard)).toEqual([
      {
        type: 'member-left',
        peer: B,
        incarnation: 0,
        reason: 'left gracefully (signed, incarnation 0)',
      },
    ]);
    const probes = h.runUntil(10_000).flatMap((entry) => ofType(entry.effects, 'swim-probe'));
    expect(probes.length).toBeGreaterThanOrEqual(9);
    expect(probes.every((s) => s.to === C)).toBe(true);
    expect(h.protocol.snapshot().localHealth).toBe(0);
  });
});

describe('swim: local health (Lifeguard §IV-A)', () => {
  it('stretches probe interval and timeout while probes fail, and recovers with acks', () => {
    // A long suspicion keeps B probeable for the whole test.
    const h = harness({ gossipIntervalMs: 60_000, suspicionMinMult: 60 });
    h.join([B], 10);
    // B never answers and no relay exists, so each failed probe costs one health point, and
    // each period (and its timeout) is longer than the last: 1 s, 2 s, 3 s, 4 s.
    const firstSends = new Map<number, number>();
    const timeouts: number[] = [];
    for (const entry of h.runUntil(12_000)) {
      for (const probe of ofType(entry.effects, 'swim-probe')) {
        if (!firstSends.has(probe.msg.seq)) firstSends.set(probe.msg.seq, entry.atMs);
        else timeouts.push(entry.atMs - (firstSends.get(probe.msg.seq) as number));
      }
    }
    const starts = [...firstSends.values()];
    const periods = starts.slice(1).map((t, i) => Math.round(t - (starts[i] as number)));
    expect(periods.slice(0, 4)).toEqual([1000, 2000, 3000, 4000]);
    expect(timeouts.slice(0, 4).map(Math.round)).toEqual([500, 1000, 1500, 2000]);
    // Once probes are answered again, every ack takes one point off.
    const health = h.protocol.snapshot().localHealth;
    expect(health).toBeGreaterThanOrEqual(3);
    h.responsive.add(B);
    const acked = h.runUntil(60_000).filter((entry) => ofType(entry.effects, 'swim-probe').length);
    expect(acked.length).toBeGreaterThanOrEqual(health);
    expect(h.protocol.snapshot().localHealth).toBe(0);
  });

  it('an input arriving long after the wake-up it asked for marks a stall: no verdicts from it', () => {
    const { h, target, atMs } = probing();
    const before = h.protocol.snapshot().localHealth;
    // Frozen for 10 s: the probe in flight is dropped instead of turning into a suspicion.
    const effects = h.tick(atMs + 10_000);
    const [stall] = events(effects);
    expect(stall).toMatchObject({ type: 'stalled', peer: SELF });
    expect(events(effects).some((e) => e.type === 'member-suspect')).toBe(false);
    expect(h.protocol.statusOf(target)).toBe('alive');
    expect(h.protocol.snapshot().localHealth).toBe(before + 1);
  });
});

describe('swim: agreed membership and quorum', () => {
  it('founds a membership after foundAfterMs and counts reachable members', () => {
    const h = harness({ foundAfterMs: 4000, gossipIntervalMs: 60_000 });
    h.join([B, C], 10);
    h.responsive.add(B).add(C);
    const founded = h.runUntil(4000).flatMap((entry) => events(entry.effects));
    expect(founded.find((e) => e.type === 'quorum-gained')).toEqual({
      type: 'quorum-gained',
      peer: SELF,
      reachable: 3,
      membershipSize: 3,
      reason: 'holds 3 of 3 agreed members: agreement-based actions may proceed',
    });
    // A suspicion alone does not take a member out of reach: it is still heard.
    h.msg(B, { type: 'swim-gossip', facts: [suspect(C, 0, B)] }, 4100);
    expect(h.protocol.quorum()).toEqual({ reachable: 3, membershipSize: 3, hasQuorum: true });
    // Two of three not heard within the window: one of three reachable, read-only.
    h.reach(C, null, 4150);
    expect(h.protocol.quorum()).toEqual({ reachable: 2, membershipSize: 3, hasQuorum: true });
    const lost = h.reach(B, null, 4200);
    expect(events(lost).find((e) => e.type === 'quorum-lost')).toMatchObject({
      reachable: 1,
      membershipSize: 3,
    });
    expect(h.protocol.statusOf(B)).toBe('alive');
    // A signed leave takes a member out of the denominator at once.
    h.reach(B, 'direct', 4250);
    h.reach(C, 'direct', 4250);
    h.msg(C, { type: 'swim-gossip', facts: [alive(C, 1)] }, 4300);
    h.msg(
      B,
      {
        type: 'swim-gossip',
        facts: [{ kind: 'left', subject: B, incarnation: 0, signature: SIG_B }],
      },
      4400,
    );
    expect(h.protocol.quorum()).toEqual({ reachable: 2, membershipSize: 2, hasQuorum: true });
    expect(h.protocol.agreedMembers()).toEqual([SELF, C]);
  });

  it('a side without a quorum adds no newcomer to the agreed membership', () => {
    const h = harness({ foundAfterMs: 1000, gossipIntervalMs: 60_000 });
    h.join([B, C, D], 10);
    h.responsive.add(B).add(C).add(D);
    h.runUntil(1000);
    expect(h.protocol.quorum().membershipSize).toBe(4);
    for (const peer of [B, C]) h.reach(peer, null, 1100);
    expect(h.protocol.quorum().hasQuorum).toBe(false);
    h.msg(D, { type: 'swim-gossip', facts: [alive(E)] }, 1200);
    expect(h.protocol.statusOf(E)).toBe('alive');
    expect(h.protocol.agreedMembers()).not.toContain(E);
    // Back to a quorum: the newcomer joins.
    h.reach(B, 'direct', 1300);
    expect(h.protocol.agreedMembers()).toContain(E);
  });
});

describe('swim: load summaries and application facts', () => {
  it('signs and gossips its load when it moved enough, at a bounded rate', () => {
    const h = harness({ loadMinIntervalMs: 2000, gossipIntervalMs: 60_000 });
    h.join([B], 10);
    const first = h.step({ kind: 'setLoad', load: { cpu: 0.5, tasks: 2 }, nowMs: 100 });
    expect(h.signed.at(-1)).toEqual(loadStatement(SELF, 1, { cpu: 0.5, tasks: 2 }));
    const [gossip] = ofType(first, 'swim-gossip');
    expect(gossip?.msg.facts[0]).toMatchObject({ kind: 'load', subject: SELF, version: 1 });
    // A small change is not worth a statement; a large one waits for the minimum interval.
    expect(h.step({ kind: 'setLoad', load: { cpu: 0.52, tasks: 2 }, nowMs: 200 })).toEqual([]);
    expect(h.step({ kind: 'setLoad', load: { cpu: 0.9, tasks: 2 }, nowMs: 300 })).toEqual([]);
    h.runUntil(2100);
    expect(h.signed.at(-1)).toEqual(loadStatement(SELF, 2, { cpu: 0.9, tasks: 2 }));
    expect(h.protocol.snapshot().members.find((m) => m.self)?.load).toEqual({ cpu: 0.9, tasks: 2 });
    // Invalid summaries are ignored.
    h.step({ kind: 'setLoad', load: { cpu: 2 }, nowMs: 5000 });
    expect(h.signed.at(-1)).toEqual(loadStatement(SELF, 2, { cpu: 0.9, tasks: 2 }));
  });

  it('keeps the newest version of each fact per member, bounded per member', () => {
    const h = harness({ maxAppFactsPerMember: 2 });
    h.join([B], 10);
    const app = (key: string, version: number, value: string): SwimFact => ({
      kind: 'app',
      subject: B,
      key,
      version,
      value,
      signature: SIG_B,
    });
    h.msg(B, { type: 'swim-gossip', facts: [app('role', 2, 'db'), app('role', 1, 'old')] }, 20);
    h.msg(B, { type: 'swim-gossip', facts: [app('zone', 1, 'eu'), app('extra', 1, 'x')] }, 30);
    expect(h.protocol.appFact(B, 'role')).toEqual({ value: 'db', version: 2 });
    expect(h.protocol.appFact(B, 'extra')).toBeNull();
    h.step({ kind: 'publishFact', key: 'role', value: 'leader', nowMs: 40 });
    h.step({ kind: 'publishFact', key: 'bad key', value: 'x', nowMs: 50 });
    expect(h.protocol.appFact(SELF, 'role')).toEqual({ value: 'leader', version: 1 });
    expect(h.protocol.snapshot().members.find((m) => m.id === B)?.facts).toEqual([
      { key: 'role', value: 'db', version: 2 },
      { key: 'zone', value: 'eu', version: 1 },
    ]);
  });
});

describe('swim: anti-entropy', () => {
  it('a converged pair exchanges one digest and nothing else', () => {
    const h = harness();
    h.msg(B, { type: 'swim-gossip', facts: [alive(B)] }, 10);
    const digest = ofType(h.up(B, 20), 'swim-digest')[0]?.msg;
    expect(digest?.hashes).toHaveLength(32);
    // Its own digest, sent back as if from a peer holding the same table: nothing to exchange.
    expect(h.msg(B, digest as SwimMessage, 30)).toEqual([]);
  });

  it('summarises the differing buckets, ships what the peer lacks and asks for the rest', () => {
    const h = harness();
    h.join([B], 10);
    const empty = Array.from({ length: 32 }, () => 0);
    const [summary] = ofType(h.msg(B, { type: 'swim-digest', hashes: empty }, 20), 'swim-summary');
    const members = summary?.msg.members ?? [];
    expect(members.map(([member]) => member).sort()).toEqual([SELF, B].sort());
    // B reports C (unknown here) and an older incarnation of itself... well, of SELF.
    const reply = h.msg(
      B,
      {
        type: 'swim-summary',
        buckets: summary?.msg.buckets ?? [],
        members: [[C, 0, 0, 0]],
        remaining: 0,
      },
      30,
    );
    const [state] = ofType(reply, 'swim-state');
    expect(state?.msg.want).toEqual([C]);
    expect(state?.msg.members.map((m) => m.fact.subject).sort()).toEqual([SELF, B].sort());
    // The answer to the want list introduces C.
    h.msg(
      B,
      {
        type: 'swim-state',
        members: [{ fact: alive(C), agreed: true }],
        facts: [],
        want: [],
        reply: true,
      },
      40,
    );
    expect(h.protocol.statusOf(C)).toBe('alive');
    expect(h.protocol.agreedMembers()).toContain(C);
  });
});

describe('swim: views', () => {
  it('in a full mesh asks for a link to a member learned through gossip', () => {
    const h = harness({ gossipIntervalMs: 1000 });
    h.join([B], 10);
    h.runUntil(1500);
    const learned = h.msg(B, { type: 'swim-gossip', facts: [alive(C)] }, 1600);
    expect(learned).toContainEqual({ kind: 'connect', peer: C });
    expect(h.protocol.snapshot().mode).toBe('full-mesh');
  });

  it('past fullMeshMax keeps a partial view: promotes on a lost link, trims an overfull one', () => {
    const h = harness({
      fullMeshMax: 4,
      gossipIntervalMs: 1000,
      activeViewExtra: 0,
      activeViewMin: 2,
    });
    const many = [...'012346789acd'].map(id);
    h.msg(many[0] as AgentId, { type: 'swim-gossip', facts: many.map((m) => alive(m)) }, 10);
    for (const peer of many.slice(0, 8)) h.up(peer, 20);
    expect(h.protocol.snapshot().mode).toBe('partial-view');
    // ln 13 -> target 3, at most 6 links: two trimmed per round.
    const trims = h
      .runUntil(3000)
      .flatMap((entry) => entry.effects.filter((e) => e.kind === 'dropLink'));
    expect(trims.length).toBeGreaterThanOrEqual(2);
    expect(h.protocol.snapshot().activeView.length).toBeLessThanOrEqual(6);
    // Losing links below the target promotes a passive member.
    for (const peer of h.protocol.snapshot().activeView.slice(0, 4)) {
      const effects = h.step({ kind: 'linkDown', peer, reason: 'gone', nowMs: 3100 });
      if (effects.some((e) => e.kind === 'connect')) return;
    }
    throw new Error('no promotion after losing links');
  });
});
