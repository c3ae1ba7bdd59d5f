import { benchRow } from './benchRow';
import type { ProbeResult } from './healthProbe';
import { maxOf, percentile, round } from './percentiles';
import type { BenchResult } from './report';
import { DEFAULT_CONFIG } from '../../server/config';
import { IDLE_ATTACK, type AttackOutcome } from './signalingAbusers';
import type { LoadResult } from './signalingLoad';

const MIB = 1024 * 1024;

export interface ServerRun {
  setup: {
    load: { clients: number; topics: number; publishesPerSecond: number; payloadBytes: number };
    cleanMs: number;
    abuseMs: number;
  };
  clean: LoadResult;
  cleanCpuMs: number;
  cleanPeakBytes: number;
  abused: LoadResult;
  abuseCpuMs: number;
  abusedPeakBytes: number;
  stillOpen: number;
  outcomes: AttackOutcome[];
  probe: ProbeResult;
  loadAverage: number;
}

function latencyNote(samples: readonly number[]): string {
  return (
    `p50 ${round(percentile(samples, 50), 1)} ms, p99 ${round(percentile(samples, 99), 1)} ms, ` +
    `max ${round(maxOf(samples), 1)} ms`
  );
}

/** The server bench rows: nothing lost, latency, peak RSS, attacks held, CPU, /healthz. */
export function serverResults(run: ServerRun): BenchResult[] {
  const { clean, abused, probe } = run;
  const { load, cleanMs, abuseMs } = run.setup;
  const deliveriesPerSecond = load.clients * load.publishesPerSecond * (load.clients / load.topics);
  const loadText =
    `${load.clients} well-behaved clients on ${load.topics} topics (10 each, from 20 loopback ` +
    `addresses), each publishing ${load.publishesPerSecond}/s (frames of about ` +
    `${load.payloadBytes + 100} bytes, a signal's size): ${deliveriesPerSecond} ` +
    'deliveries/s; the server with its default limits in a process of its own, the clients in ' +
    'the bench process, the attackers in a third, /healthz timed from a fourth';
  // Idle connections are held to the request-head deadline (plus one sweep of the guard).
  const idleHeld = probe.peakOldestIdleMs <= DEFAULT_CONFIG.requestHeadTimeoutMs + 500;
  const outcomes = run.outcomes.map((o) =>
    o.name === IDLE_ATTACK
      ? {
          ...o,
          held: idleHeld,
          detail: `${o.detail}; the server held none idle longer than ${round(probe.peakOldestIdleMs / 1000, 2)} s`,
        }
      : o,
  );
  const attacks = outcomes
    .map(
      (o) =>
        `${o.name}: ${o.ended} of ${o.connections} closed or refused, ` +
        `${o.held ? 'held' : 'NOT held'} (${o.detail})`,
    )
    .join('; ');
  const cpuPer10k = run.cleanCpuMs / (clean.delivered / 10_000);
  const abuseCpuShare = run.abuseCpuMs / abuseMs;
  return [
    benchRow(
      'signaling: deliveries to well-behaved clients with abusers alongside, delivered / expected',
      abused.delivered / abused.expected,
      'ratio',
      '= 1 (nothing lost)',
      (v) => v === 1,
      `${loadText}; ${abuseMs / 1000} s with every attack at once; ${abused.delivered} of ` +
        `${abused.expected} delivered; well-behaved clients still open ${run.stillOpen} of ` +
        `${load.clients}`,
    ),
    benchRow(
      'signaling: delivery latency with abusers alongside, p99',
      percentile(abused.latenciesMs, 99),
      'ms',
      undefined,
      undefined,
      `${loadText}; with the attacks: ${latencyNote(abused.latenciesMs)}; alone: ` +
        `${latencyNote(clean.latenciesMs)}; server CPU with the attacks ` +
        `${round(abuseCpuShare * 100, 0)} % of one core; load average ${round(run.loadAverage, 1)}`,
    ),
    benchRow(
      'signaling: server peak RSS with abusers alongside',
      run.abusedPeakBytes / MIB,
      'MiB',
      '< 200 MiB',
      (v) => v < 200,
      `${loadText}; sampled every 50 ms from /proc; alone ${round(run.cleanPeakBytes / MIB, 1)} MiB; ` +
        `peak output queued over all sockets ${round(probe.peakQueuedBytes / 1024, 1)} KiB, ` +
        `peak TCP connections ${probe.peakConnections}`,
    ),
    benchRow(
      'signaling: attacks held to the limits (of 7)',
      outcomes.filter((o) => o.held).length,
      'attacks',
      'all 7',
      (v) => v === outcomes.length,
      attacks,
    ),
    benchRow(
      'signaling: server CPU per 10,000 deliveries',
      cpuPer10k,
      'ms',
      undefined,
      undefined,
      `${loadText}; ${round(clean.delivered / (cleanMs / 1000), 0)} deliveries/s for ` +
        `${cleanMs / 1000} s, no abusers: ${round(cpuPer10k / 10, 1)} % of one core at 10,000 ` +
        'deliveries/s (user + system time from /proc)',
    ),
    benchRow(
      'signaling: /healthz answer with abusers and a storm of 880 sockets, p99',
      percentile(probe.latenciesMs, 99),
      'ms',
      '< 250 ms',
      (v) => v < 250,
      `polled every 100 ms from 127.0.0.1 on a new connection through the ${abuseMs / 1000} s ` +
        `of attacks: ${latencyNote(probe.latenciesMs)}, ${probe.latenciesMs.length} answers, ` +
        `${probe.failures} failures`,
    ),
  ];
}
