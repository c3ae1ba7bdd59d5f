import { describe, expect, it } from 'vitest';
import { AssertionError } from '../base/assert';
import type { AgentId } from '../base/ids';
import { createSeededPrng } from '../base/prng';
import { B, C, D, E, runUntilWake, SELF } from '../base/testSupport';
import type { Millis } from '../base/time';
import { REACH_NOT_HEARD } from '../wire/messages';
import { DEFAULT_LINKS_CONFIG, resolveLinksConfig, type LinksConfig } from './config';
import { LinksProtocol, MAX_OUTSTANDING_PINGS } from './linksProtocol';
import type { LinksEffect, LinksInput, LinksMessage } from './types';

type Overrides = Partial<Omit<LinksConfig, 'selfId'>>;

/** A protocol under test: every step is followed by the invariant check the simulator runs. */
function harness(overrides: Overrides = {}, seed = 1) {
  const protocol = new LinksProtocol(SELF, createSeededPrng(seed), overrides);
  protocol.invariants();
  const step = (input: LinksInput): LinksEffect[] => {
    const effects = protocol.step(input);
    protocol.invariants();
    return effects;
  };
  const up = (peer: AgentId, nowMs: Millis) => step({ kind: 'linkUp', peer, nowMs });
  const msg = (from: AgentId, m: LinksMessage, nowMs: Millis) =>
    step({ kind: 'message', from, msg: m, nowMs });
  const tick = (nowMs: Millis) => step({ kind: 'tick', nowMs });
  const runUntil = (untilMs: Millis) => runUntilWake(protocol, tick, untilMs);
  return { protocol, step, up, msg, tick, runUntil };
}

const NOT_HEARD = 'not heard for 3 s, directly or through any neighbour';

const sends = (effects: LinksEffect[]) =>
  effects.filter((e): e is Extract<LinksEffect, { kind: 'send' }> => e.kind === 'send');
const pings = (effects: LinksEffect[]) => sends(effects).filter((s) => s.msg.type === 'ping');

describe('links protocol: link lifecycle', () => {
  it('linkUp emits link-up and an immediate ping', () => {
    const h = harness();
    expect(h.up(B, 1000)).toEqual([
      { kind: 'event', event: { type: 'link-up', peer: B } },
      {
        kind: 'event',
        event: { type: 'reach-gained', peer: B, via: 'direct', reason: 'heard on its link' },
      },
      { kind: 'send', to: B, msg: { type: 'ping', seq: 1, sentAtMs: 1000 } },
    ]);
    expect(h.protocol.hasNeighbour(B)).toBe(true);
    expect(h.protocol.neighbourCount()).toBe(1);
    // A repeated linkUp for an open link changes nothing.
    expect(h.up(B, 1100)).toEqual([]);
    expect(h.protocol.neighbourCount()).toBe(1);
  });

  it('refuses a link to itself', () => {
    const h = harness();
    expect(h.up(SELF, 0)).toEqual([{ kind: 'close', peer: SELF, reason: 'link to self' }]);
    expect(h.protocol.neighbourCount()).toBe(0);
    expect(h.protocol.nextWakeMs()).toBeNull();
  });

  it('refuses links past maxPeers', () => {
    const h = harness({ maxPeers: 2 });
    h.up(B, 0);
    h.up(C, 0);
    const reason = 'peer limit 2 reached';
    expect(h.up(D, 5)).toEqual([
      { kind: 'close', peer: D, reason },
      { kind: 'event', event: { type: 'link-refused', peer: D, reason } },
    ]);
    expect(h.protocol.hasNeighbour(D)).toBe(false);
    // After one leaves there is room again.
    h.step({ kind: 'linkDown', peer: B, reason: 'gone', nowMs: 6 });
    expect(h.up(D, 7)[0]).toEqual({ kind: 'event', event: { type: 'link-up', peer: D } });
  });

  it('a linkDown from the host emits link-down without asking to close', () => {
    const h = harness();
    h.up(B, 0);
    expect(h.step({ kind: 'linkDown', peer: B, reason: 'channel closed', nowMs: 10 })).toEqual([
      { kind: 'event', event: { type: 'link-down', peer: B, reason: 'channel closed' } },
      { kind: 'event', event: { type: 'reach-lost', peer: B, reason: NOT_HEARD } },
    ]);
    expect(h.protocol.nextWakeMs()).toBeNull();
    // Unknown peers are ignored.
    expect(h.step({ kind: 'linkDown', peer: C, reason: 'x', nowMs: 11 })).toEqual([]);
  });

  it('bye closes the link', () => {
    const h = harness();
    h.up(B, 0);
    h.up(C, 0);
    expect(h.msg(B, { type: 'bye' }, 50)).toEqual([
      { kind: 'close', peer: B, reason: 'peer said bye' },
      { kind: 'event', event: { type: 'link-down', peer: B, reason: 'peer said bye' } },
      { kind: 'event', event: { type: 'reach-lost', peer: B, reason: NOT_HEARD } },
    ]);
    expect(h.protocol.hasNeighbour(B)).toBe(false);
    expect(h.protocol.hasNeighbour(C)).toBe(true);
  });

  it('leave sends bye to every neighbour and closes every link', () => {
    const h = harness();
    h.up(B, 0);
    h.up(C, 0);
    const reason = 'this agent left';
    expect(h.step({ kind: 'leave', nowMs: 10 })).toEqual([
      { kind: 'send', to: B, msg: { type: 'bye' } },
      { kind: 'close', peer: B, reason },
      { kind: 'event', event: { type: 'link-down', peer: B, reason } },
      { kind: 'event', event: { type: 'reach-lost', peer: B, reason: NOT_HEARD } },
      { kind: 'send', to: C, msg: { type: 'bye' } },
      { kind: 'close', peer: C, reason },
      { kind: 'event', event: { type: 'link-down', peer: C, reason } },
      { kind: 'event', event: { type: 'reach-lost', peer: C, reason: NOT_HEARD } },
    ]);
    expect(h.protocol.neighbourCount()).toBe(0);
    expect(h.protocol.nextWakeMs()).toBeNull();
  });

  it('ignores messages from agents that are not neighbours', () => {
    const h = harness();
    expect(h.msg(B, { type: 'ping', seq: 1, sentAtMs: 0 }, 0)).toEqual([]);
    expect(h.msg(B, { type: 'bye' }, 0)).toEqual([]);
    expect(h.msg(B, { type: 'links', version: 1, links: [{ peer: C, rttMs: 1 }] }, 0)).toEqual([]);
    expect(h.protocol.snapshot().edges).toEqual([]);
  });
});

describe('links protocol: probes and round trips', () => {
  it('answers a ping with a pong echoing seq and timestamp', () => {
    const h = harness();
    h.up(B, 0);
    expect(h.msg(B, { type: 'ping', seq: 7, sentAtMs: 123.5 }, 200)).toEqual([
      { kind: 'send', to: B, msg: { type: 'pong', seq: 7, sentAtMs: 123.5 } },
    ]);
  });

  it('turns pongs into a smoothed round trip (EWMA with the configured weight)', () => {
    for (const smoothing of [0.25, 0.5]) {
      const h = harness({ rttSmoothing: smoothing, pingFanout: 8 });
      h.up(B, 0); // ping seq 1 at 0
      expect(h.msg(B, { type: 'pong', seq: 1, sentAtMs: 0 }, 40)).toEqual([]);
      let view = h.protocol.snapshot().neighbours[0];
      expect(view).toMatchObject({ peer: B, rttMs: 40, lastRttMs: 40, lastHeardMs: 40 });
      expect(pings(h.tick(1000))).toEqual([
        { kind: 'send', to: B, msg: { type: 'ping', seq: 2, sentAtMs: 1000 } },
      ]);
      h.msg(B, { type: 'pong', seq: 2, sentAtMs: 1000 }, 1060);
      view = h.protocol.snapshot().neighbours[0];
      expect(view?.lastRttMs).toBe(60);
      expect(view?.rttMs).toBeCloseTo(40 + smoothing * (60 - 40), 10);
      h.tick(2000);
      h.msg(B, { type: 'pong', seq: 3, sentAtMs: 2000 }, 2010);
      const expected = 40 + smoothing * 20;
      expect(h.protocol.snapshot().neighbours[0]?.rttMs).toBeCloseTo(
        expected + smoothing * (10 - expected),
        10,
      );
    }
  });

  it('ignores a pong whose seq is not outstanding, and an older one after a newer', () => {
    const h = harness();
    h.up(B, 0); // seq 1
    expect(h.msg(B, { type: 'pong', seq: 99, sentAtMs: 0 }, 30)).toEqual([]);
    expect(h.protocol.snapshot().neighbours[0]?.rttMs).toBeNull();
    h.tick(1000); // seq 2
    h.msg(B, { type: 'pong', seq: 2, sentAtMs: 1000 }, 1020);
    expect(h.protocol.snapshot().neighbours[0]?.rttMs).toBe(20);
    // seq 1 was overtaken; its late pong must not count, nor may seq 2 count twice.
    h.msg(B, { type: 'pong', seq: 1, sentAtMs: 0 }, 1500);
    h.msg(B, { type: 'pong', seq: 2, sentAtMs: 1000 }, 1600);
    expect(h.protocol.snapshot().neighbours[0]).toMatchObject({ rttMs: 20, lastRttMs: 20 });
  });

  it('keeps at most MAX_OUTSTANDING_PINGS in flight, forgetting the oldest', () => {
    const h = harness({ linkTimeoutMs: 60_000 });
    h.up(B, 0);
    for (let t = 1000; t <= 6000; t += 1000) h.tick(t); // seqs 2..7, none answered
    const newest = 1 + 6;
    const oldestKept = newest - MAX_OUTSTANDING_PINGS + 1;
    h.msg(B, { type: 'pong', seq: oldestKept - 1, sentAtMs: 0 }, 6500);
    expect(h.protocol.snapshot().neighbours[0]?.rttMs).toBeNull();
    h.msg(B, { type: 'pong', seq: oldestKept, sentAtMs: (oldestKept - 1) * 1000 }, 6500);
    expect(h.protocol.snapshot().neighbours[0]?.rttMs).toBe(6500 - (oldestKept - 1) * 1000);
  });

  it('pings exactly pingFanout distinct neighbours per round, covering all in turn', () => {
    const h = harness({ pingFanout: 2, linkTimeoutMs: 60_000 }, 11);
    for (const peer of [B, C, D]) h.up(peer, 0);
    const counts = new Map<AgentId, number>();
    for (let round = 1; round <= 6; round++) {
      const pinged = pings(h.tick(round * 1000)).map((s) => s.to);
      expect(pinged).toHaveLength(2);
      expect(new Set(pinged).size).toBe(2);
      for (const peer of pinged) counts.set(peer, (counts.get(peer) ?? 0) + 1);
    }
    // 12 pings over 3 neighbours in 4 full rounds: everyone exactly 4 times.
    expect([...counts.values()]).toEqual([4, 4, 4]);
  });

  it('pings every neighbour once per round when the fan-out covers them all', () => {
    const h = harness({ pingFanout: 8 });
    for (const peer of [B, C, D]) h.up(peer, 0);
    for (let round = 1; round <= 3; round++) {
      const pinged = pings(h.tick(round * 1000)).map((s) => s.to);
      expect([...pinged].sort()).toEqual([B, C, D]);
    }
  });
});

describe('links protocol: liveness timeout', () => {
  it('closes a link that stayed silent for linkTimeoutMs, with an event', () => {
    const h = harness({ linkTimeoutMs: 5000, pingIntervalMs: 1000 });
    h.up(B, 0);
    h.up(C, 0);
    h.runUntil(2999);
    h.msg(C, { type: 'ping', seq: 1, sentAtMs: 0 }, 2999); // C is heard, B is not
    h.runUntil(4999);
    const reason = 'silent for 5000 ms';
    const effects = h.tick(5000);
    expect(effects.slice(0, 2)).toEqual([
      { kind: 'close', peer: B, reason },
      { kind: 'event', event: { type: 'link-down', peer: B, reason } },
    ]);
    expect(h.protocol.hasNeighbour(B)).toBe(false);
    expect(h.protocol.hasNeighbour(C)).toBe(true);
    // C now times out 5 s after it was last heard.
    expect(h.protocol.nextWakeMs()).toBeLessThanOrEqual(7999);
    const log = h.runUntil(8000);
    const last = log[log.length - 1];
    expect(last?.atMs).toBe(7999);
    expect(last?.effects.slice(0, 2)).toEqual([
      { kind: 'close', peer: C, reason },
      { kind: 'event', event: { type: 'link-down', peer: C, reason } },
    ]);
    expect(h.protocol.neighbourCount()).toBe(0);
    expect(h.protocol.nextWakeMs()).toBeNull();
  });

  it('wakes for the timeout even when no ping or advert is due earlier', () => {
    const h = harness({ linkTimeoutMs: 1500, pingIntervalMs: 1000, advertIntervalMs: 10_000 });
    h.up(B, 0);
    const log = h.runUntil(2000);
    expect(log.map((entry) => entry.atMs)).toEqual([100, 1000, 1500]);
    expect(h.protocol.hasNeighbour(B)).toBe(false);
  });
});

describe('links protocol: link-state adverts', () => {
  it('sends an advert after the debounce, then an unchanged list only every advertRefreshMs', () => {
    const h = harness({
      advertDebounceMs: 100,
      advertIntervalMs: 2000,
      advertRefreshMs: 6000,
      pingIntervalMs: 1000,
      linkTimeoutMs: 60_000,
    });
    h.up(B, 0);
    const adverts = h.runUntil(12_500).flatMap(({ atMs, effects }) =>
      sends(effects)
        .filter((s) => s.msg.type === 'links')
        .map((s) => ({ atMs, to: s.to, msg: s.msg })),
    );
    // The same peers keep the advert's number: reach reports that follow it stay valid.
    const msg = { type: 'links', version: 1, links: [{ peer: B, rttMs: null }] };
    expect(adverts).toEqual([
      { atMs: 100, to: B, msg },
      { atMs: 6100, to: B, msg },
      { atMs: 12_100, to: B, msg },
    ]);
  });

  it('advertises a round trip that moved past the threshold at the next check, not a small wobble', () => {
    const h = harness({
      advertDebounceMs: 0,
      advertIntervalMs: 1000,
      advertRefreshMs: 60_000,
      advertRttChangeRatio: 0.2,
      advertRttChangeMinMs: 0.5,
      pingIntervalMs: 1000,
      rttSmoothing: 1,
      linkTimeoutMs: 60_000,
    });
    const advertsAt = (nowMs: Millis) => sends(h.tick(nowMs)).filter((s) => s.msg.type === 'links');
    h.up(B, 0);
    expect(advertsAt(0)).toHaveLength(1); // the new link
    h.msg(B, { type: 'pong', seq: 1, sentAtMs: 0 }, 10); // rtt null -> 10: a change
    expect(advertsAt(1000)).toHaveLength(1);
    h.msg(B, { type: 'pong', seq: 2, sentAtMs: 1000 }, 1011); // 10 -> 11 ms: 10 %, too small
    expect(advertsAt(2000)).toHaveLength(0);
    h.msg(B, { type: 'pong', seq: 3, sentAtMs: 2000 }, 2015); // 10 -> 15 ms: 50 %
    const advert = advertsAt(3000);
    // Only the round trip changed: the same number.
    expect(advert.map((s) => s.msg)).toEqual([
      { type: 'links', version: 1, links: [{ peer: B, rttMs: 15 }] },
    ]);
  });

  it('raises the pings per round so every neighbour is pinged twice per link timeout', () => {
    const h = harness({ pingFanout: 1, pingIntervalMs: 1000, linkTimeoutMs: 2000 });
    for (const peer of [B, C, D]) h.up(peer, 0);
    // 2 x 3 neighbours x 1000 ms / 2000 ms = 3 pings a round instead of 1.
    expect(
      pings(h.tick(1000))
        .map((p) => p.to)
        .sort(),
    ).toEqual([B, C, D]);
  });

  it('pulls the advert forward when a link changes, and carries rounded round trips', () => {
    const h = harness({ advertDebounceMs: 50, advertIntervalMs: 2000, linkTimeoutMs: 60_000 });
    h.up(B, 0);
    h.msg(B, { type: 'pong', seq: 1, sentAtMs: 0 }, 12.34567);
    h.runUntil(1000); // adverts at 50, pings at 1000
    h.up(C, 1500);
    expect(h.protocol.nextWakeMs()).toBe(1550);
    const advert = sends(h.tick(1550)).filter((s) => s.msg.type === 'links');
    const links = [
      { peer: B, rttMs: 12.346 },
      { peer: C, rttMs: null },
    ];
    expect(advert.map((s) => s.to).sort()).toEqual([B, C]);
    for (const s of advert) expect(s.msg).toEqual({ type: 'links', version: 2, links });
  });

  it('sends each advert round to advertFanout distinct neighbours, rotating', () => {
    const h = harness({
      advertFanout: 2,
      linkTimeoutMs: 60_000,
      advertIntervalMs: 2000,
      advertRefreshMs: 2000,
    });
    for (const peer of [B, C, D]) h.up(peer, 0);
    const rounds = h
      .runUntil(6200)
      .map(({ effects }) => sends(effects).filter((s) => s.msg.type === 'links'))
      .filter((round) => round.length > 0)
      .map((round) => round.map((s) => s.to));
    expect(rounds).toHaveLength(4);
    for (const round of rounds) expect(new Set(round).size).toBe(2);
    const counts = new Map<AgentId, number>();
    for (const peer of rounds.flat()) counts.set(peer, (counts.get(peer) ?? 0) + 1);
    expect([...counts.values()].sort()).toEqual([2, 3, 3]);
  });

  it('stops advertising when the last link goes', () => {
    const h = harness();
    h.up(B, 0);
    h.step({ kind: 'linkDown', peer: B, reason: 'x', nowMs: 10 });
    expect(h.protocol.nextWakeMs()).toBeNull();
    expect(h.runUntil(10_000)).toEqual([]);
  });
});

describe('links protocol: reach', () => {
  type Harness = ReturnType<typeof harness>;
  /** `from`'s advert number `version` of links to `peers` (round trips do not matter here). */
  const advert = (h: Harness, from: AgentId, version: number, peers: AgentId[], atMs: Millis) =>
    h.msg(from, { type: 'links', version, links: peers.map((peer) => ({ peer, rttMs: 1 })) }, atMs);
  /** A ping from `from` carrying its reach report on advert `version`. */
  const report = (h: Harness, from: AgentId, version: number, agesMs: number[], atMs: Millis) =>
    h.msg(
      from,
      { type: 'ping', seq: atMs, sentAtMs: atMs, reach: { advertVersion: version, agesMs } },
      atMs,
    );
  const events = (effects: LinksEffect[]) =>
    effects.flatMap((e) => (e.kind === 'event' ? [e.event] : []));
  const reachEvents = (log: { atMs: Millis; effects: LinksEffect[] }[]) =>
    log.flatMap(({ atMs, effects }) =>
      events(effects)
        .filter((e) => e.type === 'reach-gained' || e.type === 'reach-lost')
        .map((e) => ({ atMs, type: e.type, peer: e.peer })),
    );

  it('loses a silent neighbour exactly one window after it was last heard, long before the link times out', () => {
    const h = harness({ linkTimeoutMs: 6000, reachWindowMs: 3000 });
    h.up(B, 0);
    h.up(C, 0);
    // C keeps answering; B goes silent after 1.2 s.
    const log: { atMs: Millis; effects: LinksEffect[] }[] = [];
    for (let t = 1000; t <= 5000; t += 1000) {
      log.push(...h.runUntil(t));
      log.push({ atMs: t, effects: h.msg(C, { type: 'ping', seq: t, sentAtMs: t }, t) });
      if (t === 1000) h.msg(B, { type: 'ping', seq: 1, sentAtMs: 1200 }, 1200);
    }
    expect(reachEvents(log)).toEqual([{ atMs: 4200, type: 'reach-lost', peer: B }]);
    expect(h.protocol.reaches(B)).toBe(false);
    expect(h.protocol.reaches(C)).toBe(true);
    expect(h.protocol.hasNeighbour(B)).toBe(true);
    // Heard again: reached again at once, in that very step.
    const back = events(h.msg(B, { type: 'ping', seq: 2, sentAtMs: 5100 }, 5100));
    expect(back).toEqual([
      { type: 'reach-gained', peer: B, via: 'direct', reason: 'heard on its link' },
    ]);
  });

  it("reaches an agent through a neighbour's report, for as long as that neighbour's evidence is fresh", () => {
    const h = harness({ linkTimeoutMs: 60_000, reachWindowMs: 3000 });
    h.up(B, 0);
    advert(h, B, 4, [SELF, D], 10);
    // B heard us 0 ms and D 500 ms before it sent this.
    report(h, B, 4, [0, 500], 20);
    const gained = reachEvents(h.runUntil(1000));
    expect(gained).toEqual([{ atMs: 1000, type: 'reach-gained', peer: D }]);
    expect(h.protocol.snapshot().reach).toEqual([
      { peer: B, via: 'direct' },
      { peer: D, via: 'indirect' },
    ]);
    // Keep B itself fresh without a new report: D ages out one window and one ping interval
    // (the hop's grace) after B last heard it: 20 - 500 + 3000 + 1000.
    const log: { atMs: Millis; effects: LinksEffect[] }[] = [];
    for (let t = 1500; t <= 4000; t += 500) {
      log.push(...h.runUntil(t));
      log.push({ atMs: t, effects: h.msg(B, { type: 'pong', seq: 0, sentAtMs: 0 }, t) });
    }
    expect(reachEvents(log)).toEqual([{ atMs: 3520, type: 'reach-lost', peer: D }]);
    expect(h.protocol.reaches(B)).toBe(true);
  });

  it('says so when a neighbour is heard only through another once its own link goes quiet', () => {
    const h = harness({ linkTimeoutMs: 60_000, reachWindowMs: 3000 });
    h.up(B, 0);
    h.up(C, 0);
    advert(h, C, 1, [B], 10);
    const log: { atMs: Millis; effects: LinksEffect[] }[] = [];
    // B stays silent on its link; C keeps saying it heard B just now.
    for (let t = 500; t <= 4000; t += 500) {
      log.push(...h.runUntil(t));
      log.push({ atMs: t, effects: report(h, C, 1, [0], t) });
    }
    const aboutB = log.flatMap(({ atMs, effects }) =>
      events(effects).flatMap((e) =>
        e.type === 'reach-gained' && e.peer === B ? [{ atMs, via: e.via, reason: e.reason }] : [],
      ),
    );
    expect(aboutB).toEqual([
      { atMs: 3000, via: 'indirect', reason: `heard through ${C.slice(0, 8)}` },
    ]);
    expect(h.protocol.reaches(B)).toBe(true);
  });

  it('ignores a report that follows another advert than the one held, or names no link', () => {
    const h = harness({ linkTimeoutMs: 60_000 });
    h.up(B, 0);
    advert(h, B, 4, [D], 10);
    report(h, B, 3, [0], 20);
    report(h, B, 4, [0, 0], 30);
    report(h, B, 4, [REACH_NOT_HEARD], 40);
    h.runUntil(2000);
    expect(h.protocol.reaches(D)).toBe(false);
    // An advert naming the sender itself is cleaned, so its reports can no longer be placed.
    advert(h, B, 5, [B, D], 2100);
    report(h, B, 5, [0, 0], 2200);
    h.runUntil(4000);
    expect(h.protocol.reaches(D)).toBe(false);
  });

  it("keeps what a neighbour's last report said through its next advert, until its next report", () => {
    const h = harness({ linkTimeoutMs: 60_000, reachWindowMs: 3000 });
    h.up(B, 0);
    advert(h, B, 1, [D, E], 10);
    report(h, B, 1, [0, 0], 20);
    h.runUntil(1000);
    expect([h.protocol.reaches(D), h.protocol.reaches(E)]).toEqual([true, true]);
    // B's links change (E went): D and E stay reached on the last report...
    advert(h, B, 2, [D], 1100);
    h.runUntil(2000);
    expect([h.protocol.reaches(D), h.protocol.reaches(E)]).toEqual([true, true]);
    // ...until B's next report, which follows the new advert and no longer names E.
    report(h, B, 2, [0], 2100);
    h.runUntil(3100);
    expect([h.protocol.reaches(D), h.protocol.reaches(E)]).toEqual([true, false]);
  });

  it('cannot be kept reached by neighbours vouching for each other: evidence only ages', () => {
    const h = harness({ linkTimeoutMs: 60_000, reachWindowMs: 3000 });
    h.up(B, 0);
    h.up(C, 0);
    advert(h, B, 1, [C, D], 1);
    advert(h, C, 1, [B, D], 1);
    // D was last heard by anyone at 0; B and C keep reporting it, each time older.
    const log: { atMs: Millis; effects: LinksEffect[] }[] = [];
    for (let t = 500; t <= 5000; t += 500) {
      log.push(...h.runUntil(t));
      log.push({ atMs: t, effects: report(h, B, 1, [0, t], t) });
      log.push({ atMs: t, effects: report(h, C, 1, [0, t], t) });
    }
    const lost = reachEvents(log).filter((e) => e.peer === D && e.type === 'reach-lost');
    // Heard by anyone last at 0: out of reach at 0 + 3000 + the hop's grace of 1000.
    expect(lost).toEqual([{ atMs: 4000, type: 'reach-lost', peer: D }]);
  });

  it('pings carry this agent’s report on its last advert: how long ago it heard each link', () => {
    const h = harness({ advertDebounceMs: 100, linkTimeoutMs: 60_000, reachWindowMs: 3000 });
    h.up(B, 0);
    h.up(C, 0);
    h.runUntil(100); // the advert of [B, C], version 1
    h.msg(B, { type: 'pong', seq: 1, sentAtMs: 0 }, 400);
    const ping = pings(h.runUntil(1000).flatMap((entry) => entry.effects));
    expect(ping.map((p) => p.msg)).toContainEqual({
      type: 'ping',
      seq: 2,
      sentAtMs: 1000,
      reach: { advertVersion: 1, agesMs: [600, 1000] },
    });
    // A gone link leaves the next advert; one silent past the window is reported as not heard.
    h.step({ kind: 'linkDown', peer: C, reason: 'x', nowMs: 1050 });
    const later = pings(h.runUntil(4000).flatMap((entry) => entry.effects)).map((p) => p.msg);
    expect(later.map((msg) => (msg.type === 'ping' ? msg.reach : null))).toEqual([
      { advertVersion: 2, agesMs: [1600] },
      { advertVersion: 2, agesMs: [2600] },
      { advertVersion: 2, agesMs: [REACH_NOT_HEARD] },
    ]);
  });

  it('a frozen agent does not hold the time it was away against its neighbours', () => {
    const h = harness({ linkTimeoutMs: 6000, reachWindowMs: 3000, stallThresholdMs: 2000 });
    h.up(B, 0);
    h.msg(B, { type: 'pong', seq: 1, sentAtMs: 0 }, 900);
    h.runUntil(1000);
    // Nothing runs for 20 s; then B's frame that waited is the first input.
    const thawed = h.msg(B, { type: 'ping', seq: 9, sentAtMs: 1000 }, 21_000);
    expect(events(thawed)).toEqual([]);
    expect(h.protocol.hasNeighbour(B)).toBe(true);
    expect(h.protocol.reaches(B)).toBe(true);
  });

  it('pings every neighbour at least twice per reach window', () => {
    const h = harness({
      pingFanout: 1,
      pingIntervalMs: 1000,
      linkTimeoutMs: 60_000,
      reachWindowMs: 2000,
    });
    for (const peer of [B, C, D, E]) h.up(peer, 0);
    // 2 x 4 neighbours x 1000 ms / 2000 ms = 4 pings a round instead of 1.
    expect(
      pings(h.tick(1000))
        .map((p) => p.to)
        .sort(),
    ).toEqual([B, C, D, E]);
  });
});

describe('links protocol: snapshot', () => {
  it("includes neighbours' advertised links, deduplicated, and never self-reported edges", () => {
    const h = harness({ linkTimeoutMs: 60_000 });
    h.up(B, 0);
    h.up(C, 0);
    h.msg(B, { type: 'pong', seq: 1, sentAtMs: 0 }, 8);
    h.msg(
      B,
      {
        type: 'links',
        version: 7,
        links: [
          { peer: SELF, rttMs: 8 },
          { peer: C, rttMs: 3 },
          { peer: D, rttMs: null },
          { peer: B, rttMs: 1 }, // a link to itself is nonsense and dropped
        ],
      },
      10,
    );
    h.msg(
      C,
      {
        type: 'links',
        version: 7,
        links: [
          { peer: B, rttMs: 4 }, // the same edge as B's C link, seen from the other end
          { peer: E, rttMs: 9 },
        ],
      },
      11,
    );
    const snap = h.protocol.snapshot();
    expect(snap.self).toBe(SELF);
    expect(snap.neighbours.map((n) => n.peer)).toEqual([B, C]);
    const edges = snap.edges.map((e) => `${e.a[0]}-${e.b[0]}:${e.source}:${e.rttMs}`).sort();
    expect(edges).toEqual([
      '5-b:self:8',
      '5-c:self:null',
      'b-c:peer:3',
      'b-d:peer:null',
      'c-e:peer:9',
    ]);
    for (const edge of snap.edges) expect(edge.a < edge.b).toBe(true);
  });

  it('replaces a neighbour’s advertised links with each advert and forgets them with the link', () => {
    const h = harness({ linkTimeoutMs: 60_000 });
    h.up(B, 0);
    h.msg(B, { type: 'links', version: 1, links: [{ peer: D, rttMs: 1 }] }, 1);
    h.msg(B, { type: 'links', version: 1, links: [{ peer: E, rttMs: 2 }] }, 2);
    expect(h.protocol.snapshot().edges.map((e) => e.b[0])).toEqual(['b', 'e']);
    h.step({ kind: 'linkDown', peer: B, reason: 'x', nowMs: 3 });
    expect(h.protocol.snapshot().edges).toEqual([]);
  });
});

describe('links protocol: invariants under a random transcript', () => {
  it('hold after every step of a long scripted-random run', () => {
    const prng = createSeededPrng(99);
    const h = harness({ maxPeers: 3, pingFanout: 2, linkTimeoutMs: 3000 }, 5);
    const peers = [B, C, D, E];
    let nowMs = 0;
    for (let i = 0; i < 5000; i++) {
      nowMs += prng.nextInt(400);
      const peer = peers[prng.nextInt(peers.length)] as AgentId;
      switch (prng.nextInt(6)) {
        case 0:
          h.up(peer, nowMs);
          break;
        case 1:
          h.step({ kind: 'linkDown', peer, reason: 'r', nowMs });
          break;
        case 2:
          h.msg(peer, { type: 'pong', seq: prng.nextInt(10), sentAtMs: nowMs - 5 }, nowMs);
          break;
        case 3:
          h.msg(peer, { type: 'links', version: 1, links: [{ peer: B, rttMs: null }] }, nowMs);
          break;
        case 4:
          h.runUntil(nowMs);
          break;
        default:
          if (prng.nextInt(20) === 0) h.step({ kind: 'leave', nowMs });
          else h.msg(peer, { type: 'ping', seq: i, sentAtMs: nowMs }, nowMs);
      }
      expect(h.protocol.neighbourCount()).toBeLessThanOrEqual(3);
    }
  });
});

describe('links config', () => {
  it('fills defaults and keeps the self id', () => {
    expect(resolveLinksConfig(SELF)).toEqual({ ...DEFAULT_LINKS_CONFIG, selfId: SELF });
    expect(resolveLinksConfig(SELF, { pingFanout: 1 }).pingFanout).toBe(1);
  });

  it.each<[string, Overrides]>([
    ['pingIntervalMs', { pingIntervalMs: 0 }],
    ['pingFanout', { pingFanout: 1.5 }],
    ['linkTimeoutMs', { linkTimeoutMs: 1000, pingIntervalMs: 1000 }],
    ['advertIntervalMs', { advertIntervalMs: -1 }],
    ['advertDebounceMs', { advertDebounceMs: -1 }],
    ['advertFanout', { advertFanout: 0 }],
    ['maxPeers', { maxPeers: 0 }],
    ['rttSmoothing', { rttSmoothing: 0 }],
    ['rttSmoothing', { rttSmoothing: 1.5 }],
    ['reachWindowMs', { reachWindowMs: 1500, pingIntervalMs: 1000 }],
    ['reachWindowMs', { reachWindowMs: 70_000 }],
    ['stallThresholdMs', { stallThresholdMs: 0 }],
  ])('rejects a bad %s', (_name, overrides) => {
    expect(() => resolveLinksConfig(SELF, overrides)).toThrow(AssertionError);
  });
});
