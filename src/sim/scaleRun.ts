import { expect } from 'vitest';
import type { AgentId } from '../core/base/ids';
import { checkLinkLiveness, checkMembershipLiveness, SafetyChecker } from './checkers';
import { Cluster } from './cluster';
import { recordHostEvents } from './testSupport';
import { edgeCount } from './topology';

/** One-way delays are 10 + U[0, 5) ms by default. */
const MAX_ONE_WAY_MS = 15;

/**
 * A cold start of `agents` agents on a random topology (a partial view), every invariant
 * checked after every step: membership converges, no link is lost, nobody is declared dead,
 * and a fact published by one agent reaches all in O(log N) hops. The unit suite runs it at a
 * size that takes seconds; `npm run test:long` runs it at 1,000.
 */
export function checkColdStartAtScale(agents: number, seed: number): void {
  const AGENTS = agents;
  const cluster = new Cluster({ seed, agentCount: AGENTS });
  const checker = new SafetyChecker(cluster).attach();
  const events = recordHostEvents(cluster);
  // The cold start of a thousand agents at once is the worst case for gossip: every
  // member's statement is news to everyone (a million facts to deliver). It settles in
  // a handful of gossip rounds; a sample of agents is watched until it has.
  const sample = Array.from({ length: 20 }, (_, i) => Math.floor((i * AGENTS) / 20));
  const knowsAll = (agent: number) =>
    cluster.ids.every((id) => cluster.agents[agent]?.memberStatus(id) === 'alive');
  while (cluster.nowMs() < 30_000 && !sample.every(knowsAll)) cluster.runFor(1000);
  while (cluster.nowMs() < 30_000 && checkMembershipLiveness(cluster).length > 0) {
    cluster.runFor(1000);
  }
  expect(cluster.nowMs()).toBeLessThan(30_000);
  checker.sweep();
  const links = edgeCount(cluster.adjacency);
  // A random graph of about four links per agent (degree 8).
  expect(links).toBeGreaterThan(3.9 * AGENTS);
  // Every step of every agent was checked, then swept.
  expect(checker.checks).toBeGreaterThanOrEqual(cluster.events);
  expect(checkLinkLiveness(cluster)).toEqual([]);
  // A partial view at this size: membership added no link and dropped none.
  expect(events.filter((e) => e.kind === 'link-up')).toHaveLength(2 * links);
  expect(events.filter((e) => e.kind === 'link-down')).toEqual([]);
  expect(cluster.snapshot(0).agent.swim.mode).toBe('partial-view');
  expect(checkMembershipLiveness(cluster)).toEqual([]);
  expect(events.filter((e) => e.kind === 'member-dead')).toEqual([]);

  // Agent 0 publishes a fact; every agent is watched after each of its steps.
  const publisher = cluster.ids[0] as AgentId;
  const publishedAtMs = cluster.nowMs();
  const reachedAtMs = new Float64Array(AGENTS).fill(-1);
  reachedAtMs[0] = publishedAtMs;
  let reached = 1;
  const check = cluster.afterEvent;
  const watch = (agent: number) => {
    if (agent < 0 || (reachedAtMs[agent] as number) >= 0) return;
    if (cluster.agents[agent]?.appFact(publisher, 'demo') === null) return;
    reachedAtMs[agent] = cluster.nowMs();
    reached++;
  };
  cluster.afterEvent = (agent, peer) => {
    check?.(agent, peer);
    watch(agent);
    watch(peer);
  };
  cluster.host(0).publishFact('demo', 'hello');
  cluster.runUntil(publishedAtMs + 4000);
  expect(reached).toBe(AGENTS);
  const latencies = Array.from(reachedAtMs, (t) => t - publishedAtMs).sort((a, b) => a - b);
  // Forwarded on arrival: half the agents have it within 2 log2(N) one-way delays, and
  // all of them within two gossip rounds (anti-entropy finds the few the pushes missed).
  const hops = 2 * Math.log2(AGENTS);
  expect(latencies[Math.floor(AGENTS / 2)]).toBeLessThanOrEqual(hops * MAX_ONE_WAY_MS);
  expect(latencies[AGENTS - 1]).toBeLessThanOrEqual(2 * 2000);
  checker.sweep();
}
