import type { StateCreator } from 'zustand/vanilla';

export const PANEL_TABS = [
  'peers',
  'members',
  'timeline',
  'memory',
  'consensus',
  'raft',
  'tasks',
  'events',
] as const;
export type PanelTab = (typeof PANEL_TABS)[number];

/** Which of the tabbed panels under the topology is shown. */
export interface ViewSlice {
  /** The tab the user picked, or null until they pick one (see shownTab). */
  activeTab: PanelTab | null;
  setActiveTab(tab: PanelTab): void;
}

/** The user's tab; before they pick one, Members once there is a membership view, else Peers. */
export function shownTab(activeTab: PanelTab | null, hasMembers: boolean): PanelTab {
  return activeTab ?? (hasMembers ? 'members' : 'peers');
}

export const createViewSlice: StateCreator<ViewSlice> = (set) => ({
  activeTab: null,
  setActiveTab: (activeTab) => set({ activeTab }),
});
