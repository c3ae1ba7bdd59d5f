import { describe, expect, it } from 'vitest';
import { fixedId } from '../../base/testSupport';
import { FOUR, R1, R2, R3, R4 } from '../testNet';
import { ScenarioNet } from './scenarioNet';

const X = fixedId('a');
const Y = fixedId('b');

/** Batch records no slot record names. */
function orphans(storage: Map<string, string>): string[] {
  const named = new Set<string>();
  for (const [key, value] of storage) {
    if (!key.startsWith('slot:')) continue;
    const slot = JSON.parse(value) as { batch: string | null };
    if (slot.batch !== null) named.add(`batch:${slot.batch}`);
  }
  return [...storage.keys()].filter((k) => k.startsWith('batch:') && !named.has(k));
}

describe('batch records after a restart', () => {
  it('a batch only a slot of an older view named is deleted after a restart', () => {
    const h = new ScenarioNet(FOUR);
    // View 0: R1 pre-prepares X's request at seq 1; every vote is lost.
    h.filter = (m) => m.msg.type !== 'pbft-prepare' && m.msg.type !== 'pbft-commit';
    h.request(X, 1, '{"kind":"x"}');
    h.run();
    // Y's request reaches only the backups.
    h.request(Y, 1, '{"kind":"y"}', [R2, R3, R4]);
    h.run();
    // Votes of view 0 stay lost.
    h.filter = (m) =>
      !((m.msg.type === 'pbft-prepare' || m.msg.type === 'pbft-commit') && m.msg.view === 0);
    // The request timer runs out: view 1 (R2) orders X and Y together at seq 1: another batch.
    h.advanceBy(1_500, 50);
    expect(h.node(R3).replica.snapshot().view).toBe(1);
    expect(h.node(R3).app.items).toEqual(['{"kind":"x"}', '{"kind":"y"}']);
    const r3 = h.node(R3).storage;
    const batchesBefore = [...r3.keys()].filter((k) => k.startsWith('batch:'));
    expect(batchesBefore).toHaveLength(2);

    h.restartFromStorage(R3);
    h.filter = () => true;
    // Past the checkpoint at 16: the window's slots and batches go.
    for (let i = 0; i < 16; i++) {
      h.request(X, 2 + i, `{"kind":"x${i}"}`);
      h.run();
    }
    for (const id of FOUR) expect(h.node(id).replica.snapshot().stableCheckpointSeq).toBe(16);
    expect(orphans(h.node(R4).storage)).toEqual([]);
    expect(orphans(h.node(R3).storage)).toEqual([]);
    void R1;
  });
});
