import { describe, expect, it } from 'vitest';
import { createSeededPrng } from '../base/prng';
import type { AgentId } from '../base/ids';
import { faultToleranceOf, verdictOf, type CopyReport } from './verdict';

const agent = (i: number) => `agent-${String(i).padStart(2, '0')}` as AgentId;
const report = (i: number, digest: string): CopyReport => ({ agent: agent(i), digest });

describe('verdictOf', () => {
  it('agrees once f+1 distinct agents report one digest, naming the dissenters', () => {
    expect(verdictOf([report(1, 'a')], 2)).toEqual({ kind: 'open', more: 1 });
    expect(verdictOf([report(1, 'a'), report(2, 'b')], 2)).toEqual({ kind: 'open', more: 1 });
    expect(verdictOf([report(1, 'a'), report(2, 'b'), report(3, 'a')], 2)).toEqual({
      kind: 'agreed',
      digest: 'a',
      agents: [agent(1), agent(3)],
      dissenters: [report(2, 'b')],
    });
  });

  it('counts an agent once, whatever it reports again', () => {
    const reports = [report(1, 'a'), report(1, 'a'), report(1, 'b'), report(2, 'b')];
    expect(verdictOf(reports, 2)).toEqual({ kind: 'open', more: 1 });
  });

  it('f follows n >= 3f + 1', () => {
    expect([1, 3, 4, 6, 7, 10].map(faultToleranceOf)).toEqual([0, 0, 1, 1, 2, 3]);
  });

  it('matches a counting oracle on random reports', () => {
    const prng = createSeededPrng(7);
    for (let run = 0; run < 500; run++) {
      const quorum = 1 + prng.nextInt(3);
      const reports: CopyReport[] = [];
      for (let i = prng.nextInt(8); i > 0; i--)
        reports.push(report(prng.nextInt(6), 'abc'[prng.nextInt(3)] as string));
      const first = new Map<AgentId, string>();
      for (const r of reports) if (!first.has(r.agent)) first.set(r.agent, r.digest);
      const counts = new Map<string, number>();
      for (const digest of first.values()) counts.set(digest, (counts.get(digest) ?? 0) + 1);
      const top = Math.max(0, ...counts.values());
      const verdict = verdictOf(reports, quorum);
      if (top < quorum) {
        expect(verdict).toEqual({ kind: 'open', more: quorum - top });
        continue;
      }
      expect(verdict.kind).toBe('agreed');
      if (verdict.kind !== 'agreed') continue;
      expect(counts.get(verdict.digest)).toBe(top);
      expect(verdict.agents).toHaveLength(top);
      for (const a of verdict.agents) expect(first.get(a)).toBe(verdict.digest);
      expect(verdict.dissenters).toHaveLength(first.size - top);
    }
  });
});
