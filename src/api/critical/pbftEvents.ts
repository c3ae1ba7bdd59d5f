import { shortId } from '../../core/base/ids';
import type { PbftEvent } from '../../core/pbft/types';
import type { MeshEvent } from '../../host/ports';

/** A pBFT event as a line of the agent's event log. */
export function pbftEventOf(event: PbftEvent): Omit<MeshEvent, 'atMs'> {
  switch (event.type) {
    case 'pbft-view-change':
      return {
        level: 'warn',
        kind: event.type,
        detail: `view ${event.fromView} → ${event.toView} (${event.reason})`,
      };
    case 'pbft-new-view':
      return {
        level: 'info',
        kind: event.type,
        peer: event.primary,
        detail: `view ${event.view}, primary ${shortId(event.primary)}, ${event.reproposed} re-proposed`,
      };
    case 'pbft-misbehaviour':
      return {
        level: 'error',
        kind: event.type,
        peer: event.replica,
        detail: `${event.kind} proven: two pre-prepares for seq ${event.evidence.first.seq}`,
      };
    case 'pbft-state-transferred':
      return {
        level: 'info',
        kind: event.type,
        peer: event.from,
        detail: `state at seq ${event.seq}`,
      };
    case 'pbft-reconfigured':
      return {
        level: 'info',
        kind: event.type,
        detail:
          `epoch ${event.epoch} from seq ${event.seq}: ${event.replicas.length} replicas` +
          (event.member ? '' : ', this agent left out'),
      };
    case 'pbft-checkpoint-stable':
      return { level: 'info', kind: event.type, detail: `seq ${event.seq}` };
    case 'pbft-caught-up':
      return { level: 'info', kind: event.type, detail: `seq ${event.seq}` };
    case 'pbft-phase':
    case 'pbft-executed':
      return { level: 'info', kind: event.type, detail: `seq ${event.seq}` };
  }
}
