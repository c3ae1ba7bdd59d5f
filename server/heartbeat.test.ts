import { describe, expect, it } from 'vitest';
import { Heartbeat, type Pingable } from './heartbeat';

class FakePeer implements Pingable {
  readonly pings: Buffer[] = [];
  terminated = false;
  ping(payload: Buffer): void {
    this.pings.push(payload);
  }
  terminate(): void {
    this.terminated = true;
  }
  /** Answers the last ping as a browser does: a pong echoing its payload. */
  lastPing(): Buffer {
    return this.pings.at(-1) as Buffer;
  }
}

function counterNonces(): () => Buffer {
  let next = 0;
  return () => Buffer.from(`nonce-${next++}`);
}

describe('Heartbeat', () => {
  it('pings every round and terminates a socket that missed a round', () => {
    const heartbeat = new Heartbeat<FakePeer>(1000, counterNonces());
    const answering = new FakePeer();
    const silent = new FakePeer();
    heartbeat.track(answering);
    heartbeat.track(silent);

    heartbeat.round();
    expect(answering.pings).toHaveLength(1);
    expect(silent.pings).toHaveLength(1);
    heartbeat.onPong(answering, answering.lastPing());

    heartbeat.round();
    expect(silent.terminated).toBe(true); // no pong since the previous round
    expect(answering.terminated).toBe(false);
    expect(answering.pings).toHaveLength(2);

    heartbeat.round(); // answering did not pong after the second ping
    expect(answering.terminated).toBe(true);
    expect(silent.pings).toHaveLength(1); // never pinged again once terminated
  });

  it('gives every ping a fresh nonce', () => {
    const heartbeat = new Heartbeat<FakePeer>(1000);
    const a = new FakePeer();
    const b = new FakePeer();
    heartbeat.track(a);
    heartbeat.track(b);
    heartbeat.round();
    expect(a.lastPing().equals(b.lastPing())).toBe(false);
    heartbeat.onPong(a, a.lastPing());
    heartbeat.round();
    expect(a.pings[0]?.equals(a.pings[1] as Buffer)).toBe(false);
  });

  it('does not count unsolicited pongs, or pongs echoing another ping', () => {
    const heartbeat = new Heartbeat<FakePeer>(1000, counterNonces());
    const deaf = new FakePeer();
    const replaying = new FakePeer();
    heartbeat.track(deaf);
    heartbeat.track(replaying);
    heartbeat.onPong(deaf, Buffer.alloc(0)); // before any ping
    heartbeat.round();
    heartbeat.onPong(deaf, Buffer.alloc(0)); // a pong of its own, not the nonce
    heartbeat.onPong(deaf, replaying.lastPing()); // another socket's nonce
    heartbeat.onPong(replaying, replaying.lastPing());
    heartbeat.round();
    expect(deaf.terminated).toBe(true);
    expect(replaying.terminated).toBe(false);
    heartbeat.onPong(replaying, replaying.pings[0] as Buffer); // the answered, older nonce
    heartbeat.round();
    expect(replaying.terminated).toBe(true);
  });

  it('forgets untracked sockets and ignores their pongs', () => {
    const heartbeat = new Heartbeat<FakePeer>(1000);
    const peer = new FakePeer();
    heartbeat.track(peer);
    heartbeat.untrack(peer);
    heartbeat.onPong(peer, Buffer.alloc(0));
    heartbeat.round();
    heartbeat.round();
    expect(peer.pings).toHaveLength(0);
    expect(peer.terminated).toBe(false);
  });
});
