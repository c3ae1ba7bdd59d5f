import type { AgentId } from '../core/base/ids';
import { laneOf } from '../core/wire/lanes';
import type { Transport, TransportHandler } from './ports';

/** One lane, shared by every type code it claimed. */
type LaneKey = object;

/**
 * Shares one agent's links between the agent host and other components (the shared document,
 * the pBFT host): frames whose type code a lane claimed go to that lane, all others to the
 * default lane; link changes go to every lane. Each lane is a Transport of its own, so a
 * component written against the port runs unchanged in the browser and in the simulator.
 */
export class FrameLanes {
  /** The agent host's lane: every frame no other lane claimed. */
  readonly agentLane: Transport;
  private readonly agentKey: LaneKey = {};
  /** In the order the lanes' handlers were first set, which is the order link changes go in. */
  private readonly handlers = new Map<LaneKey, TransportHandler>();
  private readonly laneByCode = new Map<number, LaneKey>();
  private readonly codes = new Set<number>();
  /** Links up now, so a lane that starts late hears of them. */
  private readonly openPeers = new Set<AgentId>();

  constructor(private readonly transport: Transport) {
    this.agentLane = this.makeLane(this.agentKey);
    transport.setHandler({
      onLinkUp: (peer) => {
        this.openPeers.add(peer);
        for (const handler of this.handlers.values()) handler.onLinkUp(peer);
      },
      onLinkDown: (peer, reason) => {
        this.openPeers.delete(peer);
        for (const handler of this.handlers.values()) handler.onLinkDown(peer, reason);
      },
      onFrame: (peer, frame) => this.handlers.get(this.laneKeyOf(frame))?.onFrame(peer, frame),
    });
  }

  /** A lane for the frames with `typeCode` (second byte of the frame); one lane per code. */
  lane(typeCode: number): Transport {
    return this.lanes([typeCode]);
  }

  /**
   * One lane for the frames of several type codes (a component with several message types, such
   * as the pBFT host with its chunks). A code belongs to one lane only.
   */
  lanes(typeCodes: readonly number[]): Transport {
    if (typeCodes.length === 0) throw new Error('a lane needs a type code');
    const claimed = new Set<number>();
    for (const code of typeCodes) {
      if (!Number.isInteger(code) || code < 0 || code > 0xff)
        throw new Error(`bad type code ${code}`);
      if (this.codes.has(code) || claimed.has(code)) throw new Error(`lane ${code} is taken`);
      claimed.add(code);
    }
    const key: LaneKey = {};
    for (const code of claimed) {
      this.codes.add(code);
      this.laneByCode.set(code, key);
    }
    return this.makeLane(key);
  }

  private laneKeyOf(frame: Uint8Array): LaneKey {
    const code = laneOf(frame, this.codes);
    return code === null ? this.agentKey : (this.laneByCode.get(code) ?? this.agentKey);
  }

  private makeLane(key: LaneKey): Transport {
    const transport = this.transport;
    return {
      setHandler: (handler) => {
        this.handlers.set(key, handler);
        for (const peer of this.openPeers) handler.onLinkUp(peer);
      },
      send: (peer: AgentId, frame: Uint8Array) => transport.send(peer, frame),
      close: (peer: AgentId, reason: string) => transport.close(peer, reason),
      connect: (peer: AgentId) => transport.connect(peer),
      bufferedBytes: (peer: AgentId) => transport.bufferedBytes?.(peer) ?? 0,
    };
  }
}
