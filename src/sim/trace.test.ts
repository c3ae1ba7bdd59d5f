import { describe, expect, it } from 'vitest';
import { Trace, TraceKind } from './trace';

/** FNV-1a over little-endian 32-bit words, written independently of trace.ts. */
function referenceHash(words: number[]): string {
  let hash = 0x811c9dc5;
  for (const word of words) {
    for (let shift = 0; shift < 32; shift += 8) {
      hash ^= (word >>> shift) & 0xff;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return hash.toString(16).padStart(8, '0');
}

describe('Trace', () => {
  it('hashes each record as FNV-1a over (micros lo, micros hi, kind, agent, peer, detail)', () => {
    const trace = new Trace();
    expect(trace.hashHex()).toBe('811c9dc5');
    trace.record(1.5, TraceKind.deliver, 3, 7, 2);
    trace.record(5_000_000, TraceKind.drop, 1, -1, 0);
    const micros = 5_000_000_000;
    expect(trace.hashHex()).toBe(
      referenceHash([
        1500,
        0,
        TraceKind.deliver,
        3,
        7,
        2,
        micros >>> 0,
        Math.floor(micros / 2 ** 32),
        TraceKind.drop,
        1,
        0xffffffff,
        0,
      ]),
    );
    expect(trace.count).toBe(2);
  });

  it('changes the hash when any field or the order changes', () => {
    const hashOf = (records: [number, number, number, number, number][]) => {
      const trace = new Trace();
      for (const [t, k, a, p, d] of records) trace.record(t, k as TraceKind, a, p, d);
      return trace.hashHex();
    };
    const base: [number, number, number, number, number] = [10, 1, 2, 3, 4];
    const variants = [
      [[10.001, 1, 2, 3, 4]],
      [[10, 2, 2, 3, 4]],
      [[10, 1, 9, 3, 4]],
      [[10, 1, 2, 9, 4]],
      [[10, 1, 2, 3, 9]],
    ] as [number, number, number, number, number][][];
    const hashes = new Set([hashOf([base]), ...variants.map(hashOf)]);
    expect(hashes.size).toBe(6);
    expect(hashOf([base, [20, 1, 1, 1, 1]])).not.toBe(hashOf([[20, 1, 1, 1, 1], base]));
  });

  it('keeps only the last records asked for, oldest first', () => {
    const trace = new Trace(3);
    for (let i = 0; i < 5; i++) trace.record(i, TraceKind.timer, i, -1, 0);
    expect(trace.recent().map((r) => r.agent)).toEqual([2, 3, 4]);
    expect(trace.recent()[0]).toEqual({ timeMs: 2, kind: 'timer', agent: 2, peer: -1, detail: 0 });
    expect(new Trace().recent()).toEqual([]);
  });
});
