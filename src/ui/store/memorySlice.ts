import type { StateCreator } from 'zustand/vanilla';
import type { MemoryCommands, MemoryView } from '../../crdt/memoryView';

/** The shared state as the dashboard shows it, and the memory actions it may take. */
export interface MemorySlice {
  memory: MemoryView | null;
  memoryCommands: MemoryCommands | null;
  setMemory(memory: MemoryView): void;
  setMemoryCommands(commands: MemoryCommands | null): void;
}

export const createMemorySlice: StateCreator<MemorySlice> = (set) => ({
  memory: null,
  memoryCommands: null,
  setMemory: (memory) => set({ memory }),
  setMemoryCommands: (memoryCommands) => set({ memoryCommands }),
});
