import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runSimulation } from './runner';

function cli(args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'src/sim/cli.ts', ...args], {
    encoding: 'utf8',
  });
}

describe('sim CLI', () => {
  it('prints the seed and a report that replays the same trace as the runner', () => {
    const out = cli([
      '--seed',
      '3',
      '--agents',
      '6',
      '--seconds',
      '20',
      '--loss',
      '0.05',
      '--json',
    ]);
    expect(out.startsWith('seed 3\n')).toBe(true);
    const report = JSON.parse(out.slice(out.indexOf('{'))) as { traceHash: string };
    const direct = runSimulation({ seed: 3, agents: 6, seconds: 20, network: { lossRate: 0.05 } });
    expect(report.traceHash).toBe(direct.traceHash);
  });

  it('picks and prints a seed when none is given', () => {
    const out = cli(['--agents', '3', '--seconds', '5']);
    expect(out).toMatch(/^seed \d+ \(chosen at random\)\n/);
    expect(out).toMatch(/trace hash [0-9a-f]{8}/);
    expect(out).toMatch(/liveness ok/);
  });
});
