import { describe, it } from 'vitest';
import { checkColdStartAtScale } from './scaleRun';

describe('scale', () => {
  // Past fullMeshMax (32) by a margin: a partial view, relays, anti-entropy pages. A thousand
  // agents run in `npm run test:long`.
  it('200 agents: every invariant holds, membership converges, a new fact reaches all in O(log N) hops', () => {
    checkColdStartAtScale(200, 200);
  });
});
