/**
 * What a protocol asks its host to store after one step: records to write and records to drop.
 * pBFT's replica and Raft's node both persist as records (key -> text) so one store serves both:
 * IndexedDB in a page, a file in a Node agent, a map in the simulator.
 */
export interface RecordChanges {
  puts: { key: string; value: string }[];
  deletes: string[];
}

/**
 * Deletes first, then puts, as every store applies them (IndexedDB, the file, the maps): a key
 * deleted and written in one change ends written (a Raft log cut at an index and written anew).
 */
export function applyRecordChanges(store: Map<string, string>, changes: RecordChanges): void {
  for (const key of changes.deletes) store.delete(key);
  for (const { key, value } of changes.puts) store.set(key, value);
}
