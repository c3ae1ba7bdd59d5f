import { compareIds, type AgentId } from '../../core/base/ids';
import type {
  ConsensusMisbehaviour,
  ConsensusView,
  CriticalLogEntry,
  ReplicaSlotStatus,
} from '../../host/consensusView';
import type { MeshSnapshot } from '../../host/meshSnapshot';

/** Digests are shown by their first hex digits (the full one is in the tooltip). */
export const DIGEST_SHORT_CHARS = 8;

export function shortDigest(digest: string): string {
  return digest === '' ? '—' : digest.slice(0, DIGEST_SHORT_CHARS);
}

/** "n=4 f=1 quorum=3 view=0": the numbers the pBFT run rests on. */
export function consensusSummary(view: ConsensusView): string {
  const { n, f, quorum, epoch, viewInEpoch } = view.status;
  return `n=${n} f=${f} quorum=${quorum} ${epoch > 0 ? `epoch=${epoch} ` : ''}view=${viewInEpoch}`;
}

/**
 * The replicas the slot grid has a column for: the replica set in its order, then anyone else
 * a slot names (a replica set that changed while slots were still in the window), by id.
 */
export function slotColumns(view: ConsensusView): AgentId[] {
  const columns = [...view.status.replicas];
  const known = new Set<AgentId>(columns);
  const extra = new Set<AgentId>();
  for (const slot of view.slots)
    for (const id of Object.keys(slot.replicas) as AgentId[]) if (!known.has(id)) extra.add(id);
  return [...columns, ...[...extra].sort(compareIds)];
}

export interface SlotRow {
  seq: number;
  view: number;
  /** The batch's action kinds, or how many requests it holds when this agent lacks the batch. */
  kinds: string;
  digest: string;
  digestShort: string;
  phase: ConsensusView['slots'][number]['phase'];
  /** One per column of slotColumns, in that order. */
  cells: { id: AgentId; status: ReplicaSlotStatus }[];
}

function kindsText(kinds: readonly string[], requestCount: number): string {
  if (kinds.length > 0) return kinds.join(', ');
  return requestCount > 0 ? `${requestCount} req` : '—';
}

/** The log window, newest sequence number first, each replica's status per column. */
export function selectSlotRows(view: ConsensusView, columns: readonly AgentId[]): SlotRow[] {
  return [...view.slots]
    .sort((x, y) => y.seq - x.seq)
    .map((slot) => ({
      seq: slot.seq,
      view: slot.view,
      kinds: kindsText(slot.kinds, slot.requestCount),
      digest: slot.digest,
      digestShort: shortDigest(slot.digest),
      phase: slot.phase,
      cells: columns.map((id) => ({ id, status: slot.replicas[id] ?? 'none' })),
    }));
}

/** The executed log, newest first. */
export function selectLogRows(view: ConsensusView): CriticalLogEntry[] {
  return [...view.log].sort((x, y) => y.seq - x.seq || y.index - x.index);
}

/** What the graph marks on one agent's node. */
export interface ConsensusMark {
  primary: boolean;
  /** Misbehaviour proven against the agent, oldest first (empty when none). */
  flags: ConsensusMisbehaviour[];
}

/** Marks for the topology graph: the primary, and each flagged replica with its evidence. */
export function selectConsensusMarks(snapshot: MeshSnapshot): Map<AgentId, ConsensusMark> {
  const marks = new Map<AgentId, ConsensusMark>();
  const view = snapshot.consensus;
  if (view === null) return marks;
  const markOf = (id: AgentId) => {
    let mark = marks.get(id);
    if (mark === undefined) {
      mark = { primary: false, flags: [] };
      marks.set(id, mark);
    }
    return mark;
  };
  if (view.status.primary !== null) markOf(view.status.primary).primary = true;
  for (const flag of view.flagged) markOf(flag.replica).flags.push(flag);
  return marks;
}

/** The flags as the node's tooltip lists them: "flagged equivocation: <evidence>" per line. */
export function flagLines(flags: readonly ConsensusMisbehaviour[]): string[] {
  return flags.map((f) => `flagged ${f.kind}: ${f.evidence}`);
}

/** How the role reads: "forming — <what it waits for>", "replica", "client". */
export function roleText(view: ConsensusView): string {
  if (view.role === 'forming')
    return view.formingDetail === null ? 'forming' : `forming — ${view.formingDetail}`;
  if (view.role === 'client') return 'client — proposes, does not vote';
  if (view.role === 'joining') return 'joining — taking the state before it votes';
  return 'replica';
}

/** "3 duplicate, 1 bad-signature", or null when nothing was rejected. */
export function rejectedText(rejected: Readonly<Record<string, number>>): string | null {
  const parts = Object.entries(rejected)
    .filter(([, count]) => count > 0)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([reason, count]) => `${count} ${reason}`);
  return parts.length === 0 ? null : parts.join(', ');
}
