import { describe, expect, it } from 'vitest';
import { fingerprintFromSdp } from '../../core/wire/linkAuth';
import { generateIdentity } from './identity';
import { createHello, verifyHello } from './linkHandshake';

const FP_ALICE = 'sha-256 AA:11:22:33';
const FP_BOB = 'sha-256 BB:44:55:66';
const FP_MALLORY = 'sha-256 CC:77:88:99';

async function twoAgents() {
  const alice = (await generateIdentity()).identity;
  const bob = (await generateIdentity()).identity;
  return { alice, bob };
}

describe('link handshake', () => {
  it('accepts a hello that signs this connection', async () => {
    const { alice, bob } = await twoAgents();
    const hello = await createHello(alice, 'room', bob.id, { local: FP_ALICE, remote: FP_BOB });
    const verdict = await verifyHello(hello, alice.id, bob.id, 'room', {
      local: FP_BOB,
      remote: FP_ALICE,
    });
    expect(verdict).toEqual({ ok: true });
  });

  it('refuses a hello relayed over a connection a man in the middle terminates', async () => {
    const { alice, bob } = await twoAgents();
    // Alice's real connection goes to Mallory, so she signs Mallory's certificate as the remote.
    const hello = await createHello(alice, 'room', bob.id, { local: FP_ALICE, remote: FP_MALLORY });
    // Bob's connection also goes to Mallory: he sees Mallory's certificate as Alice's.
    const verdict = await verifyHello(hello, alice.id, bob.id, 'room', {
      local: FP_BOB,
      remote: FP_MALLORY,
    });
    expect(verdict.ok).toBe(false);
  });

  it('refuses a hello from another id than the one the link was opened to', async () => {
    const { alice, bob } = await twoAgents();
    const carol = (await generateIdentity()).identity;
    const hello = await createHello(carol, 'room', bob.id, { local: FP_ALICE, remote: FP_BOB });
    const verdict = await verifyHello(hello, alice.id, bob.id, 'room', {
      local: FP_BOB,
      remote: FP_ALICE,
    });
    expect(verdict).toMatchObject({ ok: false });
  });

  it('refuses a forged signature and a hello for another room', async () => {
    const { alice, bob } = await twoAgents();
    const fps = { local: FP_BOB, remote: FP_ALICE };
    const hello = await createHello(alice, 'room', bob.id, { local: FP_ALICE, remote: FP_BOB });
    const flipped = (hello.signature[0] === '0' ? '1' : '0') + hello.signature.slice(1);
    expect(
      (await verifyHello({ ...hello, signature: flipped }, alice.id, bob.id, 'room', fps)).ok,
    ).toBe(false);
    expect((await verifyHello(hello, alice.id, bob.id, 'other-room', fps)).ok).toBe(false);
  });

  it('reads the DTLS fingerprint from an SDP', () => {
    const sdp = 'v=0\r\na=ice-ufrag:x\r\na=fingerprint:sha-256 AB:CD:EF\r\na=setup:actpass\r\n';
    expect(fingerprintFromSdp(sdp)).toBe('sha-256 ab:cd:ef');
    expect(fingerprintFromSdp('v=0\r\n')).toBeNull();
  });
});
