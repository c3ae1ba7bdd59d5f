import { describe, expect, it } from 'vitest';
import type { AgentId } from '../core/base/ids';
import { B, C } from '../core/base/testSupport';
import { CRDT_LANE_TYPE_CODE, PBFT_CHUNK_LANE_TYPE_CODE } from '../core/wire/lanes';
import { WIRE_VERSION } from '../core/wire/messages';
import { FrameLanes } from './frameLanes';
import { PBFT_LANE_TYPE_CODES } from './pbftLane';
import type { Transport, TransportHandler } from './ports';

/** A transport whose events the test raises; it lists what lanes send through it. */
function fakeTransport() {
  let handler: TransportHandler | null = null;
  const sent: string[] = [];
  const transport: Transport = {
    setHandler: (h) => (handler = h),
    send: (peer, frame) => sent.push(`${peer.slice(0, 1)}:${frame[1]}`),
    close: () => undefined,
    connect: () => undefined,
  };
  return { transport, sent, raise: () => handler as TransportHandler };
}

/** A lane handler that writes what reached it into `log` as `name:event`. */
function recorder(name: string, log: string[]): TransportHandler {
  return {
    onLinkUp: (peer) => log.push(`${name}:up ${peer.slice(0, 1)}`),
    onLinkDown: (peer) => log.push(`${name}:down ${peer.slice(0, 1)}`),
    onFrame: (_peer, frame) => log.push(`${name}:${frame[1]}`),
  };
}

const frame = (code: number, version = WIRE_VERSION) => Uint8Array.of(version, code, 0);

describe('FrameLanes', () => {
  it('gives one lane every frame of the codes it claimed, and the agent lane the rest', () => {
    const { transport, raise } = fakeTransport();
    const lanes = new FrameLanes(transport);
    const log: string[] = [];
    lanes.agentLane.setHandler(recorder('agent', log));
    lanes.lanes([33, 47, PBFT_CHUNK_LANE_TYPE_CODE]).setHandler(recorder('pbft', log));
    lanes.lane(CRDT_LANE_TYPE_CODE).setHandler(recorder('doc', log));
    for (const code of [33, 47, 0x32, 0x30, 34, 2]) raise().onFrame(B, frame(code));
    raise().onFrame(B, frame(33, WIRE_VERSION + 1));
    raise().onFrame(B, Uint8Array.of(WIRE_VERSION));
    expect(log).toEqual([
      'pbft:33',
      'pbft:47',
      'pbft:50',
      'doc:48',
      'agent:34',
      'agent:2',
      'agent:33',
      'agent:undefined',
    ]);
  });

  it('tells every lane of link changes, in the order their handlers were set', () => {
    const { transport, raise } = fakeTransport();
    const lanes = new FrameLanes(transport);
    const log: string[] = [];
    const pbft = lanes.lanes([33, 34]);
    lanes.lane(CRDT_LANE_TYPE_CODE).setHandler(recorder('doc', log));
    lanes.agentLane.setHandler(recorder('agent', log));
    pbft.setHandler(recorder('pbft', log));
    raise().onLinkUp(B);
    raise().onLinkDown(B, 'gone');
    expect(log).toEqual([
      'doc:up b',
      'agent:up b',
      'pbft:up b',
      'doc:down b',
      'agent:down b',
      'pbft:down b',
    ]);
  });

  it('tells a lane whose handler comes late of the links already up', () => {
    const { transport, raise } = fakeTransport();
    const lanes = new FrameLanes(transport);
    raise().onLinkUp(B);
    raise().onLinkUp(C);
    raise().onLinkDown(B, 'gone');
    const log: string[] = [];
    lanes.lanes(PBFT_LANE_TYPE_CODES).setHandler(recorder('pbft', log));
    expect(log).toEqual(['pbft:up c']);
  });

  it('refuses a code another lane holds, leaving the codes of a refused call free', () => {
    const { transport, raise } = fakeTransport();
    const lanes = new FrameLanes(transport);
    lanes.lane(CRDT_LANE_TYPE_CODE);
    expect(() => lanes.lanes([33, CRDT_LANE_TYPE_CODE])).toThrow('lane 48 is taken');
    expect(() => lanes.lanes([34, 34])).toThrow('lane 34 is taken');
    expect(() => lanes.lanes([])).toThrow();
    expect(() => lanes.lanes([256])).toThrow();
    const log: string[] = [];
    lanes.lanes([33, 34]).setHandler(recorder('pbft', log));
    raise().onFrame(B, frame(33));
    raise().onFrame(B, frame(34));
    expect(log).toEqual(['pbft:33', 'pbft:34']);
    expect(() => lanes.lane(33)).toThrow('lane 33 is taken');
  });

  it('sends through the shared transport from every lane', () => {
    const { transport, sent } = fakeTransport();
    const lanes = new FrameLanes(transport);
    const peer: AgentId = C;
    lanes.lanes([33, 50]).send(peer, frame(50));
    lanes.agentLane.send(peer, frame(2));
    expect(sent).toEqual(['c:50', 'c:2']);
  });

  it('covers every pBFT message code and the chunk code in the pBFT lane', () => {
    expect([...PBFT_LANE_TYPE_CODES].sort((a, b) => a - b)).toEqual([
      33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 50,
    ]);
  });
});
