import type { LinkFault } from '../../host/meshSnapshot';

export const NO_FAULT: LinkFault = { cut: false, dropRate: 0, delayMs: 0 };

/** Most frames one link may hold back for an injected delay; past it frames are dropped. */
export const MAX_DELAYED_FRAMES = 1024;

export function validateFault(fault: LinkFault): LinkFault {
  if (!(fault.dropRate >= 0 && fault.dropRate <= 1))
    throw new RangeError('dropRate must be in [0, 1]');
  if (!(fault.delayMs >= 0 && fault.delayMs <= 60_000))
    throw new RangeError('delayMs must be in [0, 60000]');
  return { cut: Boolean(fault.cut), dropRate: fault.dropRate, delayMs: fault.delayMs };
}

/**
 * Stands between a link and the agent in both directions, so the dashboard's partitions, loss
 * and latency are real traffic being stopped, dropped or held back.
 */
export class FaultLayer {
  fault: LinkFault = NO_FAULT;
  dropped = 0;
  private delayed = 0;

  constructor(private readonly random: () => number = Math.random) {}

  /** Passes the frame to `deliver` now, later, or never, as the fault says. */
  pass(frame: Uint8Array, deliver: (frame: Uint8Array) => void): void {
    const { cut, dropRate, delayMs } = this.fault;
    if (cut || (dropRate > 0 && this.random() < dropRate)) {
      this.dropped++;
      return;
    }
    if (delayMs <= 0) {
      deliver(frame);
      return;
    }
    if (this.delayed >= MAX_DELAYED_FRAMES) {
      this.dropped++;
      return;
    }
    this.delayed++;
    setTimeout(() => {
      this.delayed--;
      // A cut made while the frame was in flight stops it too.
      if (this.fault.cut) this.dropped++;
      else deliver(frame);
    }, delayMs);
  }
}
