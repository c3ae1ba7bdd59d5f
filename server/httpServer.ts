import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { healthReport, sendHealth } from './healthz';
import type { ConnectionStats } from './connectionGuard';
import type { HubStats } from './signalingHub';

export interface RouterOptions {
  stats: () => HubStats & ConnectionStats;
  uptimeMs: () => number;
  serveStatic: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query >= 0 ? url.slice(0, query) : url;
}

/** Plain HTTP requests: /healthz, else the built app. WebSocket upgrades never get here. */
export function createRequestHandler(options: RouterOptions): RequestListener {
  return (req, res) => {
    const method = req.method ?? 'GET';
    if (pathOf(req) === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      sendHealth(res, healthReport(options.stats(), options.uptimeMs()), method === 'HEAD');
      return;
    }
    options.serveStatic(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      } else res.destroy();
    });
  };
}
