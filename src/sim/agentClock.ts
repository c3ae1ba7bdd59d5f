import type { Prng } from '../core/base/prng';
import type { Clock, TimerHandle } from '../host/ports';
import type { Scheduler } from './scheduler';
import { EventKind, SimEvent } from './simEvent';

/**
 * The Clock port for one simulated agent: virtual time, timers as queue events tagged with the
 * agent (for the trace and the checkers). Timers may fire late by up to `latenessMs`, as
 * throttled browser timers do; they never fire early.
 */
export class AgentClock implements Clock {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly agent: number,
    private readonly latenessMs: number,
    private readonly prng: Prng,
  ) {}

  nowMs(): number {
    return this.scheduler.nowMs();
  }

  setTimer(atMs: number, callback: () => void): TimerHandle {
    const lateMs = this.latenessMs > 0 ? this.prng.nextFloat() * this.latenessMs : 0;
    return this.scheduler.schedule(
      atMs + lateMs,
      EventKind.timer,
      this.agent,
      -1,
      0,
      null,
      callback,
    );
  }

  clearTimer(handle: TimerHandle): void {
    if (handle instanceof SimEvent) handle.cancelled = true;
  }
}
