import { describe, expect, it } from 'vitest';
import type { Prng } from '../core/base/prng';
import { MEMORY_MAP_NAME } from '../crdt/memory/memoryStore';
import { Cluster } from './cluster';
import { DocCompanion } from './docCompanion';
import { streamPrng } from './seeds';

const AGENTS = 6;
const NAMESPACES = ['tasks', 'notes'];
const KEYS = 12;

function pick<T>(items: readonly T[], prng: Prng): T {
  return items[prng.nextInt(items.length)] as T;
}

/** Random writes, deletes and TTL'd entries by random live agents. */
function randomOperation(cluster: Cluster, companion: DocCompanion, prng: Prng): void {
  const live = cluster.liveAgents();
  if (live.length === 0) return;
  const memory = companion.state(pick(live, prng)).memory;
  const namespace = pick(NAMESPACES, prng);
  const key = `k${prng.nextInt(KEYS)}`;
  const roll = prng.nextFloat();
  if (roll < 0.2) void memory.delete(namespace, key);
  else {
    const ttlSeconds = roll < 0.35 ? 1 + prng.nextInt(20) : null;
    void memory.store(
      namespace,
      key,
      { n: prng.nextInt(1000), at: cluster.nowMs() },
      { ttlSeconds },
    );
  }
}

/** One random disturbance: a partition, a crash and restart (with or without storage), or nothing. */
function randomFault(cluster: Cluster, companion: DocCompanion, prng: Prng): void {
  const roll = prng.nextFloat();
  if (roll < 0.3) {
    const cut = 1 + prng.nextInt(AGENTS - 1);
    const order = Array.from({ length: AGENTS }, (_, i) => i).sort(() => prng.nextFloat() - 0.5);
    cluster.partition([order.slice(0, cut), order.slice(cut)]);
  } else if (roll < 0.5) {
    cluster.healPartition();
  } else if (roll < 0.7) {
    const agent = prng.nextInt(AGENTS);
    if (cluster.isAlive(agent)) cluster.crash(agent);
    else {
      if (prng.nextFloat() < 0.5) companion.wipeStorage(agent);
      cluster.restart(agent);
    }
  }
}

function contentOf(companion: DocCompanion, agent: number) {
  const shared = companion.state(agent);
  return {
    doc: shared.doc.getMap(MEMORY_MAP_NAME).toJSON(),
    visible: shared.memory.search({ limit: 1000 }),
  };
}

function runFuzz(seed: number): { cluster: Cluster; companion: DocCompanion; stores: number } {
  const companion = new DocCompanion({ agentCount: AGENTS });
  const cluster = new Cluster({
    seed,
    agentCount: AGENTS,
    topology: { kind: 'full' },
    network: {
      lossRate: 0.05,
      duplicateRate: 0.02,
      reorderRate: 0.1,
      delay: { kind: 'uniform', baseMs: 5, jitterMs: 40 },
    },
    companion,
  });
  const prng = streamPrng(seed, 100);
  cluster.runFor(3000);
  let stores = 0;
  for (let step = 0; step < 120; step++) {
    randomOperation(cluster, companion, prng);
    stores++;
    if (step % 10 === 0) randomFault(cluster, companion, prng);
    cluster.runFor(prng.nextInt(500));
  }
  cluster.healAll();
  return { cluster, companion, stores };
}

describe('shared document in the simulator', () => {
  it('converges to identical content on every agent after partitions, loss, reordering and restarts', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { cluster, companion } = runFuzz(seed);
      // Quiet time: links come back through backoff, then anti-entropy every 2 s.
      cluster.runFor(40_000);
      const reference = contentOf(companion, 0);
      expect(Object.keys(reference.doc).length, `seed ${seed}`).toBeGreaterThan(0);
      for (let agent = 1; agent < AGENTS; agent++) {
        expect(contentOf(companion, agent), `seed ${seed}, agent ${agent}`).toEqual(reference);
      }
      for (let agent = 0; agent < AGENTS; agent++) {
        expect(companion.state(agent).sync.stats.rejected, `seed ${seed}`).toBe(0);
      }
    }
  });

  it('expires TTL entries at the same moment everywhere', () => {
    const { cluster, companion } = runFuzz(11);
    cluster.runFor(30_000);
    void companion.state(0).memory.store('cache', 'short', 'gone soon', { ttlSeconds: 5 });
    cluster.runFor(4_000);
    for (let agent = 0; agent < AGENTS; agent++) {
      expect(companion.state(agent).memory.retrieve('cache', 'short')?.value).toBe('gone soon');
    }
    const expiresAtMs = companion.state(0).memory.retrieve('cache', 'short')?.expiresAtMs as number;
    cluster.runUntil(expiresAtMs - 1);
    const visible = (agent: number) => companion.state(agent).memory.retrieve('cache', 'short');
    for (let agent = 0; agent < AGENTS; agent++) expect(visible(agent)).not.toBeNull();
    cluster.runUntil(expiresAtMs);
    for (let agent = 0; agent < AGENTS; agent++) expect(visible(agent)).toBeNull();
  });

  it('is deterministic: the same seed gives the same document bytes', () => {
    const runs = [runFuzz(21), runFuzz(21)].map(({ cluster, companion }) => {
      cluster.runFor(20_000);
      return JSON.stringify(contentOf(companion, 3));
    });
    expect(runs[0]).toEqual(runs[1]);
  });
});
