import { describe, expect, it } from 'vitest';
import type { PbftPersist } from '../core/pbft/durability';
import { backupHost, frameOf, prePrepare, R1, R3 } from './pbftHostTestSupport';

describe('PbftHost', () => {
  it("writes a step's records before it sends what depends on them", () => {
    const writes: { persist: PbftPersist; done: () => void }[] = [];
    const { host, sent, deliver } = backupHost({
      storage: { write: (persist, done) => writes.push({ persist, done }) },
    });
    // The primary's pre-prepare for a request of R3 reaches backup R2.
    deliver(R1, frameOf(prePrepare(1)));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.persist.puts.map((p) => p.key.split(':')[0])).toEqual(['batch', 'slot']);
    // Nothing leaves until the write is durable; then the prepare goes to the three others.
    expect(sent).toEqual([]);
    writes[0]!.done();
    expect(sent).toEqual(['pbft-prepare>1', 'pbft-prepare>3', 'pbft-prepare>4']);
    expect(host.stats.sent.get('pbft-prepare')).toBe(3);
  });

  it('drops frames that do not decode or whose signatures fail, and counts them', () => {
    const { host, deliver } = backupHost();
    deliver(R1, new Uint8Array([2, 35, 123]));
    const forged = { view: 0, seq: 1, digest: 'b'.repeat(64), replica: R3, sig: 'c'.repeat(128) };
    deliver(R3, new Uint8Array([2, 35, ...new TextEncoder().encode(JSON.stringify(forged))]));
    expect(host.stats).toMatchObject({ framesIn: 2, badFrames: 1, badSignatures: 1 });
    expect(host.replica.snapshot().slots).toEqual([]);
  });
});
