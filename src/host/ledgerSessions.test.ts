import { describe, expect, it } from 'vitest';
import {
  LEDGER_MAX_SESSIONS,
  LEDGER_SESSION_RESULTS,
  LedgerSessions,
  sessionRefusal,
} from './ledgerSessions';

describe('LedgerSessions', () => {
  it('answers a write sent again from the cache, and refuses one below the ack', () => {
    const sessions = new LedgerSessions<string>();
    const first = { client: 'a:1', seq: 1, ack: 1 };
    expect(sessions.check(first)).toEqual({ kind: 'new' });
    sessions.record(first, 'r1', 10, 2);
    expect(sessions.check(first)).toEqual({ kind: 'duplicate', result: 'r1', index: 10, term: 2 });
    // The writer got r1: its next write acknowledges it, and r1 is forgotten.
    sessions.record({ client: 'a:1', seq: 2, ack: 2 }, 'r2', 11, 2);
    expect(sessions.check(first)).toEqual({ kind: 'stale' });
    expect(sessions.check({ client: 'a:1', seq: 3, ack: 2 })).toEqual({ kind: 'new' });
    expect(sessions.check({ client: 'b:1', seq: 1, ack: 1 })).toEqual({ kind: 'new' });
  });

  it('keeps at most LEDGER_SESSION_RESULTS results per session, the newest', () => {
    const sessions = new LedgerSessions<number>();
    for (let seq = 1; seq <= LEDGER_SESSION_RESULTS + 10; seq++)
      sessions.record({ client: 'a:1', seq, ack: 1 }, seq, seq, 1);
    expect(sessions.check({ client: 'a:1', seq: 10, ack: 1 }).kind).toBe('new');
    expect(sessions.check({ client: 'a:1', seq: 11, ack: 1 }).kind).toBe('duplicate');
  });

  it('drops the least recently written session past LEDGER_MAX_SESSIONS, alike after a restore', () => {
    const sessions = new LedgerSessions<string>();
    for (let i = 0; i <= LEDGER_MAX_SESSIONS; i++)
      sessions.record({ client: `c${i}`, seq: 1, ack: 1 }, 'r', 100 + i, 1);
    expect(sessions.size).toBe(LEDGER_MAX_SESSIONS);
    expect(sessions.check({ client: 'c0', seq: 1, ack: 1 }).kind).toBe('new');
    const copy = new LedgerSessions<string>();
    copy.restore(JSON.parse(JSON.stringify(sessions.snapshot())));
    expect(copy.snapshot()).toEqual(sessions.snapshot());
    expect(copy.check({ client: 'c1', seq: 1, ack: 1 })).toEqual({
      kind: 'duplicate',
      result: 'r',
      index: 101,
      term: 1,
    });
  });

  it('refuses malformed sessions', () => {
    expect(sessionRefusal({ client: 'a', seq: 1, ack: 1 })).toBeNull();
    expect(sessionRefusal({ client: '', seq: 1, ack: 1 })).toMatch(/client/);
    expect(sessionRefusal({ client: 'a', seq: 0, ack: 0 })).toMatch(/seq/);
    expect(sessionRefusal({ client: 'a', seq: 2, ack: 3 })).toMatch(/ack/);
    expect(sessionRefusal('x')).toMatch(/object/);
  });
});
