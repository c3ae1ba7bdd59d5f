import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { openAll, openFrom } from './signalingLoad';

/** What one attack achieved: how many of its connections the server closed or refused. */
export interface AttackOutcome {
  name: string;
  connections: number;
  /** Closed by the server or refused. */
  ended: number;
  /** Whether the server held this attack to its limits (each attack says what that means). */
  held: boolean;
  detail: string;
}

export interface Attack {
  /** Stops the attack and says how it went. */
  stop(): AttackOutcome;
}

function socketOf(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket;
}

/** Tracks whether the connection under a WebSocket is gone, also when it no longer reads. */
function watchEnd(ws: WebSocket, onEnd: () => void): void {
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    onEnd();
  };
  ws.once('close', end);
  socketOf(ws).once('close', end);
}

/**
 * Sockets that stop reading and keep sending `frame` at `perSecond`, with a pong of their own
 * every 5 s (which once kept such a socket alive): closed as slow consumers or by the heartbeat.
 */
export async function pausedSenders(
  name: string,
  url: string,
  addresses: readonly string[],
  frame: string,
  perSecond: number,
  subscribeFirst: readonly string[] = [],
): Promise<Attack> {
  let ended = 0;
  const sockets = await openAll(url, addresses);
  for (const ws of sockets) {
    watchEnd(ws, () => ended++);
    if (subscribeFirst.length > 0) {
      ws.send(JSON.stringify({ type: 'subscribe', topics: subscribeFirst }));
    }
    socketOf(ws).pause();
  }
  const sendTimer = setInterval(() => {
    for (const ws of sockets) {
      for (let i = 0; i < perSecond / 20; i++) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    }
  }, 50);
  const pongTimer = setInterval(() => {
    for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.pong();
  }, 5000);
  return {
    stop() {
      clearInterval(sendTimer);
      clearInterval(pongTimer);
      for (const ws of sockets) ws.terminate();
      const endedAll = ended + (addresses.length - sockets.length);
      return {
        name,
        connections: addresses.length,
        ended: endedAll,
        held: endedAll === addresses.length,
        detail:
          `${addresses.length} paused socket(s), ${perSecond} frames/s each, a pong every 5 s` +
          (subscribeFirst.length > 0 ? `, subscribed to ${subscribeFirst.length} topic(s)` : ''),
      };
    },
  };
}

export const IDLE_ATTACK = 'idle TCP connections';

/** Raw TCP connections that never send a byte, opened again whenever the server cuts one. */
export function idleConnections(port: number, addresses: readonly string[], each: number): Attack {
  let cut = 0;
  let opened = 0;
  let stopped = false;
  const sockets = new Set<Socket>();
  const openOne = (localAddress: string): void => {
    if (stopped) return;
    opened++;
    const socket = tcpConnect({ host: '127.0.0.1', port, localAddress });
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      if (stopped) return;
      cut++;
      setTimeout(() => openOne(localAddress), 100);
    });
  };
  for (const address of addresses) for (let i = 0; i < each; i++) openOne(address);
  return {
    stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
      return {
        name: IDLE_ATTACK,
        connections: opened,
        ended: cut,
        // Whether any was held past its deadline only the server knows (a connection this side
        // calls open may still wait in the kernel's accept queue): the bench asks /healthz.
        held: true,
        detail:
          `${addresses.length * each} held from ${addresses.length} addresses, each reopened ` +
          '0.1 s after the server cut it',
      };
    },
  };
}

/** One address opening `count` WebSockets: all but its quota must be refused. */
export async function addressHog(
  url: string,
  address: string,
  count: number,
  quota: number,
): Promise<Attack> {
  let refused = 0;
  const held: WebSocket[] = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      const ws = await openFrom(url, address);
      if (!ws) {
        refused++;
        return;
      }
      held.push(ws);
      ws.once('close', () => refused++);
    }),
  );
  return {
    stop() {
      const open = held.filter((ws) => ws.readyState === WebSocket.OPEN).length;
      for (const ws of held) ws.terminate();
      return {
        name: 'one address taking socket slots',
        connections: count,
        ended: refused,
        held: open <= quota,
        detail: `${count} WebSockets from one address; ${open} held (its quota)`,
      };
    },
  };
}

/** Pings at 600/s for 2.8 s, then 1.2 s quiet, over and over: must still be closed (1008). */
export async function pausingFlooders(url: string, addresses: readonly string[]): Promise<Attack> {
  const closeCodes: number[] = [];
  const sockets = await openAll(url, addresses);
  for (const ws of sockets) ws.once('close', (code) => closeCodes.push(code));
  const startedMs = performance.now();
  const timer = setInterval(() => {
    if ((performance.now() - startedMs) % 4000 >= 2800) return;
    for (const ws of sockets) {
      for (let i = 0; i < 30; i++) if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}');
    }
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      for (const ws of sockets) ws.terminate();
      const policy = closeCodes.filter((code) => code === 1008).length;
      return {
        name: 'flooding with pauses',
        connections: addresses.length,
        ended: policy,
        held: policy === addresses.length,
        detail: `${addresses.length} sockets, pings at 600/s for 2.8 s then 1.2 s quiet; closed with 1008: ${policy}`,
      };
    },
  };
}

/** Many sockets at once: each subscribes, publishes a little and leaves after `holdMs`. */
export async function connectionStorm(
  url: string,
  addresses: readonly string[],
  each: number,
  holdMs: number,
): Promise<AttackOutcome> {
  let refused = 0;
  let served = 0;
  await Promise.all(
    addresses.flatMap((address) =>
      Array.from({ length: each }, async (_, i) => {
        const ws = await openFrom(url, address);
        if (!ws) {
          refused++;
          return;
        }
        let closedByServer = false;
        ws.once('close', (code) => {
          if (code === 1013) closedByServer = true;
        });
        const topic = `storm-${address}-${i}`;
        ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
        for (let n = 0; n < 5; n++) ws.send(JSON.stringify({ type: 'publish', topic, n }));
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        if (closedByServer) refused++;
        else served++;
        ws.terminate();
      }),
    ),
  );
  return {
    name: 'connection storm',
    connections: addresses.length * each,
    ended: refused,
    held: served > 0 && served + refused === addresses.length * each,
    detail: `${addresses.length * each} sockets at once for ${holdMs / 1000} s; served ${served}, refused ${refused} (server-full past max-sockets)`,
  };
}
