import { useMemo } from 'react';
import { agentColours, fallbackAgentColour } from '../charts/palette';
import { chaosAgents } from '../store/chaosControls';
import { useMeshStore } from '../store/useMeshStore';

/** An agent's colour in the Tasks tab and on the graph's load marks. */
export type AgentColourOf = (agent: string | null) => string;

const UNKNOWN_OWNER_COLOUR = '#94a3b8';

/**
 * One colour per known agent (palette.agentColours), rebuilt only when the set of agents
 * changes, not on every snapshot; an agent that left keeps its preferred colour.
 */
export function useAgentColours(): AgentColourOf {
  const snapshot = useMeshStore((s) => s.snapshot);
  const selfId = snapshot?.selfId ?? null;
  const key = chaosAgents(snapshot).join(',');
  return useMemo(() => {
    const colours = agentColours(key === '' ? [] : key.split(','), selfId);
    return (agent: string | null) =>
      agent === null ? UNKNOWN_OWNER_COLOUR : (colours.get(agent) ?? fallbackAgentColour(agent));
  }, [key, selfId]);
}
