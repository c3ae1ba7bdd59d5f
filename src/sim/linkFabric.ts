import type { AgentId } from '../core/base/ids';
import type { Prng } from '../core/base/prng';
import { REASON_PEER_LEFT, REASON_SELF_LEFT } from '../core/links/types';
import { REASON_VIEW_TRIM } from '../core/swim/types';
import { DROP_CAUSES, type DropCause, type Network } from './network';
import type { Scheduler } from './scheduler';
import { EventKind, type SimEvent } from './simEvent';
import { SimTransport, type SimWire } from './simTransport';
import { TraceKind, type Trace } from './trace';

export interface FabricOptions {
  /** Reconnect backoff: full jitter, doubling from base up to max (as the browser transport). */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

/** Reason an agent hears when the other end of a link closed it. */
export const REASON_PEER_CLOSED = 'closed by peer';

/** What the fabric keeps about each pair it should keep linked. */
interface PairState {
  attempts: number;
  /**
   * One side said bye, or dropped the link to keep its partial view bounded: do not reconnect
   * until one of them restarts or asks for the link again.
   */
  departed: boolean;
  /** The connection attempt already queued, if any. */
  pending: SimEvent | null;
}

/**
 * Links between simulated agents: opening them (both ends at once, authentic by construction),
 * carrying frames and close notices through the packet network, and reconnecting wanted pairs
 * with backoff when a link is lost, as the browser transport does. A connection attempt
 * succeeds only if the path is open both ways at that moment; otherwise it backs off and retries.
 */
export class LinkFabric implements SimWire {
  readonly transports: SimTransport[];
  linksOpened = 0;
  attemptsBlocked = 0;
  private nextEpoch = 1;
  private readonly indexById = new Map<AgentId, number>();
  private readonly pairs = new Map<number, PairState>();
  private readonly dropCodes = new Map<DropCause, number>(DROP_CAUSES.map((c, i) => [c, i]));
  /**
   * Latest arrival scheduled per direction (from * n + to): a close notice never overtakes
   * frames sent before it on the same link, as on an ordered data channel.
   */
  private readonly lastArrival = new ArrivalTimes();

  constructor(
    private readonly ids: readonly AgentId[],
    private readonly network: Network,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly prng: Prng,
    private readonly options: FabricOptions,
    private readonly isAlive: (agent: number) => boolean,
    private readonly isFrozen: (agent: number) => boolean = () => false,
  ) {
    ids.forEach((id, index) => this.indexById.set(id, index));
    this.transports = ids.map((_, index) => new SimTransport(index, this));
  }

  indexOf(id: AgentId): number | undefined {
    return this.indexById.get(id);
  }

  idOf(index: number): AgentId {
    return this.ids[index] as AgentId;
  }

  /** Marks a pair as one to keep linked and connects it at `atMs`. */
  want(a: number, b: number, atMs: number): void {
    const pair = this.pair(a, b);
    pair.departed = false;
    pair.attempts = 0;
    this.attemptAt(a, b, pair, atMs);
  }

  /** An agent asked for a link to a member it learned of: connect the pair when it can. */
  requestLink(from: number, to: number): void {
    if (!this.isOpen(from, to)) this.want(from, to, this.scheduler.nowMs());
  }

  /** A restarted agent reconnects to every wanted peer that is up, right away. */
  onRestart(agent: number, peers: readonly number[]): void {
    for (const peer of peers) {
      if (this.isAlive(peer)) this.want(agent, peer, this.scheduler.nowMs());
    }
  }

  /** Whether the pair is one to keep linked (false after a bye or a partial-view trim). */
  isWanted(a: number, b: number): boolean {
    const pair = this.pairs.get(pairKey(a, b, this.ids.length));
    return pair !== undefined && !pair.departed;
  }

  isOpen(a: number, b: number): boolean {
    const epoch = this.transports[a]?.openEnds.get(b);
    return epoch !== undefined && this.transports[b]?.openEnds.get(a) === epoch;
  }

  // SimWire: called by the transports while their host executes effects.

  transmit(from: number, to: number, epoch: number, frame: Uint8Array): void {
    const copies = this.network.transmit(from, to);
    const nowMs = this.scheduler.nowMs();
    if (copies === 0) {
      this.trace.record(nowMs, TraceKind.drop, from, to, this.dropCode(this.network.lastDrop));
      return;
    }
    const slot = this.lastArrival.slotOf(from * this.ids.length + to);
    let latest = this.lastArrival.get(slot);
    for (let i = 0; i < copies; i++) {
      const atMs = nowMs + (this.network.delaysMs[i] as number);
      if (atMs > latest) latest = atMs;
      this.scheduler.schedule(atMs, EventKind.deliver, to, from, epoch, frame);
    }
    this.lastArrival.set(slot, latest);
  }

  endClosed(from: number, to: number, epoch: number, reason: string): void {
    const nowMs = this.scheduler.nowMs();
    this.trace.record(nowMs, TraceKind.peerClosed, from, to, 0);
    const pair = this.pairs.get(pairKey(from, to, this.ids.length));
    if (
      pair !== undefined &&
      (reason === REASON_PEER_LEFT || reason === REASON_SELF_LEFT || reason === REASON_VIEW_TRIM)
    ) {
      pair.departed = true;
    }
    // The close notice travels like a frame, behind the frames sent before it; if it is lost
    // the peer finds out by timeout.
    const delayMs = this.network.controlDelayMs(from, to);
    if (delayMs >= 0) {
      const slot = this.lastArrival.slotOf(from * this.ids.length + to);
      const behind = this.lastArrival.get(slot) + 0.001;
      const atMs = Math.max(nowMs + delayMs, behind);
      this.scheduler.schedule(atMs, EventKind.peerClosed, to, from, epoch);
    }
    this.maybeReconnect(from, to);
  }

  dropNoLink(): void {
    this.network.countDrop('no-link');
  }

  // Queue events.

  onDeliver(event: SimEvent): void {
    const to = event.agent;
    const cause: DropCause | null = !this.isAlive(to)
      ? 'agent-down'
      : this.transports[to]?.deliver(event.peer, event.epoch, event.frame as Uint8Array)
        ? null
        : 'link-closed';
    if (cause === null) {
      this.network.countDelivered();
      this.trace.record(event.atMs, TraceKind.deliver, to, event.peer, event.frame?.[1] ?? 0);
    } else {
      this.network.countDrop(cause);
      this.trace.record(event.atMs, TraceKind.drop, to, event.peer, this.dropCode(cause));
    }
  }

  onPeerClosed(event: SimEvent): void {
    const to = event.agent;
    if (!this.isAlive(to)) return;
    if (this.transports[to]?.remoteClosed(event.peer, event.epoch, REASON_PEER_CLOSED)) {
      this.maybeReconnect(to, event.peer);
    }
  }

  onLinkOpen(event: SimEvent): void {
    const a = event.agent;
    const b = event.peer;
    const pair = this.pair(a, b);
    if (pair.pending === event) pair.pending = null;
    if (!this.isAlive(a) || !this.isAlive(b) || pair.departed) return;
    if (this.isOpen(a, b)) {
      pair.attempts = 0;
      return;
    }
    // A frozen agent cannot take part in a handshake: the attempt fails like a blocked path.
    if (
      this.network.blocked(a, b) !== null ||
      this.network.blocked(b, a) !== null ||
      this.isFrozen(a) ||
      this.isFrozen(b)
    ) {
      this.attemptsBlocked++;
      this.backOff(a, b, pair);
      return;
    }
    const epoch = this.nextEpoch++;
    pair.attempts = 0;
    this.linksOpened++;
    this.trace.record(event.atMs, TraceKind.linkOpen, a, b, epoch);
    this.transports[a]?.open(b, epoch);
    this.transports[b]?.open(a, epoch);
  }

  private maybeReconnect(a: number, b: number): void {
    const pair = this.pairs.get(pairKey(a, b, this.ids.length));
    if (pair === undefined || pair.departed || pair.pending !== null) return;
    if (!this.isAlive(a) || !this.isAlive(b) || this.isOpen(a, b)) return;
    this.backOff(a, b, pair);
  }

  private backOff(a: number, b: number, pair: PairState): void {
    const ceilingMs = Math.min(
      this.options.reconnectMaxMs,
      this.options.reconnectBaseMs * 2 ** Math.min(pair.attempts, 30),
    );
    pair.attempts++;
    const waitMs = ceilingMs / 2 + (this.prng.nextFloat() * ceilingMs) / 2;
    this.attemptAt(a, b, pair, this.scheduler.nowMs() + waitMs);
  }

  /** Queues the connection attempt, keeping an earlier one already queued. */
  private attemptAt(a: number, b: number, pair: PairState, atMs: number): void {
    if (pair.pending !== null) {
      if (pair.pending.atMs <= atMs) return;
      pair.pending.cancelled = true;
    }
    const [lo, hi] = a < b ? [a, b] : [b, a];
    pair.pending = this.scheduler.schedule(atMs, EventKind.linkOpen, lo, hi);
  }

  private pair(a: number, b: number): PairState {
    const key = pairKey(a, b, this.ids.length);
    let pair = this.pairs.get(key);
    if (pair === undefined) {
      pair = { attempts: 0, departed: false, pending: null };
      this.pairs.set(key, pair);
    }
    return pair;
  }

  private dropCode(cause: DropCause): number {
    return this.dropCodes.get(cause) ?? -1;
  }
}

/**
 * The latest arrival time per direction, 0 until the first frame. Times live in a typed array
 * (a slot per direction, handed out on first use): a Map of numbers would box each new time in
 * a fresh heap object held by an old one, which every young-generation collection then scans.
 */
class ArrivalTimes {
  private readonly slots = new Map<number, number>();
  private times = new Float64Array(1024);

  slotOf(direction: number): number {
    let slot = this.slots.get(direction);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(direction, slot);
      if (slot === this.times.length) {
        const grown = new Float64Array(this.times.length * 2);
        grown.set(this.times);
        this.times = grown;
      }
    }
    return slot;
  }

  get(slot: number): number {
    return this.times[slot] as number;
  }

  set(slot: number, atMs: number): void {
    this.times[slot] = atMs;
  }
}

function pairKey(a: number, b: number, agentCount: number): number {
  return a < b ? a * agentCount + b : b * agentCount + a;
}
