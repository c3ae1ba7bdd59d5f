import { describe, expect, it } from 'vitest';
import { Agent, type AgentEffect, type AgentInput } from '../core/agent/agent';
import type { AgentId } from '../core/base/ids';
import { createSeededPrng } from '../core/base/prng';
import { encodeFrame } from '../core/wire/codec';
import { AgentHost } from './agentHost';
import type { Clock, CryptoPort, MeshEvent, Transport, TransportHandler } from './ports';

const SELF = '1'.repeat(64) as AgentId;
const PEER = '2'.repeat(64) as AgentId;

function manualClock() {
  let nowMs = 0;
  const timers: { atMs: number; callback: () => void; live: boolean }[] = [];
  const clock: Clock = {
    nowMs: () => nowMs,
    setTimer: (atMs, callback) => {
      const timer = { atMs, callback, live: true };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => {
      (handle as { live: boolean }).live = false;
    },
  };
  const advanceTo = (ms: number) => {
    nowMs = ms;
    for (const timer of timers) {
      if (timer.live && timer.atMs <= ms) {
        timer.live = false;
        timer.callback();
      }
    }
  };
  return { clock, advanceTo, liveTimers: () => timers.filter((t) => t.live) };
}

function recordingTransport() {
  let handler: TransportHandler | null = null;
  const sent: { peer: AgentId; frame: Uint8Array }[] = [];
  const transport: Transport = {
    setHandler: (h) => {
      handler = h;
    },
    send: (peer, frame) => sent.push({ peer, frame }),
    close: () => undefined,
    connect: () => undefined,
  };
  return { transport, sent, handler: () => handler as unknown as TransportHandler };
}

/** Agents sign their membership statements at start: a host of a real agent needs a port. */
const FAKE_CRYPTO: CryptoPort = {
  sign: (_bytes, done) => done('ab'.repeat(64)),
  verify: (_signer, _signature, _bytes, done) => done(true),
};

describe('AgentHost', () => {
  it('drops malformed frames, counts them by reason and never feeds them to the agent', () => {
    const { clock } = manualClock();
    const { transport, handler } = recordingTransport();
    const events: MeshEvent[] = [];
    const host = new AgentHost({
      agent: new Agent({ selfId: SELF, prng: createSeededPrng(1) }),
      transport,
      clock,
      crypto: FAKE_CRYPTO,
      observer: { onEvent: (e) => events.push(e) },
    });
    host.start();
    handler().onLinkUp(PEER);
    handler().onFrame(PEER, new Uint8Array([9, 9, 9]));
    handler().onFrame(PEER, new Uint8Array([1]));
    expect(host.stats.framesRejected['bad-version']).toBe(1);
    expect(host.stats.framesRejected.truncated).toBe(1);
    expect(events.filter((e) => e.kind === 'frame-rejected')).toHaveLength(2);
    // A valid ping is still answered afterwards.
    const before = host.stats.framesOut;
    handler().onFrame(PEER, encodeFrame({ type: 'ping', seq: 7, sentAtMs: 0 }));
    expect(host.stats.framesOut).toBe(before + 1);
  });

  it('arms one timer for the earliest wake-up and delivers ticks through it', () => {
    const { clock, advanceTo, liveTimers } = manualClock();
    const { transport, handler, sent } = recordingTransport();
    const host = new AgentHost({
      agent: new Agent({
        selfId: SELF,
        prng: createSeededPrng(1),
        links: { pingIntervalMs: 1000 },
      }),
      transport,
      clock,
      crypto: FAKE_CRYPTO,
    });
    host.start();
    handler().onLinkUp(PEER);
    expect(liveTimers()).toHaveLength(1);
    const pingsBefore = sent.length;
    advanceTo(1000);
    expect(sent.length).toBeGreaterThan(pingsBefore);
    expect(liveTimers()).toHaveLength(1);
  });

  it('serialises inputs fed back by a synchronous crypto callback after the current step', () => {
    const order: string[] = [];
    const agent = {
      selfId: SELF,
      step(input: AgentInput): AgentEffect[] {
        order.push(input.kind);
        if (input.kind === 'tick' && order.length === 1) {
          return [
            { kind: 'sign', requestId: 1, bytes: new Uint8Array([1]) },
            { kind: 'event', event: { type: 'link-refused', peer: PEER, reason: 'after sign' } },
          ];
        }
        return [];
      },
      nextWakeMs: () => null,
      snapshot: () => ({}) as never,
      invariants: () => undefined,
    } as unknown as Agent;
    const crypto: CryptoPort = {
      sign: (_bytes, done) => {
        order.push('signing');
        done('ab'.repeat(64));
      },
      verify: (_s, _sig, _b, done) => done(true),
    };
    const events: MeshEvent[] = [];
    const { clock } = manualClock();
    const host = new AgentHost({
      agent,
      transport: recordingTransport().transport,
      clock,
      crypto,
      observer: { onEvent: (e) => events.push(e) },
    });
    host.start();
    // The event of the first step is emitted before the signed input is stepped.
    expect(order).toEqual(['tick', 'signing', 'signed']);
    expect(events.map((e) => e.detail)).toEqual(['after sign']);
  });

  it('feeds a message with several claims once, also when the port verifies synchronously', () => {
    const steps: AgentInput[] = [];
    const agent = {
      selfId: SELF,
      step(input: AgentInput): AgentEffect[] {
        steps.push(input);
        return [];
      },
      nextWakeMs: () => null,
      snapshot: () => ({}) as never,
      invariants: () => undefined,
    } as unknown as Agent;
    let verifications = 0;
    const crypto: CryptoPort = {
      sign: (_bytes, done) => done('ab'.repeat(64)),
      verify: (_signer, signature, _bytes, done) => {
        verifications++;
        done(signature !== 'ff'.repeat(64));
      },
    };
    const { transport, handler } = recordingTransport();
    const host = new AgentHost({ agent, transport, clock: manualClock().clock, crypto });
    host.start();
    const alive = (subject: string, signature: string) => ({
      kind: 'alive' as const,
      subject: subject as AgentId,
      incarnation: 1,
      signature,
    });
    const facts = [alive('3'.repeat(64), 'cd'.repeat(64)), alive('4'.repeat(64), 'ce'.repeat(64))];
    handler().onFrame(PEER, encodeFrame({ type: 'swim-gossip', facts }));
    expect(steps.filter((input) => input.kind === 'message')).toHaveLength(1);
    expect(verifications).toBe(2);
    // Verified claims are remembered: the same message costs no further checks.
    handler().onFrame(PEER, encodeFrame({ type: 'swim-gossip', facts }));
    expect(verifications).toBe(2);
    expect(steps.filter((input) => input.kind === 'message')).toHaveLength(2);
    // One forged claim among good ones drops the whole message.
    const forged = [alive('5'.repeat(64), 'cf'.repeat(64)), alive('6'.repeat(64), 'ff'.repeat(64))];
    handler().onFrame(PEER, encodeFrame({ type: 'swim-gossip', facts: forged }));
    expect(steps.filter((input) => input.kind === 'message')).toHaveLength(2);
    expect(host.stats.forgedMessages).toBe(1);
    // A verified signature reused on another statement is checked again, not taken from the
    // cache (and a real verifier refuses it: the signature is over the first statement).
    crypto.verify = (_signer, _signature, _bytes, done) => {
      verifications++;
      done(false);
    };
    const reused = [{ ...alive('3'.repeat(64), 'cd'.repeat(64)), incarnation: 2 }];
    handler().onFrame(PEER, encodeFrame({ type: 'swim-gossip', facts: reused }));
    expect(verifications).toBe(5);
    expect(host.stats.forgedMessages).toBe(2);
  });

  it('refuses to sign without a crypto port', () => {
    const agent = {
      selfId: SELF,
      step: (): AgentEffect[] => [{ kind: 'sign', requestId: 1, bytes: new Uint8Array([1]) }],
      nextWakeMs: () => null,
      snapshot: () => ({}) as never,
      invariants: () => undefined,
    } as unknown as Agent;
    const host = new AgentHost({
      agent,
      transport: recordingTransport().transport,
      clock: manualClock().clock,
    });
    expect(() => host.start()).toThrow(/no crypto port/);
  });
});
