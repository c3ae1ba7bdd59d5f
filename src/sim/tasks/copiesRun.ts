import type { AgentId } from '../../core/base/ids';
import { createSeededPrng } from '../../core/base/prng';
import type { JobSpec, TaskEvent } from '../../core/tasks/taskTypes';
import { expectedValue } from './taskCluster';
import { faultyCluster, planOf, RUN_LIMIT_MS } from './taskRun';

export interface CopiesSeedResult {
  seed: number;
  failures: string[];
  /** How the job ended: done, or the code it failed with (no-capable-agent when crashes left
   * fewer agents than a task has copies). */
  outcome: string;
}

/**
 * One seeded run of a critical job's round (api/tasks/criticalJobs.ts): groups of 2-3 copies of
 * a task under the same faults as the task seeds. After every event: no agent owns two copies
 * of one task in the table, and none runs a copy its job told it to avoid. At the end: the
 * copies of each task were accepted from distinct agents, each with the right result.
 */
export function runCopiesSeed(seed: number): CopiesSeedResult {
  const plan = planOf(seed);
  const { cluster, ids } = faultyCluster(seed, plan);
  const prng = createSeededPrng(seed ^ 0xc0b1e5);
  const copies = 2 + prng.nextInt(2);
  const tasks = 8 + prng.nextInt(20);
  const groups: number[] = [];
  const avoid: AgentId[][] = [];
  const inputs: string[] = [];
  // One agent (never a submitter) is to be avoided by the first task's copies.
  const avoided = ids[2 + prng.nextInt(ids.length - 2)] as AgentId;
  for (let task = 0; task < tasks; task++)
    for (let c = 0; c < copies; c++) {
      groups.push(task);
      avoid.push(task === 0 ? [avoided] : []);
      inputs.push(JSON.stringify({ n: task, ms: 20 + prng.nextInt(100) }));
    }
  const submitter = ids[0] as AgentId;
  const spec: JobSpec = {
    jobId: `c${seed}`,
    kind: 'sim.square',
    inputs,
    strategy: 'hash',
    requires: [],
    costMs: 60,
    timeoutMs: RUN_LIMIT_MS,
    runTimeoutMs: 30_000,
    copies: { groups, avoid },
  };
  cluster.at(0, () => cluster.submit(submitter, spec));
  const failures: string[] = [];
  const check = cluster.invariantCheck(failures, () => {
    const record = cluster.table.job(spec.jobId);
    if (record === undefined) return;
    const owners = new Map<string, number>();
    for (const [i, t] of record.tasks.entries()) {
      if (t.owner === null) continue;
      if (i < copies && t.owner === avoided)
        failures.push(`copy ${i} of task 0 went to the agent it must avoid`);
      const key = `${groups[i]}/${t.owner}`;
      if (owners.has(key))
        failures.push(
          `at ${cluster.nowMs.toFixed(0)} ms copies ${owners.get(key)} and ${i} of task ${groups[i]} are both ${t.owner.slice(0, 4)}'s`,
        );
      owners.set(key, i);
    }
  });
  const events = () => cluster.agents.get(submitter)?.events ?? [];
  const end = () =>
    events().find(
      (e) => (e.type === 'job-done' || e.type === 'job-failed') && e.jobId === spec.jobId,
    );
  cluster.runUntil(RUN_LIMIT_MS, check, () => failures.length > 0 || end() !== undefined);
  const outcome = end();
  if (outcome === undefined)
    return { seed, failures: [...failures, 'did not finish'], outcome: 'stuck' };
  if (outcome.type === 'job-failed')
    // Crashes may leave fewer live agents than copies: that failure is the right answer then.
    return {
      seed,
      failures:
        outcome.code === 'no-capable-agent'
          ? failures
          : [...failures, `failed ${outcome.code}: ${outcome.message}`],
      outcome: outcome.code,
    };
  if (outcome.type !== 'job-done') return { seed, failures, outcome: 'unknown' };
  const byTask = new Map<number, Set<AgentId>>();
  for (const e of events()) {
    if (e.type !== 'task-accepted' || e.jobId !== spec.jobId) continue;
    const accepted = e as Extract<TaskEvent, { type: 'task-accepted' }>;
    const set = byTask.get(groups[accepted.task] as number) ?? new Set();
    set.add(accepted.owner);
    byTask.set(groups[accepted.task] as number, set);
  }
  for (let task = 0; task < tasks; task++)
    if ((byTask.get(task)?.size ?? 0) !== copies)
      failures.push(`task ${task}: copies accepted from ${byTask.get(task)?.size ?? 0} agents`);
  for (const [i, text] of outcome.results.entries())
    if ((JSON.parse(text) as { value: number }).value !== expectedValue(inputs[i] as string))
      failures.push(`copy ${i}: wrong result`);
  return { seed, failures, outcome: 'done' };
}
