/** The part of a WebSocket the heartbeat uses. */
export interface Pingable {
  ping(): void;
  terminate(): void;
}

/**
 * WebSocket-level liveness, as in y-webrtc's server: every interval each socket gets a ping; a
 * socket that has not answered with a pong since the previous round is terminated.
 */
export class Heartbeat<T extends Pingable> {
  private readonly answered = new Map<T, boolean>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly intervalMs: number) {}

  track(socket: T): void {
    this.answered.set(socket, true);
  }

  untrack(socket: T): void {
    this.answered.delete(socket);
  }

  onPong(socket: T): void {
    if (this.answered.has(socket)) this.answered.set(socket, true);
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

  /** One round: terminate the silent, ping the rest. Public so tests can drive it. */
  round(): void {
    for (const [socket, answered] of [...this.answered]) {
      if (!answered) {
        this.answered.delete(socket);
        socket.terminate();
        continue;
      }
      this.answered.set(socket, false);
      try {
        socket.ping();
      } catch {
        // A socket that cannot be pinged is on its way out; its close event untracks it.
      }
    }
  }
}
