import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as Y from 'yjs';

/** How long updates gather before the file is rewritten. */
const WRITE_DELAY_MS = 500;

/**
 * Keeps a Node agent's shared document in one file: read (synchronously) when the agent starts,
 * rewritten whole, atomically (temp file + rename), half a second after the last update and
 * when the agent stops. A file that is not a Yjs update is refused with an error naming it and is
 * left as it was.
 */
export function fileDocPersistence(path: string) {
  return (doc: Y.Doc) => {
    if (existsSync(path)) {
      const bytes = readFileSync(path);
      try {
        // Decode it whole first, so a bad file is refused before any of it is applied.
        Y.decodeUpdate(new Uint8Array(bytes));
        Y.applyUpdate(doc, new Uint8Array(bytes));
      } catch (error) {
        throw new Error(
          `${path} is not a saved shared document (${error instanceof Error ? error.message : String(error)}); move it away to start empty`,
        );
      }
    }
    let timer: ReturnType<typeof setTimeout> | null = null;
    const save = () => {
      timer = null;
      const temp = `${path}.tmp`;
      writeFileSync(temp, Y.encodeStateAsUpdate(doc));
      renameSync(temp, path);
    };
    const onUpdate = () => {
      timer ??= setTimeout(save, WRITE_DELAY_MS);
    };
    doc.on('update', onUpdate);
    return {
      whenLoaded: Promise.resolve(),
      loadedAtOnce: true,
      destroy: () => {
        doc.off('update', onUpdate);
        if (timer !== null) {
          clearTimeout(timer);
          save();
        }
      },
    };
  };
}
