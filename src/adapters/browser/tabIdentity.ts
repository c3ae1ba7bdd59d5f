import {
  generateStoredIdentity,
  identityFromStored,
  type Identity,
  type StoredIdentity,
} from '../webrtc/identity';

const STORAGE_KEY = 'mesh-coordinator/identity/v1';

/**
 * Loads this tab's identity or makes one. It lives in sessionStorage: it survives a reload of
 * the tab, while two tabs of one browser (sharing localStorage) still get distinct identities.
 */
export async function loadOrCreateTabIdentity(
  storage: Storage = sessionStorage,
): Promise<Identity> {
  const stored = storage.getItem(STORAGE_KEY);
  if (stored !== null) {
    try {
      return await identityFromStored(JSON.parse(stored) as StoredIdentity);
    } catch {
      storage.removeItem(STORAGE_KEY);
    }
  }
  const created = await generateStoredIdentity();
  storage.setItem(STORAGE_KEY, JSON.stringify(created.stored));
  return created.identity;
}

/** Drops this tab's identity and makes a new one (its records were lost: it must not reuse it). */
export async function replaceTabIdentity(storage: Storage = sessionStorage): Promise<Identity> {
  storage.removeItem(STORAGE_KEY);
  return loadOrCreateTabIdentity(storage);
}
