import type { AgentId } from '../../core/base/ids';
import type { LinkFault, MeshSnapshot } from '../../host/meshSnapshot';
import type { BrowserMesh } from './browserMesh';
import type { LinkSetupTime } from './meshTransport';

/** What `window.meshDebug` offers: the browser console and the end-to-end tests use it. */
export interface MeshDebugHook {
  selfId: AgentId;
  snapshot(): MeshSnapshot;
  setFault(peer: AgentId, fault: LinkFault): void;
  setupTimes(): LinkSetupTime[];
  leave(): void;
}

export function installDebugHook(target: { meshDebug?: MeshDebugHook }, mesh: BrowserMesh): void {
  target.meshDebug = {
    selfId: mesh.selfId,
    snapshot: () => mesh.snapshot(),
    setFault: (peer, fault) => mesh.setFault(peer, fault),
    setupTimes: () => mesh.setupTimes(),
    leave: () => mesh.leave(),
  };
}
