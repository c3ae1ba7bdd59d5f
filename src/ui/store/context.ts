import { createContext } from 'react';
import type { MeshStore } from './meshStore';

/** The one store of the app, provided by mountApp. */
export const MeshStoreContext = createContext<MeshStore | null>(null);
