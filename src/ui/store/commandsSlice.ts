import type { StateCreator } from 'zustand/vanilla';
import type { AgentId } from '../../core/base/ids';
import type { MeshCommands } from '../../host/meshSnapshot';

/**
 * The host's MeshCommands, and the slow command the page's chaos controller offers beside them
 * (MeshCommands does not list it): optional, so the slow control is disabled where it is missing.
 */
export type DashboardCommands = MeshCommands & {
  setSlowdown?: (agent: AgentId, factor: number) => void;
};

/**
 * What the dashboard may ask of the mesh, injected by the composition root (main.tsx) with
 * `store.getState().setCommands(commands)`. Null until then: chaos controls stay disabled.
 */
export interface CommandsSlice {
  commands: DashboardCommands | null;
  setCommands(commands: DashboardCommands | null): void;
}

export const createCommandsSlice: StateCreator<CommandsSlice> = (set) => ({
  commands: null,
  setCommands: (commands) => set({ commands }),
});
