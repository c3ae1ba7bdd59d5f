import type { AgentId } from '../../core/base/ids';
import { createSeededPrng } from '../../core/base/prng';
import { memoryRecordStore } from '../../host/recordStore';
import { anyoneSigns, R1, R2, R3, R4 } from '../../host/pbftHostTestSupport';
import { TestClock } from '../../host/testClock';
import { testLinks } from '../../host/testLinks';

export { settle, TestClock } from '../../host/testClock';
import { Critical } from './critical';

/** Test support for the critical tests; nothing outside `*.test.ts` imports it. */

export const REPLICAS = [R1, R2, R3, R4];

/**
 * Four agents' `Critical`s over links with a 1 ms delay on one virtual clock; `cut` stops the
 * traffic between two agents both ways.
 */
export function criticalMesh(ids: readonly AgentId[] = REPLICAS) {
  const clock = new TestClock();
  const links = testLinks(clock, ids);
  const criticals = new Map<AgentId, Critical>();
  for (const [index, id] of ids.entries()) {
    criticals.set(
      id,
      new Critical({
        selfId: id,
        transport: links.transportFor(id),
        clock,
        crypto: anyoneSigns,
        prng: createSeededPrng(index + 1),
        storage: memoryRecordStore(),
        formingWaitMs: 2000,
      }),
    );
  }
  const start = (replicas: readonly AgentId[] = ids) => {
    for (const [id, critical] of criticals) {
      critical.start(replicas, replicas.includes(id) ? 'replica' : 'client');
      critical.setReachable(replicas.length);
    }
    links.linkUpAll();
  };
  const { cut } = links;
  return { clock, criticals, start, cut, of: (id: AgentId) => criticals.get(id) as Critical };
}
