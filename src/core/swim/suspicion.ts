import type { AgentId } from '../base/ids';
import type { Millis } from '../base/time';

/** Reporters of one suspicion kept (the first one plus confirmations); more are counted only. */
export const MAX_SUSPECTERS_KEPT = 16;

export interface SuspicionBounds {
  minMs: number;
  maxMs: number;
  /** Independent confirmations expected before the timeout reaches its minimum (k). */
  expected: number;
}

/**
 * Lifeguard's suspicion bounds (Dadgar et al. 2018, §IV-B; memberlist's suspicion.go):
 * min = minMult x max(1, log10 N) x probeInterval, max = maxMult x min, and k confirmations
 * expected, fewer when the group is too small to supply them (k = 0 when N - 2 < k).
 */
export function suspicionBounds(
  memberCount: number,
  probeIntervalMs: number,
  minMult: number,
  maxMult: number,
  confirmations: number,
): SuspicionBounds {
  const scale = Math.max(1, Math.log10(Math.max(1, memberCount)));
  const minMs = minMult * scale * probeIntervalMs;
  const expected = memberCount - 2 < confirmations ? 0 : confirmations;
  return { minMs, maxMs: maxMult * minMs, expected };
}

/**
 * The suspicion timeout after `confirmations` independent confirmations, measured from the
 * start of the suspicion: max - (max - min) x log(c + 1) / log(k + 1), never below min. With
 * k = 0 it is the minimum at once. Whole milliseconds, as memberlist rounds down.
 */
export function suspicionTimeoutMs(bounds: SuspicionBounds, confirmations: number): number {
  const { minMs, maxMs, expected } = bounds;
  if (expected < 1) return minMs;
  const fraction = Math.log(confirmations + 1) / Math.log(expected + 1);
  const raw = Math.floor(maxMs - fraction * (maxMs - minMs));
  return Math.max(minMs, raw);
}

/** One running suspicion of a member, as this agent holds it. */
export class Suspicion {
  /** Reporters in order, the first one being the original suspecter. */
  readonly suspecters: AgentId[] = [];
  /**
   * Who declared the member dead while this agent still heard from it: the verdict is held
   * back as this suspicion and applies once the member goes quiet here (unless it refutes).
   */
  deadReportedBy: AgentId | null = null;
  constructor(
    public startedMs: Millis,
    firstBy: AgentId,
    readonly bounds: SuspicionBounds,
  ) {
    this.suspecters.push(firstBy);
  }

  /** Records a report; returns true when it came from a new reporter (a confirmation). */
  confirm(by: AgentId): boolean {
    if (this.suspecters.includes(by)) return false;
    if (this.suspecters.length >= MAX_SUSPECTERS_KEPT) return false;
    this.suspecters.push(by);
    return true;
  }

  /** Distinct reporters beyond the first (Lifeguard's independent confirmations). */
  get confirmations(): number {
    return this.suspecters.length - 1;
  }

  /** When this suspicion turns into a dead verdict. */
  deadlineMs(): Millis {
    return this.startedMs + suspicionTimeoutMs(this.bounds, this.confirmations);
  }

  /** The whole suspicion moves later (this agent was stalled and could not have judged). */
  postpone(byMs: number): void {
    this.startedMs += byMs;
  }

  timeoutMs(): number {
    return suspicionTimeoutMs(this.bounds, this.confirmations);
  }
}
