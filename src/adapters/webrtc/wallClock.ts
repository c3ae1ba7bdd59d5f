import type { Clock } from '../../host/ports';

/** Wall-clock milliseconds, monotonic within the process (performance.now from its time origin). */
export const wallClock: Clock = {
  nowMs: () => performance.timeOrigin + performance.now(),
  setTimer: (atMs, callback) => setTimeout(callback, Math.max(0, atMs - wallClock.nowMs())),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
