import type { RaftEntry } from '../core/wire/raftMessages';
import { LedgerSessions, sessionRefusal, type LedgerSession } from './ledgerSessions';
import type { RaftStateMachine } from './raftHost';

/** What a ledger entry asks: keep a JSON entry, change the key-value state, or an extension's. */
export type LedgerOp = { kind: 'append'; entry: unknown } | LedgerKvOp | LedgerExtensionOp;

export type LedgerKvOp =
  | { kind: 'put'; key: string; value: unknown }
  | { kind: 'cas'; key: string; expected: unknown; value: unknown };

/** An operation of an extension: its kind is one the extension names. */
export type LedgerExtensionOp = { kind: string } & Record<string, unknown>;

/**
 * A state machine of its own on the ledger's log (the Raft tier of the agreed memory is one),
 * owning the operations of `kinds`. Deterministic, like the ledger: every node applies the
 * same operations in the same order and must end in the same state.
 */
export interface LedgerExtension {
  /** Its part's name in the ledger's snapshots. */
  readonly name: string;
  readonly kinds: readonly string[];
  /** Why `op` is not one it takes, or null; asked before proposing and again on applying. */
  refusal(op: LedgerExtensionOp): string | null;
  /** Applies a checked `op` at `index`; returns its result (JSON); throws, changing nothing, to refuse. */
  apply(op: LedgerExtensionOp, index: number): unknown;
  snapshot(): unknown;
  /** Replaces its state with a snapshot's part (undefined: a snapshot without it). */
  restore(state: unknown): void;
}

/** A committed data entry as `mesh.ledger.read` returns it. */
export interface LedgerRecord {
  index: number;
  term: number;
  entry: unknown;
}

export type LedgerResult = (
  | { ok: true; kind: 'append' | 'put' }
  | { ok: boolean; kind: 'cas'; value: unknown }
  | { ok: true; kind: 'extension'; value: unknown }
  | { ok: false; kind: 'refused'; reason: string }
) & {
  /** A write sent again: the answer its first copy got, and where that copy was committed. */
  duplicateOf?: { index: number; term: number };
};

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
  sessions?: unknown;
  /** Each extension's part, by name. */
  ext?: Record<string, unknown>;
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
  private readonly extensionOf = new Map<string, LedgerExtension>();
  private readonly sessions = new LedgerSessions<LedgerResult>();

  constructor(private readonly extensions: readonly LedgerExtension[] = []) {
    for (const extension of extensions)
      for (const kind of extension.kinds) this.extensionOf.set(kind, extension);
  }

  /** Why `op` is not a ledger operation, or null when it is one. */
  refusal(op: unknown): string | null {
    if (typeof op !== 'object' || op === null) return 'not an operation';
    const { kind, key } = op as { kind?: unknown; key?: unknown };
    if (kind === 'append') return null;
    const extension = typeof kind === 'string' ? this.extensionOf.get(kind) : undefined;
    if (extension !== undefined) return extension.refusal(op as LedgerExtensionOp);
    if (kind !== 'put' && kind !== 'cas') return `unknown operation ${String(kind).slice(0, 32)}`;
    if (typeof key !== 'string' || key.length === 0 || key.length > LEDGER_MAX_KEY_CHARS)
      return `a key is 1-${LEDGER_MAX_KEY_CHARS} characters`;
    return null;
  }

  apply(entry: RaftEntry): LedgerResult {
    let parsed: { op?: unknown; session?: unknown } = {};
    try {
      parsed = JSON.parse(entry.data) as typeof parsed;
    } catch {
      // Not JSON: refused below, alike on every node.
    }
    const refusal =
      this.refusal(parsed.op) ??
      (parsed.session === undefined ? null : sessionRefusal(parsed.session));
    if (refusal !== null) return { ok: false, kind: 'refused', reason: refusal };
    const op = parsed.op as LedgerOp;
    const session = parsed.session as LedgerSession | undefined;
    if (session === undefined) return this.applyOp(op, entry);
    const seen = this.sessions.check(session);
    if (seen.kind === 'duplicate')
      return { ...seen.result, duplicateOf: { index: seen.index, term: seen.term } };
    if (seen.kind === 'stale')
      return { ok: false, kind: 'refused', reason: 'a write its writer no longer waits on' };
    const result = this.applyOp(op, entry);
    this.sessions.record(session, result, entry.index, entry.term);
    return result;
  }

  private applyOp(op: LedgerOp, entry: RaftEntry): LedgerResult {
    this.keep({ index: entry.index, term: entry.term, entry: recordOf(op) });
    if (op.kind === 'append') return { ok: true, kind: 'append' };
    const extension = this.extensionOf.get(op.kind);
    if (extension !== undefined) {
      try {
        return { ok: true, kind: 'extension', value: extension.apply(op, entry.index) };
      } catch (error) {
        return { ok: false, kind: 'refused', reason: (error as Error).message };
      }
    }
    return this.applyKv(op as LedgerKvOp);
  }

  private applyKv(op: LedgerKvOp): LedgerResult {
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
    const ext: Record<string, unknown> = {};
    for (const extension of this.extensions) ext[extension.name] = extension.snapshot();
    const text: SnapshotText = {
      kv: [...this.values],
      recent: this.recentRecords,
      sessions: this.sessions.snapshot(),
      ext,
    };
    return JSON.stringify(text);
  }

  restore(snapshot: string): void {
    const parsed = (snapshot === '' ? {} : JSON.parse(snapshot)) as Partial<SnapshotText>;
    this.values = new Map(Array.isArray(parsed.kv) ? parsed.kv : []);
    this.stateChars = 0;
    for (const [key, value] of this.values) this.stateChars += key.length + value.length;
    this.recentRecords = Array.isArray(parsed.recent) ? parsed.recent : [];
    this.sessions.restore(parsed.sessions);
    for (const extension of this.extensions) extension.restore(parsed.ext?.[extension.name]);
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
  if (op.kind === 'append') return (op as { entry: unknown }).entry;
  return op;
}
