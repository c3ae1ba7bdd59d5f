import type { Clock } from '../../host/ports';

/** Wall-clock milliseconds, monotonic within the page (performance.now from the time origin). */
export const browserClock: Clock = {
  nowMs: () => performance.timeOrigin + performance.now(),
  setTimer: (atMs, callback) => setTimeout(callback, Math.max(0, atMs - browserClock.nowMs())),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
