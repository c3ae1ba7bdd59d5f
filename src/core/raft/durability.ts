import type { RecordChanges } from '../base/records';
import type { RaftEntry } from '../wire/raftMessages';
import type { RaftDurableState, RaftEffect, RaftHardState, RaftStoredSnapshot } from './types';

/**
 * A node's durable state as records (key -> text), the form the hosts store: IndexedDB in a
 * page, a file in a Node agent, a map in the simulator. One record for the hard state, one for
 * the snapshot, one per entry keyed by its zero-padded index so keys sort in log order.
 */
const HARD_KEY = 'raft/hard';
const SNAPSHOT_KEY = 'raft/snapshot';
const ENTRY_PREFIX = 'raft/e/';

export const entryKey = (index: number): string => ENTRY_PREFIX + String(index).padStart(16, '0');

export type { RecordChanges } from '../base/records';

/** The record writes and deletes one persist effect means, given the keys held now. */
export function persistChanges(
  effect: Extract<RaftEffect, { kind: 'persist' }>,
  heldEntryIndexes: Iterable<number>,
): RecordChanges {
  const puts: RecordChanges['puts'] = [];
  const deletes: string[] = [];
  const held = [...heldEntryIndexes];
  if (effect.hard !== null) puts.push({ key: HARD_KEY, value: JSON.stringify(effect.hard) });
  if (effect.truncateFrom !== null) {
    for (const index of held)
      if (index >= (effect.truncateFrom as number)) deletes.push(entryKey(index));
  }
  for (const entry of effect.entries)
    puts.push({ key: entryKey(entry.index), value: JSON.stringify(entry) });
  if (effect.snapshot !== null) {
    puts.push({ key: SNAPSHOT_KEY, value: JSON.stringify(effect.snapshot) });
    for (const index of held) if (index <= effect.snapshot.index) deletes.push(entryKey(index));
  }
  return { puts, deletes };
}

/** Applies a persist effect to records held in a map (the simulator's and tests' storage). */
export function applyRaftPersist(
  records: Map<string, string>,
  effect: Extract<RaftEffect, { kind: 'persist' }>,
): void {
  const held: number[] = [];
  if (effect.truncateFrom !== null || effect.snapshot !== null) {
    for (const key of records.keys())
      if (key.startsWith(ENTRY_PREFIX)) held.push(Number(key.slice(ENTRY_PREFIX.length)));
  }
  const changes = persistChanges(effect, held);
  for (const key of changes.deletes) records.delete(key);
  for (const { key, value } of changes.puts) records.set(key, value);
}

/**
 * Reads records back into the state a restarting node takes, or undefined for none. Entries
 * that do not follow on from the snapshot (a write torn by a crash) are cut at the first gap.
 */
export function loadRaftDurable(
  records: ReadonlyMap<string, string>,
): RaftDurableState | undefined {
  const hardText = records.get(HARD_KEY);
  const snapshotText = records.get(SNAPSHOT_KEY);
  const hard: RaftHardState =
    hardText === undefined
      ? { term: 0, votedFor: null, commitIndex: 0 }
      : (JSON.parse(hardText) as RaftHardState);
  const snapshot =
    snapshotText === undefined ? null : (JSON.parse(snapshotText) as RaftStoredSnapshot);
  const keys = [...records.keys()].filter((key) => key.startsWith(ENTRY_PREFIX)).sort();
  if (hardText === undefined && snapshot === null && keys.length === 0) return undefined;
  const entries: RaftEntry[] = [];
  let next = (snapshot?.index ?? 0) + 1;
  for (const key of keys) {
    const entry = JSON.parse(records.get(key) as string) as RaftEntry;
    if (entry.index < next) continue;
    if (entry.index !== next) break;
    entries.push(entry);
    next++;
  }
  return { hard, snapshot, entries };
}
