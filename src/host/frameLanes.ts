import type { AgentId } from '../core/base/ids';
import { laneOf } from '../core/wire/lanes';
import type { Transport, TransportHandler } from './ports';

/**
 * Shares one agent's links between the agent host and other components (the shared document):
 * frames whose type code a lane claimed go to that lane, all others to the default lane; link
 * changes go to every lane. Each lane is a Transport of its own, so a component written against
 * the port runs unchanged in the browser and in the simulator.
 */
export class FrameLanes {
  /** The agent host's lane: every frame no other lane claimed. */
  readonly agentLane: Transport;
  private readonly handlers = new Map<number | null, TransportHandler>();
  private readonly codes = new Set<number>();
  /** Links up now, so a lane that starts late hears of them. */
  private readonly openPeers = new Set<AgentId>();

  constructor(private readonly transport: Transport) {
    this.agentLane = this.makeLane(null);
    transport.setHandler({
      onLinkUp: (peer) => {
        this.openPeers.add(peer);
        for (const handler of this.handlers.values()) handler.onLinkUp(peer);
      },
      onLinkDown: (peer, reason) => {
        this.openPeers.delete(peer);
        for (const handler of this.handlers.values()) handler.onLinkDown(peer, reason);
      },
      onFrame: (peer, frame) => this.handlers.get(laneOf(frame, this.codes))?.onFrame(peer, frame),
    });
  }

  /** A lane for the frames with `typeCode` (second byte of the frame); one lane per code. */
  lane(typeCode: number): Transport {
    if (this.codes.has(typeCode)) throw new Error(`lane ${typeCode} is taken`);
    this.codes.add(typeCode);
    return this.makeLane(typeCode);
  }

  private makeLane(code: number | null): Transport {
    const transport = this.transport;
    return {
      setHandler: (handler) => {
        this.handlers.set(code, handler);
        for (const peer of this.openPeers) handler.onLinkUp(peer);
      },
      send: (peer: AgentId, frame: Uint8Array) => transport.send(peer, frame),
      close: (peer: AgentId, reason: string) => transport.close(peer, reason),
      connect: (peer: AgentId) => transport.connect(peer),
      bufferedBytes: (peer: AgentId) => transport.bufferedBytes?.(peer) ?? 0,
    };
  }
}
