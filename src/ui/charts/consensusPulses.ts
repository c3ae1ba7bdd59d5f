import type { AgentId } from '../../core/base/ids';
import type { ConsensusMessageView } from '../../host/consensusView';

/** How long a dot takes to travel along its edge. */
export const PULSE_DURATION_MS = 600;
/** Most dots on the graph at once: a busy mesh would otherwise cost a page most of a core. */
export const MAX_PULSES_IN_FLIGHT = 48;

/** One message's identity across snapshots: the same message appears in several in a row. */
export function pulseKey(m: ConsensusMessageView): string {
  return `${m.atMs}|${m.from}|${m.to}|${m.type}|${m.seq ?? '-'}`;
}

export interface PulsePlan {
  /** The messages to pulse now, oldest first. */
  fresh: ConsensusMessageView[];
  /** Keys of every message of this snapshot: the `seen` of the next call. */
  seen: Set<string>;
}

/**
 * Which messages of a new snapshot start a pulse: those not in the previous snapshot (`seen`,
 * the `seen` of the previous call), once each, on an edge the graph draws, the newest `limit`.
 * `seen` null means there is no previous snapshot: the backlog it brings is only remembered,
 * so opening the page does not fire seconds of traffic at once. Messages left out (no edge,
 * over the limit) are remembered too, so they never pulse late.
 */
export function planPulses(
  messages: readonly ConsensusMessageView[],
  seen: ReadonlySet<string> | null,
  drawn: (from: AgentId, to: AgentId) => boolean,
  limit: number = MAX_PULSES_IN_FLIGHT,
): PulsePlan {
  const keys = new Set<string>();
  const fresh: ConsensusMessageView[] = [];
  for (const m of messages) {
    const key = pulseKey(m);
    if (keys.has(key)) continue;
    keys.add(key);
    if (seen === null || seen.has(key)) continue;
    if (m.from === m.to || !drawn(m.from, m.to)) continue;
    fresh.push(m);
  }
  return { fresh: fresh.slice(Math.max(0, fresh.length - Math.max(0, limit))), seen: keys };
}
