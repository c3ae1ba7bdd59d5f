import { assert } from '../base/assert';
import type { AgentId } from '../base/ids';
import { MAX_REACH_AGE_MS } from '../wire/messages';

export interface LinksConfig {
  selfId: AgentId;
  /** How often a round of pings starts. */
  pingIntervalMs: number;
  /** Peers pinged per round (shuffled round robin over all neighbours). */
  pingFanout: number;
  /** A link that delivered nothing for this long is closed as dead. */
  linkTimeoutMs: number;
  /** How often the own link list is checked for changes worth advertising. */
  advertIntervalMs: number;
  /** An unchanged link list is still advertised this often, so a lost advert heals. */
  advertRefreshMs: number;
  /** A round trip counts as changed (worth an advert) when it moved by this fraction... */
  advertRttChangeRatio: number;
  /** ...and by at least this many milliseconds. */
  advertRttChangeMinMs: number;
  /** After a link comes or goes, the advert goes out this soon instead of waiting a full interval. */
  advertDebounceMs: number;
  /** Neighbours one advert round reaches at most (rotating when there are more). */
  advertFanout: number;
  /** Open links kept at most; a link past this is refused. */
  maxPeers: number;
  /** Weight of a new sample in the smoothed round trip (EWMA). */
  rttSmoothing: number;
  /**
   * An agent counts as reached while it was heard within this window, directly on its link or
   * through a neighbour's reach report; every link is pinged often enough to stay inside it.
   */
  reachWindowMs: number;
  /** An input this late after the wake-up asked for means this agent was frozen or starved. */
  stallThresholdMs: number;
}

export const DEFAULT_LINKS_CONFIG: Omit<LinksConfig, 'selfId'> = {
  pingIntervalMs: 1000,
  pingFanout: 8,
  linkTimeoutMs: 6000,
  advertIntervalMs: 2000,
  advertRefreshMs: 10_000,
  advertRttChangeRatio: 0.2,
  advertRttChangeMinMs: 0.5,
  advertDebounceMs: 100,
  advertFanout: 64,
  maxPeers: 256,
  rttSmoothing: 0.25,
  reachWindowMs: 3000,
  stallThresholdMs: 2000,
};

export function resolveLinksConfig(
  selfId: AgentId,
  overrides: Partial<Omit<LinksConfig, 'selfId'>> = {},
): LinksConfig {
  const config = { ...DEFAULT_LINKS_CONFIG, ...overrides, selfId };
  assert(config.pingIntervalMs > 0, 'pingIntervalMs must be positive');
  assert(
    Number.isInteger(config.pingFanout) && config.pingFanout > 0,
    'pingFanout must be a positive integer',
  );
  assert(config.linkTimeoutMs > config.pingIntervalMs, 'linkTimeoutMs must exceed pingIntervalMs');
  assert(config.advertIntervalMs > 0, 'advertIntervalMs must be positive');
  assert(config.advertDebounceMs >= 0, 'advertDebounceMs must not be negative');
  assert(
    config.advertRefreshMs >= config.advertIntervalMs,
    'advertRefreshMs must be at least advertIntervalMs',
  );
  assert(config.advertRttChangeRatio >= 0, 'advertRttChangeRatio must not be negative');
  assert(config.advertRttChangeMinMs >= 0, 'advertRttChangeMinMs must not be negative');
  assert(
    Number.isInteger(config.advertFanout) && config.advertFanout > 0,
    'advertFanout must be a positive integer',
  );
  assert(
    Number.isInteger(config.maxPeers) && config.maxPeers > 0,
    'maxPeers must be a positive integer',
  );
  assert(config.rttSmoothing > 0 && config.rttSmoothing <= 1, 'rttSmoothing must be in (0, 1]');
  assert(
    config.reachWindowMs >= 2 * config.pingIntervalMs,
    'reachWindowMs must be at least two ping intervals',
  );
  assert(
    config.reachWindowMs <= MAX_REACH_AGE_MS,
    `reachWindowMs must be at most ${MAX_REACH_AGE_MS}`,
  );
  assert(config.stallThresholdMs > 0, 'stallThresholdMs must be positive');
  return config;
}
