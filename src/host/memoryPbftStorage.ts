import { applyPersist } from '../core/pbft/durability';
import type { LoadedPbftStorage } from './pbftHost';

/** Records kept in memory only: an agent without storage (they are gone when it stops). */
export function memoryPbftStorage(): LoadedPbftStorage {
  const records = new Map<string, string>();
  return {
    records,
    write(persist, done) {
      applyPersist(records, persist);
      done();
    },
  };
}
