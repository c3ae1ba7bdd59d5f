import type { StateCreator } from 'zustand/vanilla';
import type { AgentId } from '../../core/base/ids';

/** The node the user picked (graph or peer list), highlighted everywhere. */
export interface SelectionSlice {
  selectedId: AgentId | null;
  select(id: AgentId | null): void;
  /** Selects `id`, or clears the selection if it is already selected. */
  toggleSelected(id: AgentId): void;
}

export const createSelectionSlice: StateCreator<SelectionSlice> = (set) => ({
  selectedId: null,
  select: (id) => set({ selectedId: id }),
  toggleSelected: (id) => set((state) => ({ selectedId: state.selectedId === id ? null : id })),
});
