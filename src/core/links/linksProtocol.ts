import { assert } from '../base/assert';
import { compareIds, type AgentId } from '../base/ids';
import { shuffleInPlace, type Prng } from '../base/prng';
import type { Millis } from '../base/time';
import { MAX_ADVERT_LINKS } from '../wire/messages';
import { resolveLinksConfig, type LinksConfig } from './config';
import { ReachTracker } from './reach';
import {
  REASON_PEER_LEFT,
  REASON_SELF_LEFT,
  type EdgeView,
  type LinksEffect,
  type LinksInput,
  type LinksMessage,
  type LinksSnapshot,
  type NeighbourView,
} from './types';

/** Round-trip samples kept per neighbour for the dashboard and the bench. */
export const RTT_SAMPLES_KEPT = 32;

type AdvertisedLinks = Extract<LinksMessage, { type: 'links' }>['links'];

/** Pings in flight per neighbour; a pong for an older seq is ignored (it cannot be matched). */
export const MAX_OUTSTANDING_PINGS = 4;

interface Neighbour {
  upSinceMs: Millis;
  lastHeardMs: Millis;
  rttMs: number | null;
  lastRttMs: number | null;
  recentRttMs: number[];
  nextSeq: number;
  outstanding: number[];
  /**
   * The neighbour's own advertised links, replaced by each advert. Kept as the list it sent
   * (adverts arrive constantly, snapshots are rare): snapshot() resolves repeated peers.
   */
  advertised: AdvertisedLinks;
  /** The peers of that advert, in its order: what reach evaluation reads, without the objects. */
  advertisedPeers: readonly AgentId[];
  /** The version of that advert; null when none was taken as sent (its reports are ignored). */
  advertVersion: number | null;
  /**
   * The last reach report that followed the advert held at the time: the links it speaks of
   * (that advert's), their ages, and when it came. Kept until the next matching report, so a
   * new advert does not drop what the neighbour last said.
   */
  reportPeers: readonly AgentId[];
  reportAgesMs: readonly number[] | null;
  reportAtMs: Millis;
}

/**
 * Link liveness and one-hop link state: measures each open link's round trip, closes links
 * that went silent, and shares its link list so every agent can draw the whole mesh.
 * Pure: time arrives in inputs, randomness from the injected Prng, effects are returned.
 */
export class LinksProtocol {
  readonly config: LinksConfig;
  private readonly neighbours = new Map<AgentId, Neighbour>();
  private pingRound: AgentId[] = [];
  private advertRound: AgentId[] = [];
  private nextPingAtMs: Millis | null = null;
  private nextAdvertAtMs: Millis | null = null;
  /** What the last advert said (peer -> round trip), to tell whether a new one is worth it. */
  private lastAdvertised = new Map<AgentId, number | null>();
  private lastAdvertAtMs: Millis | null = null;
  /**
   * The earliest lastHeardMs over the neighbours (null: none), or stale when `oldestStale`. It
   * decides the timeout wake-up and whether a tick must look for silent links, so neither walks
   * every neighbour after every step; it is recomputed only when the oldest one was heard.
   */
  private oldestHeardMs: Millis | null = null;
  private oldestStale = false;
  /** Numbers this agent's adverts; the peers of the last one, in order, for reach reports. */
  private advertVersion = 0;
  private advertPeers: AgentId[] = [];
  private readonly reach: ReachTracker;
  /** nextWakeMs() as of the end of the last step: an input much later means a stall. */
  private expectedWakeMs: Millis | null = null;

  constructor(
    selfId: AgentId,
    private readonly prng: Prng,
    overrides: Partial<Omit<LinksConfig, 'selfId'>> = {},
  ) {
    this.config = resolveLinksConfig(selfId, overrides);
    this.reach = new ReachTracker(
      selfId,
      this.config.reachWindowMs,
      this.config.pingIntervalMs,
      this.config.pingIntervalMs,
    );
  }

  step(input: LinksInput): LinksEffect[] {
    const effects: LinksEffect[] = [];
    this.checkStall(input.nowMs);
    switch (input.kind) {
      case 'linkUp':
        this.onLinkUp(input.peer, input.nowMs, effects);
        break;
      case 'linkDown':
        this.onLinkDown(input.peer, input.reason, input.nowMs, effects);
        break;
      case 'message':
        this.onMessage(input.from, input.msg, input.nowMs, effects);
        break;
      case 'tick':
        this.onTick(input.nowMs, effects);
        break;
      case 'leave':
        this.onLeave(input.nowMs, effects);
        break;
      case 'close':
        if (this.neighbours.has(input.peer)) {
          this.removeNeighbour(input.peer, input.reason, true, input.nowMs, effects);
        }
        break;
    }
    const reachAtMs = this.reach.nextCheckMs;
    if (reachAtMs !== null && input.nowMs >= reachAtMs) {
      this.reach.evaluate(input.nowMs, this.neighbours, effects);
    }
    this.expectedWakeMs = this.nextWakeMs();
    return effects;
  }

  /**
   * An input long after the wake-up this agent asked for means it was frozen or starved, not
   * that its neighbours went quiet: the time it was away is not held against them (as SWIM's
   * stall handling postpones suspicions), so a thawed tab neither drops its links nor loses
   * its reach before the frames that waited for it are read.
   */
  private checkStall(nowMs: Millis): void {
    const expected = this.expectedWakeMs;
    if (expected === null) return;
    const lateMs = nowMs - expected;
    if (lateMs <= this.config.stallThresholdMs) return;
    this.expectedWakeMs = null;
    for (const n of this.neighbours.values()) {
      n.lastHeardMs = Math.min(nowMs, n.lastHeardMs + lateMs);
      n.reportAtMs = Math.min(nowMs, n.reportAtMs + lateMs);
    }
    this.oldestStale = true;
  }

  /** Whether `peer` was heard within the reach window, directly or through a neighbour. */
  reaches(peer: AgentId): boolean {
    return this.reach.has(peer);
  }

  /** When the host should next deliver a tick, or null when there is nothing to time. */
  nextWakeMs(): Millis | null {
    // Runs after every step: plain comparisons, no closure.
    let wake = this.nextPingAtMs;
    const advertAtMs = this.nextAdvertAtMs;
    if (advertAtMs !== null && (wake === null || advertAtMs < wake)) wake = advertAtMs;
    const reachAtMs = this.reach.nextCheckMs;
    if (reachAtMs !== null && (wake === null || reachAtMs < wake)) wake = reachAtMs;
    const oldestMs = this.oldestHeard();
    if (oldestMs !== null) {
      // Rounding is monotonic, so this is the smallest lastHeardMs + linkTimeoutMs exactly.
      const timeoutAtMs = oldestMs + this.config.linkTimeoutMs;
      if (wake === null || timeoutAtMs < wake) wake = timeoutAtMs;
    }
    return wake;
  }

  hasNeighbour(peer: AgentId): boolean {
    return this.neighbours.has(peer);
  }

  neighbourCount(): number {
    return this.neighbours.size;
  }

  private onLinkUp(peer: AgentId, nowMs: Millis, effects: LinksEffect[]): void {
    if (peer === this.config.selfId) {
      effects.push({ kind: 'close', peer, reason: 'link to self' });
      return;
    }
    if (this.neighbours.has(peer)) return;
    if (this.neighbours.size >= this.config.maxPeers) {
      const reason = `peer limit ${this.config.maxPeers} reached`;
      effects.push({ kind: 'close', peer, reason });
      effects.push({ kind: 'event', event: { type: 'link-refused', peer, reason } });
      return;
    }
    // Time only moves forward: a new neighbour is never older than the oldest one.
    if (this.neighbours.size === 0) {
      this.oldestHeardMs = nowMs;
      this.oldestStale = false;
    }
    this.neighbours.set(peer, {
      upSinceMs: nowMs,
      lastHeardMs: nowMs,
      rttMs: null,
      lastRttMs: null,
      recentRttMs: [],
      nextSeq: 1,
      outstanding: [],
      advertised: [],
      advertisedPeers: [],
      advertVersion: null,
      reportPeers: [],
      reportAgesMs: null,
      reportAtMs: nowMs,
    });
    effects.push({ kind: 'event', event: { type: 'link-up', peer } });
    this.reach.evaluate(nowMs, this.neighbours, effects);
    // Measure the new link right away rather than waiting for its turn in the round.
    this.sendPing(peer, nowMs, effects);
    this.nextPingAtMs ??= nowMs + this.config.pingIntervalMs;
    this.advertSoon(nowMs);
  }

  private onLinkDown(peer: AgentId, reason: string, nowMs: Millis, effects: LinksEffect[]): void {
    if (this.neighbours.has(peer)) this.removeNeighbour(peer, reason, false, nowMs, effects);
  }

  /** Forgets a neighbour; `close` asks the host to close the link too (we decided, not it). */
  private removeNeighbour(
    peer: AgentId,
    reason: string,
    close: boolean,
    nowMs: Millis,
    effects: LinksEffect[],
  ): void {
    const neighbour = this.neighbours.get(peer);
    if (neighbour !== undefined && neighbour.lastHeardMs === this.oldestHeardMs) {
      this.oldestStale = true;
    }
    this.neighbours.delete(peer);
    if (close) effects.push({ kind: 'close', peer, reason });
    effects.push({ kind: 'event', event: { type: 'link-down', peer, reason } });
    this.reach.evaluate(nowMs, this.neighbours, effects);
    if (this.neighbours.size === 0) this.nextPingAtMs = null;
    this.advertSoon(nowMs);
  }

  private onMessage(from: AgentId, msg: LinksMessage, nowMs: Millis, effects: LinksEffect[]): void {
    const neighbour = this.neighbours.get(from);
    if (neighbour === undefined) return;
    if (neighbour.lastHeardMs === this.oldestHeardMs) this.oldestStale = true;
    const wasSilentMs = nowMs - neighbour.lastHeardMs;
    neighbour.lastHeardMs = nowMs;
    // A neighbour heard again after a silence past the window is reached again at once.
    if (wasSilentMs >= this.config.reachWindowMs) {
      this.reach.evaluate(nowMs, this.neighbours, effects);
    }
    switch (msg.type) {
      case 'ping':
        effects.push({
          kind: 'send',
          to: from,
          msg: { type: 'pong', seq: msg.seq, sentAtMs: msg.sentAtMs },
        });
        if (msg.reach !== undefined) this.onReachReport(neighbour, msg.reach, nowMs);
        break;
      case 'pong':
        this.onPong(neighbour, msg.seq, msg.sentAtMs, nowMs);
        break;
      case 'links':
        this.onAdvert(from, neighbour, msg.version, msg.links);
        break;
      case 'bye':
        this.removeNeighbour(from, REASON_PEER_LEFT, true, nowMs, effects);
        break;
    }
  }

  private onLeave(nowMs: Millis, effects: LinksEffect[]): void {
    for (const peer of [...this.neighbours.keys()]) {
      effects.push({ kind: 'send', to: peer, msg: { type: 'bye' } });
      this.removeNeighbour(peer, REASON_SELF_LEFT, true, nowMs, effects);
    }
  }

  private onPong(neighbour: Neighbour, seq: number, sentAtMs: Millis, nowMs: Millis): void {
    const index = neighbour.outstanding.indexOf(seq);
    if (index < 0) return;
    neighbour.outstanding.splice(0, index + 1);
    // The peer echoes our own timestamp; a lying peer can only make its own link look slower.
    const sample = Math.max(0, nowMs - sentAtMs);
    neighbour.lastRttMs = sample;
    neighbour.recentRttMs.push(sample);
    if (neighbour.recentRttMs.length > RTT_SAMPLES_KEPT) neighbour.recentRttMs.shift();
    neighbour.rttMs =
      neighbour.rttMs === null
        ? sample
        : neighbour.rttMs + this.config.rttSmoothing * (sample - neighbour.rttMs);
  }

  private onAdvert(
    from: AgentId,
    neighbour: Neighbour,
    version: number,
    links: AdvertisedLinks,
  ): void {
    // Adverts arrive constantly and are almost always clean (bounded, not naming the sender):
    // then keep the decoded list as it is, with no copy and nothing to compare.
    let clean = links.length <= MAX_ADVERT_LINKS;
    for (let i = 0; clean && i < links.length; i++) {
      if ((links[i] as AdvertisedLinks[number]).peer === from) clean = false;
    }
    neighbour.advertised = clean
      ? links
      : links.slice(0, MAX_ADVERT_LINKS).filter((link) => link.peer !== from);
    neighbour.advertisedPeers = neighbour.advertised.map((link) => link.peer);
    // Reach reports name links by their place in the advert: only a list kept as sent will do.
    neighbour.advertVersion = clean ? version : null;
  }

  /** A neighbour's reach report, kept when it follows the advert held from that neighbour. */
  private onReachReport(
    neighbour: Neighbour,
    report: { advertVersion: number; agesMs: number[] },
    nowMs: Millis,
  ): void {
    if (
      neighbour.advertVersion !== report.advertVersion ||
      report.agesMs.length !== neighbour.advertised.length
    ) {
      return;
    }
    neighbour.reportPeers = neighbour.advertisedPeers;
    neighbour.reportAgesMs = report.agesMs;
    neighbour.reportAtMs = nowMs;
  }

  private onTick(nowMs: Millis, effects: LinksEffect[]): void {
    const oldestMs = this.oldestHeard();
    // Only when the longest-silent link timed out can any have (rounding is monotonic).
    if (oldestMs !== null && nowMs - oldestMs >= this.config.linkTimeoutMs) {
      for (const [peer, neighbour] of this.neighbours) {
        const silentMs = nowMs - neighbour.lastHeardMs;
        if (silentMs >= this.config.linkTimeoutMs) {
          this.removeNeighbour(peer, `silent for ${Math.round(silentMs)} ms`, true, nowMs, effects);
        }
      }
    }
    if (this.nextPingAtMs !== null && nowMs >= this.nextPingAtMs) {
      this.pingRoundRobin(nowMs, effects);
      this.nextPingAtMs = this.neighbours.size === 0 ? null : nowMs + this.config.pingIntervalMs;
    }
    if (this.nextAdvertAtMs !== null && nowMs >= this.nextAdvertAtMs) {
      const refreshDue =
        this.lastAdvertAtMs === null || nowMs - this.lastAdvertAtMs >= this.config.advertRefreshMs;
      if (refreshDue || this.linkListChanged()) this.advertise(nowMs, effects);
      this.nextAdvertAtMs =
        this.neighbours.size === 0 ? null : nowMs + this.config.advertIntervalMs;
    }
  }

  /** The earliest lastHeardMs over the neighbours, or null when there are none. */
  private oldestHeard(): Millis | null {
    if (this.oldestStale) {
      let oldest: Millis | null = null;
      for (const n of this.neighbours.values()) {
        if (oldest === null || n.lastHeardMs < oldest) oldest = n.lastHeardMs;
      }
      this.oldestHeardMs = oldest;
      this.oldestStale = false;
    }
    return this.neighbours.size === 0 ? null : this.oldestHeardMs;
  }

  /**
   * Pings per round: the configured fan-out, raised when needed so that every neighbour is
   * pinged at least twice per reach window (and so per link timeout); otherwise a quiet,
   * healthy link would drop out of reach, or time out.
   */
  private pingsPerRound(): number {
    const { pingFanout, pingIntervalMs, linkTimeoutMs, reachWindowMs } = this.config;
    const windowMs = Math.min(linkTimeoutMs, reachWindowMs);
    const needed = Math.ceil((2 * this.neighbours.size * pingIntervalMs) / windowMs);
    return Math.max(pingFanout, needed);
  }

  private pingRoundRobin(nowMs: Millis, effects: LinksEffect[]): void {
    const peers = takeFromRound(this.pingRound, this.pingsPerRound(), this.neighbours, () =>
      shuffleInPlace([...this.neighbours.keys()], this.prng),
    );
    for (const peer of peers) this.sendPing(peer, nowMs, effects);
  }

  private sendPing(peer: AgentId, nowMs: Millis, effects: LinksEffect[]): void {
    const neighbour = this.neighbours.get(peer);
    assert(neighbour !== undefined, 'ping to a non-neighbour');
    const seq = neighbour.nextSeq;
    neighbour.nextSeq = (neighbour.nextSeq + 1) >>> 0 || 1;
    neighbour.outstanding.push(seq);
    if (neighbour.outstanding.length > MAX_OUTSTANDING_PINGS) neighbour.outstanding.shift();
    const msg: LinksMessage =
      this.advertPeers.length === 0
        ? { type: 'ping', seq, sentAtMs: nowMs }
        : {
            type: 'ping',
            seq,
            sentAtMs: nowMs,
            reach: {
              advertVersion: this.advertVersion,
              agesMs: this.reach.report(nowMs, this.advertPeers, this.neighbours),
            },
          };
    effects.push({ kind: 'send', to: peer, msg });
  }

  /** True when a link came or went, or a round trip moved enough to show, since the last advert. */
  private linkListChanged(): boolean {
    if (this.lastAdvertised.size !== Math.min(this.neighbours.size, MAX_ADVERT_LINKS)) return true;
    const { advertRttChangeRatio, advertRttChangeMinMs } = this.config;
    for (const [peer, neighbour] of this.neighbours) {
      if (!this.lastAdvertised.has(peer)) return true;
      const before = this.lastAdvertised.get(peer) ?? null;
      const now = neighbour.rttMs;
      if (before === null || now === null) {
        if (before !== now) return true;
        continue;
      }
      const moved = Math.abs(now - before);
      if (moved >= advertRttChangeMinMs && moved >= advertRttChangeRatio * before) return true;
    }
    return false;
  }

  private advertise(nowMs: Millis, effects: LinksEffect[]): void {
    const links = [...this.neighbours]
      .slice(0, MAX_ADVERT_LINKS)
      .map(([peer, neighbour]) => ({ peer, rttMs: roundRtt(neighbour.rttMs) }));
    this.lastAdvertised = new Map(links.map((link) => [link.peer, link.rttMs]));
    this.lastAdvertAtMs = nowMs;
    // A new number only when the peers or their order changed: reports follow the order, and
    // an advert refreshed for its round trips alone must not make the receivers' reports stale.
    const advertised = links.map((link) => link.peer);
    if (!samePeers(advertised, this.advertPeers) || this.advertVersion === 0) {
      this.advertVersion = (this.advertVersion + 1) >>> 0;
      this.advertPeers = advertised;
    }
    const msg: LinksMessage = { type: 'links', version: this.advertVersion, links };
    const peers = takeFromRound(this.advertRound, this.config.advertFanout, this.neighbours, () => [
      ...this.neighbours.keys(),
    ]);
    for (const peer of peers) effects.push({ kind: 'send', to: peer, msg });
  }

  private advertSoon(nowMs: Millis): void {
    if (this.neighbours.size === 0) {
      this.nextAdvertAtMs = null;
      return;
    }
    const soon = nowMs + this.config.advertDebounceMs;
    if (this.nextAdvertAtMs === null || soon < this.nextAdvertAtMs) this.nextAdvertAtMs = soon;
  }

  snapshot(): LinksSnapshot {
    const self = this.config.selfId;
    const neighbours: NeighbourView[] = [];
    const edges = new Map<string, EdgeView>();
    for (const [peer, n] of this.neighbours) {
      neighbours.push({
        peer,
        rttMs: n.rttMs,
        lastRttMs: n.lastRttMs,
        recentRttMs: [...n.recentRttMs],
        upSinceMs: n.upSinceMs,
        lastHeardMs: n.lastHeardMs,
      });
      edges.set(edgeKey(self, peer), {
        ...orderedPair(self, peer),
        rttMs: n.rttMs,
        source: 'self',
      });
    }
    for (const [reporter, n] of this.neighbours) {
      // A peer listed twice in one advert counts once, with its last round trip.
      const advertised = new Map<AgentId, number | null>();
      for (const link of n.advertised) advertised.set(link.peer, link.rttMs);
      for (const [peer, rttMs] of advertised) {
        const key = edgeKey(reporter, peer);
        if (peer === self || edges.has(key)) continue;
        edges.set(key, { ...orderedPair(reporter, peer), rttMs, source: 'peer' });
      }
    }
    neighbours.sort((x, y) => compareIds(x.peer, y.peer));
    return { self, neighbours, edges: [...edges.values()], reach: this.reach.snapshot() };
  }

  /** Checked by the simulator after every step. */
  invariants(): void {
    assert(this.neighbours.size <= this.config.maxPeers, 'more neighbours than maxPeers');
    assert(!this.neighbours.has(this.config.selfId), 'self is its own neighbour');
    // This runs after every step in the simulator: a plain pass first, messages only on failure.
    let neighboursOk = true;
    let oldestMs: Millis | null = null;
    for (const n of this.neighbours.values()) {
      neighboursOk &&= neighbourOk(n);
      if (oldestMs === null || n.lastHeardMs < oldestMs) oldestMs = n.lastHeardMs;
    }
    if (!neighboursOk) {
      for (const [peer, n] of this.neighbours) {
        assert(
          n.outstanding.length <= MAX_OUTSTANDING_PINGS,
          `too many pings in flight to ${peer}`,
        );
        assert(n.advertised.length <= MAX_ADVERT_LINKS, `advert from ${peer} over the limit`);
        assert(n.rttMs === null || n.rttMs >= 0, `negative round trip to ${peer}`);
      }
    }
    assert(
      (this.nextPingAtMs === null) === (this.neighbours.size === 0),
      'ping timer out of step with neighbours',
    );
    assert(
      this.oldestStale || this.neighbours.size === 0 || this.oldestHeardMs === oldestMs,
      'cached oldest lastHeardMs out of step',
    );
  }
}

function samePeers(a: readonly AgentId[], b: readonly AgentId[]): boolean {
  return a.length === b.length && a.every((peer, i) => peer === b[i]);
}

function neighbourOk(n: Neighbour): boolean {
  return (
    n.outstanding.length <= MAX_OUTSTANDING_PINGS &&
    n.advertised.length <= MAX_ADVERT_LINKS &&
    (n.rttMs === null || n.rttMs >= 0)
  );
}

/**
 * Takes min(count, live neighbours) distinct neighbours from a rotating round (popped from its
 * end), in place. When the round runs dry part-way it is refilled with those already taken this
 * time placed last, so nobody is taken twice in one go and the fan-out is still met.
 */
function takeFromRound(
  round: AgentId[],
  count: number,
  live: ReadonlyMap<AgentId, unknown>,
  refill: () => AgentId[],
): AgentId[] {
  const want = Math.min(count, live.size);
  const taken: AgentId[] = [];
  let refilled = false;
  while (taken.length < want) {
    const peer = round.pop();
    if (peer === undefined) {
      assert(!refilled, 'a refilled round ran dry');
      refilled = true;
      const takenSet = new Set(taken);
      round.push(...taken, ...refill().filter((p) => !takenSet.has(p)));
      continue;
    }
    // Rounds hold each neighbour once, so only departed ones need skipping.
    if (live.has(peer)) taken.push(peer);
  }
  return taken;
}

function roundRtt(rttMs: number | null): number | null {
  return rttMs === null ? null : Math.round(rttMs * 1000) / 1000;
}

function orderedPair(x: AgentId, y: AgentId): { a: AgentId; b: AgentId } {
  return compareIds(x, y) < 0 ? { a: x, b: y } : { a: y, b: x };
}

function edgeKey(x: AgentId, y: AgentId): string {
  const { a, b } = orderedPair(x, y);
  return `${a}|${b}`;
}
