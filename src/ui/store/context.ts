import { createContext } from 'react';
import type { MeshStoreView } from './slowedView';

/** The one store of the app (provided by mountApp), or a slowed view of it for hidden panels. */
export const MeshStoreContext = createContext<MeshStoreView | null>(null);
