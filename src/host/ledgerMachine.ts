import type { RaftEntry } from '../core/wire/raftMessages';
import type { RaftStateMachine } from './raftHost';

/** What a ledger entry asks: keep a JSON entry, or change the key-value state. */
export type LedgerOp =
  | { kind: 'append'; entry: unknown }
  | { kind: 'put'; key: string; value: unknown }
  | { kind: 'cas'; key: string; expected: unknown; value: unknown };

/** A committed data entry as `mesh.ledger.read` returns it. */
export interface LedgerRecord {
  index: number;
  term: number;
  entry: unknown;
}

export type LedgerResult =
  | { ok: true; kind: 'append' | 'put' }
  | { ok: boolean; kind: 'cas'; value: unknown }
  | { ok: false; kind: 'refused'; reason: string };

/** Committed entries kept for `read` (and carried in snapshots), newest last. */
export const LEDGER_ENTRIES_KEPT = 256;
/** Keys of the key-value state at most. */
export const LEDGER_MAX_KEYS = 1024;
/** The key-value state's JSON text at most, so a snapshot stays well inside Raft's 4 Mi. */
export const LEDGER_MAX_STATE_CHARS = 1024 * 1024;
/** A key is 1-256 characters. */
export const LEDGER_MAX_KEY_CHARS = 256;

interface SnapshotText {
  kv: [string, string][];
  recent: LedgerRecord[];
}

/** Why `op` is not a ledger operation, or null when it is one. */
export function ledgerOpRefusal(op: unknown): string | null {
  if (typeof op !== 'object' || op === null) return 'not an operation';
  const { kind, key } = op as { kind?: unknown; key?: unknown };
  if (kind === 'append') return null;
  if (kind !== 'put' && kind !== 'cas') return `unknown operation ${String(kind).slice(0, 32)}`;
  if (typeof key !== 'string' || key.length === 0 || key.length > LEDGER_MAX_KEY_CHARS)
    return `a key is 1-${LEDGER_MAX_KEY_CHARS} characters`;
  return null;
}

/**
 * The state machine on the Raft log behind `mesh.ledger`: the recent committed entries (what
 * `read` returns) and a key-value map (`put`, `cas`, `get`). Values are kept as their JSON
 * text, so `cas` compares by JSON text and every node holds exactly the same state. Every node
 * applies the same entries in the same order: the results and the state agree everywhere.
 */
export class LedgerMachine implements RaftStateMachine {
  private values = new Map<string, string>();
  private stateChars = 0;
  private recentRecords: LedgerRecord[] = [];

  apply(entry: RaftEntry): LedgerResult {
    let op: LedgerOp | null = null;
    try {
      const parsed = (JSON.parse(entry.data) as { op?: unknown }).op;
      if (ledgerOpRefusal(parsed) === null) op = parsed as LedgerOp;
    } catch {
      // Not JSON: refused below, alike on every node.
    }
    if (op === null) return { ok: false, kind: 'refused', reason: 'not a ledger operation' };
    this.keep({ index: entry.index, term: entry.term, entry: recordOf(op) });
    if (op.kind === 'append') return { ok: true, kind: 'append' };
    if (op.kind === 'cas') {
      const current = this.values.get(op.key) ?? 'null';
      if (current !== JSON.stringify(op.expected ?? null))
        return { ok: false, kind: 'cas', value: JSON.parse(current) as unknown };
    }
    const refusal = this.set(op.key, JSON.stringify(op.value ?? null));
    if (refusal !== null) return { ok: false, kind: 'refused', reason: refusal };
    return op.kind === 'put'
      ? { ok: true, kind: 'put' }
      : { ok: true, kind: 'cas', value: op.value };
  }

  /** The value under `key` as this node has applied it (null when absent). */
  get(key: string): unknown {
    const text = this.values.get(key);
    return text === undefined ? null : (JSON.parse(text) as unknown);
  }

  get keyCount(): number {
    return this.values.size;
  }

  /** Kept entries from `fromIndex` on, at most `limit`, in order. */
  read(fromIndex: number, limit: number): LedgerRecord[] {
    const out: LedgerRecord[] = [];
    for (const record of this.recentRecords) {
      if (record.index < fromIndex) continue;
      if (out.length >= limit) break;
      out.push(record);
    }
    return out;
  }

  /** The newest `limit` kept entries, oldest first. */
  recent(limit: number): LedgerRecord[] {
    return this.recentRecords.slice(-limit);
  }

  snapshot(): string {
    const text: SnapshotText = { kv: [...this.values], recent: this.recentRecords };
    return JSON.stringify(text);
  }

  restore(snapshot: string): void {
    const parsed = (snapshot === '' ? {} : JSON.parse(snapshot)) as Partial<SnapshotText>;
    this.values = new Map(Array.isArray(parsed.kv) ? parsed.kv : []);
    this.stateChars = 0;
    for (const [key, value] of this.values) this.stateChars += key.length + value.length;
    this.recentRecords = Array.isArray(parsed.recent) ? parsed.recent : [];
  }

  private keep(record: LedgerRecord): void {
    this.recentRecords.push(record);
    if (this.recentRecords.length > LEDGER_ENTRIES_KEPT) this.recentRecords.shift();
  }

  /** Sets `key`; refuses (changing nothing) when the state would pass its bounds. */
  private set(key: string, valueText: string): string | null {
    const before = this.values.get(key);
    const grows = valueText.length + (before === undefined ? key.length : -before.length);
    if (before === undefined && this.values.size >= LEDGER_MAX_KEYS)
      return `the ledger holds ${LEDGER_MAX_KEYS} keys already`;
    if (this.stateChars + grows > LEDGER_MAX_STATE_CHARS)
      return `the key-value state would pass ${LEDGER_MAX_STATE_CHARS} characters`;
    this.values.set(key, valueText);
    this.stateChars += grows;
    return null;
  }
}

/** How an entry shows in `read`: an appended entry as it was given, a key change as itself. */
function recordOf(op: LedgerOp): unknown {
  if (op.kind === 'append') return op.entry;
  return op;
}
