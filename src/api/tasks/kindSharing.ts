import type { MemoryStore } from '../../crdt/memory/memoryStore';
import type { TaskRunner } from '../../host/ports';
import { TASK_KIND_PATTERN } from '../../core/wire/taskMessages';

/** The memory namespace where agents publish the kinds they registered, by name. */
export const TASK_KINDS_NAMESPACE = 'tasks.kinds';

export interface KindSharingOptions {
  memory: MemoryStore;
  runner: TaskRunner;
  /**
   * Whether this agent loads a module from `url` a peer published: a page takes only its own
   * origin's modules (code the site serves anyway); a Node agent only its server's.
   */
  accepts: (url: string) => boolean;
  onLoaded: (kind: string, url: string) => void;
  onRefused: (kind: string, url: string, reason: string) => void;
}

/**
 * Shares `mesh.tasks.register` across the room: a kind registered on one agent is published in
 * the shared memory (kind → module URL), and every agent loads it from there, so a job of that
 * kind can run anywhere. Each kind is tried once per agent.
 */
export class KindSharing {
  private readonly tried = new Set<string>();
  private readonly off: () => void;

  constructor(private readonly options: KindSharingOptions) {
    this.off = options.memory.onChange(() => this.load());
    this.load();
  }

  /** Publishes a kind this agent registered (its module URL as this agent resolved it). */
  publish(kind: string, url: string): void {
    this.tried.add(kind);
    void this.options.memory.store(TASK_KINDS_NAMESPACE, kind, { url }).catch(() => undefined);
  }

  stop(): void {
    this.off();
  }

  private load(): void {
    const { memory, runner } = this.options;
    for (const entry of memory.list(TASK_KINDS_NAMESPACE)) {
      const kind = entry.key;
      if (this.tried.has(kind)) continue;
      this.tried.add(kind);
      const url = (entry.value as { url?: unknown } | null)?.url;
      if (!TASK_KIND_PATTERN.test(kind) || typeof url !== 'string' || url.length > 2048) {
        this.options.onRefused(kind, String(url).slice(0, 80), 'not a kind name and module URL');
        continue;
      }
      if (runner.kinds().includes(kind)) continue;
      if (!this.options.accepts(url)) {
        this.options.onRefused(kind, url, 'a module from another origin');
        continue;
      }
      runner.register(kind, url).then(
        () => this.options.onLoaded(kind, url),
        (error: unknown) => this.options.onRefused(kind, url, String(error).slice(0, 200)),
      );
    }
  }
}
