import {
  encodeSignalingMessage,
  parseSignalingClientMessage,
  signalingError,
  utf8ByteLength,
  type SignalingErrorCode,
  type SignalingPublish,
} from '../src/core/wire/signaling';
import type { ServerConfig } from './config';
import { TokenBucket } from './tokenBucket';

/** What the hub needs from a connection; the WebSocket gateway adapts `ws` to it. */
export interface HubSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Bytes queued for sending and not yet written to the network. */
  bufferedBytes(): number;
}

export type HubLimits = Pick<
  ServerConfig,
  | 'maxFrameBytes'
  | 'maxTopicsPerSocket'
  | 'maxMessagesPerSecond'
  | 'messageBurst'
  | 'floodCloseMs'
  | 'maxSockets'
  | 'maxSubscribersPerTopic'
  | 'maxBufferedBytes'
>;

export interface HubStats {
  sockets: number;
  topics: number;
  subscriptions: number;
  /** Publish frames delivered to subscribers (one per receiving socket). */
  messagesRelayed: number;
  errorsAnswered: number;
}

/** WebSocket close codes the hub uses (RFC 6455, 7.4.1). */
export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** Drops further apart than this end a flood; a flood lasting floodCloseMs closes the socket. */
const FLOOD_GAP_MS = 1000;
/** At most one `rate-limited` answer per socket in this window; the rest are dropped silently. */
const RATE_ANSWER_INTERVAL_MS = 1000;

interface Session {
  readonly topics: Set<string>;
  readonly bucket: TokenBucket;
  /** When the current run of dropped frames began, or null when not over the rate. */
  floodStartMs: number | null;
  lastDropMs: number;
  lastRateAnswerMs: number | null;
  /** Closed by the hub; frames still in flight are ignored. */
  closing: boolean;
}

/**
 * Topic fan-out for the y-webrtc signaling protocol, with every limit enforced and every bad
 * frame answered. Knows nothing about sockets or time beyond the HubSocket and `nowMs` it gets.
 */
export class SignalingHub {
  private readonly sessions = new Map<HubSocket, Session>();
  private readonly topics = new Map<string, Set<HubSocket>>();
  private subscriptions = 0;
  private messagesRelayed = 0;
  private errorsAnswered = 0;

  constructor(
    private readonly limits: HubLimits,
    private readonly nowMs: () => number,
  ) {}

  /** Registers a new socket; refuses it (error answer, then close) when the server is full. */
  open(socket: HubSocket): boolean {
    if (this.sessions.has(socket)) return true;
    if (this.sessions.size >= this.limits.maxSockets) {
      this.answer(
        socket,
        'server-full',
        `the server holds its limit of ${this.limits.maxSockets} sockets; try again later`,
      );
      socket.close(CLOSE_TRY_AGAIN_LATER, 'server full');
      return false;
    }
    this.sessions.set(socket, {
      topics: new Set(),
      bucket: new TokenBucket(
        this.limits.maxMessagesPerSecond,
        this.limits.messageBurst,
        this.nowMs(),
      ),
      floodStartMs: null,
      lastDropMs: 0,
      lastRateAnswerMs: null,
      closing: false,
    });
    return true;
  }

  /** The socket is gone: forget it and its subscriptions. */
  remove(socket: HubSocket): void {
    const session = this.sessions.get(socket);
    if (!session) return;
    this.unsubscribeAll(socket, session);
    this.sessions.delete(socket);
  }

  receiveText(socket: HubSocket, text: string): void {
    const session = this.admit(socket);
    if (!session) return;
    const parsed = parseSignalingClientMessage(text, this.limits.maxFrameBytes);
    if (!parsed.ok) {
      this.answer(socket, parsed.code, parsed.message);
      return;
    }
    const msg = parsed.msg;
    switch (msg.type) {
      case 'subscribe':
        this.onSubscribe(socket, session, msg.topics);
        return;
      case 'unsubscribe':
        this.onUnsubscribe(socket, session, msg.topics);
        return;
      case 'publish':
        this.onPublish(socket, msg);
        return;
      case 'ping':
        socket.send(encodeSignalingMessage({ type: 'pong' }));
        return;
    }
  }

  receiveBinary(socket: HubSocket): void {
    if (!this.admit(socket)) return;
    this.answer(socket, 'binary-frame', 'frames must be JSON text; binary frames are refused');
  }

  stats(): HubStats {
    return {
      sockets: this.sessions.size,
      topics: this.topics.size,
      subscriptions: this.subscriptions,
      messagesRelayed: this.messagesRelayed,
      errorsAnswered: this.errorsAnswered,
    };
  }

  /** Subscribers of a topic (for tests and diagnostics). */
  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }

  /** Throws when the topic index and the sessions disagree. Cheap enough for tests only. */
  checkInvariants(): void {
    let fromTopics = 0;
    for (const [topic, subscribers] of this.topics) {
      if (subscribers.size === 0) throw new Error(`empty topic ${topic} kept`);
      if (subscribers.size > this.limits.maxSubscribersPerTopic) {
        throw new Error(`topic ${topic} over its subscriber limit`);
      }
      for (const socket of subscribers) {
        const session = this.sessions.get(socket);
        if (!session?.topics.has(topic)) throw new Error(`topic ${topic} lists a stranger`);
        if (session.closing) throw new Error(`topic ${topic} lists a closing socket`);
      }
      fromTopics += subscribers.size;
    }
    let fromSessions = 0;
    for (const session of this.sessions.values()) {
      if (session.topics.size > this.limits.maxTopicsPerSocket) {
        throw new Error('a socket is over its topic limit');
      }
      fromSessions += session.topics.size;
    }
    if (fromTopics !== fromSessions || fromTopics !== this.subscriptions) {
      throw new Error(
        `subscription count mismatch: ${fromTopics} / ${fromSessions} / ${this.subscriptions}`,
      );
    }
  }

  /** Rate limiting: returns the session when the frame may be handled, null when dropped. */
  private admit(socket: HubSocket): Session | null {
    const session = this.sessions.get(socket);
    if (!session || session.closing) return null;
    const now = this.nowMs();
    if (session.bucket.take(now)) return session;

    if (session.floodStartMs === null || now - session.lastDropMs > FLOOD_GAP_MS) {
      session.floodStartMs = now;
    }
    session.lastDropMs = now;
    const floodMs = now - session.floodStartMs;
    if (floodMs >= this.limits.floodCloseMs) {
      this.answer(
        socket,
        'rate-limited',
        `over ${this.limits.maxMessagesPerSecond} frames per second for ${floodMs} ms; closing`,
      );
      this.closeSocket(socket, session, CLOSE_POLICY_VIOLATION, 'rate limit');
      return null;
    }
    if (
      session.lastRateAnswerMs === null ||
      now - session.lastRateAnswerMs >= RATE_ANSWER_INTERVAL_MS
    ) {
      session.lastRateAnswerMs = now;
      this.answer(
        socket,
        'rate-limited',
        `over ${this.limits.maxMessagesPerSecond} frames per second (burst ` +
          `${this.limits.messageBurst}); frames are dropped until the rate falls`,
      );
    }
    return null;
  }

  private onSubscribe(socket: HubSocket, session: Session, topics: string[]): void {
    const fresh = topics.filter((topic) => !session.topics.has(topic));
    const limit = this.limits.maxTopicsPerSocket;
    if (session.topics.size + fresh.length > limit) {
      this.answer(
        socket,
        'too-many-topics',
        `subscribing to ${fresh.length} more topic(s) would pass the limit of ${limit} per ` +
          `socket (subscribed to ${session.topics.size}); nothing was subscribed`,
      );
      return;
    }
    const full: string[] = [];
    for (const topic of fresh) {
      let subscribers = this.topics.get(topic);
      if (subscribers && subscribers.size >= this.limits.maxSubscribersPerTopic) {
        full.push(topic);
        continue;
      }
      if (!subscribers) {
        subscribers = new Set();
        this.topics.set(topic, subscribers);
      }
      subscribers.add(socket);
      session.topics.add(topic);
      this.subscriptions++;
    }
    if (full.length > 0) {
      const names = full.map((topic) => JSON.stringify(topic.slice(0, 64))).join(', ');
      this.answer(
        socket,
        'topic-full',
        `topic(s) ${names.slice(0, 400)} hold their limit of ` +
          `${this.limits.maxSubscribersPerTopic} subscribers; not subscribed to them`,
      );
    }
  }

  private onUnsubscribe(socket: HubSocket, session: Session, topics: string[]): void {
    for (const topic of topics) this.unsubscribe(socket, session, topic);
  }

  private unsubscribe(socket: HubSocket, session: Session, topic: string): void {
    if (!session.topics.delete(topic)) return;
    this.subscriptions--;
    const subscribers = this.topics.get(topic);
    if (!subscribers) return;
    subscribers.delete(socket);
    if (subscribers.size === 0) this.topics.delete(topic);
  }

  private unsubscribeAll(socket: HubSocket, session: Session): void {
    for (const topic of [...session.topics]) this.unsubscribe(socket, session, topic);
  }

  private onPublish(socket: HubSocket, msg: SignalingPublish): void {
    const subscribers = this.topics.get(msg.topic);
    if (!subscribers) return; // nobody listens: dropped, like y-webrtc's server
    let text: string;
    try {
      text = encodeSignalingMessage({ ...msg, clients: subscribers.size });
    } catch {
      this.answer(socket, 'bad-field', 'the publish could not be re-encoded');
      return;
    }
    if (utf8ByteLength(text) > this.limits.maxFrameBytes) {
      this.answer(
        socket,
        'frame-too-large',
        `the delivered frame would be larger than ${this.limits.maxFrameBytes} bytes`,
      );
      return;
    }
    for (const receiver of [...subscribers]) this.deliver(receiver, text);
  }

  private deliver(receiver: HubSocket, text: string): void {
    const session = this.sessions.get(receiver);
    if (!session || session.closing) return;
    if (receiver.bufferedBytes() > this.limits.maxBufferedBytes) {
      this.answer(
        receiver,
        'slow-consumer',
        `more than ${this.limits.maxBufferedBytes} bytes wait to be sent to this socket; closing`,
      );
      this.closeSocket(receiver, session, CLOSE_TRY_AGAIN_LATER, 'slow consumer');
      return;
    }
    receiver.send(text);
    this.messagesRelayed++;
  }

  private answer(socket: HubSocket, code: SignalingErrorCode, message: string): void {
    this.errorsAnswered++;
    socket.send(encodeSignalingMessage(signalingError(code, message)));
  }

  /** Closes a socket the hub gave up on; it stops receiving at once. */
  private closeSocket(socket: HubSocket, session: Session, code: number, reason: string): void {
    session.closing = true;
    this.unsubscribeAll(socket, session);
    socket.close(code, reason);
  }
}
