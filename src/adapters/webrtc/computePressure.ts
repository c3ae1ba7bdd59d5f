/**
 * The Compute Pressure API (W3C, `PressureObserver`) where the browser has it: the whole
 * device's CPU pressure, which a page's own long tasks cannot see (other tabs, other programs).
 * Each state stands for a floor under the load estimate: how little room is left.
 */
const FLOOR_OF_STATE: Record<string, number> = {
  nominal: 0,
  fair: 0.5,
  serious: 0.8,
  critical: 0.95,
};

export interface PressureWatch {
  /** The floor the newest pressure state stands for (0 before the first, or without the API). */
  floor(): number;
  stop(): void;
}

interface PressureRecordLike {
  source: string;
  state: string;
}
interface PressureObserverLike {
  observe(source: 'cpu', options?: { sampleInterval?: number }): Promise<void>;
  disconnect(): void;
}
type PressureObserverConstructor = new (
  callback: (records: PressureRecordLike[]) => void,
) => PressureObserverLike;

export function watchComputePressure(sampleIntervalMs: number): PressureWatch {
  const Observer = (globalThis as { PressureObserver?: PressureObserverConstructor })
    .PressureObserver;
  let floor = 0;
  if (Observer === undefined) return { floor: () => 0, stop: () => undefined };
  let observer: PressureObserverLike | null = new Observer((records) => {
    const newest = records[records.length - 1];
    if (newest !== undefined && newest.source === 'cpu') floor = FLOOR_OF_STATE[newest.state] ?? 0;
  });
  // Refused where a permissions policy forbids it, or the platform has no source: no floor.
  observer.observe('cpu', { sampleInterval: sampleIntervalMs }).catch(() => {
    observer?.disconnect();
    observer = null;
  });
  return {
    floor: () => floor,
    stop: () => {
      observer?.disconnect();
      observer = null;
    },
  };
}
