import type { StateCreator } from 'zustand/vanilla';
import { compareIds, type AgentId } from '../../core/base/ids';
import type { SelectionSlice } from './selectionSlice';
import type { SnapshotSlice } from './snapshotSlice';

export const MIN_GROUPS = 2;
export const MAX_GROUPS = 4;

/** A link picked for a fault, endpoints ordered by id (a < b). */
export interface LinkSelection {
  a: AgentId;
  b: AgentId;
}

/** Feedback on the last chaos command the user sent. */
export interface CommandNote {
  ok: boolean;
  text: string;
}

/**
 * The chaos controls' own state: the partition being drawn up (not yet sent), the link picked
 * for delay/loss, and the raw text of the number inputs (parsed and checked by chaosControls, so
 * a half-typed value is kept as typed and simply disables its button).
 */
export interface ChaosSlice {
  /** While on, clicking a node cycles its group instead of selecting it. */
  partitionMode: boolean;
  /** Number of groups offered, MIN_GROUPS..MAX_GROUPS. */
  groupCount: number;
  /** Group being edited per agent; an agent not listed is in group 0. */
  groupOf: Readonly<Record<string, number>>;
  selectedLink: LinkSelection | null;
  freezeSecondsText: string;
  linkDelayText: string;
  linkLossText: string;
  lastCommand: CommandNote | null;

  /** Turning it on starts from the active partition, if there is one. */
  setPartitionMode(on: boolean): void;
  setGroupCount(count: number): void;
  setGroup(id: AgentId, group: number): void;
  /** Moves the agent to the next group (wrapping round). */
  cycleGroup(id: AgentId): void;
  /** Puts everyone back in group 0. */
  clearGroups(): void;
  /** A click on a node: cycles its group in partition mode, toggles the selection otherwise. */
  activateNode(id: AgentId): void;
  /** Selects the link (or clears it when it is already selected); inputs start from its fault. */
  toggleLink(a: AgentId, b: AgentId): void;
  selectLink(link: LinkSelection | null): void;
  setFreezeSecondsText(text: string): void;
  setLinkDelayText(text: string): void;
  setLinkLossText(text: string): void;
  noteCommand(note: CommandNote | null): void;
}

type ChaosDeps = SnapshotSlice & SelectionSlice;

export const DEFAULT_FREEZE_SECONDS = '10';

/** The group an agent is in for a drawn-up partition with `groupCount` groups. */
export function effectiveGroup(
  groupOf: Readonly<Record<string, number>>,
  groupCount: number,
  id: string,
): number {
  const group = groupOf[id] ?? 0;
  return Number.isInteger(group) && group >= 0 && group < groupCount ? group : 0;
}

function clampCount(count: number): number {
  if (!Number.isFinite(count)) return MIN_GROUPS;
  return Math.min(MAX_GROUPS, Math.max(MIN_GROUPS, Math.round(count)));
}

function orderedLink(a: AgentId, b: AgentId): LinkSelection {
  return compareIds(a, b) <= 0 ? { a, b } : { a: b, b: a };
}

export const createChaosSlice: StateCreator<ChaosSlice & ChaosDeps, [], [], ChaosSlice> = (
  set,
  get,
) => ({
  partitionMode: false,
  groupCount: MIN_GROUPS,
  groupOf: {},
  selectedLink: null,
  freezeSecondsText: DEFAULT_FREEZE_SECONDS,
  linkDelayText: '0',
  linkLossText: '0',
  lastCommand: null,

  setPartitionMode: (on) => {
    const active = get().snapshot?.chaos.partition ?? null;
    if (!on || active === null || active.length < MIN_GROUPS) {
      set({ partitionMode: on });
      return;
    }
    const groupOf: Record<string, number> = {};
    const groups = active.slice(0, MAX_GROUPS);
    groups.forEach((members, group) => {
      for (const id of members) groupOf[id] = group;
    });
    set({ partitionMode: true, groupCount: clampCount(groups.length), groupOf });
  },
  setGroupCount: (count) =>
    set((state) => {
      const groupCount = clampCount(count);
      const groupOf: Record<string, number> = {};
      for (const [id, group] of Object.entries(state.groupOf)) {
        if (group > 0 && group < groupCount) groupOf[id] = group;
      }
      return { groupCount, groupOf };
    }),
  setGroup: (id, group) =>
    set((state) => {
      if (!Number.isInteger(group) || group < 0 || group >= state.groupCount) return {};
      const groupOf = { ...state.groupOf };
      if (group === 0) delete groupOf[id];
      else groupOf[id] = group;
      return { groupOf };
    }),
  cycleGroup: (id) => {
    const { groupOf, groupCount, setGroup } = get();
    setGroup(id, (effectiveGroup(groupOf, groupCount, id) + 1) % groupCount);
  },
  clearGroups: () => set({ groupOf: {} }),
  activateNode: (id) => {
    const state = get();
    if (state.partitionMode) state.cycleGroup(id);
    else state.toggleSelected(id);
  },
  toggleLink: (a, b) => {
    const link = orderedLink(a, b);
    const current = get().selectedLink;
    if (current !== null && current.a === link.a && current.b === link.b)
      set({ selectedLink: null });
    else get().selectLink(link);
  },
  selectLink: (link) => {
    if (link === null) {
      set({ selectedLink: null });
      return;
    }
    const ordered = orderedLink(link.a, link.b);
    const snapshot = get().snapshot;
    const peer =
      snapshot === null
        ? null
        : ordered.a === snapshot.selfId
          ? ordered.b
          : ordered.b === snapshot.selfId
            ? ordered.a
            : null;
    const fault = snapshot?.links.find((l) => l.peer === peer)?.fault;
    set({
      selectedLink: ordered,
      linkDelayText: String(Math.round(fault?.delayMs ?? 0)),
      linkLossText: String(Math.round((fault?.dropRate ?? 0) * 100)),
    });
  },
  setFreezeSecondsText: (freezeSecondsText) => set({ freezeSecondsText }),
  setLinkDelayText: (linkDelayText) => set({ linkDelayText }),
  setLinkLossText: (linkLossText) => set({ linkLossText }),
  noteCommand: (lastCommand) => set({ lastCommand }),
});
