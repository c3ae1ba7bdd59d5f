import {
  checkKey,
  checkNamespace,
  checkTtl,
  DEFAULT_MEMORY_LIMITS,
} from '../../crdt/memory/limits';
import type { JsonValue } from '../../crdt/memory/slot';
import type { CriticalAction, CriticalKind } from './criticalApp';
import { REPLICA_CHANGE_KIND, replicaChangeKind } from './replicaChanges';

/** One agreed memory entry in the replicated state. */
export interface AgreedRecord {
  v: JsonValue;
  /** Absolute expiry (the proposer's clock plus the TTL), or null. */
  x: number | null;
  /** When the proposer wrote it, by its clock. */
  at: number;
  w: string;
  seq: number;
}

/**
 * Entries by `n:<namespace>` then `k:<key>`: prefixed, so no key (`__proto__`, `constructor`)
 * can meet an object's own machinery.
 */
export interface AgreedMemoryState {
  entries: Record<string, Record<string, AgreedRecord>>;
  bytes: number;
}

/** The agreed memory's whole size in UTF-8 (it travels in every state transfer). */
export const MAX_AGREED_MEMORY_BYTES = 192 * 1024;

export function namespaceSlot(namespace: string): string {
  return 'n:' + namespace;
}

export function keySlot(key: string): string {
  return 'k:' + key;
}

/** Bounds of the agreed gossip interval. */
export const GOSSIP_INTERVAL_RANGE_MS = { min: 500, max: 10_000 } as const;

export const MEMORY_STATE = 'memory';
export const CONFIG_KIND = 'mesh.config';
export const DEMO_KIND = 'demo.increment';

/** Configuration keys every agent applies at the sequence number that set them. */
export type MeshConfigKey = 'gossipIntervalMs';

function memoryState(state: Record<string, unknown>): AgreedMemoryState {
  state.entries ??= {};
  state.bytes ??= 0;
  return state as unknown as AgreedMemoryState;
}

const utf8 = new TextEncoder();

function recordBytes(namespace: string, key: string, record: AgreedRecord): number {
  return utf8.encode(namespace + key + JSON.stringify(record)).length;
}

/** Drops the namespace's entries expired by `atMs` (the proposer's time: deterministic). */
function dropExpired(memory: AgreedMemoryState, namespace: string, atMs: number): void {
  const entries = memory.entries[namespaceSlot(namespace)];
  if (entries === undefined) return;
  for (const [slot, record] of Object.entries(entries)) {
    if (record.x !== null && record.x <= atMs) {
      memory.bytes -= recordBytes(namespace, slot, record);
      delete entries[slot];
    }
  }
}

/**
 * Whether the namespace is agreed is the proposer's business (its memory store routes only agreed
 * namespaces here): replicas must not refuse by their own configuration, which may differ.
 */
function checkTarget(action: CriticalAction): string | null {
  checkNamespace(action.namespace);
  checkKey(action.key, DEFAULT_MEMORY_LIMITS);
  if (typeof action.atMs !== 'number' || !Number.isFinite(action.atMs))
    return 'atMs must be a number';
  return null;
}

/**
 * The built-in kinds: agreed memory writes, mesh configuration, votes on the replica set and
 * the dashboard's demo.
 */
export function builtinKinds(): Record<string, CriticalKind> {
  return {
    [REPLICA_CHANGE_KIND]: replicaChangeKind(),
    'memory.store': {
      stateName: MEMORY_STATE,
      validate: (action) => {
        const refusal = checkTarget(action);
        if (refusal !== null) return refusal;
        checkTtl(action.ttlSeconds, DEFAULT_MEMORY_LIMITS);
        return 'value' in action ? undefined : 'a store needs a value';
      },
      apply: (action, { seq, proposer, state }) => {
        const memory = memoryState(state);
        const namespace = action.namespace as string;
        const key = action.key as string;
        const atMs = action.atMs as number;
        dropExpired(memory, namespace, atMs);
        const ttlSeconds = (action.ttlSeconds as number | null | undefined) ?? null;
        const record: AgreedRecord = {
          v: action.value as JsonValue,
          x: ttlSeconds === null ? null : atMs + Math.round(ttlSeconds * 1000),
          at: atMs,
          w: proposer,
          seq,
        };
        const slot = keySlot(key);
        const entries = (memory.entries[namespaceSlot(namespace)] ??= {});
        const old = Object.hasOwn(entries, slot) ? entries[slot] : undefined;
        const delta =
          recordBytes(namespace, slot, record) -
          (old === undefined ? 0 : recordBytes(namespace, slot, old));
        if (memory.bytes + delta > MAX_AGREED_MEMORY_BYTES) {
          throw new Error(`agreed memory is full (${MAX_AGREED_MEMORY_BYTES} bytes)`);
        }
        entries[slot] = record;
        memory.bytes += delta;
        return { stored: true };
      },
    },
    'memory.delete': {
      stateName: MEMORY_STATE,
      validate: (action) => checkTarget(action) ?? undefined,
      apply: (action, { state }) => {
        const memory = memoryState(state);
        const namespace = action.namespace as string;
        const key = action.key as string;
        dropExpired(memory, namespace, action.atMs as number);
        const entries = memory.entries[namespaceSlot(namespace)];
        const slot = keySlot(key);
        if (entries === undefined || !Object.hasOwn(entries, slot)) return { existed: false };
        memory.bytes -= recordBytes(namespace, slot, entries[slot] as AgreedRecord);
        delete entries[slot];
        return { existed: true };
      },
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
