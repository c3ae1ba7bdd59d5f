import type { AgentId } from '../../core/base/ids';
import { createSeededPrng, type Prng } from '../../core/base/prng';
import { TASK_STRATEGIES, type JobSpec, type TaskEvent } from '../../core/tasks/taskTypes';
import { expectedValue, TaskCluster } from './taskCluster';

/** How long a seed may take, virtual time, before its jobs count as stuck. */
export const RUN_LIMIT_MS = 180_000;

export interface TaskSeedPlan {
  agents: number;
  jobs: { submitter: number; strategy: JobSpec['strategy']; tasks: number; taskMs: number }[];
  crashes: number[];
  partition: { minority: number[]; atMs: number; healAtMs: number } | null;
  slow: number | null;
}

export interface TaskSeedResult {
  seed: number;
  plan: TaskSeedPlan;
  /** What broke, empty when the seed passed. */
  failures: string[];
  jobsDone: number;
  steals: number;
  reassigned: number;
  endMs: number;
}

function idOf(index: number): AgentId {
  return index.toString(16).padStart(2, '0').repeat(32) as AgentId;
}

function pick(prng: Prng, min: number, max: number): number {
  return min + prng.nextInt(max - min + 1);
}

export function planOf(seed: number): TaskSeedPlan {
  const prng = createSeededPrng(seed);
  const agents = pick(prng, 4, 7);
  const jobs = [0, 1, 2].map((i) => ({
    submitter: i % 2,
    strategy: TASK_STRATEGIES[(i + seed) % 3] as JobSpec['strategy'],
    tasks: pick(prng, 10, 80),
    taskMs: pick(prng, 20, 200),
  }));
  // Submitters (agents 0 and 1) stay up: a job dies with the agent whose caller waits for it.
  const crashes: number[] = [];
  const crashable = Array.from({ length: agents - 2 }, (_, i) => i + 2);
  const crashCount = Math.min(prng.nextInt(agents >= 5 ? 3 : 2), crashable.length - 1);
  for (let i = 0; i < crashCount; i++)
    crashes.push(crashable.splice(prng.nextInt(crashable.length), 1)[0] as number);
  let partition: TaskSeedPlan['partition'] = null;
  if (prng.nextFloat() < 0.6) {
    const size = pick(prng, 1, Math.floor((agents - 1) / 2));
    const pool = Array.from({ length: agents }, (_, i) => i);
    const minority: number[] = [];
    for (let i = 0; i < size; i++)
      minority.push(pool.splice(prng.nextInt(pool.length), 1)[0] as number);
    const atMs = pick(prng, 300, 4000);
    partition = { minority, atMs, healAtMs: atMs + pick(prng, 1000, 6000) };
  }
  const slow = prng.nextFloat() < 0.5 ? pick(prng, 0, agents - 1) : null;
  return { agents, jobs, crashes, partition, slow };
}

/**
 * The cluster of a seed's plan, its faults scheduled: crashes, a partition that heals, a slow
 * agent, lost ledger answers and failed runs.
 */
export function faultyCluster(
  seed: number,
  plan: TaskSeedPlan,
): { cluster: TaskCluster; ids: AgentId[] } {
  const prng = createSeededPrng(seed ^ 0x5eed);
  const ids = Array.from({ length: plan.agents }, (_, i) => idOf(i + 1));
  const cluster = new TaskCluster({
    ids,
    workers: (i) => 1 + ((i + seed) % 3),
    prng,
    latencyMs: [1, 6],
    ledgerReplyLoss: 0.02,
    runFailure: 0.02,
    detectMs: 1500,
  });
  for (const [i, agent] of plan.crashes.entries())
    cluster.at(500 + i * 1500, () => cluster.crash(ids[agent] as AgentId));
  const { partition } = plan;
  if (partition !== null) {
    cluster.at(partition.atMs, () =>
      cluster.partition([
        ids.filter((_, i) => !partition.minority.includes(i)),
        partition.minority.map((i) => ids[i] as AgentId),
      ]),
    );
    cluster.at(partition.healAtMs, () => cluster.heal());
  }
  if (plan.slow !== null) cluster.setSlowness(ids[plan.slow] as AgentId, 5);
  return { cluster, ids };
}

/**
 * One seeded run: jobs of every strategy over 4-7 agents, with crashes, a partition that heals
 * and a slow agent. After every event: the task table's and every node's invariants, and at
 * most one accepted result per task. At the end: every job completes with the right result
 * for every task, each one computed by the owner the ledger accepted it from.
 */
export function runTaskSeed(seed: number): TaskSeedResult {
  const plan = planOf(seed);
  const { cluster, ids } = faultyCluster(seed, plan);
  const failures: string[] = [];
  const specs = plan.jobs.map((job, i): JobSpec & { submitter: AgentId } => ({
    submitter: ids[job.submitter] as AgentId,
    jobId: `s${seed}-j${i}`,
    kind: 'sim.square',
    inputs: Array.from({ length: job.tasks }, (_, n) => JSON.stringify({ n, ms: job.taskMs })),
    strategy: job.strategy,
    requires: [],
    costMs: job.taskMs,
    timeoutMs: RUN_LIMIT_MS,
    runTimeoutMs: 30_000,
  }));
  for (const [i, spec] of specs.entries())
    cluster.at(i * 100, () => cluster.submit(spec.submitter, spec));

  const seen = new Map<AgentId, number>();
  const outcome = (spec: (typeof specs)[number]): TaskEvent | undefined =>
    cluster.agents
      .get(spec.submitter)
      ?.events.find(
        (e) => (e.type === 'job-done' || e.type === 'job-failed') && e.jobId === spec.jobId,
      );
  const check = cluster.invariantCheck(failures, () => {
    for (const [key, count] of cluster.acceptedCount)
      if (count > 1) failures.push(`task ${key} accepted ${count} times`);
    for (const agent of cluster.agents.values()) {
      const from = seen.get(agent.id) ?? 0;
      for (const event of agent.events.slice(from)) {
        if (event.type !== 'task-accepted') continue;
        const record = cluster.table.job(event.jobId)?.tasks[event.task];
        if (
          record === undefined ||
          record.owner !== event.owner ||
          record.epoch !== event.epoch ||
          record.digest === null
        )
          failures.push(
            `${event.jobId}/${event.task} accepted from ${event.owner.slice(0, 4)}@${event.epoch}, the table says ${JSON.stringify(record)}`,
          );
      }
      seen.set(agent.id, agent.events.length);
    }
  });
  const allOver = () => specs.every((spec) => outcome(spec) !== undefined);
  cluster.runUntil(RUN_LIMIT_MS, check, () => failures.length > 0 || allOver());

  let jobsDone = 0;
  for (const spec of specs) {
    const end = outcome(spec);
    if (end === undefined) {
      const status = cluster.agents.get(spec.submitter)?.node.status(spec.jobId);
      const stuck = status?.tasks.filter((t) => t.state !== 'done').slice(0, 4);
      failures.push(`${spec.jobId} (${spec.strategy}) did not finish: ${JSON.stringify(stuck)}`);
      continue;
    }
    if (end.type === 'job-failed') {
      const status = cluster.agents.get(spec.submitter)?.node.status(spec.jobId);
      const open = status?.tasks.filter((t) => t.state !== 'done').slice(0, 3);
      failures.push(
        `${spec.jobId} (${spec.strategy}) failed ${end.code}: ${end.message}; ${JSON.stringify(open)}`,
      );
      continue;
    }
    if (end.type !== 'job-done') continue;
    jobsDone++;
    for (const [n, text] of end.results.entries()) {
      const result = JSON.parse(text) as { value: number; by: AgentId };
      if (result.value !== expectedValue(spec.inputs[n] as string))
        failures.push(`${spec.jobId}/${n}: result ${result.value}`);
    }
    const accepted = (cluster.agents.get(spec.submitter)?.events ?? []).filter(
      (e): e is Extract<TaskEvent, { type: 'task-accepted' }> =>
        e.type === 'task-accepted' && e.jobId === spec.jobId,
    );
    for (const event of accepted) {
      const by = (JSON.parse(end.results[event.task] as string) as { by: AgentId }).by;
      if (by !== event.owner)
        failures.push(
          `${spec.jobId}/${event.task} ran on ${by.slice(0, 4)}, accepted from ${event.owner.slice(0, 4)}`,
        );
    }
    if (accepted.length !== spec.inputs.length)
      failures.push(
        `${spec.jobId}: ${accepted.length} acceptances for ${spec.inputs.length} tasks`,
      );
  }
  const events = [...cluster.agents.values()].flatMap((a) => a.events);
  return {
    seed,
    plan,
    failures,
    jobsDone,
    steals: events.filter((e) => e.type === 'steal' && e.got > 0).length,
    reassigned: events.filter((e) => e.type === 'task-reassigned').length,
    endMs: cluster.nowMs,
  };
}
