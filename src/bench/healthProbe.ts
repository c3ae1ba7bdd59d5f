import { request } from 'node:http';
import { childMain } from './benchChild';

export interface ProbeInput {
  port: number;
  durationMs: number;
  intervalMs: number;
}

export interface ProbeResult {
  latenciesMs: number[];
  peakConnections: number;
  peakQueuedBytes: number;
  /** The longest any connection had been idle, as the server reported it. */
  peakOldestIdleMs: number;
  failures: number;
}

function getHealth(port: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(body) as Record<string, number>));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Times /healthz from 127.0.0.1, each on a new connection, for `durationMs`. */
async function probe(input: ProbeInput): Promise<ProbeResult> {
  const result: ProbeResult = {
    latenciesMs: [],
    peakConnections: 0,
    peakQueuedBytes: 0,
    peakOldestIdleMs: 0,
    failures: 0,
  };
  const endMs = performance.now() + input.durationMs;
  while (performance.now() < endMs) {
    const startedMs = performance.now();
    try {
      const report = await getHealth(input.port);
      result.latenciesMs.push(performance.now() - startedMs);
      result.peakConnections = Math.max(result.peakConnections, report['connections'] ?? 0);
      result.peakQueuedBytes = Math.max(result.peakQueuedBytes, report['outputQueuedBytes'] ?? 0);
      result.peakOldestIdleMs = Math.max(result.peakOldestIdleMs, report['oldestIdleMs'] ?? 0);
    } catch {
      result.failures++;
    }
    await new Promise((resolve) => setTimeout(resolve, input.intervalMs));
  }
  return result;
}

childMain(probe);
