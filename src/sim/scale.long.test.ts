import { describe, it } from 'vitest';
import { checkColdStartAtScale } from './scaleRun';

describe('scale, long run', () => {
  it('1,000 agents: every invariant holds, membership converges, a new fact reaches all in O(log N) hops', () => {
    checkColdStartAtScale(1000, 1000);
  });
});
