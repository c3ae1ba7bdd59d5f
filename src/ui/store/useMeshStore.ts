import { useContext } from 'react';
import { useStore } from 'zustand';
import { MeshStoreContext } from './context';
import type { MeshState } from './meshStore';

/**
 * Reads from the store in context. The selector must return stable references (a slice
 * field, not a freshly built array); derive lists with useMemo in the component.
 */
export function useMeshStore<T>(selector: (state: MeshState) => T): T {
  const store = useContext(MeshStoreContext);
  if (store === null) throw new Error('useMeshStore needs a MeshStoreContext provider (mountApp)');
  return useStore(store, selector);
}
