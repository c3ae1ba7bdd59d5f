import {
  agreedWriteRefusal,
  deleteAgreed,
  memoryStateOf,
  storeAgreed,
  type AgreedMemoryWrite,
} from '../agreed/agreedMemoryState';
import type { CriticalKind } from './criticalApp';
import { REPLICA_CHANGE_KIND, replicaChangeKind } from './replicaChanges';

/** Bounds of the agreed gossip interval. */
export const GOSSIP_INTERVAL_RANGE_MS = { min: 500, max: 10_000 } as const;

export const MEMORY_STATE = 'memory';
export const CONFIG_KIND = 'mesh.config';
export const DEMO_KIND = 'demo.increment';

/** Configuration keys every agent applies at the sequence number that set them. */
export type MeshConfigKey = 'gossipIntervalMs';

/**
 * The built-in kinds: agreed memory writes, mesh configuration, votes on the replica set and
 * the dashboard's demo.
 */
export function builtinKinds(): Record<string, CriticalKind> {
  return {
    [REPLICA_CHANGE_KIND]: replicaChangeKind(),
    'memory.store': {
      stateName: MEMORY_STATE,
      validate: (action) => agreedWriteRefusal(action, true) ?? undefined,
      apply: (action, { seq, proposer, state }) =>
        storeAgreed(memoryStateOf(state), action as unknown as AgreedMemoryWrite, seq, proposer),
    },
    'memory.delete': {
      stateName: MEMORY_STATE,
      validate: (action) => agreedWriteRefusal(action, false) ?? undefined,
      apply: (action, { state }) =>
        deleteAgreed(memoryStateOf(state), action as unknown as AgreedMemoryWrite),
    },
    [CONFIG_KIND]: {
      validate: (action) => {
        if (action.key !== 'gossipIntervalMs')
          return 'the only configurable key is gossipIntervalMs';
        const value = action.value;
        const { min, max } = GOSSIP_INTERVAL_RANGE_MS;
        if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
          return `gossipIntervalMs must be an integer from ${min} to ${max}`;
        }
        return undefined;
      },
      apply: (action, { seq, state }) => {
        state[action.key as string] = action.value;
        return { key: action.key, value: action.value, seq };
      },
    },
    [DEMO_KIND]: {
      validate: (action) =>
        action.by === undefined ||
        (Number.isInteger(action.by) && Math.abs(action.by as number) <= 1000)
          ? undefined
          : 'by must be an integer within ±1000',
      apply: (action, { state }) => {
        const value = ((state.value as number | undefined) ?? 0) + ((action.by as number) ?? 1);
        state.value = value;
        return { value };
      },
    },
  };
}
