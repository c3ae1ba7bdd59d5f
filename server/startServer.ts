import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveConfig, type ServerConfig } from './config';
import { effectiveMaxConnections, openFilesLimit } from './descriptorLimit';
import { guardConnections, type GuardedConnections } from './httpConnections';
import { createRequestHandler } from './httpServer';
import { SignalingHub } from './signalingHub';
import { createStaticHandler } from './staticFiles';
import { createSignalingGateway } from './wsGateway';

export interface RunningServer {
  /** http://host:port to open in a browser (localhost when bound to every interface). */
  url: string;
  /** ws://host:port for signaling clients; any path works. */
  wsUrl: string;
  /** The port actually bound (the chosen one when the config asked for 0). */
  port: number;
  /** Absolute path of the folder served, and whether it exists. */
  distDir: string;
  distFound: boolean;
  /** What the operator should know (a limit lowered to fit the process), one line each. */
  warnings: string[];
  close(): Promise<void>;
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the HTTP server (built app + /healthz) and the signaling WebSocket server on one port.
 * Missing config fields take their defaults. Resolves once listening; rejects if it cannot bind.
 */
export async function startServer(config: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const resolved = resolveConfig(config);
  const startedMs = performance.now();
  const hub = new SignalingHub(resolved, () => performance.now());
  const distDir = path.resolve(resolved.dist);
  const gateway = createSignalingGateway({
    hub,
    allowedOrigins: resolved.allowedOrigins,
    maxFrameBytes: resolved.maxFrameBytes,
    heartbeatMs: resolved.heartbeatMs,
  });
  const connectionLimit = effectiveMaxConnections(resolved.maxConnections, openFilesLimit());
  const warnings = connectionLimit.warning === null ? [] : [connectionLimit.warning];
  let connections: GuardedConnections | null = null;
  const server = createServer(
    createRequestHandler({
      stats: () => ({ ...hub.stats(), ...(connections as GuardedConnections).stats() }),
      uptimeMs: () => performance.now() - startedMs,
      serveStatic: createStaticHandler(distDir),
    }),
  );
  connections = guardConnections(
    server,
    { ...resolved, maxConnections: connectionLimit.maxConnections },
    () => performance.now(),
  );
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    connections.stop();
    await gateway.close();
    throw error;
  }

  const port = (server.address() as AddressInfo).port;
  const host = displayHost(resolved.host);
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    port,
    distDir,
    distFound: existsSync(distDir),
    warnings,
    close() {
      closing ??= (async () => {
        connections.stop();
        const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await gateway.close();
        server.closeAllConnections();
        await httpClosed;
      })();
      return closing;
    },
  };
}
