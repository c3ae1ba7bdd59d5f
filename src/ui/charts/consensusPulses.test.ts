import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import type { ConsensusMessageView } from '../../host/consensusView';
import { fixtureId } from '../dev/fixtures';
import { planPulses, pulseKey } from './consensusPulses';

const [a, b, c, far] = [0, 1, 2, 3].map(fixtureId) as [AgentId, AgentId, AgentId, AgentId];

function msg(atMs: number, from: AgentId, to: AgentId, type = 'prepare', seq: number | null = 1) {
  return { atMs, from, to, type, seq } satisfies ConsensusMessageView;
}

/** Every pair is drawn except those touching `far`. */
const drawn = (x: AgentId, y: AgentId) => x !== far && y !== far;

describe('planPulses', () => {
  it('remembers the first snapshot without pulsing its backlog', () => {
    const plan = planPulses([msg(1, a, b), msg(2, b, a)], null, drawn);
    expect(plan.fresh).toEqual([]);
    expect(plan.seen.size).toBe(2);
  });

  it('pulses each message once across snapshots that repeat it', () => {
    const first = [msg(1, a, b), msg(2, b, a, 'commit')];
    const second = [...first, msg(3, a, c, 'commit', 2)];
    const third = [...second.slice(1), msg(4, c, a, 'pre-prepare', 3)];
    let seen = planPulses(first, null, drawn).seen;
    const p2 = planPulses(second, seen, drawn);
    expect(p2.fresh).toEqual([msg(3, a, c, 'commit', 2)]);
    seen = p2.seen;
    const p3 = planPulses(third, seen, drawn);
    expect(p3.fresh).toEqual([msg(4, c, a, 'pre-prepare', 3)]);
    expect(planPulses(third, p3.seen, drawn).fresh).toEqual([]);
  });

  it('treats messages differing in any key field as distinct, identical ones as one', () => {
    const base = msg(5, a, b, 'prepare', 7);
    const variants = [
      base,
      base,
      { ...base, atMs: 6 },
      { ...base, from: c },
      { ...base, to: c },
      { ...base, type: 'commit' },
      { ...base, seq: 8 },
      { ...base, seq: null },
    ];
    const plan = planPulses(variants, new Set(), drawn);
    expect(plan.fresh).toHaveLength(7);
    expect(new Set(plan.fresh.map(pulseKey)).size).toBe(7);
  });

  it('skips messages with no drawn edge and to self, and never pulses them later', () => {
    const messages = [msg(1, a, far), msg(2, a, a), msg(3, b, c)];
    const plan = planPulses(messages, new Set(), drawn);
    expect(plan.fresh).toEqual([msg(3, b, c)]);
    const everywhere = () => true;
    expect(planPulses(messages, plan.seen, everywhere).fresh).toEqual([]);
  });

  it('keeps the newest messages within the limit', () => {
    const messages = [1, 2, 3, 4, 5].map((t) => msg(t, a, b));
    const plan = planPulses(messages, new Set(), drawn, 2);
    expect(plan.fresh.map((m) => m.atMs)).toEqual([4, 5]);
    expect(planPulses(messages, plan.seen, drawn, 10).fresh).toEqual([]);
    expect(planPulses(messages, new Set(), drawn, 0).fresh).toEqual([]);
  });
});
