import type { AgentId } from '../core/base/ids';
import { createSeededPrng, type Prng } from '../core/base/prng';

/**
 * Derives an independent 32-bit seed for one purpose from the run's seed, so each stream
 * (network, topology, each agent's incarnation, faults) is stable however the others are used.
 */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const part of [path.length, ...path]) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** Named streams, so a new stream never shifts the numbers an old one draws. */
export const Stream = {
  ids: 1,
  topology: 2,
  network: 3,
  agent: 4,
  timers: 5,
  fabric: 6,
  faults: 7,
  crypto: 8,
  companion: 9,
  pbftWorkload: 10,
  byzantine: 11,
  pbftReconfiguration: 12,
} as const;

export function streamPrng(seed: number, ...path: number[]): Prng {
  return createSeededPrng(deriveSeed(seed, ...path));
}

/** A stand-in public key: 32 random bytes as 64 lowercase hex digits. */
export function randomAgentId(prng: Prng): AgentId {
  const words: string[] = [];
  for (let i = 0; i < 8; i++) words.push(prng.nextU32().toString(16).padStart(8, '0'));
  // Joined, not appended: one flat string rather than a chain of seven the whole run keeps.
  return words.join('') as AgentId;
}

/** `count` distinct random agent ids. */
export function randomAgentIds(prng: Prng, count: number): AgentId[] {
  const ids: AgentId[] = [];
  const seen = new Set<string>();
  while (ids.length < count) {
    const id = randomAgentId(prng);
    if (seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
  }
  return ids;
}
