import {
  checkKey,
  checkNamespace,
  checkTtl,
  DEFAULT_MEMORY_LIMITS,
} from '../../crdt/memory/limits';
import type { MemoryEntry } from '../../crdt/memory/memoryIndex';
import type { JsonValue } from '../../crdt/memory/slot';

/**
 * The state behind the agreed memory namespaces, the same for both tiers (pBFT's `memory.*`
 * kinds and the Raft ledger's memory operations): plain JSON, applied in log order, so every
 * replica holds exactly the same entries and a snapshot or state transfer carries them.
 */

/** One agreed memory entry in the replicated state. */
export interface AgreedRecord {
  v: JsonValue;
  /** Absolute expiry (the proposer's clock plus the TTL), or null. */
  x: number | null;
  /** When the proposer wrote it, by its clock. */
  at: number;
  w: string;
  /** Where it sits in the log (a pBFT sequence number, a Raft index): orders agreed writes. */
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

/** The agreed memory's whole size in UTF-8, per tier (it travels in every state transfer). */
export const MAX_AGREED_MEMORY_BYTES = 192 * 1024;

/** A write as the log carries it: the proposer's clock decides expiry, alike everywhere. */
export interface AgreedMemoryWrite {
  namespace: string;
  key: string;
  value?: JsonValue;
  ttlSeconds?: number | null;
  atMs: number;
}

export function namespaceSlot(namespace: string): string {
  return 'n:' + namespace;
}

export function keySlot(key: string): string {
  return 'k:' + key;
}

/** `state` as agreed memory, its fields created on first use. */
export function memoryStateOf(state: Record<string, unknown>): AgreedMemoryState {
  state.entries ??= {};
  state.bytes ??= 0;
  return state as unknown as AgreedMemoryState;
}

/**
 * Why `write` is no agreed memory write (a store needs a value), or null. Whether the namespace
 * is agreed is the proposer's business: replicas must not refuse by their own configuration,
 * which may differ.
 */
export function agreedWriteRefusal(write: Record<string, unknown>, store: boolean): string | null {
  try {
    checkNamespace(write.namespace);
    checkKey(write.key, DEFAULT_MEMORY_LIMITS);
    if (store) checkTtl(write.ttlSeconds, DEFAULT_MEMORY_LIMITS);
  } catch (error) {
    return (error as Error).message;
  }
  if (typeof write.atMs !== 'number' || !Number.isFinite(write.atMs))
    return 'atMs must be a number';
  if (store && !('value' in write)) return 'a store needs a value';
  return null;
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

/** Stores a checked write at log position `seq`; throws (changing nothing) when full. */
export function storeAgreed(
  memory: AgreedMemoryState,
  write: AgreedMemoryWrite,
  seq: number,
  writer: string,
): { stored: true } {
  const { namespace, key, atMs } = write;
  dropExpired(memory, namespace, atMs);
  const ttlSeconds = write.ttlSeconds ?? null;
  const record: AgreedRecord = {
    v: write.value ?? null,
    x: ttlSeconds === null ? null : atMs + Math.round(ttlSeconds * 1000),
    at: atMs,
    w: writer,
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
}

/** Deletes a checked write's key; says whether it was there. */
export function deleteAgreed(
  memory: AgreedMemoryState,
  write: AgreedMemoryWrite,
): { existed: boolean } {
  const { namespace, key } = write;
  dropExpired(memory, namespace, write.atMs);
  const entries = memory.entries[namespaceSlot(namespace)];
  const slot = keySlot(key);
  if (entries === undefined || !Object.hasOwn(entries, slot)) return { existed: false };
  memory.bytes -= recordBytes(namespace, slot, entries[slot] as AgreedRecord);
  delete entries[slot];
  return { existed: true };
}

/** The namespace's entries visible at `nowMs`, in key order. */
export function agreedEntries(
  memory: Partial<AgreedMemoryState>,
  namespace: string,
  nowMs: number,
): MemoryEntry[] {
  const records = memory.entries?.[namespaceSlot(namespace)] ?? {};
  const out: MemoryEntry[] = [];
  for (const [slot, record] of Object.entries(records)) {
    if (record.x !== null && nowMs >= record.x) continue;
    out.push({
      namespace,
      key: slot.slice(2),
      value: record.v,
      writer: record.w,
      writtenAtMs: record.at,
      expiresAtMs: record.x,
      // The log position orders agreed writes: it stands in the stamp's counter.
      stamp: { ms: record.at, counter: record.seq, writer: record.w },
    });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
