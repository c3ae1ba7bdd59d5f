import type { AgentId } from '../../core/base/ids';
import type { LinkFault, MeshCommands, MeshSnapshot } from '../../host/meshSnapshot';
import type { MeshEvent } from '../../host/ports';
import type { LinkSetupTime } from '../webrtc/meshTransport';

/**
 * What `window.meshDebug` offers (the browser console and the end-to-end tests use it): a view
 * of the same agent `window.mesh` is.
 */
export interface MeshDebugHook {
  selfId: AgentId;
  snapshot(): MeshSnapshot;
  setFault(peer: AgentId, fault: LinkFault): void;
  setupTimes(): LinkSetupTime[];
  leave(): void;
  /** The dashboard's chaos commands, for the console and the end-to-end tests. */
  commands: MeshCommands;
  /** Calls `listener` with every event the agent logs from now on; returns the unsubscribe. */
  onEvent(listener: (event: MeshEvent) => void): () => void;
}

/** The parts of a mesh the debug hook shows (structurally `Mesh` from src/api). */
export type DebuggableMesh = Omit<MeshDebugHook, 'selfId'> & { id: AgentId };

export function installDebugHook(
  target: { meshDebug?: MeshDebugHook },
  mesh: DebuggableMesh,
): void {
  target.meshDebug = {
    selfId: mesh.id,
    snapshot: () => mesh.snapshot(),
    setFault: (peer, fault) => mesh.setFault(peer, fault),
    setupTimes: () => mesh.setupTimes(),
    leave: () => mesh.leave(),
    commands: mesh.commands,
    onEvent: (listener) => mesh.onEvent(listener),
  };
}
