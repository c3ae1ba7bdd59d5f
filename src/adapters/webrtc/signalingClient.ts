import {
  DEFAULT_MAX_SIGNALING_FRAME_BYTES,
  encodeSignalingMessage,
  parseSignalingServerMessage,
  type SignalingClientMessage,
} from '../../core/wire/signaling';
import type { SignalingState } from '../../host/meshSnapshot';
import { backoffDelayMs } from './backoff';

/** The subset of the WHATWG WebSocket the client uses; `ws` provides it in Node. */
export interface SignalingSocket {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SignalingSocket;

export interface SignalingClientOptions {
  url: string;
  createSocket: SocketFactory;
  topic: string;
  /** Called with the `data` of every publish delivered on the topic (our own included). */
  onData(data: unknown): void;
  /** Called when the socket (re)opens and the topic is subscribed: time to announce. */
  onOpen(): void;
  onStateChange(state: SignalingState): void;
  onError(detail: string): void;
  /** Messages kept while the socket is down; older ones are dropped past this. */
  maxQueuedMessages?: number;
  keepAliveMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
}

/**
 * A y-webrtc-protocol signaling client: subscribes to one topic, publishes `{data}` on it, keeps
 * the socket alive with pings and reconnects with jittered backoff when the server goes away.
 */
export class SignalingClient {
  state: SignalingState = 'closed';
  reconnects = 0;
  droppedWhileDown = 0;
  private socket: SignalingSocket | null = null;
  private queue: string[] = [];
  private attempt = 0;
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closedByUser = false;

  constructor(private readonly options: SignalingClientOptions) {}

  start(): void {
    this.closedByUser = false;
    this.connect();
  }

  stop(): void {
    this.closedByUser = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'leaving');
    this.setState('closed');
  }

  publish(data: unknown): void {
    const text = encodeSignalingMessage({ type: 'publish', topic: this.options.topic, data });
    if (this.socket !== null && this.state === 'open') {
      this.socket.send(text);
      return;
    }
    this.queue.push(text);
    const limit = this.options.maxQueuedMessages ?? 64;
    while (this.queue.length > limit) {
      this.queue.shift();
      this.droppedWhileDown++;
    }
  }

  private connect(): void {
    this.setState('connecting');
    let socket: SignalingSocket;
    try {
      socket = this.options.createSocket(this.options.url);
    } catch (error) {
      this.options.onError(`cannot open ${this.options.url}: ${String(error)}`);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.sendNow({ type: 'subscribe', topics: [this.options.topic] });
      this.setState('open');
      for (const text of this.queue.splice(0)) socket.send(text);
      this.startKeepAlive();
      this.options.onOpen();
    };
    socket.onmessage = (event) => this.onMessage(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.stopKeepAlive();
      if (this.closedByUser) return;
      this.setState('closed');
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      // The close event follows and schedules the reconnect.
    };
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') {
      this.options.onError('binary frame from the signaling server ignored');
      return;
    }
    const parsed = parseSignalingServerMessage(data, DEFAULT_MAX_SIGNALING_FRAME_BYTES);
    if (!parsed.ok) {
      this.options.onError(
        `bad frame from the signaling server: ${parsed.code}: ${parsed.message}`,
      );
      return;
    }
    const msg = parsed.msg;
    if (msg.type === 'error') this.options.onError(`signaling server: ${msg.code}: ${msg.message}`);
    else if (msg.type === 'publish' && msg.topic === this.options.topic)
      this.options.onData(msg['data']);
  }

  private sendNow(msg: SignalingClientMessage): void {
    this.socket?.send(encodeSignalingMessage(msg));
  }

  private startKeepAlive(): void {
    this.stopKeepAlive();
    this.keepAlive = setInterval(
      () => this.sendNow({ type: 'ping' }),
      this.options.keepAliveMs ?? 15_000,
    );
  }

  private stopKeepAlive(): void {
    if (this.keepAlive !== null) clearInterval(this.keepAlive);
    this.keepAlive = null;
  }

  private scheduleReconnect(): void {
    const delayMs = backoffDelayMs(
      this.attempt++,
      this.options.reconnectBaseMs ?? 1000,
      this.options.reconnectMaxMs ?? 30_000,
      Math.random,
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnects++;
      this.connect();
    }, delayMs);
  }

  private setState(state: SignalingState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onStateChange(state);
  }
}
