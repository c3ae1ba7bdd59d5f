import { describe, expect, it } from 'vitest';
import { fixtureId } from '../dev/fixtures';
import {
  AGENT_COLOURS,
  agentColours,
  fallbackAgentColour,
  GROUP_COLOURS,
  groupColour,
  HEALTH_COLOURS,
  healthColour,
  nodeLook,
  SELF_COLOUR,
} from './palette';

describe('health colours', () => {
  it('gives every health its own colour, distinct from every group colour', () => {
    const colours = Object.values(HEALTH_COLOURS);
    expect(new Set(colours).size).toBe(colours.length);
    for (const g of GROUP_COLOURS) expect(colours).not.toContain(g);
    expect(healthColour('alive')).toBe('#0d9488');
    expect(healthColour('suspect')).toBe('#d97706');
    expect(healthColour('dead')).toBe('#dc2626');
  });

  it('wraps group indexes round the palette', () => {
    expect(groupColour(0)).toBe(GROUP_COLOURS[0]);
    expect(groupColour(GROUP_COLOURS.length + 1)).toBe(GROUP_COLOURS[1]);
  });
});

describe('nodeLook', () => {
  it('paints other agents by health once membership is known', () => {
    const node = (health: 'alive' | 'suspect' | 'dead' | 'left' | 'unknown') => ({
      isSelf: false,
      health,
      linkState: 'open' as const,
    });
    expect(nodeLook(node('suspect'), true)).toEqual({
      fill: HEALTH_COLOURS.suspect,
      hollow: false,
    });
    expect(nodeLook(node('dead'), true)).toEqual({ fill: HEALTH_COLOURS.dead, hollow: false });
    expect(nodeLook(node('left'), true)).toEqual({ fill: HEALTH_COLOURS.left, hollow: false });
    // Linked but not yet a member: hollow, whatever its link says.
    expect(nodeLook(node('unknown'), true)).toEqual({ fill: HEALTH_COLOURS.unknown, hollow: true });
  });

  it('falls back to link-state colours before membership has reported', () => {
    const connecting = {
      isSelf: false,
      health: 'unknown' as const,
      linkState: 'connecting' as const,
    };
    const remote = { isSelf: false, health: 'unknown' as const, linkState: null };
    expect(nodeLook(connecting, false)).toEqual({ fill: '#d97706', hollow: false });
    expect(nodeLook(remote, false)).toEqual({ fill: HEALTH_COLOURS.unknown, hollow: false });
  });

  it('always paints self in the self colour', () => {
    const self = { isSelf: true, health: 'suspect' as const, linkState: null };
    expect(nodeLook(self, true).fill).toBe(SELF_COLOUR);
    expect(nodeLook(self, false).fill).toBe(SELF_COLOUR);
  });
});

describe('agent colours', () => {
  const ids = Array.from({ length: 9 }, (_, i) => fixtureId(i + 1));
  const self = fixtureId(0);

  it('gives this agent the self colour and up to eight others distinct agent colours', () => {
    const colours = agentColours([self, ...ids.slice(0, 8)], self);
    expect(colours.get(self)).toBe(SELF_COLOUR);
    const others = ids.slice(0, 8).map((id) => colours.get(id));
    expect(new Set(others).size).toBe(8);
    for (const colour of others) expect(AGENT_COLOURS).toContain(colour);
    for (const colour of AGENT_COLOURS) {
      expect(Object.values(HEALTH_COLOURS)).not.toContain(colour);
      expect(GROUP_COLOURS).not.toContain(colour);
    }
    // A ninth shares a colour rather than going without one.
    expect(agentColours([self, ...ids], self).get(ids[8] as string)).toMatch(/^#/);
  });

  it("keeps an agent's colour whatever order the ids come in, and when another leaves", () => {
    const some = ids.slice(0, 4);
    const forward = agentColours(some, self);
    const backward = agentColours([...some].reverse(), self);
    for (const id of some) expect(backward.get(id)).toBe(forward.get(id));
    // An agent alone has its preferred colour, the one it keeps after the others left.
    const alone = agentColours([some[0] as string], self);
    expect(alone.get(some[0] as string)).toBe(fallbackAgentColour(some[0] as string));
  });
});
