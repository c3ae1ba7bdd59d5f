import { describe, expect, it } from 'vitest';
import { busyKind, validateBusy } from './busy';

describe('busy', () => {
  it('spins on the host clock until the time has passed and says who ran it', () => {
    let nowMs = 100;
    let reads = 0;
    const context = { agent: 'agent-a', nowMs: () => (reads++, (nowMs += 7)) };
    expect(busyKind.run({ ms: 50 }, context)).toEqual({ agent: 'agent-a', ms: 56 });
    expect(reads).toBe(9);
    expect(busyKind.run({ ms: 0 }, context)).toEqual({ agent: 'agent-a', ms: 0 });
  });

  it('refuses a missing, negative or too long spin', () => {
    expect(validateBusy({ ms: 0 })).toBeNull();
    expect(validateBusy({ ms: 60_000 })).toBeNull();
    expect(validateBusy({ ms: 60_001 })).toMatch(/ms must/);
    expect(validateBusy({ ms: -1 })).toMatch(/ms must/);
    expect(validateBusy({ ms: Number.NaN })).toMatch(/ms must/);
    expect(validateBusy({})).toMatch(/ms must/);
    expect(validateBusy(5)).toMatch(/takes/);
  });
});
