import type { AgentId } from '../base/ids';
import type { StoredTaskResult } from '../wire/taskMessages';
import { HashRing } from './hashRing';

/** A result kept here for the key's successors. */
export interface KeptResult {
  jobId: string;
  submitter: AgentId;
  task: number;
  result: string;
}

/** Results one agent keeps at most, and their JSON text in all; past either the oldest go. */
export const MAX_KEPT_RESULTS = 4096;
export const MAX_KEPT_RESULT_CHARS = 16 * 1024 * 1024;

/** The key a task of a job lives under on the ring (placement and keeping alike). */
export const taskKey = (jobId: string, task: number): string => `${jobId}/${task}`;

/**
 * The accepted results of hash jobs this agent keeps as one of their keys' R successors on the
 * ring (Dynamo's preference list, DeCandia et al., SOSP 2007, §4.3): the submitter sends each
 * accepted result to the R successors; when the membership changes, every agent that keeps a
 * result hands it to the successors the new ring adds (each holder does, so a holder that never
 * got it is no gap; receivers keep one copy), so a result survives while one of its R holders
 * does. Results never change once accepted, so any copy is the copy.
 */
export class ResultReplicas {
  private readonly kept = new Map<string, KeptResult>();
  private chars = 0;

  constructor(
    private readonly maxEntries = MAX_KEPT_RESULTS,
    private readonly maxChars = MAX_KEPT_RESULT_CHARS,
  ) {}

  get size(): number {
    return this.kept.size;
  }

  keep(entry: KeptResult): void {
    const key = taskKey(entry.jobId, entry.task);
    if (this.kept.has(key)) return;
    this.kept.set(key, entry);
    this.chars += entry.result.length;
    for (const [oldKey, old] of this.kept) {
      if (this.kept.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.kept.delete(oldKey);
      this.chars -= old.result.length;
    }
  }

  get(jobId: string, task: number): KeptResult | undefined {
    return this.kept.get(taskKey(jobId, task));
  }

  /**
   * What this agent hands on after the membership moved from `before` to `after`: each result
   * it keeps, to the key's successors under `after` that were not under `before`, grouped by
   * agent and job.
   */
  handOff(
    selfId: AgentId,
    before: HashRing,
    after: HashRing,
    replicas: number,
  ): Map<AgentId, Map<string, { submitter: AgentId; results: StoredTaskResult[] }>> {
    const out = new Map<
      AgentId,
      Map<string, { submitter: AgentId; results: StoredTaskResult[] }>
    >();
    for (const [key, entry] of this.kept) {
      const was = before.owners(key, replicas);
      const now = after.owners(key, replicas);
      for (const to of now) {
        if (to === selfId || was.includes(to)) continue;
        const byJob = out.get(to) ?? new Map();
        const batch = byJob.get(entry.jobId) ?? { submitter: entry.submitter, results: [] };
        batch.results.push({ task: entry.task, result: entry.result });
        byJob.set(entry.jobId, batch);
        out.set(to, byJob);
      }
    }
    return out;
  }
}
