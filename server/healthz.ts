import type { ServerResponse } from 'node:http';
import type { ConnectionStats } from './connectionGuard';
import type { HubStats } from './signalingHub';

export interface HealthReport extends HubStats, ConnectionStats {
  status: 'ok';
  uptimeSeconds: number;
}

export function healthReport(stats: HubStats & ConnectionStats, uptimeMs: number): HealthReport {
  return { status: 'ok', uptimeSeconds: Math.round(uptimeMs) / 1000, ...stats };
}

/** Answers GET/HEAD /healthz with the report as JSON, never cached. */
export function sendHealth(res: ServerResponse, report: HealthReport, headOnly: boolean): void {
  const body = JSON.stringify(report);
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(headOnly ? undefined : body);
}
