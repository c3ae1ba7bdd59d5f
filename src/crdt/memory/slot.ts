import type { Stamp } from './hlc';

/** JSON values the store keeps. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * One writer's version of an entry, as kept in the shared Y.Map under `slotKey(namespace, key,
 * writer)`. Each writer only ever sets its own slot, so Yjs never has to pick between writers;
 * the store reads the slot with the largest stamp (last writer wins by hybrid logical clock).
 */
export interface Slot {
  /** The value; null in a tombstone. */
  v: JsonValue;
  /** Writer (agent id). */
  w: string;
  /** Stamp: wall ms and counter. */
  ms: number;
  c: number;
  /** Absolute expiry in wall ms, or null for none. */
  x: number | null;
  /** True for a tombstone (the entry was deleted). */
  d: boolean;
}

const SEPARATOR = '\u0000';

export function entryKeyOf(namespace: string, key: string): string {
  return namespace + SEPARATOR + key;
}

export function slotKeyOf(namespace: string, key: string, writer: string): string {
  return namespace + SEPARATOR + key + SEPARATOR + writer;
}

export function parseSlotKey(
  slotKey: string,
): { namespace: string; key: string; writer: string } | null {
  const parts = slotKey.split(SEPARATOR);
  if (parts.length !== 3) return null;
  const [namespace, key, writer] = parts as [string, string, string];
  return { namespace, key, writer };
}

export function stampOf(slot: Slot): Stamp {
  return { ms: slot.ms, counter: slot.c, writer: slot.w };
}

/**
 * A slot as read from the document, checked field by field: anyone may write to the map, so a
 * slot in the wrong shape, or claiming another writer than its key, is ignored (and counted).
 */
export function validSlot(raw: unknown, writer: string): Slot | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const slot = raw as Record<string, unknown>;
  if (slot.w !== writer) return null;
  if (!isNonNegativeInteger(slot.ms) || !isNonNegativeInteger(slot.c)) return null;
  if (slot.x !== null && !isNonNegativeInteger(slot.x)) return null;
  if (typeof slot.d !== 'boolean') return null;
  if (!('v' in slot) || slot.v === undefined) return null;
  return slot as unknown as Slot;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
