import type { Clock, TimerHandle } from './ports';

/**
 * A poll loop's timer: `tick` runs on the next timer turn after `start`, then every `everyMs`
 * after it returns, until `stop`.
 */
export class PollingTimer {
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly tick: () => void,
  ) {}

  start(): void {
    this.schedule(this.clock.nowMs());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private schedule(atMs: number): void {
    this.timer = this.clock.setTimer(atMs, () => {
      this.timer = null;
      if (this.stopped) return;
      this.tick();
      if (!this.stopped) this.schedule(this.clock.nowMs() + this.everyMs);
    });
  }
}
