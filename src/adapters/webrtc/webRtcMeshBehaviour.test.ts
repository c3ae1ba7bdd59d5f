import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex, type AgentId } from '../../core/base/ids';
import type { ByzantineBehaviour } from '../../core/wire/byzantineBehaviours';
import { chaosCommandBytes, type ChaosCommand } from '../../core/wire/chaosCommand';
import { generateIdentity, sign, type Identity } from './identity';
import { randomHex } from './randomHex';
import type { PeerFactory } from './simplePeerTypes';
import { ROOM_TOPIC_PREFIX, WebRtcMesh } from './webRtcMesh';

const noPeers: PeerFactory = () => {
  throw new Error('no links in this test');
};

async function command(
  issuer: Identity,
  agent: AgentId,
  behaviour: ByzantineBehaviour,
): Promise<ChaosCommand> {
  const id = randomHex(16);
  const action = { kind: 'behaviour', agent, behaviour } as const;
  const signature = bytesToHex(await sign(issuer, chaosCommandBytes(id, issuer.id, action)));
  return { type: 'chaos', id, issuer: issuer.id, action, signature, copy: 0 };
}

describe('WebRtcMesh behaviour commands', () => {
  const opened: { close(): void }[] = [];
  afterEach(() => {
    for (const open of opened.splice(0)) open.close();
  });

  /** A mesh that is never started, and a sibling tab's channel into its room. */
  async function meshAndSibling(room: string) {
    const { identity } = await generateIdentity();
    const mesh = new WebRtcMesh(
      identity,
      {
        room,
        signalingUrl: 'ws://127.0.0.1:9/signal',
        iceServers: [],
        links: {},
        siblingChannel: true,
      },
      noPeers,
    );
    const sibling = new BroadcastChannel(ROOM_TOPIC_PREFIX + room);
    opened.push(sibling, { close: () => mesh.leave() });
    const acks: unknown[] = [];
    sibling.onmessage = (event: MessageEvent) => acks.push(event.data);
    return { mesh, sibling, acks };
  }

  it('hands a command that came before any handler to the handler once it is set', async () => {
    const { mesh, sibling, acks } = await meshAndSibling(`behaviour-${randomHex(6)}`);
    const { identity: issuer } = await generateIdentity();
    sibling.postMessage(await command(issuer, mesh.selfId, 'silent'));
    sibling.postMessage(await command(issuer, mesh.selfId, 'replay'));
    await expect.poll(() => acks.length).toBe(2);
    expect(mesh.snapshot().chaos.behaviours).toEqual({ [mesh.selfId]: 'replay' });

    const seen: ByzantineBehaviour[] = [];
    mesh.onBehaviourCommand((behaviour) => seen.push(behaviour));
    expect(seen).toEqual(['replay']);

    sibling.postMessage(await command(issuer, mesh.selfId, 'honest'));
    await expect.poll(() => seen).toEqual(['replay', 'honest']);
    expect(mesh.snapshot().chaos.behaviours).toEqual({});
  });
});
