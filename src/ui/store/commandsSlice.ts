import type { StateCreator } from 'zustand/vanilla';
import type { MeshCommands } from '../../host/meshSnapshot';

/**
 * What the dashboard may ask of the mesh, injected by the composition root (main.tsx) with
 * `store.getState().setCommands(commands)`. Null until then: chaos controls stay disabled.
 */
export interface CommandsSlice {
  commands: MeshCommands | null;
  setCommands(commands: MeshCommands | null): void;
}

export const createCommandsSlice: StateCreator<CommandsSlice> = (set) => ({
  commands: null,
  setCommands: (commands) => set({ commands }),
});
