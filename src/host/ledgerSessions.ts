/**
 * Client sessions of the ledger's state machine (Ongaro's thesis §6.3): every write carries its
 * writer's session, a number and the lowest number the writer still waits on. The machine keeps
 * each session's results from that number on, so a write the writer sends again (its first
 * answer lost, the leader changed) is answered from the cache instead of applied twice. That
 * is what lets `mesh.ledger` retry a write whose fate it does not know.
 */

/** A write's session: who (one per ledger instance), which, and what may be forgotten. */
export interface LedgerSession {
  client: string;
  seq: number;
  /** The writer's lowest number still unanswered: results below it are no longer needed. */
  ack: number;
}

/** Sessions kept at most; the one that wrote least recently goes first. */
export const LEDGER_MAX_SESSIONS = 64;
/** Results kept per session (the writer's operations waiting at once are bounded alike). */
export const LEDGER_SESSION_RESULTS = 256;
/** Characters of cached results in all sessions; past it the least recent sessions go. */
export const LEDGER_MAX_SESSION_CHARS = 512 * 1024;
const MAX_CLIENT_CHARS = 128;

interface Cached<R> {
  result: R;
  index: number;
  term: number;
  chars: number;
}

interface Session<R> {
  lastIndex: number;
  ack: number;
  results: Map<number, Cached<R>>;
}

export type SessionCheck<R> =
  | { kind: 'new' }
  | { kind: 'duplicate'; result: R; index: number; term: number }
  /** Below what the writer acknowledged: it waits on it no more, so no answer is owed. */
  | { kind: 'stale' };

/** Why `session` is malformed, or null (checked alike on every node). */
export function sessionRefusal(session: unknown): string | null {
  if (typeof session !== 'object' || session === null) return 'a session is an object';
  const { client, seq, ack } = session as Partial<LedgerSession>;
  if (typeof client !== 'string' || client.length === 0 || client.length > MAX_CLIENT_CHARS)
    return `a session's client is 1-${MAX_CLIENT_CHARS} characters`;
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return "a session's seq is from 1";
  if (!Number.isSafeInteger(ack) || (ack as number) < 1 || (ack as number) > (seq as number))
    return "a session's ack is from 1 to its seq";
  return null;
}

/** The sessions table; deterministic, so every node keeps exactly the same one. */
export class LedgerSessions<R> {
  private sessions = new Map<string, Session<R>>();
  private chars = 0;

  check(session: LedgerSession): SessionCheck<R> {
    const known = this.sessions.get(session.client);
    if (known === undefined) return { kind: 'new' };
    const cached = known.results.get(session.seq);
    if (cached !== undefined)
      return { kind: 'duplicate', result: cached.result, index: cached.index, term: cached.term };
    return session.seq < known.ack ? { kind: 'stale' } : { kind: 'new' };
  }

  /** Keeps `result` for the session's write applied at `index`. */
  record(session: LedgerSession, result: R, index: number, term: number): void {
    let known = this.sessions.get(session.client);
    if (known === undefined) {
      known = { lastIndex: index, ack: 1, results: new Map() };
      this.sessions.set(session.client, known);
    }
    known.lastIndex = index;
    known.ack = Math.max(known.ack, session.ack);
    const chars = JSON.stringify(result ?? null).length;
    known.results.set(session.seq, { result, index, term, chars });
    this.chars += chars;
    // Oldest first (insertion order): stop at the first one still owed and within the bound.
    for (const [seq, cached] of known.results) {
      if (seq >= known.ack && known.results.size <= LEDGER_SESSION_RESULTS) break;
      known.results.delete(seq);
      this.chars -= cached.chars;
    }
    this.evict();
  }

  snapshot(): unknown {
    return [...this.sessions].map(([client, s]) => [
      client,
      s.lastIndex,
      s.ack,
      [...s.results].map(([seq, c]) => [seq, c.index, c.term, c.result]),
    ]);
  }

  restore(state: unknown): void {
    this.sessions = new Map();
    this.chars = 0;
    if (!Array.isArray(state)) return;
    for (const [client, lastIndex, ack, results] of state as [
      string,
      number,
      number,
      [number, number, number, R][],
    ][]) {
      const session: Session<R> = { lastIndex, ack, results: new Map() };
      for (const [seq, index, term, result] of results) {
        const chars = JSON.stringify(result ?? null).length;
        session.results.set(seq, { result, index, term, chars });
        this.chars += chars;
      }
      this.sessions.set(client, session);
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Drops the least recently written sessions past the bounds (ties by client, alike everywhere). */
  private evict(): void {
    while (this.sessions.size > LEDGER_MAX_SESSIONS || this.chars > LEDGER_MAX_SESSION_CHARS) {
      let oldest: [string, Session<R>] | null = null;
      for (const entry of this.sessions) {
        if (
          oldest === null ||
          entry[1].lastIndex < oldest[1].lastIndex ||
          (entry[1].lastIndex === oldest[1].lastIndex && entry[0] < oldest[0])
        )
          oldest = entry;
      }
      if (oldest === null) return;
      this.sessions.delete(oldest[0]);
      for (const cached of oldest[1].results.values()) this.chars -= cached.chars;
    }
  }
}
