import { runPartitionTrial, type PartitionTrial } from '../sim/partitionTrial';
import { benchRow } from './benchRow';
import { percentile, seconds } from './percentiles';
import type { BenchResult } from './report';

interface Shape {
  name: string;
  agents: number;
  majority: number[];
  trials: number;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Five agents (the browser bench's mesh) cut two ways, and a larger full mesh. */
const SHAPES: Shape[] = [
  { name: '4|1', agents: 5, majority: range(4), trials: 40 },
  { name: '3|2', agents: 5, majority: range(3), trials: 40 },
  { name: '20|12', agents: 32, majority: range(20), trials: 10 },
];

const PARTITION_MS = 20_000;

/**
 * Partitions in the simulator: after a cut, how soon the side cut off knows it holds no quorum
 * (and that the majority never loses its own); after a heal, how soon there is one membership
 * view, and whether the far side's dead verdicts made the majority declare its own dead.
 */
export function runPartitionBench(progress: (text: string) => void): BenchResult[] {
  const trials: { shape: Shape; trial: PartitionTrial }[] = [];
  for (const shape of SHAPES) {
    progress(`partition bench: ${shape.agents} agents, ${shape.name}`);
    for (let i = 0; i < shape.trials; i++) {
      const trial = runPartitionTrial({
        seed: 500 + i,
        agents: shape.agents,
        majority: shape.majority,
        partitionMs: PARTITION_MS,
        // The cut lands at a spread of phases of the 1 s ping and probe timers.
        phaseMs: (i * 1000) / shape.trials,
      });
      trials.push({ shape, trial });
      progress('.');
    }
    progress(' done\n');
  }
  const all = trials.map(({ trial }) => trial);
  const cut = all.map((t) => t.cutKnownMs ?? Number.POSITIVE_INFINITY);
  const heal = all.map((t) => t.healMs ?? Number.POSITIVE_INFINITY);
  const fromLink = all.map((t) => t.healFromFirstLinkMs ?? Number.POSITIVE_INFINITY);
  const sum = (pick: (t: PartitionTrial) => number) => all.reduce((n, t) => n + pick(t), 0);
  const falseDead = sum((t) => t.majorityFalseDead);
  const majorityLosses = sum((t) => t.majorityQuorumLosses);
  const staleVerdicts = sum((t) => t.minorityDeadVerdicts);
  const byShape = SHAPES.map((shape) => {
    const mine = trials.filter((t) => t.shape === shape).map((t) => t.trial);
    const p = (values: number[], q: number) => seconds(percentile(values, q));
    return (
      `${shape.agents} agents ${shape.name} x ${shape.trials}: cut known p50 ` +
      `${p(
        mine.map((t) => t.cutKnownMs ?? Infinity),
        50,
      )} s, p99 ` +
      `${p(
        mine.map((t) => t.cutKnownMs ?? Infinity),
        99,
      )} s; heal p50 ` +
      `${p(
        mine.map((t) => t.healMs ?? Infinity),
        50,
      )} s, p99 ${p(
        mine.map((t) => t.healMs ?? Infinity),
        99,
      )} s`
    );
  }).join('; ');
  const conditions =
    `simulator, full mesh, browser defaults (reach window 3 s, pings 1 s, probes 1 s), network ` +
    `10 + U[0,5) ms one way, no loss; each trial: 10 s start, a cut at a spread phase, ` +
    `${PARTITION_MS / 1000} s apart (the minority declares the majority dead: ${staleVerdicts} ` +
    `such verdicts over all trials), heal; ${all.length} trials: ${byShape}`;
  return [
    benchRow(
      'partition known on every agent of the side cut off (its quorum flag false), p99',
      seconds(percentile(cut, 99)),
      's',
      '< 5 s',
      (v) => v < 5,
      `${conditions}; p50 ${seconds(percentile(cut, 50))} s; quorum losses on the majority ` +
        `side, cut to end of every trial: ${majorityLosses}`,
    ),
    benchRow(
      'one membership view everywhere after a heal, from the heal, p99',
      seconds(percentile(heal, 99)),
      's',
      '< 3 s',
      (v) => v < 3,
      `${conditions}; p50 ${seconds(percentile(heal, 50))} s; from the first link across p50 ` +
        `${seconds(percentile(fromLink, 50))} s, p99 ${seconds(percentile(fromLink, 99))} s ` +
        `(links come back through the simulator's reconnect backoff)`,
    ),
    benchRow(
      'dead verdicts the majority made about its own members after a heal',
      falseDead,
      'verdicts',
      '0',
      (v) => v === 0,
      `${conditions}; quorum losses on the majority side over cut and heal: ${majorityLosses}`,
    ),
  ];
}
