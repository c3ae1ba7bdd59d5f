import { describe, expect, it } from 'vitest';
import { Heartbeat, type Pingable } from './heartbeat';

class FakePeer implements Pingable {
  pings = 0;
  terminated = false;
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('Heartbeat', () => {
  it('pings every round and terminates a socket that missed a round', () => {
    const heartbeat = new Heartbeat<FakePeer>(1000);
    const answering = new FakePeer();
    const silent = new FakePeer();
    heartbeat.track(answering);
    heartbeat.track(silent);

    heartbeat.round();
    expect(answering.pings).toBe(1);
    expect(silent.pings).toBe(1);
    heartbeat.onPong(answering);

    heartbeat.round();
    expect(silent.terminated).toBe(true); // no pong since the previous round
    expect(answering.terminated).toBe(false);
    expect(answering.pings).toBe(2);

    heartbeat.round(); // answering did not pong after the second ping
    expect(answering.terminated).toBe(true);
    expect(silent.pings).toBe(1); // never pinged again once terminated
  });

  it('forgets untracked sockets and ignores their pongs', () => {
    const heartbeat = new Heartbeat<FakePeer>(1000);
    const peer = new FakePeer();
    heartbeat.track(peer);
    heartbeat.untrack(peer);
    heartbeat.onPong(peer);
    heartbeat.round();
    heartbeat.round();
    expect(peer.pings).toBe(0);
    expect(peer.terminated).toBe(false);
  });
});
