import type { AgentId } from '../../core/base/ids';
import { groupColour } from '../charts/palette';
import { effectiveGroup } from '../store/chaosSlice';
import { useMeshStore } from '../store/useMeshStore';

/** A small per-row group picker for the partition being drawn up (lists, partition mode). */
export function GroupSelect({ id, label }: { id: AgentId; label: string }) {
  const groupCount = useMeshStore((s) => s.groupCount);
  const group = useMeshStore((s) => effectiveGroup(s.groupOf, s.groupCount, id));
  const setGroup = useMeshStore((s) => s.setGroup);
  return (
    <select
      className="group-select"
      data-testid="group-select"
      data-agent-id={id}
      aria-label={`Group of ${label}`}
      value={group}
      style={{ borderColor: groupColour(group), color: groupColour(group) }}
      onClick={(event) => event.stopPropagation()}
      onChange={(event) => setGroup(id, Number(event.target.value))}
    >
      {Array.from({ length: groupCount }, (_, g) => (
        <option key={g} value={g}>
          G{g + 1}
        </option>
      ))}
    </select>
  );
}
