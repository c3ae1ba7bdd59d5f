import type { Prng } from '../core/base/prng';

/** One-way delay of a frame: a floor plus jitter, or a long-tailed lognormal. */
export type DelayModel =
  | { kind: 'uniform'; baseMs: number; jitterMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number };

/** How one direction of one path treats frames. */
export interface PathConfig {
  delay: DelayModel;
  /** Probability a frame is lost. */
  lossRate: number;
  /** Probability a delivered frame arrives twice (the copy with its own delay). */
  duplicateRate: number;
  /** Probability a frame is held back by an extra uniform delay in [0, reorderExtraMs). */
  reorderRate: number;
  reorderExtraMs: number;
}

export const DEFAULT_PATH_CONFIG: PathConfig = {
  delay: { kind: 'uniform', baseMs: 10, jitterMs: 5 },
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderExtraMs: 50,
};

/** Why a frame did not arrive. The first three are decided here, the rest on arrival. */
export const DROP_CAUSES = [
  'loss',
  'partition',
  'cut',
  'no-link',
  'link-closed',
  'agent-down',
] as const;
export type DropCause = (typeof DROP_CAUSES)[number];

export interface NetworkStats {
  /** Frames handed to the network (a duplicate is not a second send). */
  sent: number;
  delivered: number;
  duplicated: number;
  dropped: Record<DropCause, number>;
}

export function resolvePathConfig(base: PathConfig, overrides: Partial<PathConfig>): PathConfig {
  const config = { ...base, ...overrides };
  for (const key of ['lossRate', 'duplicateRate', 'reorderRate'] as const) {
    const rate = config[key];
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${key} must be in [0, 1], got ${rate}`);
  }
  if (!(config.reorderExtraMs >= 0)) throw new RangeError('reorderExtraMs must not be negative');
  const delay = config.delay;
  if (delay.kind === 'uniform' && !(delay.baseMs >= 0 && delay.jitterMs >= 0)) {
    throw new RangeError('delay baseMs and jitterMs must not be negative');
  }
  if (delay.kind === 'lognormal' && !(delay.medianMs > 0 && delay.sigma >= 0)) {
    throw new RangeError('lognormal delay needs medianMs > 0 and sigma >= 0');
  }
  return config;
}

/**
 * The packet simulator: decides, for each frame between two agents, whether it arrives, how
 * many times, and after how long. Faults: loss, duplication, reordering (from jitter plus an
 * explicit hold-back), symmetric partitions into groups, one-way cuts, per-path overrides.
 * Every random draw comes from the one injected Prng, in a fixed order, so a seed replays.
 * Agents are indices 0..agentCount-1.
 */
export class Network {
  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    duplicated: 0,
    dropped: { loss: 0, partition: 0, cut: 0, 'no-link': 0, 'link-closed': 0, 'agent-down': 0 },
  };
  /** Delays of the copies decided by the last `transmit` (index < its return value). */
  readonly delaysMs = new Float64Array(2);
  /** Why the last `transmit` that returned 0 dropped its frame. */
  lastDrop: DropCause = 'loss';
  private defaults: PathConfig;
  /** Partition group per agent; agents talk only within their group. */
  private readonly groupOf: Int32Array;
  /** One-way cuts: from * n + to -> how many cuts cover it (cuts may overlap). */
  private readonly cuts = new Map<number, number>();
  /** Per-direction overrides: from * n + to -> config. */
  private readonly overrides = new Map<number, PathConfig>();
  private spareNormal: number | null = null;

  constructor(
    readonly agentCount: number,
    private readonly prng: Prng,
    config: Partial<PathConfig> = {},
  ) {
    this.defaults = resolvePathConfig(DEFAULT_PATH_CONFIG, config);
    this.groupOf = new Int32Array(agentCount);
  }

  get config(): PathConfig {
    return this.defaults;
  }

  /** Replaces the default path behaviour (e.g. a loss spike); overrides stay as they are. */
  configure(config: Partial<PathConfig>): void {
    this.defaults = resolvePathConfig(this.defaults, config);
  }

  /**
   * Splits the agents into groups that cannot reach each other, in both directions. Agents not
   * named in any group form one more group together.
   */
  partition(groups: readonly (readonly number[])[]): void {
    this.groupOf.fill(0);
    groups.forEach((group, index) => {
      for (const agent of group) {
        this.checkAgent(agent);
        this.groupOf[agent] = index + 1;
      }
    });
  }

  healPartition(): void {
    this.groupOf.fill(0);
  }

  /** Blocks frames from `from` to `to` only; the other direction stays open. */
  cut(from: number, to: number): void {
    this.checkAgent(from);
    this.checkAgent(to);
    const key = from * this.agentCount + to;
    this.cuts.set(key, (this.cuts.get(key) ?? 0) + 1);
  }

  /** Undoes one `cut(from, to)`. */
  restore(from: number, to: number): void {
    const key = from * this.agentCount + to;
    const count = this.cuts.get(key) ?? 0;
    if (count <= 1) this.cuts.delete(key);
    else this.cuts.set(key, count - 1);
  }

  clearCuts(): void {
    this.cuts.clear();
  }

  /** Gives the path between two agents its own behaviour (both directions unless `oneWay`). */
  setOverride(a: number, b: number, config: Partial<PathConfig>, oneWay = false): void {
    this.checkAgent(a);
    this.checkAgent(b);
    const resolved = resolvePathConfig(this.defaults, config);
    this.overrides.set(a * this.agentCount + b, resolved);
    if (!oneWay) this.overrides.set(b * this.agentCount + a, resolved);
  }

  clearOverride(a: number, b: number): void {
    this.overrides.delete(a * this.agentCount + b);
    this.overrides.delete(b * this.agentCount + a);
  }

  clearOverrides(): void {
    this.overrides.clear();
  }

  /** No partition, cut or per-path override in place. */
  isPristine(): boolean {
    return (
      this.groupOf.every((group) => group === 0) &&
      this.cuts.size === 0 &&
      this.overrides.size === 0
    );
  }

  /** Why frames from `from` cannot reach `to` right now, or null if they can. */
  blocked(from: number, to: number): 'partition' | 'cut' | null {
    if (this.groupOf[from] !== this.groupOf[to]) return 'partition';
    if (this.cuts.size > 0 && this.cuts.has(from * this.agentCount + to)) return 'cut';
    return null;
  }

  /**
   * Decides the fate of one frame: returns how many copies arrive (0, 1 or 2) and leaves their
   * delays in `delaysMs`. A dropped frame is counted under its cause.
   */
  transmit(from: number, to: number): number {
    this.stats.sent++;
    const why = this.blocked(from, to);
    if (why !== null) {
      this.stats.dropped[why]++;
      this.lastDrop = why;
      return 0;
    }
    const path = this.pathConfig(from, to);
    if (path.lossRate > 0 && this.prng.nextFloat() < path.lossRate) {
      this.stats.dropped.loss++;
      this.lastDrop = 'loss';
      return 0;
    }
    let copies = 1;
    if (path.duplicateRate > 0 && this.prng.nextFloat() < path.duplicateRate) {
      copies = 2;
      this.stats.duplicated++;
    }
    for (let i = 0; i < copies; i++) this.delaysMs[i] = this.drawDelayMs(path);
    return copies;
  }

  /**
   * One-way delay of a control signal (connection setup, close notice): same path, no loss or
   * duplication, and not counted as a frame. Returns -1 when the path is blocked.
   */
  controlDelayMs(from: number, to: number): number {
    if (this.blocked(from, to) !== null) return -1;
    return this.drawDelayMs(this.pathConfig(from, to));
  }

  countDrop(cause: DropCause): void {
    this.stats.dropped[cause]++;
  }

  countDelivered(): void {
    this.stats.delivered++;
  }

  totalDropped(): number {
    let total = 0;
    for (const cause of DROP_CAUSES) total += this.stats.dropped[cause];
    return total;
  }

  private pathConfig(from: number, to: number): PathConfig {
    if (this.overrides.size === 0) return this.defaults;
    return this.overrides.get(from * this.agentCount + to) ?? this.defaults;
  }

  private drawDelayMs(path: PathConfig): number {
    const delay = path.delay;
    let delayMs: number;
    if (delay.kind === 'uniform') {
      delayMs =
        delay.jitterMs > 0 ? delay.baseMs + this.prng.nextFloat() * delay.jitterMs : delay.baseMs;
    } else {
      delayMs =
        delay.sigma > 0
          ? delay.medianMs * Math.exp(delay.sigma * this.standardNormal())
          : delay.medianMs;
    }
    if (path.reorderRate > 0 && this.prng.nextFloat() < path.reorderRate) {
      delayMs += this.prng.nextFloat() * path.reorderExtraMs;
    }
    return delayMs;
  }

  /** Box-Muller, keeping the second value of each pair for the next call. */
  private standardNormal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    // 1 - u keeps the logarithm finite (nextFloat can return 0).
    const radius = Math.sqrt(-2 * Math.log(1 - this.prng.nextFloat()));
    const angle = 2 * Math.PI * this.prng.nextFloat();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  private checkAgent(agent: number): void {
    if (!(Number.isInteger(agent) && agent >= 0 && agent < this.agentCount)) {
      throw new RangeError(`no agent ${agent} in a network of ${this.agentCount}`);
    }
  }
}
