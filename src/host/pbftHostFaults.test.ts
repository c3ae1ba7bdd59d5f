import { describe, expect, it } from 'vitest';
import { ClientTable } from '../core/pbft/clientTable';
import type { PbftPersist } from '../core/pbft/durability';
import { backupHost, digestOf, frameOf, prePrepare, R1 } from './pbftHostTestSupport';

describe('PbftHost', () => {
  it('one message too large to encode does not wedge the outbound queue', () => {
    // A stable checkpoint whose state is over the 1 MiB frame limit (the README's known
    // limit on state size): a state request makes the replica answer with a frame that
    // cannot be encoded.
    const snapshot = JSON.stringify({
      clients: new ClientTable(64, 1024).snapshot(),
      app: JSON.stringify(['x'.repeat(1_100_000)]),
    });
    const stateDigest = digestOf(new TextEncoder().encode(snapshot));
    const stored = new Map([
      ['stable', JSON.stringify({ seq: 16, stateDigest, certificate: [], snapshot })],
    ]);
    const writes: PbftPersist[] = [];
    const h = backupHost({ stored, storage: { write: (p, done) => (writes.push(p), done()) } });
    expect(h.host.replica.snapshot().lastExecutedSeq).toBe(16);
    try {
      h.deliver(R1, frameOf({ type: 'pbft-state-request', aboveSeq: 0 }));
    } catch {
      // Whatever the host does with the oversized answer, it must go on with the others.
    }
    h.deliver(R1, frameOf(prePrepare(17)));
    expect(writes).toHaveLength(1);
    expect(h.sent).toEqual(['pbft-prepare>1', 'pbft-prepare>3', 'pbft-prepare>4']);
  });

  it('writes overlap, yet each step sends only once its own records and all before are written', () => {
    const pending: (() => void)[] = [];
    const h = backupHost({ storage: { write: (_persist, done) => pending.push(done) } });
    h.deliver(R1, frameOf(prePrepare(1)));
    h.deliver(R1, frameOf(prePrepare(2)));
    expect(pending).toHaveLength(2);
    expect(h.sent).toEqual([]);
    pending[0]!();
    const afterFirst = [...h.sent];
    expect(afterFirst.length).toBeGreaterThan(0);
    expect(afterFirst.every((line) => line.startsWith('pbft-prepare>'))).toBe(true);
    pending[1]!();
    expect(h.sent.length).toBe(afterFirst.length * 2);
  });

  it('after stop() a stopped host writes no more records (a restarted host owns the storage)', () => {
    const pending: { persist: PbftPersist; done: () => void }[] = [];
    const written: PbftPersist[] = [];
    const h = backupHost({
      storage: {
        write: (persist, done) => {
          written.push(persist);
          pending.push({ persist, done });
        },
      },
    });
    h.deliver(R1, frameOf(prePrepare(1)));
    // A second step's records are issued at once, beside the first (the store keeps the order).
    h.deliver(R1, frameOf(prePrepare(2)));
    expect(written).toHaveLength(2);
    // Nothing is sent before the records it depends on are written.
    expect(h.sent).toEqual([]);
    h.host.stop();
    // The first write completes after the crash: nothing is sent, and nothing more is written.
    pending[0]!.done();
    h.deliver(R1, frameOf(prePrepare(3)));
    expect(h.sent).toEqual([]);
    expect(written).toHaveLength(2);
  });
});
