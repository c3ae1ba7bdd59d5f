import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { clientAddressKey } from './clientAddress';
import { normalizeOrigin } from './config';
import { Heartbeat } from './heartbeat';
import type { HubSocket, SignalingHub } from './signalingHub';

/** Going away (RFC 6455): the server shuts down. */
const CLOSE_GOING_AWAY = 1001;
/** How long close() waits for clients to finish the closing handshake before cutting them. */
const SHUTDOWN_GRACE_MS = 1000;
/**
 * How long a socket the hub closed may take to finish the closing handshake before it is cut.
 * Short: the hub has already forgotten it, and what it still holds queued is released when it
 * goes; a client that is reading gets its last answer and close code within it.
 */
export const HUB_CLOSE_GRACE_MS = 1000;

/**
 * The hard cap handed to `ws` as maxPayload. Frames between maxFrameBytes and this get our
 * `frame-too-large` answer; frames beyond it are cut by `ws` with close code 1009.
 */
export function hardFrameCapBytes(maxFrameBytes: number): number {
  return 2 * maxFrameBytes;
}

export interface GatewayOptions {
  hub: SignalingHub;
  allowedOrigins: readonly string[];
  maxFrameBytes: number;
  heartbeatMs: number;
}

export interface SignalingGateway {
  /** For the http server's 'upgrade' event: any path is accepted, like y-webrtc's server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every socket (1001), waiting at most a short grace for the handshakes. */
  close(): Promise<void>;
}

function toText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Connects `ws` sockets to the hub: origin check, frame cap, heartbeat, close bookkeeping. */
export function createSignalingGateway(options: GatewayOptions): SignalingGateway {
  const { hub } = options;
  const allowed = new Set(options.allowedOrigins.map(normalizeOrigin));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: hardFrameCapBytes(options.maxFrameBytes),
    perMessageDeflate: false,
    clientTracking: true,
    // Pongs to client pings go through the hub, under the rate limit and the output bound.
    autoPong: false,
  });
  const heartbeat = new Heartbeat<WebSocket>(options.heartbeatMs);
  heartbeat.start();

  const originAllowed = (req: IncomingMessage): boolean => {
    if (allowed.size === 0) return true;
    const origin = req.headers.origin;
    // Browsers always send Origin; a client without one is not a browser page on another site.
    if (origin === undefined) return true;
    return allowed.has(normalizeOrigin(origin));
  };

  const onConnection = (ws: WebSocket, req: IncomingMessage): void => {
    const peer: HubSocket = {
      address: clientAddressKey(req.socket.remoteAddress),
      send: (frame) => {
        try {
          ws.send(frame, { binary: false });
        } catch {
          // Not open any more; its close event cleans up.
        }
      },
      pong: (payload) => {
        try {
          ws.pong(payload);
        } catch {
          // As above.
        }
      },
      close: (code, reason) => {
        ws.close(code, reason);
        const cut = setTimeout(() => ws.terminate(), HUB_CLOSE_GRACE_MS);
        cut.unref();
        ws.once('close', () => clearTimeout(cut));
      },
      bufferedBytes: () => ws.bufferedAmount,
    };
    // ws reports protocol errors (oversized frame: 1009, bad UTF-8: 1007) here and then closes.
    ws.on('error', () => undefined);
    ws.on('close', () => {
      heartbeat.untrack(ws);
      hub.remove(peer);
    });
    if (!hub.open(peer)) return;
    heartbeat.track(ws);
    ws.on('ping', (payload) => hub.receiveControl(peer, 'ping', payload));
    ws.on('pong', (payload) => {
      heartbeat.onPong(ws, payload);
      hub.receiveControl(peer, 'pong', payload);
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) hub.receiveBinary(peer);
      else hub.receiveText(peer, toText(data));
    });
  };

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      if (!originAllowed(req)) {
        refuseUpgrade(socket, 403, 'Forbidden');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
    },

    async close() {
      heartbeat.stop();
      const closing = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) {
              resolve();
              return;
            }
            ws.once('close', () => resolve());
            const cut = setTimeout(() => ws.terminate(), SHUTDOWN_GRACE_MS);
            cut.unref();
            ws.once('close', () => clearTimeout(cut));
            ws.close(CLOSE_GOING_AWAY, 'server shutting down');
          }),
      );
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
