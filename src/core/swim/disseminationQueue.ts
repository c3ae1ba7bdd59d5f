import { assert } from '../base/assert';
import type { SwimFact } from '../wire/swimMessages';
import { compareStates } from './precedence';

/** One queued fact and how often it was sent. */
class Entry {
  transmits = 0;
  live = true;
  constructor(
    readonly fact: SwimFact,
    readonly key: string,
  ) {}
}

/** What a fact is about: one slot per member for membership and load, one per key for app facts. */
export function factKey(fact: SwimFact): string {
  switch (fact.kind) {
    case 'load':
      return `l${fact.subject}`;
    case 'app':
      return `a${fact.subject}:${fact.key}`;
    default:
      return `m${fact.subject}`;
  }
}

/** Whether `newer` makes the queued `older` (same key) not worth sending any more. */
function supersedes(newer: SwimFact, older: SwimFact): boolean {
  if (newer.kind === 'load' && older.kind === 'load') return newer.version > older.version;
  if (newer.kind === 'app' && older.kind === 'app') return newer.version > older.version;
  if (
    newer.kind === 'load' ||
    newer.kind === 'app' ||
    older.kind === 'load' ||
    older.kind === 'app'
  )
    return false;
  return (
    compareStates(
      { status: newer.kind, incarnation: newer.incarnation },
      { status: older.kind, incarnation: older.incarnation },
    ) > 0
  );
}

function sameFact(a: SwimFact, b: SwimFact): boolean {
  if (a.kind !== b.kind) return false;
  if ((a.kind === 'suspect' || a.kind === 'dead') && (b.kind === 'suspect' || b.kind === 'dead')) {
    return a.incarnation === b.incarnation && a.by === b.by;
  }
  if ((a.kind === 'alive' || a.kind === 'left') && (b.kind === 'alive' || b.kind === 'left')) {
    return a.incarnation === b.incarnation;
  }
  if (a.kind === 'load' && b.kind === 'load') return a.version === b.version;
  if (a.kind === 'app' && b.kind === 'app') return a.version === b.version;
  return false;
}

/**
 * The facts waiting to be gossiped, as memberlist's TransmitLimitedQueue: each message takes
 * the least-sent facts first, and among equals the most recently queued or sent first (a stack
 * per transmit count, where memberlist keeps a sorted tree); a fact leaves the queue once sent
 * `limit` times (retransmitMult x ceil(log10(N + 1))), or when a newer fact about the same
 * thing arrives. Bounded: past `capacity` the most-sent, oldest fact is dropped.
 *
 * Facts are kept in one stack per transmit count, so taking k facts costs O(k) however long
 * the queue is (1,000 agents joining at once queue 1,000 facts at every agent).
 */
export class DisseminationQueue {
  /** Facts dropped because the queue was full. */
  dropped = 0;
  private readonly stacks: Entry[][] = [[]];
  private readonly byKey = new Map<string, Entry[]>();
  private live = 0;
  private stored = 0;

  constructor(readonly capacity: number) {
    assert(Number.isInteger(capacity) && capacity > 0, 'queue capacity must be positive');
  }

  get size(): number {
    return this.live;
  }

  /** Queues a fact unless the same fact is already queued; drops the facts it supersedes. */
  push(fact: SwimFact): void {
    const key = factKey(fact);
    const entries = this.byKey.get(key);
    if (entries !== undefined) {
      for (const entry of entries) {
        if (!entry.live) continue;
        if (sameFact(entry.fact, fact)) return;
        if (supersedes(fact, entry.fact)) this.kill(entry);
      }
    }
    const entry = new Entry(fact, key);
    const kept = entries?.filter((e) => e.live) ?? [];
    kept.push(entry);
    this.byKey.set(key, kept);
    (this.stacks[0] as Entry[]).push(entry);
    this.live++;
    this.stored++;
    while (this.live > this.capacity) this.evictOne();
    if (this.stored > 2 * this.capacity + 64) this.compact();
  }

  /**
   * The same fact arrived from someone else: they know it already. Counted as one send, so a
   * fact that keeps coming back retires early (Demers et al. 1987, rumor mongering with
   * feedback); in a join storm of a thousand agents this is what lets the queues drain.
   */
  noteDuplicate(fact: SwimFact, limit: number): void {
    if (this.live === 0) return;
    const entries = this.byKey.get(factKey(fact));
    const entry = entries?.find((e) => e.live && sameFact(e.fact, fact));
    if (entry === undefined) return;
    this.kill(entry);
    if (entry.transmits + 1 >= limit) return;
    const moved = new Entry(entry.fact, entry.key);
    moved.transmits = entry.transmits + 1;
    const kept = this.byKey.get(entry.key)?.filter((e) => e.live) ?? [];
    kept.push(moved);
    this.byKey.set(entry.key, kept);
    if (this.stacks.length <= moved.transmits) this.stacks.push([]);
    (this.stacks[moved.transmits] as Entry[]).push(moved);
    this.live++;
    this.stored++;
    if (this.stored > 2 * this.capacity + 64) this.compact();
  }

  /**
   * Takes up to `count` facts for one message, least sent first, and counts them as sent.
   * Facts for which `skip` is true stay queued as they were.
   */
  take(count: number, limit: number, skip?: (fact: SwimFact) => boolean): SwimFact[] {
    const out: SwimFact[] = [];
    if (count <= 0 || this.live === 0) return out;
    // Taken facts move up one stack only after the scan, so none is taken twice.
    const moved: Entry[] = [];
    for (let sent = 0; sent < this.stacks.length && out.length < count; sent++) {
      const stack = this.stacks[sent] as Entry[];
      const skipped: Entry[] = [];
      const taken: Entry[] = [];
      while (out.length < count && stack.length > 0) {
        const entry = stack.pop() as Entry;
        this.stored--;
        if (!entry.live) continue;
        if (entry.transmits >= limit) {
          this.kill(entry);
          continue;
        }
        if (skip?.(entry.fact)) {
          skipped.push(entry);
          continue;
        }
        out.push(entry.fact);
        taken.push(entry);
      }
      for (let i = skipped.length - 1; i >= 0; i--) {
        stack.push(skipped[i] as Entry);
        this.stored++;
      }
      for (const entry of taken) moved.push(entry);
    }
    // Pushed oldest first, so the newest of a batch is on top of its new stack.
    for (let i = moved.length - 1; i >= 0; i--) {
      const entry = moved[i] as Entry;
      entry.transmits++;
      if (entry.transmits >= limit) {
        this.kill(entry);
        continue;
      }
      if (this.stacks.length <= entry.transmits) this.stacks.push([]);
      (this.stacks[entry.transmits] as Entry[]).push(entry);
      this.stored++;
    }
    return out;
  }

  /** Forgets every queued fact (this agent left). */
  clear(): void {
    this.stacks.length = 1;
    this.stacks[0] = [];
    this.byKey.clear();
    this.live = 0;
    this.stored = 0;
  }

  /** How many times the queued fact of this key was sent, for tests; -1 when none is queued. */
  transmitsOf(fact: SwimFact): number {
    const entry = this.byKey.get(factKey(fact))?.find((e) => e.live && sameFact(e.fact, fact));
    return entry === undefined ? -1 : entry.transmits;
  }

  /** Checked by invariants(): counts agree with the stacks. */
  check(): void {
    let live = 0;
    let stored = 0;
    for (const stack of this.stacks) {
      stored += stack.length;
      for (const entry of stack) if (entry.live) live++;
    }
    assert(live === this.live, `queue counts ${this.live} live facts, holds ${live}`);
    assert(stored === this.stored, `queue counts ${this.stored} stored, holds ${stored}`);
    assert(this.live <= this.capacity, 'queue over capacity');
  }

  private kill(entry: Entry): void {
    if (!entry.live) return;
    entry.live = false;
    this.live--;
    const entries = this.byKey.get(entry.key);
    if (entries !== undefined && entries.every((e) => !e.live)) this.byKey.delete(entry.key);
  }

  /** Drops the oldest fact among the most-sent ones. */
  private evictOne(): void {
    for (let sent = this.stacks.length - 1; sent >= 0; sent--) {
      const stack = this.stacks[sent] as Entry[];
      const victim = stack.find((entry) => entry.live);
      if (victim !== undefined) {
        this.kill(victim);
        this.dropped++;
        return;
      }
    }
  }

  /** Removes dead entries from the stacks once they outnumber the live ones. */
  private compact(): void {
    this.stored = 0;
    for (let i = 0; i < this.stacks.length; i++) {
      const kept = (this.stacks[i] as Entry[]).filter((entry) => entry.live);
      this.stacks[i] = kept;
      this.stored += kept.length;
    }
  }
}
