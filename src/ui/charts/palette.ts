import type { ReplicaSlotStatus } from '../../host/consensusView';
import type { LinkState } from '../../host/meshSnapshot';

/**
 * Colours shared by the SVG charts and the HTML badges, so a status reads the same everywhere.
 * Health uses traffic-light hues; partition groups use hues that none of the health colours use.
 */

/** A member's health as the graph shows it: its membership status, or unknown. */
export type NodeHealth = 'alive' | 'suspect' | 'dead' | 'left' | 'unknown';

export const HEALTH_COLOURS: Readonly<Record<NodeHealth, string>> = {
  alive: '#0d9488',
  suspect: '#d97706',
  dead: '#dc2626',
  left: '#9aa5b4',
  unknown: '#7d8fb3',
};

export const SELF_COLOUR = '#4f46e5';
export const FROZEN_COLOUR = '#0ea5e9';
export const CUT_COLOUR = '#dc2626';

/** Colours of partition groups 1..4 (index 0..3). */
export const GROUP_COLOURS: readonly string[] = ['#7c3aed', '#db2777', '#65a30d', '#0891b2'];

export function healthColour(health: NodeHealth): string {
  return HEALTH_COLOURS[health];
}

export function groupColour(group: number): string {
  const n = GROUP_COLOURS.length;
  return GROUP_COLOURS[((group % n) + n) % n] ?? '#7c3aed';
}

const LINK_COLOURS: Readonly<Record<LinkState, string>> = {
  open: '#0d9488',
  connecting: '#d97706',
  authenticating: '#d97706',
  closed: '#9aa5b4',
};

export interface NodeLook {
  /** Fill of the node's disc. */
  fill: string;
  /** True when the disc is drawn hollow (an agent not yet in the membership view). */
  hollow: boolean;
}

/**
 * How a node is painted. Self is always the self colour. Before the membership protocol has
 * reported anything, nodes are coloured by this agent's link to them (as before membership
 * existed); afterwards by health, and an agent not yet in the membership view is hollow.
 */
export function nodeLook(
  node: { isSelf: boolean; health: NodeHealth; linkState: LinkState | null },
  membershipKnown: boolean,
): NodeLook {
  if (node.isSelf) return { fill: SELF_COLOUR, hollow: false };
  if (!membershipKnown) {
    return {
      fill: node.linkState === null ? HEALTH_COLOURS.unknown : LINK_COLOURS[node.linkState],
      hollow: false,
    };
  }
  if (node.health === 'unknown') return { fill: HEALTH_COLOURS.unknown, hollow: true };
  return { fill: HEALTH_COLOURS[node.health], hollow: false };
}

/** pBFT marks on the graph: the primary's badge and the ring of a replica proven faulty. */
export const PRIMARY_COLOUR = '#1e293b';
export const FLAGGED_COLOUR = '#be123c';
/** The Raft leader's star: gold, unlike any health, group or pBFT colour. */
export const RAFT_LEADER_COLOUR = '#ca8a04';

/**
 * A replica's progress on one sequence number, lightest to darkest as it moves on; executed
 * takes the alive teal (done). 'none' is the empty cell.
 */
export const SLOT_STATUS_COLOURS: Readonly<Record<ReplicaSlotStatus, string>> = {
  none: '#eef2f7',
  'pre-prepared': '#bae6fd',
  prepared: '#38bdf8',
  committed: '#0369a1',
  executed: '#0d9488',
};

/** Pulse colours of the pBFT message types; other types (fetches, ...) are grey. */
export const PULSE_COLOURS: Readonly<Record<string, string>> = {
  'pre-prepare': '#7c3aed',
  prepare: '#0284c7',
  commit: '#16a34a',
  checkpoint: '#64748b',
  'view-change': '#ea580c',
  'new-view': '#db2777',
};
export const OTHER_PULSE_COLOUR = '#9aa5b4';

export function pulseColour(type: string): string {
  return Object.hasOwn(PULSE_COLOURS, type) ? (PULSE_COLOURS[type] as string) : OTHER_PULSE_COLOUR;
}

/**
 * Colours that tell agents apart in the Tasks tab (tile outlines, chart lines, queue badges on
 * the graph). None is a health, group or self hue, so an agent's colour never reads as a status.
 */
export const AGENT_COLOURS: readonly string[] = [
  '#0284c7',
  '#ea580c',
  '#16a34a',
  '#c026d3',
  '#a16207',
  '#e11d48',
  '#0f766e',
  '#64748b',
];

/** The slot an agent prefers: from its id, so it keeps its colour as others come and go. */
function preferredSlot(id: string): number {
  const head = Number.parseInt(id.slice(0, 8), 16);
  return Number.isFinite(head) ? head % AGENT_COLOURS.length : 0;
}

/** An agent's colour when it is not in the current set (it left): its preferred slot. */
export function fallbackAgentColour(id: string): string {
  return AGENT_COLOURS[preferredSlot(id)] ?? '#64748b';
}

/**
 * A colour per agent: this agent gets the self colour its node has; the others their preferred
 * slot, or the next free one (in id order) when two prefer the same, so up to eight other agents
 * never share a colour. More than that wrap round.
 */
export function agentColours(ids: readonly string[], selfId: string | null): Map<string, string> {
  const colours = new Map<string, string>();
  const taken = new Set<number>();
  const others = [...new Set(ids)].filter((id) => id !== selfId).sort();
  for (const id of others) {
    // Every colour given: a new round starts (the ninth agent shares with one of the first).
    if (taken.size >= AGENT_COLOURS.length) taken.clear();
    let slot = preferredSlot(id);
    while (taken.has(slot)) slot = (slot + 1) % AGENT_COLOURS.length;
    taken.add(slot);
    colours.set(id, AGENT_COLOURS[slot] ?? '#64748b');
  }
  if (selfId !== null) colours.set(selfId, SELF_COLOUR);
  return colours;
}
