import {
  encodeSignalingMessage,
  parseSignalingClientMessage,
  signalingError,
  type SignalingErrorCode,
  type SignalingPublish,
  type SignalingServerMessage,
} from '../src/core/wire/signaling';
import type { ServerConfig } from './config';
import { FloodWindow } from './floodWindow';
import { TokenBucket } from './tokenBucket';

/** What the hub needs from a connection; the WebSocket gateway adapts `ws` to it. */
export interface HubSocket {
  /** The client's key for the per-address limits (see clientAddressKey). */
  readonly address: string;
  /** Queues a text frame, already UTF-8 encoded (one buffer serves every receiver). */
  send(frame: Uint8Array): void;
  /** Queues a WebSocket pong echoing a client's ping. */
  pong(payload: Uint8Array): void;
  /** Starts the closing handshake; the gateway cuts the connection if it does not finish soon. */
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
  | 'maxSocketsPerAddress'
  | 'maxSubscriptionsPerAddress'
  | 'maxSubscribersPerTopic'
  | 'maxBufferedBytes'
>;

export interface HubStats {
  sockets: number;
  topics: number;
  subscriptions: number;
  /** Client addresses holding at least one socket. */
  addresses: number;
  /** Publish frames delivered to subscribers (one per receiving socket). */
  messagesRelayed: number;
  errorsAnswered: number;
  /** Sockets refused at open: the server or their address was full. */
  socketsRefused: number;
  /** Sockets closed because their unsent output passed maxBufferedBytes. */
  slowConsumersClosed: number;
  /** Sockets closed by the flood guard. */
  floodsClosed: number;
  /** Output queued to all sockets and not yet written to the network, now. */
  outputQueuedBytes: number;
}

/** WebSocket close codes the hub uses (RFC 6455, 7.4.1). */
export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** At most one `rate-limited` answer per socket in this window; the rest are dropped silently. */
const RATE_ANSWER_INTERVAL_MS = 1000;

interface Session {
  readonly address: string;
  readonly topics: Set<string>;
  readonly bucket: TokenBucket;
  readonly flood: FloodWindow;
  lastRateAnswerMs: number | null;
}

interface AddressUse {
  sockets: number;
  subscriptions: number;
}

const encoder = new TextEncoder();

function encodeFrame(msg: SignalingServerMessage): Uint8Array {
  return encoder.encode(encodeSignalingMessage(msg));
}

/**
 * Topic fan-out for the y-webrtc signaling protocol, with every limit enforced and every bad
 * frame answered. Knows nothing about sockets or time beyond the HubSocket and `nowMs` it gets.
 *
 * Every byte the hub queues to a socket (deliveries, answers, pongs) goes through `queue`, which
 * holds the socket to maxBufferedBytes; a socket the hub closes is forgotten at once, so its
 * slot, subscriptions and address quota are free before its connection has finished closing.
 */
export class SignalingHub {
  private readonly sessions = new Map<HubSocket, Session>();
  private readonly topics = new Map<string, Set<HubSocket>>();
  private readonly addresses = new Map<string, AddressUse>();
  private subscriptions = 0;
  private messagesRelayed = 0;
  private errorsAnswered = 0;
  private socketsRefused = 0;
  private slowConsumersClosed = 0;
  private floodsClosed = 0;

  constructor(
    private readonly limits: HubLimits,
    private readonly nowMs: () => number,
  ) {}

  /** Registers a new socket; refuses it (error answer, then close) when it has no room. */
  open(socket: HubSocket): boolean {
    if (this.sessions.has(socket)) return true;
    const use = this.addresses.get(socket.address);
    if (this.sessions.size >= this.limits.maxSockets) {
      this.refuse(
        socket,
        'server-full',
        `the server holds its limit of ${this.limits.maxSockets} sockets; try again later`,
      );
      return false;
    }
    if ((use?.sockets ?? 0) >= this.limits.maxSocketsPerAddress) {
      this.refuse(
        socket,
        'address-full',
        `this client address holds its limit of ${this.limits.maxSocketsPerAddress} sockets`,
      );
      return false;
    }
    const now = this.nowMs();
    this.sessions.set(socket, {
      address: socket.address,
      topics: new Set(),
      bucket: new TokenBucket(this.limits.maxMessagesPerSecond, this.limits.messageBurst, now),
      flood: new FloodWindow(this.limits.floodCloseMs),
      lastRateAnswerMs: null,
    });
    if (use) use.sockets++;
    else this.addresses.set(socket.address, { sockets: 1, subscriptions: 0 });
    return true;
  }

  /** The socket is gone: forget it and its subscriptions. */
  remove(socket: HubSocket): void {
    const session = this.sessions.get(socket);
    if (!session) return;
    this.unsubscribeAll(socket, session);
    this.sessions.delete(socket);
    const use = this.addresses.get(session.address);
    if (use && --use.sockets === 0) this.addresses.delete(session.address);
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
        for (const topic of msg.topics) this.unsubscribe(socket, session, topic);
        return;
      case 'publish':
        this.onPublish(socket, session, msg);
        return;
      case 'ping':
        this.queue(socket, encodeFrame({ type: 'pong' }));
        return;
    }
  }

  receiveBinary(socket: HubSocket): void {
    const session = this.admit(socket);
    if (!session) return;
    this.answer(socket, 'binary-frame', 'frames must be JSON text; binary frames are refused');
  }

  /**
   * A WebSocket control frame from the client. Both kinds count against the rate like any frame;
   * a ping is answered with its pong through the same output bound as everything else.
   */
  receiveControl(socket: HubSocket, kind: 'ping' | 'pong', payload: Uint8Array): void {
    const session = this.admit(socket);
    if (!session || kind === 'pong') return;
    this.queue(socket, payload, true);
  }

  stats(): HubStats {
    let outputQueuedBytes = 0;
    for (const socket of this.sessions.keys()) outputQueuedBytes += socket.bufferedBytes();
    return {
      sockets: this.sessions.size,
      topics: this.topics.size,
      subscriptions: this.subscriptions,
      addresses: this.addresses.size,
      messagesRelayed: this.messagesRelayed,
      errorsAnswered: this.errorsAnswered,
      socketsRefused: this.socketsRefused,
      slowConsumersClosed: this.slowConsumersClosed,
      floodsClosed: this.floodsClosed,
      outputQueuedBytes,
    };
  }

  /** Subscribers of a topic (for tests and diagnostics). */
  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }

  /** Throws when the topic index, the sessions and the address counts disagree. Tests only. */
  checkInvariants(): void {
    let fromTopics = 0;
    for (const [topic, subscribers] of this.topics) {
      if (subscribers.size === 0) throw new Error(`empty topic ${topic} kept`);
      if (subscribers.size > this.limits.maxSubscribersPerTopic) {
        throw new Error(`topic ${topic} over its subscriber limit`);
      }
      for (const socket of subscribers) {
        if (!this.sessions.get(socket)?.topics.has(topic)) {
          throw new Error(`topic ${topic} lists a stranger`);
        }
      }
      fromTopics += subscribers.size;
    }
    let fromSessions = 0;
    const perAddress = new Map<string, AddressUse>();
    for (const session of this.sessions.values()) {
      if (session.topics.size > this.limits.maxTopicsPerSocket) {
        throw new Error('a socket is over its topic limit');
      }
      fromSessions += session.topics.size;
      const use = perAddress.get(session.address) ?? { sockets: 0, subscriptions: 0 };
      use.sockets++;
      use.subscriptions += session.topics.size;
      perAddress.set(session.address, use);
    }
    if (fromTopics !== fromSessions || fromTopics !== this.subscriptions) {
      throw new Error(
        `subscription count mismatch: ${fromTopics} / ${fromSessions} / ${this.subscriptions}`,
      );
    }
    if (perAddress.size !== this.addresses.size) throw new Error('address count mismatch');
    for (const [address, use] of perAddress) {
      const counted = this.addresses.get(address);
      if (counted?.sockets !== use.sockets || counted.subscriptions !== use.subscriptions) {
        throw new Error(`address ${address} counted wrong`);
      }
      if (use.sockets > this.limits.maxSocketsPerAddress) {
        throw new Error(`address ${address} over its socket limit`);
      }
      if (use.subscriptions > this.limits.maxSubscriptionsPerAddress) {
        throw new Error(`address ${address} over its subscription limit`);
      }
    }
  }

  /** Rate limiting: returns the session when the frame may be handled, null when dropped. */
  private admit(socket: HubSocket): Session | null {
    const session = this.sessions.get(socket);
    if (!session) return null;
    const now = this.nowMs();
    if (session.bucket.take(now)) return session;

    if (session.flood.markDrop(now)) {
      this.floodsClosed++;
      this.answer(
        socket,
        'rate-limited',
        `over ${this.limits.maxMessagesPerSecond} frames per second for ` +
          `${session.flood.droppingMs()} ms of the last ${this.limits.floodCloseMs} ms; closing`,
      );
      this.closeSocket(socket, CLOSE_POLICY_VIOLATION, 'rate limit');
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
    const use = this.addresses.get(session.address) as AddressUse;
    const addressLimit = this.limits.maxSubscriptionsPerAddress;
    if (use.subscriptions + fresh.length > addressLimit) {
      this.answer(
        socket,
        'too-many-topics',
        `subscribing to ${fresh.length} more topic(s) would pass the limit of ${addressLimit} ` +
          `per client address (its sockets hold ${use.subscriptions}); nothing was subscribed`,
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
      use.subscriptions++;
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

  private unsubscribe(socket: HubSocket, session: Session, topic: string): void {
    if (!session.topics.delete(topic)) return;
    this.subscriptions--;
    const use = this.addresses.get(session.address);
    if (use) use.subscriptions--;
    const subscribers = this.topics.get(topic);
    if (!subscribers) return;
    subscribers.delete(socket);
    if (subscribers.size === 0) this.topics.delete(topic);
  }

  private unsubscribeAll(socket: HubSocket, session: Session): void {
    for (const topic of [...session.topics]) this.unsubscribe(socket, session, topic);
  }

  private onPublish(socket: HubSocket, session: Session, msg: SignalingPublish): void {
    const subscribers = this.topics.get(msg.topic);
    if (!subscribers) return; // nobody listens: dropped, like y-webrtc's server
    let frame: Uint8Array;
    try {
      frame = encodeFrame({ ...msg, clients: subscribers.size });
    } catch {
      this.answer(socket, 'bad-field', 'the publish could not be re-encoded');
      return;
    }
    if (frame.byteLength > this.limits.maxFrameBytes) {
      this.answer(
        socket,
        'frame-too-large',
        `the delivered frame would be larger than ${this.limits.maxFrameBytes} bytes`,
      );
      return;
    }
    // Encoded once: every receiver is handed the same bytes.
    for (const receiver of [...subscribers]) {
      if (this.sessions.has(receiver) && this.queue(receiver, frame)) this.messagesRelayed++;
    }
  }

  /**
   * The one way out to a known socket: queues the frame when it fits under maxBufferedBytes with
   * what is already queued; otherwise the socket is a slow consumer and is closed.
   */
  private queue(socket: HubSocket, frame: Uint8Array, asPong = false): boolean {
    if (socket.bufferedBytes() + frame.byteLength > this.limits.maxBufferedBytes) {
      this.slowConsumersClosed++;
      this.closeSocket(socket, CLOSE_TRY_AGAIN_LATER, 'slow consumer', [
        'slow-consumer',
        `more than ${this.limits.maxBufferedBytes} bytes would wait to be sent to this socket; ` +
          'closing',
      ]);
      return false;
    }
    if (asPong) socket.pong(frame);
    else socket.send(frame);
    return true;
  }

  private answer(socket: HubSocket, code: SignalingErrorCode, message: string): void {
    if (this.queue(socket, encodeFrame(signalingError(code, message)))) {
      this.errorsAnswered++;
    }
  }

  /** Refuses a socket that was never registered: one answer, then the close. */
  private refuse(socket: HubSocket, code: SignalingErrorCode, message: string): void {
    this.socketsRefused++;
    this.errorsAnswered++;
    socket.send(encodeFrame(signalingError(code, message)));
    socket.close(CLOSE_TRY_AGAIN_LATER, code);
  }

  /**
   * Closes a socket the hub gave up on and forgets it at once: it stops receiving, and its slot
   * and quotas are free for others while the gateway finishes (or cuts) the connection. A last
   * answer, when given, is the one frame allowed past the output bound.
   */
  private closeSocket(
    socket: HubSocket,
    code: number,
    reason: string,
    lastAnswer?: [SignalingErrorCode, string],
  ): void {
    if (!this.sessions.has(socket)) return; // already closed (an answer found it slow)
    this.remove(socket);
    if (lastAnswer) {
      this.errorsAnswered++;
      socket.send(encodeFrame(signalingError(lastAnswer[0], lastAnswer[1])));
    }
    socket.close(code, reason);
  }
}
