import { describe, expect, it } from 'vitest';
import type { PbftMessage } from '../../wire/pbftMessages';
import { FOUR, R1, R4 } from '../testNet';
import { ScenarioNet } from './scenarioNet';

/** R4 (the faulty one of four) sends R1 one message; how often R1 asks to catch up after. */
function catchUpAsksAfter(msg: PbftMessage): { asks: number; pending: number } {
  const h = new ScenarioNet(FOUR);
  h.inject(R4, R1, msg);
  h.run();
  let asks = 0;
  h.filter = (m) => {
    if (m.from === R1 && m.msg.type === 'pbft-entries-request') asks++;
    return true;
  };
  // Nothing is pending anywhere; ten idle seconds.
  h.advanceBy(10_000, 100);
  return { asks, pending: h.node(R1).replica.snapshot().pendingRequests };
}

const digest = 'f'.repeat(64);

describe('lag evidence needs f + 1 replicas: one faulty replica cannot make another ask forever', () => {
  it('a checkpoint for a sequence number nobody reaches', () => {
    const msg = {
      type: 'pbft-checkpoint',
      seq: 16_000_000,
      stateDigest: digest,
      replica: R4,
      sig: '',
    } as const;
    expect(catchUpAsksAfter(msg)).toEqual({ asks: 0, pending: 0 });
  });

  it('a prepare inside the window', () => {
    const msg = { type: 'pbft-prepare', view: 0, seq: 64, digest, replica: R4, sig: '' } as const;
    expect(catchUpAsksAfter(msg)).toEqual({ asks: 0, pending: 0 });
  });

  it('a commit inside the window', () => {
    expect(catchUpAsksAfter({ type: 'pbft-commit', view: 0, seq: 64, digest })).toEqual({
      asks: 0,
      pending: 0,
    });
  });
});
