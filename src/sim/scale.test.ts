import { describe, expect, it } from 'vitest';
import { runSimulation } from './runner';

describe('scale', () => {
  it('1,000 agents run for a few simulated seconds with every invariant holding', () => {
    const report = runSimulation({ seed: 1000, agents: 1000, seconds: 5 });
    expect(report.links).toBeGreaterThan(3900);
    // Every step of every agent was checked, then swept.
    expect(report.invariantChecks).toBeGreaterThanOrEqual(report.events);
    expect(report.sweeps).toBe(1);
    expect(report.livenessProblems).toEqual([]);
    expect(report.hostEvents['link-up']).toBe(2 * report.links);
    expect(report.messages.sent).toBeGreaterThan(100_000);
  });
});
