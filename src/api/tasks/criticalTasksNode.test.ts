import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Mesh } from '../mesh';
import { nodeTaskAgents, primesBelow, whenAll } from './testTaskAgents';

describe('critical jobs over four Node agents (real WebRTC, pBFT, the Raft ledger)', () => {
  const cluster = nodeTaskAgents();
  afterEach(() => cluster.stop());

  // Four agents in one process, a dozen pBFT rounds with signatures: about 15 s on this machine
  // alone, so it gets twice the usual bound for a machine that is busy besides.
  it(
    'a lying agent’s results are caught: the critical job’s results are right and the liar is flagged with evidence',
    { timeout: 60_000 },
    async () => {
      const meshes = await cluster.start(4, 'tasks-critical');
      const [a, b, , liar] = meshes as [Mesh, Mesh, Mesh, Mesh];
      await whenAll(meshes, (m) => m.critical.status().n === 4);
      // The group's forming is an event of its own: it is what the wait above wakes on.
      for (const m of meshes) {
        expect(cluster.eventKinds(m).filter((kind) => kind === 'pbft-formed')).toHaveLength(1);
      }
      a.commands.setBehaviour(liar.id, 'lie-results');
      await whenAll([liar], (m) => m.critical.status().behaviour === 'lie-results');

      const ranges = (count: number, offset: number) =>
        Array.from({ length: count }, (_, i) => ({
          from: offset + i * 4000,
          to: offset + (i + 1) * 4000,
        }));
      const expectedOf = (inputs: { from: number; to: number }[]) =>
        inputs.map((r) => primesBelow(r.from, r.to));

      // Unchecked, its lies get through: some of the 48 keys are its (all but surely).
      const plain = ranges(48, 0);
      const unchecked = a.tasks.submit({ kind: 'count-primes', inputs: plain, strategy: 'hash' });
      const uncheckedResults = await unchecked.done;
      const wrong = uncheckedResults.filter((r, i) => r !== expectedOf(plain)[i]).length;
      expect(wrong).toBeGreaterThan(0);
      expect(a.tasks.status(unchecked.jobId)?.tasks.filter((t) => t.owner === liar.id).length).toBe(
        wrong,
      );

      // Checked: every result right, the liar flagged for what it reported.
      const inputs = ranges(16, 200_000);
      const job = a.tasks.submit({ kind: 'count-primes', inputs, critical: true });
      expect(await job.done).toEqual(expectedOf(inputs));
      expect(a.tasks.status(job.jobId)).toMatchObject({ state: 'done', done: 16 });
      const flags = a.tasks.flagged().filter((f) => f.jobId === job.jobId);
      expect(flags.length).toBeGreaterThan(0);
      for (const flag of flags) {
        expect(flag.agent).toBe(liar.id);
        expect(flag.digest).not.toBe(flag.accepted);
        expect(flag.agreeing.length).toBeGreaterThanOrEqual(2);
        expect(flag.agreeing).not.toContain(liar.id);
        expect(flag.by).toBe(a.id);
      }
      // Every replica holds the same flags (pBFT committed them; b may execute a moment later).
      await vi.waitFor(
        () => expect(b.tasks.flagged().filter((f) => f.jobId === job.jobId)).toEqual(flags),
        { timeout: 10_000, interval: 50 },
      );

      // Flagged, it runs no further copies: a second critical job flags nobody.
      const again = b.tasks.submit({
        kind: 'count-primes',
        inputs: ranges(8, 400_000),
        critical: true,
      });
      expect(await again.done).toEqual(expectedOf(ranges(8, 400_000)));
      expect(b.tasks.flagged().filter((f) => f.jobId === again.jobId)).toEqual([]);
      expect(() =>
        a.tasks.submit({ kind: 'busy', inputs: [{ ms: 1 }], critical: true, requires: ['fast'] }),
      ).toThrow(expect.objectContaining({ code: 'unsupported' }));
    },
  );
});
