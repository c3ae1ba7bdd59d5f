import type { AgentId } from '../core/base/ids';
import type { Transport, TransportHandler } from '../host/ports';
export { TestClock } from '../host/testClock';

/** Test support: an in-memory network whose frames wait until delivered. */
interface InFlight {
  from: AgentId;
  to: AgentId;
  frame: Uint8Array;
}

export class TestNet {
  readonly inFlight: InFlight[] = [];
  private readonly handlers = new Map<AgentId, TransportHandler>();
  private readonly links = new Set<string>();
  /** Bytes each sender reports as buffered, to exercise pacing. */
  buffered = 0;

  transport(self: AgentId): Transport {
    return {
      setHandler: (handler) => {
        this.handlers.set(self, handler);
      },
      send: (peer, frame) => {
        if (this.links.has(key(self, peer))) this.inFlight.push({ from: self, to: peer, frame });
      },
      close: (peer) => this.unlink(self, peer),
      connect: () => undefined,
      bufferedBytes: () => this.buffered,
    };
  }

  link(a: AgentId, b: AgentId): void {
    this.links.add(key(a, b));
    this.handlers.get(a)?.onLinkUp(b);
    this.handlers.get(b)?.onLinkUp(a);
  }

  unlink(a: AgentId, b: AgentId): void {
    if (!this.links.delete(key(a, b))) return;
    this.handlers.get(a)?.onLinkDown(b, 'closed');
    this.handlers.get(b)?.onLinkDown(a, 'closed');
  }

  /** Delivers frames (those sent meanwhile too) until none are left; returns how many. */
  deliverAll(keep: (frame: InFlight) => boolean = () => true): number {
    let delivered = 0;
    while (this.inFlight.length > 0) {
      const next = this.inFlight.shift() as InFlight;
      if (!keep(next) || !this.links.has(key(next.from, next.to))) continue;
      delivered++;
      this.handlers.get(next.to)?.onFrame(next.from, next.frame);
    }
    return delivered;
  }
}

function key(a: AgentId, b: AgentId): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
