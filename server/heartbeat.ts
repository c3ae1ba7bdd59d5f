import { randomBytes } from 'node:crypto';

/** The part of a WebSocket the heartbeat uses. */
export interface Pingable {
  ping(payload: Buffer): void;
  terminate(): void;
}

/** Bytes of the random payload of each ping; the answering pong must carry them back. */
const NONCE_BYTES = 8;

/**
 * WebSocket-level liveness: every interval each socket gets a ping carrying a fresh random
 * nonce, and a socket that has not answered the previous one with a pong carrying that nonce is
 * terminated. A pong the socket sends on its own, or one echoing an older ping, does not count:
 * a socket that stopped reading (and so never sees the ping) cannot keep itself alive with
 * unsolicited pongs.
 */
export class Heartbeat<T extends Pingable> {
  /** The nonce each tracked socket still owes, or null when it has answered. */
  private readonly owed = new Map<T, Buffer | null>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly nonce: () => Buffer = () => randomBytes(NONCE_BYTES),
  ) {}

  track(socket: T): void {
    this.owed.set(socket, null);
  }

  untrack(socket: T): void {
    this.owed.delete(socket);
  }

  /** A pong arrived: it counts only when it echoes the nonce of the ping this socket owes. */
  onPong(socket: T, payload: Buffer): void {
    const owed = this.owed.get(socket);
    if (owed && owed.equals(payload)) this.owed.set(socket, null);
  }

  /** Starts the rounds; an interval of 0 leaves the heartbeat off. */
  start(): void {
    if (this.intervalMs <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => this.round(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round: terminate those still owing a pong, ping the rest. Public so tests drive it. */
  round(): void {
    for (const [socket, owed] of [...this.owed]) {
      if (owed !== null) {
        this.owed.delete(socket);
        socket.terminate();
        continue;
      }
      const nonce = this.nonce();
      this.owed.set(socket, nonce);
      try {
        socket.ping(nonce);
      } catch {
        // A socket that cannot be pinged is on its way out; its close event untracks it.
      }
    }
  }
}
