import { describe, expect, it } from 'vitest';
import type { AgentId } from '../../core/base/ids';
import type { ByzantineBehaviour } from '../../core/wire/byzantineBehaviours';
import {
  MAX_SLOWDOWN_FACTOR,
  type ChaosAck,
  type ChaosCommand,
} from '../../core/wire/chaosCommand';
import { ChaosController } from './chaosController';
import { generateIdentity, type Identity } from './identity';
import type { MeshTransport } from './meshTransport';

interface Agent {
  id: AgentId;
  controller: ChaosController;
  applied: ByzantineBehaviour[];
  slowdowns: number[];
  events: string[];
}

/** Agents whose broadcasts reach every other agent at once, as the signaling server's room does. */
async function room(size: number, applySlowdown?: (factor: number) => void) {
  const identities: Identity[] = [];
  for (let i = 0; i < size; i++) identities.push((await generateIdentity()).identity);
  const inFlight: Promise<void>[] = [];
  const transport = {
    setCutOff: () => {},
    clearFaults: () => {},
    setFault: () => {},
  } as unknown as MeshTransport;
  const deliver = (from: AgentId, message: ChaosCommand | ChaosAck) => {
    for (const other of agents) {
      if (other.id !== from) inFlight.push(other.controller.receive(structuredClone(message)));
    }
  };
  const agents: Agent[] = identities.map((identity) => {
    const applied: ByzantineBehaviour[] = [];
    const slowdowns: number[] = [];
    const events: string[] = [];
    const controller = new ChaosController({
      identity,
      transport,
      broadcast: (message) => deliver(identity.id, message),
      forward: () => {},
      knownAgents: () => identities.map((i) => i.id),
      emit: (event) => events.push(event.kind),
      nowMs: () => Date.now(),
      blockFor: () => {},
      applyBehaviour: (behaviour) => applied.push(behaviour),
      applySlowdown: (factor) => {
        applySlowdown?.(factor);
        slowdowns.push(factor);
      },
    });
    return { id: identity.id, controller, applied, slowdowns, events };
  });
  /** Waits until no message has been in flight for a few turns (signing is asynchronous). */
  const settle = async () => {
    for (let idle = 0; idle < 20; idle++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      while (inFlight.length > 0) {
        await Promise.all(inFlight.splice(0));
        idle = 0;
      }
    }
  };
  return { agents, settle };
}

describe('behaviour commands', () => {
  it('switch only the target, which alone acks; every agent records the behaviour', async () => {
    const { agents, settle } = await room(3);
    const [issuer, target, bystander] = agents as [Agent, Agent, Agent];
    issuer.controller.setBehaviour(target.id, 'equivocate');
    await settle();

    expect(target.applied).toEqual(['equivocate']);
    expect(target.events).toContain('chaos-behaviour');
    expect(issuer.applied).toEqual([]);
    expect(bystander.applied).toEqual([]);
    for (const agent of agents) {
      expect(agent.controller.view().behaviours).toEqual({ [target.id]: 'equivocate' });
    }
    expect(issuer.controller.view().lastCommand).toMatchObject({
      kind: 'behaviour',
      applied: [target.id],
      awaiting: [],
    });
  });

  it('drop an agent set back to honest from the view, and tell it', async () => {
    const { agents, settle } = await room(2);
    const [issuer, target] = agents as [Agent, Agent];
    issuer.controller.setBehaviour(target.id, 'silent');
    issuer.controller.setBehaviour(issuer.id, 'replay');
    await settle();
    expect(target.controller.view().behaviours).toEqual({
      [target.id]: 'silent',
      [issuer.id]: 'replay',
    });
    expect(issuer.applied).toEqual(['replay']);

    target.controller.setBehaviour(target.id, 'honest');
    await settle();
    expect(target.applied).toEqual(['silent', 'honest']);
    for (const agent of agents) {
      expect(agent.controller.view().behaviours).toEqual({ [issuer.id]: 'replay' });
    }
  });

  it('ignore a command whose signature does not verify', async () => {
    const { agents, settle } = await room(2);
    const [, target] = agents as [Agent, Agent];
    const other = (await generateIdentity()).identity;
    await target.controller.receive({
      type: 'chaos',
      id: '0123456789abcdef',
      issuer: other.id,
      action: { kind: 'behaviour', agent: target.id, behaviour: 'wrong-digest' },
      signature: 'ab'.repeat(64),
      copy: 0,
    });
    await settle();
    expect(target.applied).toEqual([]);
    expect(target.controller.view().behaviours).toEqual({});
    expect(target.events).toEqual(['chaos-rejected']);
  });
});

describe('slow commands', () => {
  it('slow only the target, which alone acks; back to normal with factor 1', async () => {
    const { agents, settle } = await room(3);
    const [issuer, target, bystander] = agents as [Agent, Agent, Agent];
    issuer.controller.setSlowdown(target.id, 4);
    await settle();

    expect(target.slowdowns).toEqual([4]);
    expect(target.events).toContain('chaos-slow');
    expect(issuer.slowdowns).toEqual([]);
    expect(bystander.slowdowns).toEqual([]);
    expect(bystander.events).not.toContain('chaos-slow');
    expect(issuer.controller.view().lastCommand).toMatchObject({
      kind: 'slow',
      applied: [target.id],
      awaiting: [],
    });
    // Slowing is not a Byzantine behaviour: the pBFT replica is left alone.
    expect(target.applied).toEqual([]);

    issuer.controller.setSlowdown(target.id, 1);
    await settle();
    expect(target.slowdowns).toEqual([4, 1]);
  });

  it('refuse a factor out of range at once, sending nothing', async () => {
    const { agents, settle } = await room(2);
    const [issuer, target] = agents as [Agent, Agent];
    for (const factor of [0, 0.5, MAX_SLOWDOWN_FACTOR + 1, Number.NaN]) {
      expect(() => issuer.controller.setSlowdown(target.id, factor)).toThrow(RangeError);
    }
    await settle();
    expect(target.slowdowns).toEqual([]);
    expect(issuer.controller.view().lastCommand).toBeNull();
  });

  it('ack a slow command whose switch failed, and say so in an event', async () => {
    const { agents, settle } = await room(2, () => {
      throw new Error('no task pool');
    });
    const [issuer, target] = agents as [Agent, Agent];
    issuer.controller.setSlowdown(target.id, 8);
    await settle();
    expect(target.events).toContain('chaos-rejected');
    expect(target.events).not.toContain('chaos-slow');
    expect(issuer.controller.view().lastCommand).toMatchObject({
      kind: 'slow',
      applied: [target.id],
    });
  });

  it('ignore an out-of-range factor received from the room', async () => {
    const { agents, settle } = await room(2);
    const [issuer, target] = agents as [Agent, Agent];
    await target.controller.receive({
      type: 'chaos',
      id: '0123456789abcdef',
      issuer: issuer.id,
      action: { kind: 'slow', agent: target.id, factor: 1000 },
      signature: 'ab'.repeat(64),
      copy: 0,
    });
    await settle();
    expect(target.slowdowns).toEqual([]);
    expect(target.events).toEqual(['chaos-rejected']);
  });
});
