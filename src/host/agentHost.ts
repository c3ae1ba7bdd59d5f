import type { Agent, AgentEffect, AgentEvent, AgentSnapshot } from '../core/agent/agent';
import type { AgentId } from '../core/base/ids';
import {
  decodeFrame,
  encodeFrame,
  FrameTooLargeError,
  type DecodeFailure,
} from '../core/wire/codec';
import { DEFAULT_MAX_FRAME_BYTES, type PeerMessage } from '../core/wire/messages';
import type { Clock, MeshEvent, Observer, TimerHandle, Transport } from './ports';

export interface HostStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  framesRejected: Record<DecodeFailure, number>;
  framesTooLargeToSend: number;
}

export interface HostSnapshot {
  selfId: AgentId;
  nowMs: number;
  agent: AgentSnapshot;
  stats: HostStats;
}

export interface AgentHostOptions {
  agent: Agent;
  transport: Transport;
  clock: Clock;
  observer?: Observer;
  maxFrameBytes?: number;
}

function emptyRejections(): Record<DecodeFailure, number> {
  return {
    oversized: 0,
    truncated: 0,
    'bad-version': 0,
    'unknown-type': 0,
    'malformed-body': 0,
    'invalid-fields': 0,
  };
}

/**
 * Drives one Agent with real or simulated ports. Inputs are fed one at a time; the effects of
 * each step run in the order the agent returned them (sends, closes and events interleaved as
 * produced); then the single wake-up timer is re-armed if the agent wants an earlier tick.
 */
export class AgentHost {
  readonly selfId: AgentId;
  readonly stats: HostStats = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    framesRejected: emptyRejections(),
    framesTooLargeToSend: 0,
  };
  private readonly agent: Agent;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly observer: Observer | undefined;
  private readonly maxFrameBytes: number;
  private timer: TimerHandle | null = null;
  private timerAtMs: number | null = null;
  private stopped = false;
  /** The last message encoded in the current step and its frame (transports must not mutate it). */
  private lastEncoded: PeerMessage | null = null;
  private lastFrame: Uint8Array | null = null;

  constructor(options: AgentHostOptions) {
    this.agent = options.agent;
    this.selfId = options.agent.selfId;
    this.transport = options.transport;
    this.clock = options.clock;
    this.observer = options.observer;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  start(): void {
    this.transport.setHandler({
      onLinkUp: (peer) => this.feed({ kind: 'linkUp', peer, nowMs: this.clock.nowMs() }),
      onLinkDown: (peer, reason) =>
        this.feed({ kind: 'linkDown', peer, reason, nowMs: this.clock.nowMs() }),
      onFrame: (peer, frame) => this.onFrame(peer, frame),
    });
    this.feed({ kind: 'tick', nowMs: this.clock.nowMs() });
  }

  /** Says bye on every link, then stops driving the agent. */
  leave(): void {
    if (this.stopped) return;
    this.feed({ kind: 'leave', nowMs: this.clock.nowMs() });
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.timerAtMs = null;
  }

  snapshot(): HostSnapshot {
    return {
      selfId: this.selfId,
      nowMs: this.clock.nowMs(),
      agent: this.agent.snapshot(),
      stats: { ...this.stats, framesRejected: { ...this.stats.framesRejected } },
    };
  }

  /** For checkers: the agent's invariants, asserted. */
  checkInvariants(): void {
    this.agent.invariants();
  }

  private onFrame(peer: AgentId, frame: Uint8Array): void {
    if (this.stopped) return;
    this.stats.framesIn++;
    this.stats.bytesIn += frame.length;
    const decoded = decodeFrame(frame, this.maxFrameBytes);
    if (!decoded.ok) {
      this.stats.framesRejected[decoded.reason]++;
      this.emit({
        level: 'warn',
        kind: 'frame-rejected',
        peer,
        detail: `${decoded.reason}: ${decoded.detail}`,
      });
      return;
    }
    this.feed({ kind: 'message', from: peer, msg: decoded.msg, nowMs: this.clock.nowMs() });
  }

  private feed(input: Parameters<Agent['step']>[0]): void {
    if (this.stopped) return;
    const effects = this.agent.step(input);
    for (const effect of effects) this.execute(effect);
    this.lastEncoded = null;
    this.lastFrame = null;
    this.armTimer();
  }

  private execute(effect: AgentEffect): void {
    switch (effect.kind) {
      case 'send': {
        let frame: Uint8Array;
        // A message sent to several peers in one step (an advert) is one object: encode it once.
        if (effect.msg === this.lastEncoded && this.lastFrame !== null) {
          frame = this.lastFrame;
        } else {
          try {
            frame = encodeFrame(effect.msg, this.maxFrameBytes);
          } catch (error) {
            if (!(error instanceof FrameTooLargeError)) throw error;
            this.stats.framesTooLargeToSend++;
            this.emit({
              level: 'error',
              kind: 'frame-too-large',
              peer: effect.to,
              detail: error.message,
            });
            return;
          }
          this.lastEncoded = effect.msg;
          this.lastFrame = frame;
        }
        this.stats.framesOut++;
        this.stats.bytesOut += frame.length;
        this.transport.send(effect.to, frame);
        return;
      }
      case 'close':
        this.transport.close(effect.peer, effect.reason);
        return;
      case 'event':
        this.emitAgentEvent(effect.event);
        return;
    }
  }

  private emitAgentEvent(event: AgentEvent): void {
    const detail = 'reason' in event ? event.reason : undefined;
    const level = event.type === 'link-up' ? 'info' : 'warn';
    this.emit({
      level,
      kind: event.type,
      peer: event.peer,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  private emit(event: Omit<MeshEvent, 'atMs'>): void {
    this.observer?.onEvent({ atMs: this.clock.nowMs(), ...event });
  }

  private armTimer(): void {
    const wakeAtMs = this.agent.nextWakeMs();
    if (wakeAtMs === null) return;
    // An earlier timer already armed still fires first; the tick it delivers re-arms for later.
    if (this.timerAtMs !== null && this.timerAtMs <= wakeAtMs) return;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timerAtMs = wakeAtMs;
    this.timer = this.clock.setTimer(wakeAtMs, () => {
      this.timer = null;
      this.timerAtMs = null;
      this.feed({ kind: 'tick', nowMs: this.clock.nowMs() });
    });
  }
}
