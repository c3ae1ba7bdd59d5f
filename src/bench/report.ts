import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** One measured figure. `met` is absent when there is no target. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
  /** How it was measured: workload, sizes, settings, so the figure can be reproduced. */
  conditions: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Pipes would end a markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function benchMarkdown(
  results: readonly BenchResult[],
  machine: MachineInfo,
  when: Date,
): string {
  const rows = results.map((r) => {
    const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
    return `| ${cell(r.name)} | ${formatValue(r.value)} ${cell(r.unit)} | ${cell(r.target ?? '')} | ${met} | ${cell(r.conditions)} |`;
  });
  return [
    '# Benchmark results',
    '',
    `Measured ${when.toISOString()} on ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, ${machine.platform}.`,
    '',
    '| Measure | Value | Target | Met | Conditions |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** Writes `latest.json` and `latest.md` under `dir` (created if missing); returns their paths. */
export async function writeBenchReport(
  results: readonly BenchResult[],
  dir = 'bench-results',
): Promise<{ json: string; markdown: string }> {
  const machine = machineInfo();
  const when = new Date();
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const markdown = join(dir, 'latest.md');
  const body = { measuredAt: when.toISOString(), machine, results };
  await writeFile(json, `${JSON.stringify(body, null, 2)}\n`);
  await writeFile(markdown, benchMarkdown(results, machine, when));
  return { json, markdown };
}
