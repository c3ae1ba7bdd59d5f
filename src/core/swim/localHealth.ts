import { assert } from '../base/assert';

/**
 * Lifeguard's local health multiplier (Dadgar et al. 2018, §IV-A; memberlist's awareness.go).
 * A score in [0, max - 1]: raised when this agent shows signs of being the slow one (a probe
 * failed and fewer nacks came back than relays were asked, it had to refute a suspicion of
 * itself, its timers ran late), lowered by every probe that succeeds. Probe interval and
 * timeout are multiplied by score + 1, so an overloaded agent probes less and accuses later
 * instead of declaring healthy peers dead.
 */
export class LocalHealth {
  private score = 0;

  constructor(readonly max: number) {
    assert(Number.isInteger(max) && max >= 1, 'local health max must be a positive integer');
  }

  get value(): number {
    return this.score;
  }

  /** The factor applied to probe interval and timeout: 1 when healthy, up to max. */
  get multiplier(): number {
    return this.score + 1;
  }

  apply(delta: number): void {
    this.score = Math.min(this.max - 1, Math.max(0, this.score + delta));
  }

  scale(ms: number): number {
    return ms * this.multiplier;
  }
}
