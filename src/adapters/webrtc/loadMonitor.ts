import { watchComputePressure } from './computePressure';

/** A CPU-load estimate in [0, 1] for the load summary agents gossip. */
export interface LoadMonitor {
  /** Busy fraction over the last window. */
  cpu(): number;
  stop(): void;
}

/** How often the load is sampled; also the window of the estimate. */
const SAMPLE_EVERY_MS = 1000;

/**
 * Pages: the fraction of the last second spent in long tasks (PerformanceObserver 'longtask'),
 * or, where that is not offered, in timer lateness; raised to the device's Compute Pressure
 * state where the browser reports one (computePressure.ts). Node: process CPU time over wall time.
 * The same idea as the spec's "CPU utilisation": how little room this agent has left.
 */
export function startLoadMonitor(): LoadMonitor {
  const nodeProcess = (
    globalThis as { process?: { cpuUsage?: (prev?: unknown) => { user: number; system: number } } }
  ).process;
  if (nodeProcess?.cpuUsage !== undefined)
    return nodeLoadMonitor(nodeProcess.cpuUsage.bind(nodeProcess));
  return pageLoadMonitor();
}

function nodeLoadMonitor(
  cpuUsage: (prev?: { user: number; system: number }) => { user: number; system: number },
): LoadMonitor {
  let last = cpuUsage();
  let lastAtMs = performance.now();
  let busy = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const used = cpuUsage(last);
    busy = Math.min(1, (used.user + used.system) / 1000 / Math.max(1, now - lastAtMs));
    last = cpuUsage();
    lastAtMs = now;
  }, SAMPLE_EVERY_MS);
  return { cpu: () => busy, stop: () => clearInterval(timer) };
}

function pageLoadMonitor(): LoadMonitor {
  let longTaskMs = 0;
  let busy = 0;
  let observer: PerformanceObserver | null = null;
  const supported =
    typeof PerformanceObserver !== 'undefined' &&
    PerformanceObserver.supportedEntryTypes.includes('longtask');
  if (supported) {
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTaskMs += entry.duration;
    });
    observer.observe({ type: 'longtask' });
  }
  const pressure = watchComputePressure(SAMPLE_EVERY_MS);
  let expectedAtMs = performance.now() + SAMPLE_EVERY_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    // Without long-task timing, a late timer is the sign of a busy thread.
    const lateMs = Math.max(0, now - expectedAtMs);
    expectedAtMs = now + SAMPLE_EVERY_MS;
    busy = Math.min(1, (supported ? longTaskMs : lateMs) / SAMPLE_EVERY_MS);
    longTaskMs = 0;
  }, SAMPLE_EVERY_MS);
  return {
    cpu: () => Math.max(busy, pressure.floor()),
    stop: () => {
      clearInterval(timer);
      observer?.disconnect();
      pressure.stop();
    },
  };
}
