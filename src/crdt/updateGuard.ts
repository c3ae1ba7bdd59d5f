import * as Y from 'yjs';

/** `to`: the state the update brings its receiver to, client by client (for sync estimates). */
export type Verdict = { ok: true; to: Map<number, number> } | { ok: false; reason: string };

/**
 * Checks a Yjs update before it touches the document: within the size limit and decodable from
 * end to end. Yjs applies an update in one transaction but could throw half way through a
 * malformed one, so a bad update is refused here, whole.
 */
export function checkUpdate(update: Uint8Array, maxUpdateBytes: number): Verdict {
  if (update.length > maxUpdateBytes) {
    return { ok: false, reason: `update of ${update.length} bytes, limit ${maxUpdateBytes}` };
  }
  try {
    const { structs } = Y.decodeUpdate(update);
    // What the update brings, client by client, from the structs just decoded (no second parse).
    const to = new Map<number, number>();
    for (const struct of structs) {
      const end = struct.id.clock + struct.length;
      if (end > (to.get(struct.id.client) ?? 0)) to.set(struct.id.client, end);
    }
    return { ok: true, to };
  } catch (error) {
    return { ok: false, reason: `undecodable update: ${errorText(error)}` };
  }
}

/** Decodes a state vector, or returns null when the bytes are not one. */
export function readStateVector(bytes: Uint8Array): Map<number, number> | null {
  try {
    const vector = Y.decodeStateVector(bytes);
    for (const [client, clock] of vector) {
      if (!Number.isSafeInteger(client) || !Number.isSafeInteger(clock) || clock < 0) return null;
    }
    return vector;
  } catch {
    return null;
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
