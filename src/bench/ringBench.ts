import type { AgentId } from '../core/base/ids';
import { createSeededPrng } from '../core/base/prng';
import { HashRing } from '../core/tasks/hashRing';
import { randomAgentIds } from '../sim/seeds';
import { benchRow } from './benchRow';
import { percentile, round } from './percentiles';
import type { BenchResult } from './report';

/**
 * Group `tasks`: the consistent-hash ring (core/tasks/hashRing.ts). Balance is each member's
 * exact share of the circle, not a sample of keys; key movement is counted over sampled keys.
 * Every figure is over many member sets of random 64-hex ids (as agents' ids are).
 */

const N = 32;
const SETS = 50;
const KEYS = 20_000;

function agentIds(n: number, seed: number): AgentId[] {
  return randomAgentIds(createSeededPrng(seed), n);
}

/** The busiest member's share over the mean share, one value per member set. */
function busiestOverMean(virtualNodes: number): number[] {
  return Array.from({ length: SETS }, (_, set) => {
    const shares = [...new HashRing(agentIds(N, 1000 + set), virtualNodes).shares().values()];
    return Math.max(...shares) * N;
  });
}

/** The fraction of keys that change owner when one member joins (or leaves) a ring of N. */
function movedFraction(leave: boolean): number[] {
  return Array.from({ length: 10 }, (_, set) => {
    const members = agentIds(N + 1, 2000 + set);
    const small = new HashRing(members.slice(0, N));
    const large = new HashRing(members);
    const [from, to] = leave ? [large, small] : [small, large];
    let moved = 0;
    for (let i = 0; i < KEYS; i++)
      if (from.ownerOf(`key-${set}-${i}`) !== to.ownerOf(`key-${set}-${i}`)) moved++;
    return moved / KEYS;
  });
}

export async function runRingBench(): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  for (const virtualNodes of [1, 64, 256]) {
    const ratios = busiestOverMean(virtualNodes);
    rows.push(
      benchRow(
        `hash ring, busiest agent over the mean, N = ${N}, ${virtualNodes} virtual node${virtualNodes === 1 ? '' : 's'} per agent, p50 over member sets`,
        percentile(ratios, 50),
        'x',
        virtualNodes === 64 ? '≤ 1.3' : undefined,
        virtualNodes === 64 ? (v) => v <= 1.3 : undefined,
        `${SETS} sets of ${N} random 64-hex agent ids; each agent's exact share of the 32-bit ` +
          `circle (FNV-1a with the murmur3 finaliser); worst set ${round(Math.max(...ratios), 2)}x, ` +
          `best ${round(Math.min(...ratios), 2)}x`,
      ),
    );
  }
  for (const leave of [false, true]) {
    const fractions = movedFraction(leave);
    rows.push(
      benchRow(
        `hash ring, keys moved by one ${leave ? 'leave' : 'join'}, N = ${N}, in multiples of 1/N`,
        percentile(fractions, 50) * (N + 1),
        'x 1/N',
        'about 1',
        (v) => v > 0.7 && v < 1.3,
        `${KEYS} keys over 10 member sets, 64 virtual nodes per agent; the fraction moved ` +
          `p50 ${round(percentile(fractions, 50) * 100, 2)} % against 1/${N + 1} = ` +
          `${round(100 / (N + 1), 2)} %; the unit test checks that every moved key goes to the joiner (or comes from the leaver)`,
      ),
    );
  }
  return rows;
}
