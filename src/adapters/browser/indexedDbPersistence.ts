import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';

/**
 * Keeps a room's shared document in IndexedDB (y-indexeddb): a reloaded tab starts from what it
 * had and syncs only what it missed. Tabs of one browser profile share the database.
 */
export function indexedDbPersistence(room: string) {
  return (doc: Y.Doc) => {
    const persistence = new IndexeddbPersistence(`mesh-coordinator/${room}`, doc);
    return { whenLoaded: persistence.whenSynced, destroy: () => persistence.destroy() };
  };
}
