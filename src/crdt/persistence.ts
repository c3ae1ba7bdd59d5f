import * as Y from 'yjs';

/**
 * Where a document is kept between runs: IndexedDB in the browser (y-indexeddb), a file for a
 * Node agent, memory in the simulator. Loading applies the stored state to the document; from
 * then on every update is stored as it happens.
 */
export interface DocPersistence {
  /** Resolves once the stored state is in the document. */
  whenLoaded: Promise<unknown>;
  /**
   * True when the state was already in the document when the constructor returned: the sync
   * can then start at once (the simulator must not wait for a microtask its loop never yields).
   */
  loadedAtOnce?: boolean;
  destroy(): Promise<void> | void;
}

export type PersistenceFactory = (doc: Y.Doc) => DocPersistence;

/** Keeps the document's updates in memory: a restart "with its storage" in the simulator. */
export class MemoryPersistence implements DocPersistence {
  readonly whenLoaded: Promise<void>;
  readonly loadedAtOnce = true;
  private readonly onUpdate = (update: Uint8Array) => this.updates.push(update);

  /** `updates` is the storage: it survives the agent, and a restart reads it back. */
  constructor(
    private readonly doc: Y.Doc,
    private readonly updates: Uint8Array[],
  ) {
    for (const update of updates) Y.applyUpdate(doc, update);
    doc.on('update', this.onUpdate);
    this.whenLoaded = Promise.resolve();
  }

  destroy(): void {
    this.doc.off('update', this.onUpdate);
  }
}
