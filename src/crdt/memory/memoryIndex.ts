import { compareStamps, type Stamp } from './hlc';
import { entryKeyOf, parseSlotKey, stampOf, validSlot, type JsonValue, type Slot } from './slot';

/** One entry as the store shows it: the winning slot of its key. */
export interface MemoryEntry {
  namespace: string;
  key: string;
  value: JsonValue;
  writer: string;
  writtenAtMs: number;
  /** Absolute expiry in wall ms, or null. */
  expiresAtMs: number | null;
  stamp: Stamp;
}

/** The winning slot of one entry key, with what reads need at hand. */
export interface Winner {
  namespace: string;
  key: string;
  slotKey: string;
  slot: Slot;
  /** Key and value as lower-case text, for substring search. */
  searchText: string;
}

/**
 * A local index over the shared map's slots, kept current from the map's change events: for each
 * (namespace, key) the slot with the largest stamp, and the live keys per namespace. Reads never
 * walk the document.
 */
export class MemoryIndex {
  /** Entry key -> writer -> slot. */
  private readonly slots = new Map<string, Map<string, { slotKey: string; slot: Slot }>>();
  private readonly winners = new Map<string, Winner>();
  /** Namespace -> entry keys whose winner is not a tombstone. */
  private readonly live = new Map<string, Set<string>>();
  invalidSlots = 0;

  /** Re-reads one slot after a change; `raw` is undefined when the slot was removed. */
  update(slotKey: string, raw: unknown): Slot | null {
    const parsed = parseSlotKey(slotKey);
    if (parsed === null) {
      this.invalidSlots++;
      return null;
    }
    const entryKey = entryKeyOf(parsed.namespace, parsed.key);
    let writers = this.slots.get(entryKey);
    const slot = raw === undefined ? null : validSlot(raw, parsed.writer);
    if (raw !== undefined && slot === null) this.invalidSlots++;
    if (slot === null) writers?.delete(parsed.writer);
    else {
      if (writers === undefined) {
        writers = new Map();
        this.slots.set(entryKey, writers);
      }
      writers.set(parsed.writer, { slotKey, slot });
    }
    this.elect(parsed.namespace, parsed.key, entryKey);
    return slot;
  }

  winner(namespace: string, key: string): Winner | undefined {
    return this.winners.get(entryKeyOf(namespace, key));
  }

  /** Every slot of an entry key but the winner's (the sweep removes them). */
  beaten(entryKey: string): string[] {
    const winner = this.winners.get(entryKey);
    const writers = this.slots.get(entryKey);
    if (writers === undefined) return [];
    return [...writers.values()]
      .filter(({ slotKey }) => slotKey !== winner?.slotKey)
      .map(({ slotKey }) => slotKey);
  }

  /** Every slot key of an entry key. */
  slotKeysOf(entryKey: string): string[] {
    return [...(this.slots.get(entryKey)?.values() ?? [])].map(({ slotKey }) => slotKey);
  }

  allWinners(): IterableIterator<[string, Winner]> {
    return this.winners.entries();
  }

  /** Winners of a namespace that are not tombstones (expiry is checked by the reader). */
  *liveWinners(namespace: string): Generator<Winner> {
    for (const entryKey of this.live.get(namespace) ?? []) {
      yield this.winners.get(entryKey) as Winner;
    }
  }

  namespaces(): string[] {
    return [...this.live.keys()].sort();
  }

  private elect(namespace: string, key: string, entryKey: string): void {
    const writers = this.slots.get(entryKey);
    let best: { slotKey: string; slot: Slot } | null = null;
    for (const candidate of writers?.values() ?? []) {
      if (best === null || compareStamps(stampOf(candidate.slot), stampOf(best.slot)) > 0) {
        best = candidate;
      }
    }
    let liveKeys = this.live.get(namespace);
    if (best === null) {
      this.slots.delete(entryKey);
      this.winners.delete(entryKey);
      liveKeys?.delete(entryKey);
    } else {
      this.winners.set(entryKey, {
        namespace,
        key,
        slotKey: best.slotKey,
        slot: best.slot,
        searchText: (key + '\n' + JSON.stringify(best.slot.v)).toLowerCase(),
      });
      if (best.slot.d) liveKeys?.delete(entryKey);
      else {
        if (liveKeys === undefined) {
          liveKeys = new Set();
          this.live.set(namespace, liveKeys);
        }
        liveKeys.add(entryKey);
      }
    }
    if (liveKeys !== undefined && liveKeys.size === 0) this.live.delete(namespace);
  }
}

export function entryOf(winner: Winner): MemoryEntry {
  const { slot } = winner;
  return {
    namespace: winner.namespace,
    key: winner.key,
    value: slot.v,
    writer: slot.w,
    writtenAtMs: slot.ms,
    expiresAtMs: slot.x,
    stamp: stampOf(slot),
  };
}
