import { readFile, writeFile } from 'node:fs/promises';
import {
  generateStoredIdentity,
  identityFromStored,
  type Identity,
  type StoredIdentity,
} from '../webrtc/identity';

/** Loads a Node agent's identity from `path`, or creates it there (mode 0600) when missing. */
export async function loadOrCreateFileIdentity(path: string): Promise<Identity> {
  let text: string | null = null;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== null) return identityFromStored(JSON.parse(text) as StoredIdentity);
  const created = await generateStoredIdentity();
  await writeFile(path, `${JSON.stringify(created.stored)}\n`, { mode: 0o600 });
  return created.identity;
}
