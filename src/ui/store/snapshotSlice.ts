import type { StateCreator } from 'zustand/vanilla';
import type { MeshSnapshot } from '../../host/meshSnapshot';

/** The latest snapshot the host published, or null before the first one. */
export interface SnapshotSlice {
  snapshot: MeshSnapshot | null;
  setSnapshot(snapshot: MeshSnapshot): void;
}

export function snapshotPatch(snapshot: MeshSnapshot): Pick<SnapshotSlice, 'snapshot'> {
  return { snapshot };
}

export const createSnapshotSlice: StateCreator<SnapshotSlice> = (set) => ({
  snapshot: null,
  setSnapshot: (snapshot) => set(snapshotPatch(snapshot)),
});
