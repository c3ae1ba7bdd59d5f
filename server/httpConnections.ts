import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { clientAddressKey } from './clientAddress';
import { ConnectionGuard, type ConnectionLimits, type ConnectionStats } from './connectionGuard';

/** How often idle connections are checked against their request-head deadline, at most. */
const SWEEP_INTERVAL_MS = 250;

export interface GuardedConnections {
  stats(): ConnectionStats;
  stop(): void;
}

/**
 * Puts every TCP connection the HTTP server accepts under a ConnectionGuard, before any request
 * is read: refused connections are destroyed on arrival, cut ones at once.
 */
export function guardConnections(
  server: Server,
  limits: ConnectionLimits,
  nowMs: () => number,
): GuardedConnections {
  const guard = new ConnectionGuard<Socket>(limits, nowMs);
  server.on('connection', (socket: Socket) => {
    const admission = guard.admit(socket, clientAddressKey(socket.remoteAddress));
    for (const cut of admission.cut) cut.destroy();
    if (!admission.accepted) {
      socket.destroy();
      return;
    }
    socket.once('close', () => guard.closed(socket));
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    guard.requestStarted(socket);
    res.once('close', () => guard.requestEnded(socket));
  });
  server.on('upgrade', (req) => guard.upgraded(req.socket));
  const sweep = setInterval(
    () => {
      for (const late of guard.expired()) late.destroy();
    },
    Math.min(SWEEP_INTERVAL_MS, limits.requestHeadTimeoutMs),
  );
  sweep.unref();
  return {
    stats: () => guard.stats(),
    stop: () => clearInterval(sweep),
  };
}
