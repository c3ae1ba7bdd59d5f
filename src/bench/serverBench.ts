import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { AttackInput } from './attackers';
import { runChild } from './benchChild';
import type { ProbeInput, ProbeResult } from './healthProbe';
import { serverResults } from './serverResults';
import { RssSampler, cpuTimeMs } from './processSampler';
import type { BenchResult } from './report';
import type { AttackOutcome } from './signalingAbusers';
import { SignalingLoad, loopbackAddresses } from './signalingLoad';

const LOAD = { clients: 200, topics: 20, publishesPerSecond: 5, payloadBytes: 1024 };
const CLEAN_MS = 20_000;
const ABUSE_MS = 60_000;
const STORM_AT_MS = 20_000;
/** Time for the attackers to connect before the measured load starts. */
const ATTACK_SETTLE_MS = 3000;

interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
}

/** The bundle `npm run build:server` makes (the bench script builds it first). */
const SERVER_BUNDLE = 'dist-server/main.mjs';

/** The server as `npm start` runs it, in a process of its own so its RSS and CPU are its own. */
function startServerProcess(): Promise<ServerProcess> {
  if (!existsSync(SERVER_BUNDLE)) {
    throw new Error(`${SERVER_BUNDLE} is missing: run \`npm run build:server\` first`);
  }
  const child = spawn(
    process.execPath,
    [SERVER_BUNDLE, '--port', '0', '--host', '127.0.0.1', '--dist', 'dist'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      if (port !== undefined) resolve({ child, pid: child.pid as number, port: Number(port) });
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${out}`)));
  });
}

/**
 * `npm run bench` (server group): the signaling server in its own process under a well-behaved
 * fan-out from this process, first alone, then with every attack of the hardening work running
 * in a second process and /healthz timed from a third, so no client's event loop is in the
 * server's figures.
 */
export async function runServerBench(): Promise<BenchResult[]> {
  const server = await startServerProcess();
  const rss = new RssSampler(server.pid, 50);
  const children: ChildProcess[] = [];
  try {
    process.stderr.write('server bench: clean fan-out');
    const load = await SignalingLoad.connect({
      wsUrl: `ws://127.0.0.1:${server.port}`,
      ...LOAD,
      addresses: loopbackAddresses(3, 20),
    });
    const cpuBeforeMs = cpuTimeMs(server.pid);
    const clean = await load.run(CLEAN_MS);
    const cleanCpuMs = cpuTimeMs(server.pid) - cpuBeforeMs;
    const cleanPeakBytes = rss.peakBytes();
    process.stderr.write(' done; with abusers');

    rss.reset();
    const attackers = runChild<AttackOutcome[]>('src/bench/attackers.ts', {
      port: server.port,
      durationMs: ATTACK_SETTLE_MS + ABUSE_MS,
      stormAtMs: ATTACK_SETTLE_MS + STORM_AT_MS,
    } satisfies AttackInput);
    children.push(attackers.child);
    await new Promise((resolve) => setTimeout(resolve, ATTACK_SETTLE_MS));
    const probe = runChild<ProbeResult>('src/bench/healthProbe.ts', {
      port: server.port,
      durationMs: ABUSE_MS,
      intervalMs: 100,
    } satisfies ProbeInput);
    children.push(probe.child);
    const abuseCpuBeforeMs = cpuTimeMs(server.pid);
    const abused = await load.run(ABUSE_MS);
    const abuseCpuMs = cpuTimeMs(server.pid) - abuseCpuBeforeMs;
    const outcomes = await attackers.result;
    const probed = await probe.result;
    const abusedPeakBytes = rss.stop();
    const stillOpen = load.openClients();
    load.close();
    process.stderr.write(' done\n');
    return serverResults({
      setup: { load: LOAD, cleanMs: CLEAN_MS, abuseMs: ABUSE_MS },
      clean,
      cleanCpuMs,
      cleanPeakBytes,
      abused,
      abuseCpuMs,
      abusedPeakBytes,
      stillOpen,
      outcomes,
      probe: probed,
      loadAverage: loadavg()[0] ?? Number.NaN,
    });
  } finally {
    rss.stop();
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    server.child.kill('SIGTERM');
  }
}
