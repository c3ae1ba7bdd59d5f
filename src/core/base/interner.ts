/**
 * One shared copy of each distinct string it is given. Decoders hand the ids and signatures
 * they read to it, so an agent's tables hold one copy per id instead of one per message that
 * carried it, and maps keyed by those strings compare them by identity. In the simulator one
 * interner serves every agent: a thousand agents then share one copy of each id.
 *
 * Bounded: when it holds `maxEntries` strings it forgets them all and starts again (strings
 * already handed out stay valid; only later copies stop being shared with them).
 */
export class Interner {
  private table = new Map<string, string>();
  /** How many times the table was full and started again. */
  resets = 0;

  constructor(readonly maxEntries: number) {
    if (!(Number.isInteger(maxEntries) && maxEntries > 0)) {
      throw new Error(`interner size must be a positive integer, not ${maxEntries}`);
    }
  }

  /** The shared copy of `value` (the first one seen since the last reset). */
  intern<T extends string>(value: T): T {
    const shared = this.table.get(value);
    if (shared !== undefined) return shared as T;
    if (this.table.size >= this.maxEntries) {
      this.table = new Map();
      this.resets++;
    }
    this.table.set(value, value);
    return value;
  }

  get size(): number {
    return this.table.size;
  }
}

/** For callers that keep every copy: interning that shares nothing. */
export const NO_INTERNING = {
  intern<T extends string>(value: T): T {
    return value;
  },
};

export type StringInterner = Pick<Interner, 'intern'>;
