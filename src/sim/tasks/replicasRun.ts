import type { AgentId } from '../../core/base/ids';
import { createSeededPrng } from '../../core/base/prng';
import { DEFAULT_TASK_SETTINGS } from '../../core/tasks/taskDefaults';
import type { JobSpec, TaskEvent } from '../../core/tasks/taskTypes';
import { TaskCluster } from './taskCluster';
import { RUN_LIMIT_MS } from './taskRun';

const R = DEFAULT_TASK_SETTINGS.resultReplicas;

export interface ReplicasSeedResult {
  seed: number;
  failures: string[];
  agents: number;
  crashed: number;
}

/**
 * One seeded run of kept results (core/tasks/resultReplicas.ts): a hash job over 5-8 agents;
 * once it is done, R-1 agents crash one after another (each after the last was noticed) and a
 * partition comes and heals. After the network settles, every task's result is kept by
 * min(R, live) live agents, every kept copy is the accepted result, and a fetch from an agent
 * that keeps none finds it.
 */
export function runReplicasSeed(seed: number): ReplicasSeedResult {
  const prng = createSeededPrng(seed);
  const agents = 5 + prng.nextInt(4);
  const ids = Array.from(
    { length: agents },
    (_, i) => (i + 1).toString(16).padStart(2, '0').repeat(32) as AgentId,
  );
  const cluster = new TaskCluster({
    ids,
    workers: (i) => 1 + (i % 2),
    prng,
    latencyMs: [1, 6],
    ledgerReplyLoss: 0.02,
    runFailure: 0,
    detectMs: 1500,
  });
  const submitter = ids[0] as AgentId;
  const tasks = 16 + prng.nextInt(48);
  const spec: JobSpec = {
    jobId: `r${seed}`,
    kind: 'sim.square',
    inputs: Array.from({ length: tasks }, (_, n) =>
      JSON.stringify({ n, ms: 20 + prng.nextInt(60) }),
    ),
    strategy: 'hash',
    requires: [],
    costMs: 50,
    timeoutMs: RUN_LIMIT_MS,
    runTimeoutMs: 30_000,
  };
  cluster.at(0, () => cluster.submit(submitter, spec));
  const failures: string[] = [];
  const check = cluster.invariantCheck(failures);
  const events = (id: AgentId): TaskEvent[] => cluster.agents.get(id)?.events ?? [];
  const done = () =>
    events(submitter).find((e) => e.type === 'job-done' && e.jobId === spec.jobId) as
      Extract<TaskEvent, { type: 'job-done' }> | undefined;
  cluster.runUntil(RUN_LIMIT_MS, check, () => failures.length > 0 || done() !== undefined);
  const end = done();
  if (end === undefined)
    return { seed, failures: [...failures, 'the job did not finish'], agents, crashed: 0 };

  // R-1 crashes (never the submitter), each once the last was noticed, then a partition.
  const crashable = ids.slice(1);
  const crashed: AgentId[] = [];
  let atMs = cluster.nowMs + 500;
  for (let i = 0; i < R - 1; i++) {
    const victim = crashable.splice(prng.nextInt(crashable.length), 1)[0] as AgentId;
    crashed.push(victim);
    cluster.at(atMs, () => cluster.crash(victim));
    atMs += 4000;
  }
  const live = ids.filter((id) => !crashed.includes(id));
  const minority = live.slice(-1);
  cluster.at(atMs, () =>
    cluster.partition([live.filter((id) => !minority.includes(id)), minority]),
  );
  cluster.at(atMs + 3000, () => cluster.heal());
  const settledMs = atMs + 9000;
  cluster.runUntil(settledMs, check);

  const want = Math.min(R, live.length);
  let asker: { agent: AgentId; task: number } | null = null;
  for (let task = 0; task < tasks; task++) {
    const holders = live.filter(
      (id) => cluster.agents.get(id)?.node.keptResult(spec.jobId, task) != null,
    );
    if (holders.length < want) failures.push(`task ${task}: kept by ${holders.length} of ${want}`);
    for (const id of holders)
      if (cluster.agents.get(id)?.node.keptResult(spec.jobId, task) !== end.results[task])
        failures.push(`task ${task}: ${id.slice(0, 4)} keeps another result`);
    const stranger = live.find((id) => !holders.includes(id));
    if (asker === null && stranger !== undefined) asker = { agent: stranger, task };
  }
  if (asker !== null) {
    const { agent, task } = asker;
    cluster.at(cluster.nowMs + 1, () => cluster.fetchResult(agent, 1, spec.jobId, task));
    const fetched = () =>
      events(agent).find((e) => e.type === 'result-fetched' && e.fetchId === 1) as
        Extract<TaskEvent, { type: 'result-fetched' }> | undefined;
    cluster.runUntil(cluster.nowMs + 5000, check, () => fetched() !== undefined);
    const answer = fetched();
    if (answer?.result !== end.results[task])
      failures.push(
        `a fetch of task ${task} from ${agent.slice(0, 4)} answered ${String(answer?.result)}`,
      );
  }
  return { seed, failures, agents, crashed: crashed.length };
}
