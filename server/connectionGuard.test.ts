import { describe, expect, it } from 'vitest';
import { ConnectionGuard } from './connectionGuard';

function setup(maxConnections: number, maxConnectionsPerAddress: number) {
  let now = 0;
  const guard = new ConnectionGuard<string>(
    { maxConnections, maxConnectionsPerAddress, requestHeadTimeoutMs: 5000 },
    () => now,
  );
  const advance = (ms: number) => {
    now += ms;
  };
  return { guard, advance };
}

describe('ConnectionGuard', () => {
  it('makes room for a newcomer by cutting the oldest idle connection', () => {
    const { guard, advance } = setup(3, 10);
    for (const conn of ['idle-1', 'idle-2', 'ws']) {
      expect(guard.admit(conn, '10.0.0.1')).toEqual({ accepted: true, cut: [] });
      advance(10);
    }
    guard.requestStarted('ws');
    guard.upgraded('ws');
    expect(guard.admit('healthz', '10.0.0.2')).toEqual({ accepted: true, cut: ['idle-1'] });
    guard.requestStarted('healthz');
    expect(guard.admit('next', '10.0.0.2')).toEqual({ accepted: true, cut: ['idle-2'] });
    guard.requestStarted('next');
    // Nobody idle is left: a WebSocket and two requests in flight are never cut.
    expect(guard.admit('refused', '10.0.0.3')).toEqual({ accepted: false, cut: [] });
    expect(guard.stats()).toEqual({
      connections: 3,
      connectionsRefused: 1,
      connectionsCut: 2,
      oldestIdleMs: 0,
    });
  });

  it('holds an address to its own limit, cutting its own idle connections first', () => {
    const { guard } = setup(100, 2);
    guard.admit('other-idle', '10.0.0.9');
    guard.admit('a1', '10.0.0.1');
    guard.admit('a2', '10.0.0.1');
    guard.requestStarted('a2');
    expect(guard.admit('a3', '10.0.0.1')).toEqual({ accepted: true, cut: ['a1'] });
    guard.requestStarted('a3');
    expect(guard.admit('a4', '10.0.0.1')).toEqual({ accepted: false, cut: [] });
    expect(guard.admit('b1', '10.0.0.2').accepted).toBe(true);
    expect(guard.stats().connections).toBe(4);
  });

  it('cuts connections that send no whole request head in time, keep-alive ones too', () => {
    const { guard, advance } = setup(100, 100);
    guard.admit('silent', 'x');
    advance(1000);
    guard.admit('keep-alive', 'x');
    guard.requestStarted('keep-alive');
    advance(3000);
    guard.requestEnded('keep-alive'); // idle again from here: a new deadline
    guard.admit('busy', 'x');
    guard.requestStarted('busy');
    expect(guard.expired()).toEqual([]);
    expect(guard.stats().oldestIdleMs).toBe(4000);
    advance(1000);
    expect(guard.expired()).toEqual(['silent']);
    expect(guard.stats().oldestIdleMs).toBe(1000); // keep-alive, idle since its answer
    advance(3999);
    expect(guard.expired()).toEqual([]);
    advance(1);
    expect(guard.expired()).toEqual(['keep-alive']);
    advance(60_000);
    expect(guard.expired()).toEqual([]);
    expect(guard.stats()).toEqual({
      connections: 1,
      connectionsRefused: 0,
      connectionsCut: 2,
      oldestIdleMs: 0,
    });
  });

  it('counts pipelined requests and forgets closed connections', () => {
    const { guard, advance } = setup(1, 1);
    guard.admit('c', 'x');
    guard.requestStarted('c');
    guard.requestStarted('c');
    guard.requestEnded('c');
    advance(10_000);
    expect(guard.expired()).toEqual([]); // one request still in flight
    guard.closed('c');
    guard.closed('c');
    expect(guard.admit('d', 'x')).toEqual({ accepted: true, cut: [] });
  });
});
